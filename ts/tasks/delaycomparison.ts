/**
 * `delaycomparison`: parametric working memory with frequency pairs (Romo et al. 1999; Barak et
 * al. 2010), as neurogym's DelayComparison defines it (neurogym 8136bc7 / v2.2.0;
 * reference/specs.md 4.5).
 *
 * Inputs [fixation, stimulus]; outputs (classes) [fixate, f1-higher, f2-higher].
 * A trial takes a pair (f1, f2) from `vpairs` (default (18,10), (22,14), (26,18), (30,22),
 * (34,26) Hz) and a correct choice g in {1, 2}, both uniform; for g = 2 the pair is swapped, so
 * g = 1 means f1 > f2. The stimulus channel carries (1 + (f - fmin)/(fmax - fmin))/2 in [0.5, 1]
 * (fmin, fmax over all pairs) in stimulus1 (f1) and stimulus2 (f2), 0 elsewhere. The fixation
 * input is 1 in every period but the decision period. N(0, (sigma/sqrt(dt))^2) noise is added
 * to BOTH channels (fixation included) in the two stimulus periods, as neurogym does. Target:
 * class 0 except in the decision period, where it is g. Loss: cross-entropy on every step.
 *
 * Defaults: dt 100 ms; timing fixation 500, stimulus1 500, delay 1000, stimulus2 500,
 * decision 100 ms (26 steps); sigma 1.
 *
 * Conditions: `groundTruth` (1: f1 > f2, 2: f1 < f2) and `pair` (index into vpairs); trial
 * records also carry the resulting `f1` and `f2` in Hz.
 * @module
 */
import { z } from 'zod';
import { parseWithSchema, rangeError } from '../validate.js';
import { commonSettingsToJSON, commonShape, expectChoice, neurogymInfo, resolveCommon } from './neurogym.js';
import type { NeurogymOptions, OptionsMatchSchema } from './neurogym.js';
import { defineTask } from './task.js';
import type { Task } from './task.js';
import { sampleTimingSteps } from './timing.js';
import type { TimingSpec } from './timing.js';

const PERIODS = ['fixation', 'stimulus1', 'delay', 'stimulus2', 'decision'] as const;

/** neurogym's default durations of the delaycomparison periods, in ms. */
export const DELAYCOMPARISON_TIMING: Record<string, TimingSpec> = { fixation: 500, stimulus1: 500, delay: 1000, stimulus2: 500, decision: 100 };
/** neurogym's default frequency pairs [f1, f2], in Hz (f1 > f2; swapped for choice 2). */
export const DELAYCOMPARISON_PAIRS: [number, number][] = [
  [18, 10],
  [22, 14],
  [26, 18],
  [30, 22],
  [34, 26],
];

const DelayComparisonOptionsSchema = z.strictObject({
  ...commonShape(PERIODS, []),
  /** Frequency pairs (Hz), each with two different values. */
  vpairs: z.array(z.tuple([z.number(), z.number()])).min(1).optional(),
});
/** Options of {@link delaycomparison}. */
export interface DelayComparisonOptions extends NeurogymOptions<(typeof PERIODS)[number]> {
  /** Frequency pairs [f1, f2] in Hz to draw from, each with two different values (default {@link DELAYCOMPARISON_PAIRS}). */
  vpairs?: [number, number][] | undefined;
}
true satisfies OptionsMatchSchema<DelayComparisonOptions, z.input<typeof DelayComparisonOptionsSchema>>;

/**
 * Creates the delaycomparison task (see the module description).
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value of the wrong type
 * @throws RangeError for values out of range: dt <= 0, sigma < 0, a timing spec that is invalid,
 *   not a multiple of dt (fixed durations) or gives no decision step, or a pair with two equal frequencies
 */
export function delaycomparison(options: DelayComparisonOptions = {}): Task {
  const o = parseWithSchema(DelayComparisonOptionsSchema, options, 'delaycomparison options');
  const common = resolveCommon('delaycomparison', PERIODS, DELAYCOMPARISON_TIMING, {}, o);
  const vpairs = (o.vpairs ?? DELAYCOMPARISON_PAIRS).map(([a, b]) => [a, b] as [number, number]);
  vpairs.forEach(([a, b], k) => {
    if (a === b) throw rangeError(`delaycomparison options.vpairs[${k}]`, 'two different frequencies', undefined, `[${a}, ${b}]`);
  });
  const all = vpairs.flat();
  const fmin = Math.min(...all);
  const fmax = Math.max(...all);
  const represent = (f: number): number => (1 + (f - fmin) / (fmax - fmin)) / 2;
  const info = neurogymInfo(
    {
      name: 'delaycomparison',
      description: 'Delayed comparison: report whether the first of two frequencies, separated by a delay, was higher.',
      source: 'neurogym DelayComparison (v2.2.0 defaults; Romo et al. 1999, Barak et al. 2010): the frequency-pair version of the Romo task',
      inputs: ['fixation', 'stimulus'],
      outputs: ['fixate', 'f1-higher', 'f2-higher'],
      conditions: ['groundTruth', 'pair'],
    },
    common,
    PERIODS,
  );
  return defineTask({
    info,
    settings: { ...commonSettingsToJSON(common), vpairs: vpairs.map((p) => [...p]) },
    plan(rng, forced, index) {
      const field = `options.conditions[${index}]`;
      const groundTruth = forced.groundTruth === undefined ? 1 + rng.int(2) : expectChoice(forced.groundTruth, [1, 2], `${field}.groundTruth`);
      const pair = forced.pair === undefined ? rng.int(vpairs.length) : expectChoice(forced.pair, vpairs.map((_, k) => k), `${field}.pair`);
      // neurogym swaps the pair for ground truth 2; the pairs are listed higher-first by default,
      // so order each pair explicitly to keep "1 means f1 > f2" for any user pairs.
      const [a, b] = vpairs[pair]!;
      const [hi, lo] = a > b ? [a, b] : [b, a];
      const [f1, f2] = groundTruth === 1 ? [hi, lo] : [lo, hi];
      return { conditions: { groundTruth, pair, f1, f2 }, periods: sampleTimingSteps(common.timing, rng) };
    },
    write(out, plan, rng) {
      const { groundTruth, f1, f2 } = plan.conditions as { groundTruth: number; f1: number; f2: number };
      out.setInput('fixation', [0, out.period('decision')[0]], 1);
      out.setInput('stimulus', 'stimulus1', represent(f1));
      out.setInput('stimulus', 'stimulus2', represent(f2));
      for (const period of ['stimulus1', 'stimulus2']) {
        out.addInputNoise('fixation', period, common.noiseStd, rng);
        out.addInputNoise('stimulus', period, common.noiseStd, rng);
      }
      out.setClass('decision', groundTruth);
      out.setMask(out.all);
    },
  });
}
