/**
 * `dms`: delayed match-to-sample (Miller et al. 1996), as neurogym's DelayMatchSample defines
 * it (neurogym 8136bc7 / v2.2.0; reference/specs.md 4.3).
 *
 * Inputs [fixation, stimulus1, stimulus2]; outputs (classes) [fixate, match, non-match].
 * A sample (on stimulus1 or stimulus2, uniform) is shown in the sample period as a one-hot
 * vector (neurogym: cos(theta - theta_s) 0.5 + 0.5 with theta = [0, pi]); after the delay the
 * test stimulus is the same one (match, class 1) or the other one (non-match, class 2),
 * uniformly. N(0, (sigma/sqrt(dt))^2) noise is added to both stimulus channels in the sample
 * and test periods only; the delay has zeros. The fixation input is 1 in every period but the
 * decision period (in every neurogym version). Target: class 0 except in the decision period,
 * where it is 1 (match) or 2 (non-match). Loss: cross-entropy on every step.
 *
 * Defaults: dt 100 ms; timing fixation 300, sample 500, delay 1000, test 500, decision 900 ms
 * (3 + 5 + 10 + 5 + 9 = 32 steps); sigma 1.
 * Preset `liu2025` (paper 1, via BioRNN_RichLazy): fixation 0, sample 100, delay 500, test 100,
 * decision 100 ms at dt 100: 8 steps.
 *
 * Conditions: `groundTruth` (1 match, 2 non-match) and `sample` (1 or 2: the channel the sample
 * is shown on; neurogym's sample_theta 0 or pi).
 * @module
 */
import { z } from 'zod';
import { parseWithSchema } from '../validate.js';
import { commonSettingsToJSON, commonShape, expectChoice, neurogymInfo, resolveCommon } from './neurogym.js';
import type { NeurogymOptions, OptionsMatchSchema, TimingPreset } from './neurogym.js';
import { defineTask } from './task.js';
import type { Task } from './task.js';
import { sampleTimingSteps } from './timing.js';
import type { TimingSpec } from './timing.js';

const PERIODS = ['fixation', 'sample', 'delay', 'test', 'decision'] as const;

/** neurogym's default durations of the dms periods, in ms. */
export const DMS_TIMING: Record<string, TimingSpec> = { fixation: 300, sample: 500, delay: 1000, test: 500, decision: 900 };

/** Named timing presets of dms besides "neurogym" (see {@link TimingPreset}). */
export const DMS_PRESETS: Record<string, TimingPreset> = {
  liu2025: {
    description: 'Liu, Zhang & Liu 2025 (BioRNN_RichLazy main.py): 8 steps at dt 100 ms',
    dt: 100,
    timing: { fixation: 0, sample: 100, delay: 500, test: 100, decision: 100 },
  },
};

const DmsOptionsSchema = z.strictObject({
  ...commonShape(PERIODS, Object.keys(DMS_PRESETS)),
});
/** Options of {@link dms}: the neurogym options only. */
export type DmsOptions = NeurogymOptions<(typeof PERIODS)[number], 'liu2025'>;
true satisfies OptionsMatchSchema<DmsOptions, z.input<typeof DmsOptionsSchema>>;

/**
 * Creates the dms task (see the module description).
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value of the wrong type
 * @throws RangeError for values out of range: dt <= 0, sigma < 0, a timing spec that is invalid,
 *   not a multiple of dt (fixed durations) or gives no decision step
 */
export function dms(options: DmsOptions = {}): Task {
  const o = parseWithSchema(DmsOptionsSchema, options, 'dms options');
  const common = resolveCommon('dms', PERIODS, DMS_TIMING, DMS_PRESETS, o);
  const info = neurogymInfo(
    {
      name: 'dms',
      description: 'Delayed match-to-sample: after a delay, report whether the test stimulus is the sample.',
      source: 'neurogym DelayMatchSample (v2.2.0 defaults; Miller et al. 1996); used by Liu, Zhang & Liu 2025 as "DMS"',
      inputs: ['fixation', 'stimulus1', 'stimulus2'],
      outputs: ['fixate', 'match', 'non-match'],
      conditions: ['groundTruth', 'sample'],
    },
    common,
    PERIODS,
  );
  return defineTask({
    info,
    settings: commonSettingsToJSON(common),
    plan(rng, forced, index) {
      const field = `options.conditions[${index}]`;
      const groundTruth = forced.groundTruth === undefined ? 1 + rng.int(2) : expectChoice(forced.groundTruth, [1, 2], `${field}.groundTruth`);
      const sample = forced.sample === undefined ? 1 + rng.int(2) : expectChoice(forced.sample, [1, 2], `${field}.sample`);
      return { conditions: { groundTruth, sample }, periods: sampleTimingSteps(common.timing, rng) };
    },
    write(out, plan, rng) {
      const { groundTruth, sample } = plan.conditions as { groundTruth: number; sample: number };
      const test = groundTruth === 1 ? sample : 3 - sample;
      out.setInput('fixation', [0, out.period('decision')[0]], 1);
      out.setInput(`stimulus${sample}`, 'sample', 1);
      out.setInput(`stimulus${test}`, 'test', 1);
      for (const period of ['sample', 'test']) {
        out.addInputNoise('stimulus1', period, common.noiseStd, rng);
        out.addInputNoise('stimulus2', period, common.noiseStd, rng);
      }
      out.setClass('decision', groundTruth);
      out.setMask(out.all);
    },
  });
}
