/**
 * `pdm`: two-alternative perceptual decision making (Britten et al. 1992), as neurogym's
 * PerceptualDecisionMaking defines it (neurogym 8136bc7 / v2.2.0; reference/specs.md 4.2).
 *
 * Inputs [fixation, stimulus1, stimulus2]; outputs (classes) [fixate, choice1, choice2].
 * A trial has a correct choice g in {1, 2} and a coherence c from `cohs` (both uniform). During
 * the stimulus period the channel of the correct choice reads 0.5 + c/200 and the other
 * 0.5 - c/200 (neurogym: cos(theta - theta_g) c/200 + 0.5 with theta = [0, pi]), plus
 * independent N(0, (sigma/sqrt(dt))^2) noise per channel and step. Stimulus channels are 0
 * outside the stimulus period. The target is class 0 (fixate) on every step except the
 * decision period, where it is g. Loss: cross-entropy on every step.
 *
 * Defaults: dt 100 ms; timing fixation 100, stimulus 2000, delay 0, decision 100 ms (22 steps);
 * cohs [0, 6.4, 12.8, 25.6, 51.2]; sigma 1.
 * Preset `liu2025` (paper 1, via BioRNN_RichLazy): fixation 0, stimulus 700, delay 0,
 * decision 100 ms at dt 100: 8 steps (7 stimulus + 1 decision).
 * Fixation input: see {@link FIXATION_INPUTS} (default `until-decision`).
 *
 * Conditions: `groundTruth` (1 or 2, the correct class; neurogym's ground_truth + 1) and
 * `coherence` (any value in [0, 100] can be forced, e.g. for psychometric curves).
 * @module
 */
import { z } from 'zod';
import { parseWithSchema, rangeError } from '../validate.js';
import { DEFAULT_FIXATION_INPUT, FIXATION_INPUTS, commonSettingsToJSON, commonShape, expectChoice, neurogymInfo, resolveCommon } from './neurogym.js';
import type { FixationInput, NeurogymOptions, OptionsMatchSchema, TimingPreset } from './neurogym.js';
import { defineTask } from './task.js';
import type { Task } from './task.js';
import { sampleTimingSteps } from './timing.js';
import type { TimingSpec } from './timing.js';

const PERIODS = ['fixation', 'stimulus', 'delay', 'decision'] as const;

/** neurogym's default durations of the pdm periods, in ms. */
export const PDM_TIMING: Record<string, TimingSpec> = { fixation: 100, stimulus: 2000, delay: 0, decision: 100 };
/** neurogym's default coherences, in percent. */
export const PDM_COHS = [0, 6.4, 12.8, 25.6, 51.2];

/** Named timing presets of pdm besides "neurogym" (see {@link TimingPreset}). */
export const PDM_PRESETS: Record<string, TimingPreset> = {
  liu2025: {
    description: 'Liu, Zhang & Liu 2025 (BioRNN_RichLazy main.py): 8 steps at dt 100 ms',
    dt: 100,
    timing: { fixation: 0, stimulus: 700, delay: 0, decision: 100 },
  },
};

const PdmOptionsSchema = z.strictObject({
  ...commonShape(PERIODS, Object.keys(PDM_PRESETS)),
  /** Coherences (percent) to draw from. */
  cohs: z.array(z.number().min(0).max(100)).min(1).optional(),
  fixationInput: z.enum(FIXATION_INPUTS).optional(),
});
/** Options of {@link pdm}. */
export interface PdmOptions extends NeurogymOptions<(typeof PERIODS)[number], 'liu2025'> {
  /** Coherences to draw from uniformly, in percent, each in [0, 100] (default {@link PDM_COHS}). */
  cohs?: number[] | undefined;
  /** Which steps the fixation input is on (default {@link DEFAULT_FIXATION_INPUT}). */
  fixationInput?: FixationInput | undefined;
}
true satisfies OptionsMatchSchema<PdmOptions, z.input<typeof PdmOptionsSchema>>;

/**
 * Creates the pdm task (see the module description).
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value of the wrong type
 * @throws RangeError for values out of range: dt <= 0, a coherence outside [0, 100], a timing
 *   spec that is invalid, not a multiple of dt (fixed durations) or gives no decision step
 */
export function pdm(options: PdmOptions = {}): Task {
  const o = parseWithSchema(PdmOptionsSchema, options, 'pdm options');
  const common = resolveCommon('pdm', PERIODS, PDM_TIMING, PDM_PRESETS, o);
  const cohs = o.cohs ?? PDM_COHS;
  const fixationInput = o.fixationInput ?? DEFAULT_FIXATION_INPUT;
  const info = neurogymInfo(
    {
      name: 'pdm',
      description: 'Two-alternative perceptual decision making: report which of two noisy stimuli is stronger on average.',
      source: 'neurogym PerceptualDecisionMaking (v2.2.0 defaults; Britten et al. 1992); used by Liu, Zhang & Liu 2025 as "2AF"',
      inputs: ['fixation', 'stimulus1', 'stimulus2'],
      outputs: ['fixate', 'choice1', 'choice2'],
      conditions: ['groundTruth', 'coherence'],
    },
    common,
    PERIODS,
  );
  return defineTask({
    info,
    settings: { ...commonSettingsToJSON(common), cohs: [...cohs], fixationInput },
    plan(rng, forced, index) {
      const field = `options.conditions[${index}]`;
      const groundTruth = forced.groundTruth === undefined ? 1 + rng.int(2) : expectChoice(forced.groundTruth, [1, 2], `${field}.groundTruth`);
      const coherence = forced.coherence ?? rng.choice(cohs);
      if (!(coherence >= 0 && coherence <= 100)) throw rangeError(`${field}.coherence`, 'a coherence in [0, 100]', coherence);
      return { conditions: { groundTruth, coherence }, periods: sampleTimingSteps(common.timing, rng) };
    },
    write(out, plan, rng) {
      const { groundTruth, coherence } = plan.conditions as { groundTruth: number; coherence: number };
      out.setInput('fixation', fixationInput === 'until-decision' ? [0, out.period('decision')[0]] : 'fixation', 1);
      const correct = groundTruth === 1 ? 'stimulus1' : 'stimulus2';
      const other = groundTruth === 1 ? 'stimulus2' : 'stimulus1';
      out.setInput(correct, 'stimulus', 0.5 + coherence / 200);
      out.setInput(other, 'stimulus', 0.5 - coherence / 200);
      out.addInputNoise('stimulus1', 'stimulus', common.noiseStd, rng);
      out.addInputNoise('stimulus2', 'stimulus', common.noiseStd, rng);
      out.setClass('decision', groundTruth);
      out.setMask(out.all);
    },
  });
}
