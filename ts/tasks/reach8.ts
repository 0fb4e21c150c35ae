/**
 * `reach8`: the centre-out reaching task with which Liu, Yang & Cueva 2025 (paper 2) compare
 * RNNs with the Hatsopoulos 2007 M1 recordings (LearningRuleSimilarities,
 * `generateINandTARGETOUT_Hatsopoulos2007_sincosbumpinput_holdcue.py` with the settings of
 * `main_train_model.py` and `main_analyze_models.py`; reference/reference-code.md 1.5, 1.6, 5).
 *
 * dt = 10 ms, tau = 100 ms (alpha = 0.9: the authors' dt/Tau = 1/10). Eight reach directions
 * theta_c = 45 c degrees, c = 0..7 (counter-clockwise from rightward, the order of the data).
 * With rows 0-based (row s is the input of model step s + 1 and the target of its output):
 *
 * - interval1 ~ U{0..49} and interval2 ~ U{0..149} steps (`test: true`: 25 and 105);
 * - inputs [sin, cos, hold]: rows interval1 .. interval1 + 22 carry sin(theta)*bump and
 *   cos(theta)*bump, with the 23-sample bump = on-ramp [0.05, 0.1, 0.2, 0.35, 0.65, 0.8, 0.9,
 *   0.95], 7 ones, the off-ramp (reversed on-ramp); the hold cue is 1 on rows 0 ..
 *   interval1 + interval2 + 22 with its last 8 rows replaced by the off-ramp; the go cue is the
 *   row after it, g = interval1 + interval2 + 23;
 * - outputs [shoulder, elbow]: the Hatsopoulos joint angles of the trial's direction from -100
 *   to +400 ms around movement onset (51 samples at 10 ms, `data/hatsopoulos2007`, normalised as
 *   shipped), on rows s0 .. s0 + 50 with s0 = g + outputOffset (toffset = -10), truncated at the
 *   end of the trial; 0 before s0;
 * - mask 1 up to the last target row, 0 after it (so the output must stay 0 before the
 *   movement); loss = masked mse (the authors' sum of squared errors over masked entries
 *   divided by their number);
 * - n_T = 300 steps for training (`test: true`: 250, the analysis trials).
 *
 * Conditions (forceable): `condition` (0..7), `interval1`, `interval2`. Trial records also
 * carry `angleDeg`, `goRow` (g), `outputStart` (s0) and `outputEnd` (exclusive). Sampling
 * `liu2025` (default) is the authors': directions uniform, except that in a batch of at least 8
 * trials the first 8 trials are the directions 0..7 in order; `random` draws every direction
 * uniformly. Periods (input side): `pre` (interval1 rows), `cue` (23), `delay` (interval2),
 * `go` (to the end).
 *
 * The analysis (see {@link REACH8_DATA_WINDOW}): one noise-free test trial per direction, and the
 * model rates on rows 105..225 are compared with the 121 bins (-800..+400 ms) of the recordings.
 * This is the authors' choice, kept as-is: their window is the rows t with
 * -800 <= 10 (t - 185) <= 400, i.e. it puts movement onset at row 185, while with the test
 * intervals (25, 105) the target kinematics put it at row 153 (= s0 + 10), so the window is 32
 * steps (320 ms) later than the kinematic alignment.
 * @module
 */
import { z } from 'zod';
import { loadHatsopoulos2007 } from '../data/datasets.js';
import { parseWithSchema, rangeError } from '../validate.js';
import type { OptionsMatchSchema } from './neurogym.js';
import { defineTask } from './task.js';
import type { Task, TaskInfo } from './task.js';

/** The bump's on-ramp; the off-ramp is its reverse. */
export const REACH8_RAMP = [0.05, 0.1, 0.2, 0.35, 0.65, 0.8, 0.9, 0.95] as const;
/** The condition bump: on-ramp, 7 ones, off-ramp (23 samples). */
export const REACH8_BUMP: readonly number[] = [...REACH8_RAMP, 1, 1, 1, 1, 1, 1, 1, ...[...REACH8_RAMP].reverse()];
/** Step size of reach8, in ms (the authors' dt). */
export const REACH8_DT = 10;
/** Time constant of the authors' models, in ms (alpha = 1 - dt/tau = 0.9). */
export const REACH8_TAU = 100;
/** Number of reach directions (45 degrees apart). */
export const REACH8_CONDITIONS = 8;
/** First kinematic sample used as a target (index of -100 ms in the recordings' -800..400 ms). */
export const REACH8_KINEMATICS_FROM = 70;
/** Number of target samples (-100..+400 ms). */
export const REACH8_KINEMATICS_SAMPLES = 51;

/** Training trials (main_train_model.py) and analysis trials (main_analyze_models.py). */
export const REACH8_DEFAULTS: {
  /** Training trials: 300 steps, interval1 ~ U{0..49}, interval2 ~ U{0..149} (inclusive ranges, in steps). */
  train: {
    /** Rows per trial. */
    steps: number;
    /** Inclusive [min, max] of the pre-cue interval, in steps. */
    interval1: [number, number];
    /** Inclusive [min, max] of the delay, in steps. */
    interval2: [number, number];
  };
  /** Analysis trials (`test: true`): 250 steps, interval1 25, interval2 105 steps. */
  test: {
    /** Rows per trial. */
    steps: number;
    /** Inclusive [min, max] of the pre-cue interval, in steps (fixed). */
    interval1: [number, number];
    /** Inclusive [min, max] of the delay, in steps (fixed). */
    interval2: [number, number];
  };
  /** Rows from the go cue to the first target row (toffset, -10). */
  outputOffset: number;
} = {
  train: { steps: 300, interval1: [0, 49], interval2: [0, 149] },
  test: { steps: 250, interval1: [25, 25], interval2: [105, 105] },
  outputOffset: -10,
};

/**
 * The rows of the analysis trials (`test: true`, one per direction) whose model rates the
 * authors compare with the 121 bins of the recordings: [start, end) = [105, 226).
 */
export const REACH8_DATA_WINDOW: readonly [number, number] = [105, 226];

const Interval = z.union([z.int().min(0), z.tuple([z.int().min(0), z.int().min(0)])]);

const Reach8OptionsSchema = z.strictObject({
  /** The analysis trials: 250 steps, interval1 = 25, interval2 = 105 (default false). */
  test: z.boolean().optional(),
  /** Trial length n_T in steps (default 300; test 250). */
  steps: z.int().min(1).optional(),
  /** interval1 in steps: a value, or an inclusive range [lo, hi] drawn uniformly (default [0, 49]). */
  interval1: Interval.optional(),
  /** interval2 in steps: a value or an inclusive range (default [0, 149]). */
  interval2: Interval.optional(),
  /** toffset: rows between the go cue and the first target row (default -10; at least -23). */
  outputOffset: z.int().min(-23).optional(),
  /** 'liu2025' (default): the first 8 trials of a batch of >= 8 are directions 0..7; 'random'. */
  sampling: z.enum(['liu2025', 'random']).optional(),
  /** Folder of the Hatsopoulos .npy files (default: the shipped data/hatsopoulos2007). */
  dataDir: z.string().optional(),
});
/** Options of {@link reach8}. */
export interface Reach8Options {
  /** The analysis trials: 250 steps, interval1 = 25, interval2 = 105 (default false). */
  test?: boolean | undefined;
  /** Trial length n_T in steps, integer >= 1 (default 300; test 250). */
  steps?: number | undefined;
  /** interval1 in steps: a value, or an inclusive range [lo, hi] drawn uniformly (default [0, 49]; test 25). */
  interval1?: number | [number, number] | undefined;
  /** interval2 in steps: a value or an inclusive range (default [0, 149]; test 105). */
  interval2?: number | [number, number] | undefined;
  /** toffset: rows between the go cue and the first target row, integer >= -23 (default -10). */
  outputOffset?: number | undefined;
  /** 'liu2025' (default): the first 8 trials of a batch of >= 8 are directions 0..7; 'random': uniform. */
  sampling?: 'liu2025' | 'random' | undefined;
  /** Folder of the Hatsopoulos .npy files the targets come from (default: the shipped data/hatsopoulos2007). */
  dataDir?: string | undefined;
}
true satisfies OptionsMatchSchema<Reach8Options, z.input<typeof Reach8OptionsSchema>>;

const kinematicsCache = new Map<string, { shoulder: Float64Array; elbow: Float64Array }>();

/** Shoulder and elbow angle targets [8][51] of the shipped (or given) data, cached per folder. */
function targetKinematics(dataDir: string | undefined): { shoulder: Float64Array; elbow: Float64Array } {
  const key = dataDir ?? '';
  let k = kinematicsCache.get(key);
  if (!k) {
    const data = dataDir === undefined ? loadHatsopoulos2007() : loadHatsopoulos2007(dataDir);
    // Each kinematic array is [condition][step] (8 x 121, -800..400 ms); keep steps 70..120.
    const cut = (a: { shape: readonly number[]; data: ArrayLike<number> }): Float64Array => {
      const steps = a.shape[1]!;
      const out = new Float64Array(REACH8_CONDITIONS * REACH8_KINEMATICS_SAMPLES);
      for (let c = 0; c < REACH8_CONDITIONS; c++) {
        for (let s = 0; s < REACH8_KINEMATICS_SAMPLES; s++) out[c * REACH8_KINEMATICS_SAMPLES + s] = a.data[c * steps + REACH8_KINEMATICS_FROM + s]!;
      }
      return out;
    };
    k = { shoulder: cut(data.kinematics.shoulderAngle), elbow: cut(data.kinematics.elbowAngle) };
    kinematicsCache.set(key, k);
  }
  return k;
}

function range(value: number | [number, number] | undefined, fallback: [number, number], field: string): [number, number] {
  const r: [number, number] = value === undefined ? fallback : typeof value === 'number' ? [value, value] : value;
  if (r[1] < r[0]) throw rangeError(field, `an inclusive range [lo, hi] with lo <= hi`, value);
  return r;
}

/**
 * Creates the reach8 task (see the module description). The target kinematics are read from
 * `dataDir` on first use (and cached per folder).
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value of the wrong type
 * @throws RangeError for values out of range (steps < 1, negative intervals, a range with lo > hi,
 *   outputOffset < -23) or a `dataDir` without the Hatsopoulos files. Trials shorter than the
 *   cue and targets are cut at `steps` rows, not refused.
 */
export function reach8(options: Reach8Options = {}): Task {
  const o = parseWithSchema(Reach8OptionsSchema, options, 'reach8 options');
  const base = o.test ? REACH8_DEFAULTS.test : REACH8_DEFAULTS.train;
  const steps = o.steps ?? base.steps;
  const interval1 = range(o.interval1, base.interval1, 'reach8 options.interval1');
  const interval2 = range(o.interval2, base.interval2, 'reach8 options.interval2');
  const outputOffset = o.outputOffset ?? REACH8_DEFAULTS.outputOffset;
  const sampling = o.sampling ?? 'liu2025';
  const kinematics = targetKinematics(o.dataDir);
  const info: TaskInfo = {
    name: 'reach8',
    description: 'Centre-out reaching to 8 targets (Hatsopoulos 2007) as paper 2 trains it: direction as sin/cos bumps, a hold cue, then shoulder and elbow angles.',
    source: 'Liu, Yang & Cueva 2025 (Helena-Yuhan-Liu/LearningRuleSimilarities, generateINandTARGETOUT_Hatsopoulos2007_sincosbumpinput_holdcue); kinematics from Hatsopoulos et al. 2007 / Suresh et al. 2020',
    dt: REACH8_DT,
    timeUnit: 'ms',
    tau: REACH8_TAU,
    inputs: ['sin', 'cos', 'hold'],
    outputs: ['shoulder', 'elbow'],
    loss: 'mse',
    periods: ['pre', 'cue', 'delay', 'go'],
    conditions: ['condition', 'interval1', 'interval2'],
    maxSteps: steps,
    minSteps: steps,
  };
  const drawInterval = (r: [number, number], rng: { int(n: number): number }): number => (r[0] === r[1] ? r[0] : r[0] + rng.int(r[1] - r[0] + 1));
  return defineTask({
    info,
    settings: { dt: REACH8_DT, test: o.test ?? false, steps, interval1, interval2, outputOffset, sampling, dataWindow: [...REACH8_DATA_WINDOW], dataDir: o.dataDir ?? null },
    plan(rng, forced, index, batchSize) {
      const field = `options.conditions[${index}]`;
      let condition: number;
      if (forced.condition !== undefined) {
        condition = forced.condition;
        if (!Number.isInteger(condition) || condition < 0 || condition >= REACH8_CONDITIONS) throw rangeError(`${field}.condition`, 'a direction 0..7', condition);
      } else {
        // The authors draw every trial's direction first, then set the first 8 to 0..7 when the
        // batch holds at least 8 trials; here the draw is skipped for those (same distribution).
        condition = sampling === 'liu2025' && index < REACH8_CONDITIONS && batchSize >= REACH8_CONDITIONS ? index : rng.int(REACH8_CONDITIONS);
      }
      const i1 = forced.interval1 ?? drawInterval(interval1, rng);
      const i2 = forced.interval2 ?? drawInterval(interval2, rng);
      for (const [name, v] of [['interval1', i1], ['interval2', i2]] as const) {
        if (!Number.isInteger(v) || v < 0) throw rangeError(`${field}.${name}`, 'a whole number of steps >= 0', v);
      }
      const go = i1 + i2 + REACH8_BUMP.length;
      const outputStart = go + outputOffset;
      const outputEnd = Math.min(steps, outputStart + REACH8_KINEMATICS_SAMPLES);
      const pre = Math.min(i1, steps);
      const cue = Math.min(REACH8_BUMP.length, steps - pre);
      const delay = Math.min(i2, steps - pre - cue);
      return {
        conditions: { condition, angleDeg: 45 * condition, interval1: i1, interval2: i2, goRow: go, outputStart, outputEnd: Math.max(outputStart, outputEnd) },
        periods: [
          ['pre', pre],
          ['cue', cue],
          ['delay', delay],
          ['go', steps - pre - cue - delay],
        ],
        steps,
      };
    },
    write(out, plan) {
      const { condition, interval1: i1, goRow, outputStart, outputEnd } = plan.conditions as Record<string, number>;
      const theta = (45 * condition! * Math.PI) / 180;
      const s = Math.sin(theta);
      const c = Math.cos(theta);
      REACH8_BUMP.forEach((v, k) => {
        out.setInput('sin', [i1! + k, i1! + k + 1], s * v);
        out.setInput('cos', [i1! + k, i1! + k + 1], c * v);
      });
      out.setInput('hold', [0, goRow!], 1);
      REACH8_RAMP.forEach((_, k) => out.setInput('hold', [goRow! - 8 + k, goRow! - 7 + k], REACH8_RAMP[7 - k]!));
      for (let row = outputStart!; row < outputEnd!; row++) {
        const at = condition! * REACH8_KINEMATICS_SAMPLES + (row - outputStart!);
        out.setTarget('shoulder', [row, row + 1], kinematics.shoulder[at]!);
        out.setTarget('elbow', [row, row + 1], kinematics.elbow[at]!);
      }
      // Mask 1 up to the last target row (everywhere when the output would start after the trial).
      out.setMask([0, outputStart! < out.all[1] ? outputEnd! : out.all[1]]);
    },
  });
}
