/**
 * Lyapunov spectra of the leaky RNN by the QR ("orthonormal system") method, computed by the C++
 * kernel (native/lyapunov.cpp; reference/specs.md section 1).
 *
 * Conventions:
 * - Jacobian of step t at the state entering it: J_t = alpha I + (1 - alpha) Wh diag(f'(h_{t-1}))
 *   (relu'(0) = 0). J is never formed: J Q = alpha Q + (1 - alpha) Wh (D Q).
 * - h starts at the model's h0; Q0 = the first k columns of the identity (or a random or given
 *   frame, orthonormalised once).
 * - Protocol: `warmupState` state-only steps, then `warmupQ` steps with a QR whose log R is not
 *   accumulated, then `steps` accumulation steps with a QR every `qrEvery` steps (and at the
 *   last). The inputs hold one row per step, warm-ups included: warmupState + warmupQ + steps.
 * - R has a positive diagonal; exponents are natural-log growth rates **per step**:
 *   lambda_i = (1/steps) sum log R_ii. Per unit time = per step / dt (in units of 1/tau when dt
 *   is in units of tau). Divide by ln 2 to compare with Vogt et al.'s bits per step.
 * - The first k exponents do not depend on k (prefix property).
 * - State noise (config.noiseStd > 0) is drawn once from the generator and frozen, so the result
 *   is deterministic for a given seed.
 * - Computed in float64 unless `dtype: 'float32'` is asked for.
 * @module
 */
import { expectModel } from '../model/leaky-rnn.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { DType, FloatArray } from '../model/params.js';
import { effectiveParamSet } from '../model/constraints.js';
import { native } from '../native.js';
import type { NativeLyapunovSettings, NativeSpec } from '../native.js';
import { Rng, expectRng } from '../rng.js';
import { expectTask } from '../tasks/task.js';
import type { Task } from '../tasks/task.js';
import { expectBoolean, expectFinite, expectInteger, expectKnownKeys, expectObject, expectOneOf, rangeError, typeError } from '../validate.js';

/** The QR factorisations the Lyapunov kernel can use (see {@link QrMethod}). */
export const QR_METHODS = ['choleskyqr2', 'householder'] as const;
/**
 * `choleskyqr2` (default): two Cholesky-QR passes (Gram matrix, Cholesky, triangular solve),
 * falling back to Householder for a step whose Z is too ill-conditioned. `householder`: LAPACK
 * geqrf + orgqr with the signs fixed. Both give the unique thin QR with positive diagonal.
 */
export type QrMethod = (typeof QR_METHODS)[number];

/** How the tangent space is followed. */
export interface LyapunovProtocol {
  /** Number of exponents, 1 <= k <= N (default N, the whole spectrum). */
  k?: number;
  /** State-only warm-up steps A (default 0). */
  warmupState?: number;
  /** Tangent warm-up steps B: QR every step, log R not accumulated (default 0). */
  warmupQ?: number;
  /** Accumulation steps S >= 1 (required): the exponents are averages over these steps. */
  steps: number;
  /** QR every this many accumulation steps, and at the last (default 1). */
  qrEvery?: number;
  /** QR factorisation (default 'choleskyqr2'). */
  qrMethod?: QrMethod;
  /**
   * Initial frame: 'identity' (default, the first k columns of I), 'random' (a Gaussian N x k
   * matrix from `rng`), or a Float64Array [N][k] (row-major). It is orthonormalised once.
   */
  q0?: 'identity' | 'random' | Float64Array;
}

/** What drives the network. */
export interface DriveOptions {
  /**
   * Inputs [T][B][nIn], time-major, T = warmupState + warmupQ + steps rows (row t-1 drives step
   * t). Absent: zeros (autonomous dynamics).
   */
  inputs?: Float64Array;
  /** Number of trajectories B (default 1); every trajectory starts at h0. */
  batch?: number;
  /** Add the model's state noise (frozen, drawn from `rng`) when config.noiseStd > 0 (default true). */
  noise?: boolean;
  /** Generator for the frozen noise and a random Q0 (default new Rng(0)). */
  rng?: Rng;
  /** Element type of the computation (default 'float64'). */
  dtype?: DType;
}

/** Options of {@link lyapunovSpectrum}: the protocol, the drive, timing and dt. */
export interface LyapunovOptions extends LyapunovProtocol, DriveOptions {
  /** Measure the time spent in the state update, the J Q products and the QRs (default false). */
  timing?: boolean;
  /** Step size for the per-time exponents (default: the model's config.dt, if any). */
  dt?: number;
}

/** Wall-clock time of a {@link lyapunovSpectrum} kernel call, by phase, in seconds. */
export interface LyapunovTiming {
  /** Seconds spent updating the state h. */
  stateSeconds: number;
  /** Seconds spent in the tangent products J Q. */
  tangentSeconds: number;
  /** Seconds spent in the QR factorisations. */
  qrSeconds: number;
  /** Seconds for the whole kernel call. */
  totalSeconds: number;
  /** qrSeconds / totalSeconds. */
  qrShare: number;
}

/** The result of {@link lyapunovSpectrum}, with the protocol that produced it. */
export interface LyapunovResult {
  /** The first k exponents, per step, natural log; the mean over trajectories [k]. */
  exponents: number[];
  /** Sample standard deviation over trajectories [k] (zeros for one trajectory). */
  std: number[];
  /** One spectrum per trajectory [B][k]. */
  perTrajectory: number[][];
  /** exponents / dt [k], when a dt is known (per unit time; per tau when dt is in units of tau). */
  exponentsPerTime: number[] | null;
  /** The step size used for exponentsPerTime (options.dt, else the model's config.dt), or null. */
  dt: number | null;
  /** Number of exponents computed. */
  k: number;
  /** Number of trajectories B. */
  batch: number;
  /** State-only warm-up steps done. */
  warmupState: number;
  /** Tangent warm-up steps done. */
  warmupQ: number;
  /** Accumulation steps the exponents average over. */
  steps: number;
  /** Accumulation steps between QRs. */
  qrEvery: number;
  /** The QR factorisation used. */
  qrMethod: QrMethod;
  /** Factorisations done. */
  qrCalls: number;
  /** CholeskyQR2 steps that fell back to Householder (ill-conditioned J Q). */
  qrFallbacks: number;
  /** Exactly zero R_ii in the accumulation window (rank-deficient J Q), clamped to log(2^-1022). */
  zeroPivots: number;
  /** Human-readable warnings (e.g. about zero pivots). */
  warnings: string[];
  /** Present when `timing` was asked for. */
  timing?: LyapunovTiming;
}

/** Everything a kernel call needs, validated and converted. @internal */
export interface PreparedRun {
  spec: NativeSpec;
  settings: NativeLyapunovSettings;
  params: FloatArray;
  x: FloatArray;
  noise: FloatArray | null;
  q0: FloatArray | null;
  dtype: DType;
  k: number;
  batch: number;
  qrMethod: QrMethod;
  T: number;
}

export const PROTOCOL_KEYS = ['k', 'warmupState', 'warmupQ', 'steps', 'qrEvery', 'qrMethod', 'q0'] as const;
export const DRIVE_KEYS = ['inputs', 'batch', 'noise', 'rng', 'dtype'] as const;

function toDtype(values: Float64Array, dtype: DType): FloatArray {
  return dtype === 'float64' ? values : Float32Array.from(values);
}

/**
 * Validates a protocol and the drive against a model and converts everything for the kernel.
 * `field` prefixes error messages. @internal
 */
export function prepareRun(model: LeakyRNN, options: LyapunovProtocol & DriveOptions, field: string): PreparedRun {
  expectModel(model, 'model');
  const N = model.N;
  const nIn = model.config.nIn;
  const k = options.k === undefined ? N : expectInteger(options.k, `${field}.k`, 1);
  if (k > N) throw rangeError(`${field}.k`, `an integer in [1, ${N}] (k <= N, the number of hidden units)`, k);
  const warmupState = expectInteger(options.warmupState ?? 0, `${field}.warmupState`, 0);
  const warmupQ = expectInteger(options.warmupQ ?? 0, `${field}.warmupQ`, 0);
  if (options.steps === undefined) throw typeError(`${field}.steps`, 'an integer >= 1 (required)', undefined, 'nothing');
  const steps = expectInteger(options.steps, `${field}.steps`, 1);
  const qrEvery = expectInteger(options.qrEvery ?? 1, `${field}.qrEvery`, 1);
  const qrMethod = expectOneOf(options.qrMethod ?? 'choleskyqr2', `${field}.qrMethod`, QR_METHODS);
  const batch = expectInteger(options.batch ?? 1, `${field}.batch`, 1);
  const dtype = expectOneOf(options.dtype ?? 'float64', `${field}.dtype`, ['float64', 'float32'] as const);
  const withNoise = expectBoolean(options.noise ?? true, `${field}.noise`);
  const rng = expectRng(options.rng ?? new Rng(0), `${field}.rng`);
  const T = warmupState + warmupQ + steps;
  if (T * batch * Math.max(N, nIn, k) > 2 ** 31) throw rangeError(`${field}.steps`, 'a run small enough to fit in memory (steps x batch x N <= 2^31)', steps);

  const shape = [T, batch, nIn];
  let inputs: Float64Array;
  if (options.inputs === undefined) {
    inputs = new Float64Array(T * batch * nIn);
  } else {
    if (!(options.inputs instanceof Float64Array)) throw typeError(`${field}.inputs`, `a Float64Array [${shape.join('][')}]`, options.inputs);
    if (options.inputs.length !== T * batch * nIn) {
      throw rangeError(
        `${field}.inputs`,
        `${T * batch * nIn} values: ${T} rows (warmupState ${warmupState} + warmupQ ${warmupQ} + steps ${steps}) x ${batch} trajector${batch === 1 ? 'y' : 'ies'} x ${nIn} inputs`,
        options.inputs,
      );
    }
    expectFinite(options.inputs, `${field}.inputs`, shape);
    inputs = options.inputs;
  }

  let noise: Float64Array | null = null;
  if (withNoise && model.config.noiseStd > 0) {
    noise = new Float64Array(T * batch * N);
    rng.fork('noise').fillNormal(noise, model.config.noiseStd);
  }

  let q0: Float64Array | null = null;
  const q0Option = options.q0 ?? 'identity';
  if (q0Option === 'random') {
    q0 = new Float64Array(k * N);
    rng.fork('q0').fillNormal(q0);
  } else if (q0Option instanceof Float64Array) {
    if (q0Option.length !== N * k) throw rangeError(`${field}.q0`, `a Float64Array [${N}][${k}] (N x k, row-major)`, q0Option);
    expectFinite(q0Option, `${field}.q0`, [N, k]);
    q0 = new Float64Array(k * N);
    for (let i = 0; i < N; i++) for (let m = 0; m < k; m++) q0[m * N + i] = q0Option[i * k + m]!;
  } else if (q0Option !== 'identity') {
    throw rangeError(`${field}.q0`, '"identity", "random" or a Float64Array [N][k]', q0Option);
  }

  // The dynamics run on the effective weights (Dale's law and sparsity masks applied).
  const effective = effectiveParamSet(model);
  const params = dtype === model.dtype ? effective.flat : effective.clone(dtype).flat;
  return {
    spec: model.nativeSpec(T, batch),
    settings: { k, warmupState, warmupQ, steps, qrEvery, qrMethod: qrMethod === 'householder' ? 0 : 1 },
    params,
    x: toDtype(inputs, dtype),
    noise: noise && toDtype(noise, dtype),
    q0: q0 && toDtype(q0, dtype),
    dtype,
    k,
    batch,
    qrMethod,
    T,
  };
}

/** Mean and sample standard deviation (n - 1; 0 for one value) of each column of rows [B][k]. */
export function columnStats(rows: number[][]): { mean: number[]; std: number[] } {
  const B = rows.length;
  const k = rows[0]?.length ?? 0;
  const mean = new Array<number>(k).fill(0);
  const std = new Array<number>(k).fill(0);
  for (const row of rows) for (let i = 0; i < k; i++) mean[i]! += row[i]! / B;
  if (B > 1) {
    for (const row of rows) for (let i = 0; i < k; i++) std[i]! += (row[i]! - mean[i]!) ** 2;
    for (let i = 0; i < k; i++) std[i] = Math.sqrt(std[i]! / (B - 1));
  }
  return { mean, std };
}

/** Splits a flat [B][k] array into rows of plain numbers. */
export function toRows(values: ArrayLike<number>, B: number, k: number): number[][] {
  return Array.from({ length: B }, (_, b) => Array.from({ length: k }, (_, i) => values[b * k + i]!));
}

/**
 * The first k Lyapunov exponents of `model` (per step, natural log), for one trajectory or a
 * batch of them (one spectrum each, plus their mean and standard deviation).
 *
 * Throws a RangeError when the trajectory leaves the floating-point range (the exponents would
 * not be finite).
 * @param model the network (its effective weights: Dale's law and masks applied)
 * @param options the protocol (`steps` required), the drive (inputs [T][B][nIn] with
 *   T = warmupState + warmupQ + steps), timing and dt
 * @throws TypeError for a model that is not a LeakyRNN, an unknown option key (with a hint), a
 *   missing `steps`, inputs that are not a Float64Array or an rng that is not an Rng
 * @throws RangeError for k outside [1, N], inputs of the wrong length or with a non-finite
 *   value, a q0 that is not N x k, or a non-positive dt
 */
export function lyapunovSpectrum(model: LeakyRNN, options: LyapunovOptions): LyapunovResult {
  const o = expectObject(options, 'options');
  expectKnownKeys(o, [...PROTOCOL_KEYS, ...DRIVE_KEYS, 'timing', 'dt'], 'options');
  const timing = expectBoolean(options.timing ?? false, 'options.timing');
  const run = prepareRun(model, options, 'options');
  const dtOption = options.dt === undefined ? undefined : expectPositive(options.dt, 'options.dt');
  const dt = dtOption ?? model.config.dt ?? null;

  const exps = run.dtype === 'float64' ? new Float64Array(run.batch * run.k) : new Float32Array(run.batch * run.k);
  const stats = new Float64Array(7);
  const statsBuffer = run.dtype === 'float64' ? stats : new Float32Array(7);
  native.lyapunovSpectrum(run.spec, run.settings, run.params, run.x, run.noise, run.q0, exps, statsBuffer);
  stats.set(statsBuffer);
  expectFiniteExponents(exps);

  const perTrajectory = toRows(exps, run.batch, run.k);
  const { mean, std } = columnStats(perTrajectory);
  const counters = readCounters(stats);
  const result: LyapunovResult = {
    exponents: mean,
    std,
    perTrajectory,
    exponentsPerTime: dt === null ? null : mean.map((v) => v / dt),
    dt,
    k: run.k,
    batch: run.batch,
    warmupState: run.settings.warmupState,
    warmupQ: run.settings.warmupQ,
    steps: run.settings.steps,
    qrEvery: run.settings.qrEvery,
    qrMethod: run.qrMethod,
    ...counters,
    warnings: counterWarnings(counters),
  };
  if (timing) {
    result.timing = { stateSeconds: stats[0]!, tangentSeconds: stats[1]!, qrSeconds: stats[2]!, totalSeconds: stats[3]!, qrShare: stats[3]! > 0 ? stats[2]! / stats[3]! : 0 };
  }
  return result;
}

/** The counters of a kernel stats array (native/lyapunov.hpp LyapunovStats). @internal */
export function readCounters(stats: ArrayLike<number>): { qrCalls: number; qrFallbacks: number; zeroPivots: number } {
  return { qrCalls: stats[4]!, qrFallbacks: stats[5]!, zeroPivots: stats[6]! };
}

/** Warnings a user should see about a run's counters. @internal */
export function counterWarnings(c: { qrFallbacks: number; zeroPivots: number }): string[] {
  const warnings: string[] = [];
  if (c.zeroPivots > 0) {
    warnings.push(`${c.zeroPivots} exactly zero R_ii (J Q rank deficient: e.g. inactive relu units with alpha = 0); each contributed log(2^-1022) instead of -infinity, so the smallest exponents are clamped`);
  }
  return warnings;
}

function expectPositive(value: unknown, field: string): number {
  if (typeof value !== 'number') throw typeError(field, 'a finite number > 0', value);
  if (!Number.isFinite(value) || value <= 0) throw rangeError(field, 'a finite number > 0', value);
  return value;
}

/** Throws when the kernel returned a non-finite exponent (the state left the float range). */
export function expectFiniteExponents(values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw rangeError('exponents', 'finite values (a trajectory that stays within the floating-point range)', values[i], `${values[i]} (the state overflowed: the dynamics diverge for these weights and inputs)`);
    }
  }
}

/**
 * Inputs [steps][batch][nIn] for `batch` trajectories, each a concatenation of fresh trials of
 * `task` (each trial's own length, no padding) cut to `steps` rows, as one continuous input
 * stream (the state is not reset between trials).
 * @throws TypeError for a task that is not a Task or an rng that is not an Rng; RangeError for
 *   batch or steps that are not integers >= 1
 */
export function taskInputSequences(task: Task, rng: Rng, batch: number, steps: number): Float64Array {
  expectTask(task, 'task');
  expectRng(rng, 'rng');
  expectInteger(batch, 'batch', 1);
  expectInteger(steps, 'steps', 1);
  const nIn = task.info.inputs.length;
  const out = new Float64Array(steps * batch * nIn);
  for (let b = 0; b < batch; b++) {
    let row = 0;
    while (row < steps) {
      const trial = task.sample(rng, 1);
      const length = Math.max(1, trial.trials[0]?.steps ?? trial.T);
      for (let t = 0; t < length && row < steps; t++, row++) {
        for (let j = 0; j < nIn; j++) out[(row * batch + b) * nIn + j] = trial.inputs[t * nIn + j]!;
      }
    }
  }
  return out;
}

/** Protocol of {@link maxLyapunov} (defaults follow Vogt et al. 2022's experiments). */
export interface MaxLyapunovOptions {
  /** Trajectories (default 15, Vogt et al.'s LE batch). */
  batch?: number;
  /** Steps of tangent warm-up, the state evolving too (default 100). */
  warmup?: number;
  /** Accumulation steps (default 100, Vogt et al.'s sequence length). */
  steps?: number;
  /** Generator for the task trials (and frozen noise). Default new Rng(0). */
  rng?: Rng;
  /** QR factorisation (default 'choleskyqr2'). */
  qrMethod?: QrMethod;
  /**
   * Initial frame (default 'random', drawn from `rng`). With 'identity' and relu units, a unit
   * that stays inactive makes e_1 an exact eigenvector of every J_t (J e_1 = alpha e_1), so the
   * first column never turns towards the most expanding direction and the "maximum" exponent
   * would read ln(alpha).
   */
  q0?: 'identity' | 'random';
}

/** The result of {@link maxLyapunov}, with its protocol. */
export interface MaxLyapunovResult {
  /** Mean over trajectories of the largest exponent (per step, natural log). */
  mean: number;
  /** Sample standard deviation over trajectories. */
  std: number;
  /** The largest exponent of each trajectory [batch] (per step, natural log). */
  perTrajectory: number[];
  /** Number of trajectories. */
  batch: number;
  /** Tangent warm-up steps done. */
  warmup: number;
  /** Accumulation steps. */
  steps: number;
}

/**
 * The maximum Lyapunov exponent of `model` driven by `task` inputs, by the protocol used to
 * record it before and after training: `batch` trajectories from h0, each driven by fresh trials
 * concatenated into warmup + steps rows; QR every step; the first `warmup` steps are a tangent
 * warm-up (state and frame evolve, nothing accumulated); the exponent is averaged over the next
 * `steps` steps. Natural log, per step. (Vogt et al. 2022 re-feed the same sequence after the
 * warm-up and use log2; we continue with fresh trials and use ln.)
 * @throws TypeError for a model that is not a LeakyRNN, a task that is not a Task, an unknown
 *   option key or an rng that is not an Rng; RangeError for out-of-range counts
 */
export function maxLyapunov(model: LeakyRNN, task: Task, options: MaxLyapunovOptions = {}): MaxLyapunovResult {
  const o = expectObject(options, 'options');
  expectKnownKeys(o, ['batch', 'warmup', 'steps', 'rng', 'qrMethod', 'q0'], 'options');
  const batch = expectInteger(options.batch ?? 15, 'options.batch', 1);
  const warmup = expectInteger(options.warmup ?? 100, 'options.warmup', 0);
  const steps = expectInteger(options.steps ?? 100, 'options.steps', 1);
  const rng = expectRng(options.rng ?? new Rng(0), 'options.rng');
  expectModel(model, 'model');
  const inputs = taskInputSequences(task, rng.fork('inputs'), batch, warmup + steps);
  const q0 = expectOneOf(options.q0 ?? 'random', 'options.q0', ['identity', 'random'] as const);
  const r = lyapunovSpectrum(model, { k: 1, warmupQ: warmup, steps, inputs, batch, q0, rng: rng.fork('run'), ...(options.qrMethod ? { qrMethod: options.qrMethod } : {}) });
  return { mean: r.exponents[0]!, std: r.std[0]!, perTrajectory: r.perTrajectory.map((row) => row[0]!), batch, warmup, steps };
}

