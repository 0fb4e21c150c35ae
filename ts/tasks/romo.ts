/**
 * Romo parametric working memory, as Schuessler et al. 2020 define it (the version paper 1 uses).
 *
 * Durations are in units of tau with dt = 0.5 (alpha = 0.5). One input channel carries two
 * pulses of amplitude a1 and a2 ~ U(0.5, 1.5), redrawn until |a1 - a2| >= 0.2, separated by a
 * delay ~ U(2, 8). After a decision delay of 5, for 10 time units (20 steps), the output channel
 * of the larger pulse should read 0.5 and the other 0. The loss counts the fixation part (output
 * 0 up to the end of the second pulse) and the decision window; the decision delay and the tail
 * after the decision window are unmasked. Every trial has t_max = 28 (56 steps).
 * Each duration becomes floor(duration / dt) steps, as in the reference.
 *
 * Test mode (`test: true`): delay fixed at the mean (5) and amplitudes (0.6, 1.1).
 * Conditions: `a1`, `a2` (amplitudes), `delay` (in units of tau).
 * @module
 */
import { z } from 'zod';
import type { Rng } from '../rng.js';
import { parseWithSchema, rangeError } from '../validate.js';
import type { OptionsMatchSchema } from './neurogym.js';
import { defineTask, stepsIn } from './task.js';
import type { Task, TaskInfo } from './task.js';

const RomoOptionsSchema = z.strictObject({
  dt: z.number().positive().optional(),
  fixation: z.number().min(0).optional(),
  stimulus: z.number().positive().optional(),
  delayMin: z.number().min(0).optional(),
  delayMax: z.number().min(0).optional(),
  decisionDelay: z.number().min(0).optional(),
  decision: z.number().positive().optional(),
  ampMin: z.number().optional(),
  ampMax: z.number().optional(),
  minDiff: z.number().min(0).optional(),
  targetAmp: z.number().optional(),
  test: z.boolean().optional(),
  variant: z.enum(['two-channel', 'one-channel']).optional(),
});
/** Options of {@link romo}. Durations are in units of tau (the membrane time constant). */
export interface RomoOptions {
  /** Step size, > 0 (default 0.5: alpha = 0.5). */
  dt?: number | undefined;
  /** Fixation before the first pulse, >= 0 (default 3). */
  fixation?: number | undefined;
  /** Duration of each pulse, > 0 and at least one step (default 1). */
  stimulus?: number | undefined;
  /** Shortest delay between the pulses, >= 0 (default 2). */
  delayMin?: number | undefined;
  /** Longest delay, >= delayMin (default 8); the delay is U(delayMin, delayMax). */
  delayMax?: number | undefined;
  /** Unmasked pause between the second pulse and the decision window, >= 0 (default 5). */
  decisionDelay?: number | undefined;
  /** Decision window, > 0 and at least one step (default 10). */
  decision?: number | undefined;
  /** Smallest pulse amplitude (default 0.5). */
  ampMin?: number | undefined;
  /** Largest pulse amplitude, > ampMin (default 1.5); amplitudes are U(ampMin, ampMax). */
  ampMax?: number | undefined;
  /** Smallest |a1 - a2| (pairs are redrawn until they differ this much), < ampMax - ampMin (default 0.2). */
  minDiff?: number | undefined;
  /** Target of the chosen output in the decision window (default 0.5). */
  targetAmp?: number | undefined;
  /** Test mode: delay fixed at (delayMin + delayMax) / 2, amplitudes (0.6, 1.1) (default false). */
  test?: boolean | undefined;
  /**
   * 'two-channel' (default): outputs first-larger and second-larger, the larger pulse's channel
   * reads targetAmp; 'one-channel': one output reading +targetAmp or -targetAmp.
   */
  variant?: 'two-channel' | 'one-channel' | undefined;
}
true satisfies OptionsMatchSchema<RomoOptions, z.input<typeof RomoOptionsSchema>>;

/** The defaults of {@link RomoOptions} (Schuessler et al. 2020). @internal */
export const ROMO_DEFAULTS = {
  dt: 0.5,
  fixation: 3,
  stimulus: 1,
  delayMin: 2,
  delayMax: 8,
  decisionDelay: 5,
  decision: 10,
  ampMin: 0.5,
  ampMax: 1.5,
  minDiff: 0.2,
  targetAmp: 0.5,
  test: false,
  variant: 'two-channel' as 'two-channel' | 'one-channel',
};

/**
 * Creates the Romo task (see the module description): one input, two outputs (or one with
 * `variant: 'one-channel'`), mse loss, 56 steps per trial with the defaults.
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value of the wrong type
 * @throws RangeError for values out of range or inconsistent (delayMax < delayMin, ampMax <=
 *   ampMin, minDiff >= ampMax - ampMin, a pulse or decision window shorter than one step)
 */
export function romo(options: RomoOptions = {}): Task {
  const o = { ...ROMO_DEFAULTS, ...stripUndefined(parseWithSchema(RomoOptionsSchema, options, 'romo options')) };
  if (o.delayMax < o.delayMin) throw rangeError('romo options.delayMax', `a value >= delayMin (${o.delayMin})`, o.delayMax);
  if (!(o.ampMax > o.ampMin)) throw rangeError('romo options.ampMax', `a value > ampMin (${o.ampMin})`, o.ampMax);
  // Amplitudes are redrawn until they differ by minDiff: that must be possible, or sampling never ends.
  if (!(o.minDiff < o.ampMax - o.ampMin)) throw rangeError('romo options.minDiff', `a value < ampMax - ampMin (${o.ampMax - o.ampMin})`, o.minDiff);
  for (const key of ['stimulus', 'decision'] as const) {
    if (stepsIn(o[key], o.dt) < 1) throw rangeError(`romo options.${key}`, `a duration of at least one step (dt = ${o.dt})`, o[key]);
  }
  const tMax = o.fixation + 2 * o.stimulus + o.delayMax + o.decisionDelay + o.decision;
  const maxSteps = stepsIn(tMax, o.dt);
  const outputs = o.variant === 'two-channel' ? ['first-larger', 'second-larger'] : ['sign'];
  const info: TaskInfo = {
    name: 'romo',
    description: 'Romo parametric working memory: compare the amplitudes of two pulses separated by a delay.',
    source: 'Schuessler et al. 2020, NeurIPS (frschu/neurips_2020_interplay_randomness_structure, task_generators.romo); used by Liu, Zhang & Liu 2025',
    dt: o.dt,
    timeUnit: 'tau',
    tau: 1,
    inputs: ['stimulus'],
    outputs,
    loss: 'mse',
    periods: ['fixation', 'stimulus1', 'delay', 'stimulus2', 'decisionDelay', 'decision'],
    conditions: ['a1', 'a2', 'delay'],
    maxSteps,
    minSteps: maxSteps,
    decisionPeriod: 'decision',
    choices: 2,
  };

  const sampleAmplitudes = (rng: Rng): [number, number] => {
    for (;;) {
      const a1 = rng.uniformRange(o.ampMin, o.ampMax);
      const a2 = rng.uniformRange(o.ampMin, o.ampMax);
      if (Math.abs(a1 - a2) >= o.minDiff) return [a1, a2];
    }
  };

  return defineTask({
    info,
    settings: o,
    plan(rng, forced, index) {
      const delay = forced.delay ?? (o.test ? 0.5 * (o.delayMin + o.delayMax) : rng.uniformRange(o.delayMin, o.delayMax));
      if (delay < 0 || delay > o.delayMax) throw rangeError(`options.conditions[${index}].delay`, `a delay in [0, ${o.delayMax}]`, delay);
      const drawn = o.test ? [0.6, 1.1] : forced.a1 !== undefined && forced.a2 !== undefined ? [forced.a1, forced.a2] : sampleAmplitudes(rng);
      const conditions = { a1: forced.a1 ?? drawn[0]!, a2: forced.a2 ?? drawn[1]!, delay };
      const stimulus = stepsIn(o.stimulus, o.dt);
      return {
        conditions,
        periods: [
          ['fixation', stepsIn(o.fixation, o.dt)],
          ['stimulus1', stimulus],
          ['delay', stepsIn(delay, o.dt)],
          ['stimulus2', stimulus],
          ['decisionDelay', stepsIn(o.decisionDelay, o.dt)],
          ['decision', stepsIn(o.decision, o.dt)],
        ],
        steps: maxSteps,
      };
    },
    write(out, plan) {
      const { a1, a2 } = plan.conditions as { a1: number; a2: number };
      out.setInput('stimulus', 'stimulus1', a1);
      out.setInput('stimulus', 'stimulus2', a2);
      const firstLarger = a1 >= a2;
      if (o.variant === 'two-channel') out.setTarget(firstLarger ? 'first-larger' : 'second-larger', 'decision', o.targetAmp);
      else out.setTarget('sign', 'decision', firstLarger ? o.targetAmp : -o.targetAmp);
      out.setMask([0, out.period('stimulus2')[1]]);
      out.setMask('decision');
    },
  });
}

/** Drops keys whose value is undefined, so that spreading over defaults keeps the defaults. @internal */
export function stripUndefined<T extends object>(obj: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}
