/**
 * Gradient flossing (Engelken 2023; reference/specs.md section 2): push the first k Lyapunov
 * exponents towards a target (0) by gradient descent on
 *
 *   L = (1/B) sum_b (1/k) sum_i (lambda_{b,i} - target)^2
 *
 * over B trajectories (the mean of squared exponents, as in Engelken's code; paper 1 writes the
 * sum sum_i lambda_i^2, which is k times this: the same direction, a k times larger gradient,
 * which Adam largely absorbs). The exponents follow the Lyapunov protocol of ./lyapunov.ts with
 * a QR every accumulation step.
 *
 * Three hand-written gradient modes (C++, native/flossing.cpp):
 * - `full`: differentiates everything: the explicit Wh in each Jacobian, the trajectory h_t (and
 *   with it f'(h_t), so f'' enters) through Wh, Wx and b, and every QR of the frame chain,
 *   transient warm-up QRs included (QR adjoint). Only h0 and Q0 are fixed. Gives Wh, Wx, b.
 * - `hdetached`: hidden states frozen, gradient through the chain of frames and QRs. Gives Wh.
 * - `local`: hidden states and each step's incoming frame frozen: time-local and online,
 *   dWh += (1 - alpha) G_t (D_t F_{t-1})^T with G_t = Q_t diag(c/S) R_t^{-T}, c_i = dL/dlambda_i.
 *   c needs the final exponents, so the window is run twice (pass 1 gives lambda, pass 2 replays
 *   the same deterministic trajectory); nothing is stored per step. Gives Wh.
 * In `hdetached` and `local`, Wx and b enter only through the frozen states: their gradient is 0.
 * @module
 */
import { expectModel } from '../model/leaky-rnn.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { PARAM_NAMES, ParamSet } from '../model/params.js';
import { gradientToRaw } from '../model/constraints.js';
import type { ParamName } from '../model/params.js';
import { native } from '../native.js';
import { adam } from '../optim/adam.js';
import type { AdamState } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Rng } from '../rng.js';
import type { Task } from '../tasks/task.js';
import { expectFinite, expectInteger, expectKnownKeys, expectNumber, expectObject, expectOneOf, rangeError, typeError } from '../validate.js';
import { DRIVE_KEYS, PROTOCOL_KEYS, QR_METHODS, columnStats, counterWarnings, expectFiniteExponents, prepareRun, readCounters, taskInputSequences, toRows } from './lyapunov.js';
import type { DriveOptions, LyapunovProtocol, QrMethod } from './lyapunov.js';

/** The gradient modes of flossing: `full`, `hdetached` and `local` (see the module description). */
export const FLOSS_MODES = ['full', 'hdetached', 'local'] as const;
/** What the flossing gradient differentiates (see the module description). */
export type FlossMode = (typeof FLOSS_MODES)[number];

/** The parameters each mode gives a (possibly) nonzero gradient for. */
export const FLOSS_GRADIENT_PARAMS: Readonly<Record<FlossMode, readonly ParamName[]>> = {
  full: ['Wh', 'Wx', 'b'],
  hdetached: ['Wh'],
  local: ['Wh'],
};

/** Options of {@link flossingGradient}: a Lyapunov protocol and drive, the mode and the target. */
export interface FlossingGradientOptions extends LyapunovProtocol, DriveOptions {
  /** What the gradient differentiates (required; see {@link FlossMode}). */
  mode: FlossMode;
  /** Exponent the loss pulls towards (default 0). */
  target?: number;
}

/** The flossing loss, the exponents it was computed from and its gradient. */
export interface FlossingGradientResult {
  /** The flossing loss: mean over trajectories of the mean over i of (lambda_i - target)^2. */
  loss: number;
  /** Mean over trajectories of the first k exponents (per step, natural log) [k]. */
  exponents: number[];
  /** Sample standard deviation over trajectories [k] (zeros for one trajectory). */
  std: number[];
  /** One spectrum per trajectory [B][k]. */
  perTrajectory: number[][];
  /**
   * dLoss/dparams in the computation's dtype (float64 by default). Wh in every mode; Wx and b
   * in `full`; every other entry is 0.
   */
  grads: ParamSet;
  /** The gradient mode used. */
  mode: FlossMode;
  /** Number of exponents in the loss. */
  k: number;
  /** Number of trajectories B. */
  batch: number;
  /** CholeskyQR2 steps that fell back to Householder (ill-conditioned J Q). */
  qrFallbacks: number;
  /** Exactly zero R_ii in the accumulation window, clamped (see {@link LyapunovResult}). */
  zeroPivots: number;
  /** Human-readable warnings (e.g. about zero pivots). */
  warnings: string[];
  /** Wall-clock seconds of the kernel call (forward and gradient passes). */
  seconds: number;
}

/**
 * The flossing loss of `model` on the given drive and its hand-written gradient.
 * @param options the protocol (`steps` required), the drive (inputs [T][B][nIn] with
 *   T = warmupState + warmupQ + steps), `mode` (required) and `target`
 * @throws TypeError for a model that is not a LeakyRNN, an unknown option key (with a hint) or a
 *   missing mode or steps; RangeError for an unknown mode, k outside [1, N], inputs of the wrong
 *   length, a window whose stored history exceeds 2 GB (full and hdetached), or exponents or
 *   a gradient that are not finite
 */
export function flossingGradient(model: LeakyRNN, options: FlossingGradientOptions): FlossingGradientResult {
  const o = expectObject(options, 'options');
  expectKnownKeys(o, [...PROTOCOL_KEYS, ...DRIVE_KEYS, 'mode', 'target'], 'options');
  if (options.mode === undefined) throw typeError('options.mode', `one of ${FLOSS_MODES.map((m) => `"${m}"`).join(', ')} (required)`, undefined, 'nothing');
  const mode = expectOneOf(options.mode, 'options.mode', FLOSS_MODES);
  const target = expectNumber(options.target ?? 0, 'options.target');
  const run = prepareRun(model, options, 'options');
  if (mode !== 'local') {
    // The reverse pass keeps one trajectory's states, frames and R factors.
    const { warmupQ, steps, k } = run.settings;
    const N = model.N;
    const bytes = ((run.T + 1) * N + (warmupQ + steps + 1) * k * N + (warmupQ + steps) * k * k) * (run.dtype === 'float64' ? 8 : 4);
    if (bytes > 2 ** 31) {
      throw rangeError('options.steps', `a window whose stored history fits in 2 GB (mode "${mode}" keeps every frame: ${(bytes / 1e9).toFixed(1)} GB here); use mode "local" or fewer steps`, steps);
    }
  }
  const grads = new ParamSet(model.params.dims, run.dtype);
  const exps = run.dtype === 'float64' ? new Float64Array(run.batch * run.k) : new Float32Array(run.batch * run.k);
  const stats = run.dtype === 'float64' ? new Float64Array(7) : new Float32Array(7);
  const loss = native.flossingGradient(run.spec, run.settings, FLOSS_MODES.indexOf(mode), target, run.params, run.x, run.noise, run.q0, exps, grads.flat, stats);
  expectFiniteExponents(exps);
  expectFinite(grads.flat, 'flossing gradient');
  // The kernel differentiates with respect to the effective weights; map back to the raw ones.
  gradientToRaw(run.dtype === model.dtype ? model : model.clone(run.dtype), grads);
  const perTrajectory = toRows(exps, run.batch, run.k);
  const counters = readCounters(stats);
  const { mean, std } = columnStats(perTrajectory);
  return {
    loss,
    exponents: mean,
    std,
    perTrajectory,
    grads,
    mode,
    k: run.k,
    batch: run.batch,
    qrFallbacks: counters.qrFallbacks,
    zeroPivots: counters.zeroPivots,
    warnings: counterWarnings(counters),
    seconds: stats[3]!,
  };
}

/**
 * Settings of flossing (pre)training. Defaults, and why:
 * - iters 100: paper 1 pretrains with 100 flossing iterations.
 * - mode 'local': paper 1's bio-plausible variant (updates use local information only).
 * - k = min(16, N): Engelken's minimal PyTorch example flosses 16 of 64 exponents (paper 1's
 *   N = 64); his Julia example flosses 75 of 80.
 * - sequenceSteps 55, warmupQ 10 + ceil(55/10) = 16, warmupState 0: Engelken's Julia defaults
 *   (Tp = 55 steps, the first 16 QR'd but not accumulated, so 39 accumulation steps). One Romo
 *   trial (56 steps) is about one such sequence.
 * - batchSize 1: Engelken flosses one trajectory per update.
 * - lr 1e-3, Adam betas (0.9, 0.999), no clipping, its own Adam state: Engelken's AdamW(1e-3)
 *   with weight decay 0.
 * - params Wh, Wx, b (input and recurrent weights and biases, as in both papers), restricted to
 *   the model's trainable parameters.
 * - q0 'random': Engelken's random orthonormal frame, fixed across updates. With the identity
 *   and relu units, an always-inactive unit 1 pins the first exponent at ln(alpha).
 * Each iteration draws a fresh input sequence: trials of the task concatenated to sequenceSteps
 * rows (state not reset between trials), starting from h0.
 */
export interface FlossSettings {
  /** Flossing updates (default 100). */
  iters?: number;
  /** Gradient mode (default 'local'). */
  mode?: FlossMode;
  /** Exponents flossed (default min(16, N)). */
  k?: number;
  /** Input rows per sequence, warm-ups included (default 55). */
  sequenceSteps?: number;
  /** State-only warm-up steps (default 0). */
  warmupState?: number;
  /** Transient QR steps (default 10 + ceil(sequenceSteps / 10)). */
  warmupQ?: number;
  /** Trajectories per update (default 1). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Target exponent (default 0). */
  target?: number;
  /** Parameters updated (default Wh, Wx, b; only those the model trains). */
  params?: ParamName[];
  /** QR factorisation (default 'choleskyqr2'). */
  qrMethod?: QrMethod;
  /**
   * Initial frame of every sequence (default 'random': one Gaussian N x k frame drawn once and
   * reused for every update, as Engelken reseeds his; 'identity' = I[:, :k]).
   */
  q0?: 'identity' | 'random';
}

/** Options of {@link flossPretrain}: the flossing settings, the generator and a progress callback. */
export interface FlossPretrainOptions extends FlossSettings {
  /** Generator for the input sequences and frozen state noise (required). */
  rng: Rng;
  /** Called after every flossing update. */
  onProgress?: (progress: FlossProgress) => void;
}

/** Reported after each flossing update. */
export interface FlossProgress {
  /** Updates done so far in this phase (1-based). */
  iter: number;
  /** Updates in this phase. */
  iters: number;
  /** Flossing loss of this update's sequence (before the update). */
  loss: number;
  /** Largest exponent on this update's sequence (mean over its trajectories). */
  maxExponent: number;
}

/** What one flossing phase did. */
export interface FlossPhaseResult {
  /** Flossing updates done. */
  iterations: number;
  /** Flossing loss of every update (measured before the update) [iterations]. */
  loss: number[];
  /** Largest exponent of every update's sequence [iterations]. */
  maxExponent: number[];
  /** Exponents on the first and on the last sequence (mean over trajectories) [k]. */
  exponentsFirst: number[];
  /** See exponentsFirst; empty when no update was done. */
  exponentsLast: number[];
  /** Wall-clock seconds of the phase. */
  seconds: number;
}

/** Settings after defaults. */
export type ResolvedFlossSettings = Required<Omit<FlossSettings, 'params'>> & {
  /** The parameters flossing updates: the requested ones the model trains (duplicates removed). */
  params: ParamName[];
  /** Accumulation steps per sequence: sequenceSteps - warmupState - warmupQ (>= 1). */
  steps: number;
};

const SETTING_KEYS = ['iters', 'mode', 'k', 'sequenceSteps', 'warmupState', 'warmupQ', 'batchSize', 'lr', 'target', 'params', 'qrMethod', 'q0'] as const;

/**
 * Validates flossing settings against a model and fills in the defaults.
 * @param field prefix of error messages (e.g. "options.floss")
 * @throws TypeError / RangeError for a model that is not a LeakyRNN, settings that are not an
 *   object, a value out of range (k > N, no accumulation step left), an unknown mode, QR method
 *   or parameter name (with a hint)
 */
export function resolveFlossSettings(model: LeakyRNN, settings: FlossSettings, field: string): ResolvedFlossSettings {
  expectModel(model, 'model');
  expectObject(settings, field);
  const N = model.N;
  const iters = expectInteger(settings.iters ?? 100, `${field}.iters`, 0);
  const mode = expectOneOf(settings.mode ?? 'local', `${field}.mode`, FLOSS_MODES);
  const k = expectInteger(settings.k ?? Math.min(16, N), `${field}.k`, 1);
  if (k > N) throw rangeError(`${field}.k`, `an integer in [1, ${N}] (k <= N, the number of hidden units)`, k);
  const sequenceSteps = expectInteger(settings.sequenceSteps ?? 55, `${field}.sequenceSteps`, 1);
  const warmupState = expectInteger(settings.warmupState ?? 0, `${field}.warmupState`, 0);
  const warmupQ = expectInteger(settings.warmupQ ?? 10 + Math.ceil(sequenceSteps / 10), `${field}.warmupQ`, 0);
  const steps = sequenceSteps - warmupState - warmupQ;
  if (steps < 1) {
    throw rangeError(`${field}.sequenceSteps`, `more than warmupState + warmupQ = ${warmupState + warmupQ} steps (at least one accumulation step)`, sequenceSteps);
  }
  const batchSize = expectInteger(settings.batchSize ?? 1, `${field}.batchSize`, 1);
  const lr = expectNumber(settings.lr ?? 1e-3, `${field}.lr`, { min: 0 });
  const target = expectNumber(settings.target ?? 0, `${field}.target`);
  const qrMethod = expectOneOf(settings.qrMethod ?? 'choleskyqr2', `${field}.qrMethod`, QR_METHODS);
  const q0 = expectOneOf(settings.q0 ?? 'random', `${field}.q0`, ['identity', 'random'] as const);
  const requested = settings.params ?? ['Wh', 'Wx', 'b'];
  if (!Array.isArray(requested)) throw typeError(`${field}.params`, `an array of parameter names (${PARAM_NAMES.join(', ')})`, requested);
  requested.forEach((name, i) => expectOneOf(name, `${field}.params[${i}]`, PARAM_NAMES));
  const params = [...new Set(requested)].filter((name) => model.config.trainable.includes(name));
  return { iters, mode, k, sequenceSteps, warmupState, warmupQ, steps, batchSize, lr, target, qrMethod, q0, params };
}

/**
 * Flossing with its own Adam state, for one model and task. Each {@link run} continues the same
 * optimiser state (so repeated flossing phases during training share it, and never touch the
 * training optimiser's state).
 */
export class Flosser {
  /** The settings after defaults (see {@link resolveFlossSettings}). */
  readonly settings: Readonly<ResolvedFlossSettings>;
  private readonly optimizer: Optimizer<AdamState>;
  private readonly state: AdamState;
  private readonly dataRng: Rng;
  private readonly noiseRng: Rng;
  private readonly grads: ParamSet;
  private readonly updated: ParamName[];
  private readonly q0: Float64Array | undefined;
  private updates = 0;

  /**
   * @param model the network to floss (updated in place)
   * @param task source of the input sequences; must have the model's nIn inputs
   * @param settings flossing settings ({@link FlossSettings})
   * @param rng generator for input sequences, frozen noise and the initial frame
   * @param field prefix of error messages
   */
  constructor(
    private readonly model: LeakyRNN,
    private readonly task: Task,
    settings: FlossSettings,
    rng: Rng,
    field = 'floss',
  ) {
    expectModel(model, 'model');
    if (!task || typeof task.sample !== 'function') throw typeError(`${field}.task`, 'a task (see createTask)', task);
    if (task.info.inputs.length !== model.config.nIn) throw rangeError(`${field}.task`, `a task with ${model.config.nIn} inputs (the model's nIn)`, task.info.name, `${task.info.name} with ${task.info.inputs.length} inputs`);
    if (!(rng instanceof Rng)) throw typeError(`${field}.rng`, 'an Rng', rng);
    this.settings = Object.freeze(resolveFlossSettings(model, settings, field));
    this.optimizer = adam({ lr: this.settings.lr });
    this.state = this.optimizer.init(model.params);
    this.dataRng = rng.fork('data');
    this.noiseRng = rng.fork('noise');
    this.grads = new ParamSet(model.params.dims, model.dtype);
    this.updated = this.settings.params.filter((name) => FLOSS_GRADIENT_PARAMS[this.settings.mode].includes(name));
    if (this.settings.q0 === 'random') {
      this.q0 = new Float64Array(model.N * this.settings.k);
      rng.fork('q0').fillNormal(this.q0);
    }
  }

  /**
   * Runs `iters` flossing updates (default: the settings' iters), each on a fresh sequence.
   * @param onProgress called after every update
   */
  run(iters: number = this.settings.iters, onProgress?: (progress: FlossProgress) => void): FlossPhaseResult {
    expectInteger(iters, 'iters', 0);
    const s = this.settings;
    const start = performance.now();
    const result: FlossPhaseResult = { iterations: 0, loss: [], maxExponent: [], exponentsFirst: [], exponentsLast: [], seconds: 0 };
    for (let iter = 1; iter <= iters; iter++) {
      const inputs = taskInputSequences(this.task, this.dataRng, s.batchSize, s.sequenceSteps);
      const r = flossingGradient(this.model, {
        mode: s.mode,
        target: s.target,
        k: s.k,
        warmupState: s.warmupState,
        warmupQ: s.warmupQ,
        steps: s.steps,
        qrMethod: s.qrMethod,
        inputs,
        batch: s.batchSize,
        rng: this.noiseRng.fork(this.updates),
        ...(this.q0 ? { q0: this.q0 } : {}),
      });
      for (const name of this.updated) this.grads.get(name).set(r.grads.get(name));
      this.optimizer.update(this.state, this.model.params, this.grads, this.updated);
      this.updates += 1;
      const maxExponent = r.perTrajectory.reduce((sum, row) => sum + Math.max(...row), 0) / r.perTrajectory.length;
      result.iterations = iter;
      result.loss.push(r.loss);
      result.maxExponent.push(maxExponent);
      if (iter === 1) result.exponentsFirst = r.exponents;
      if (iter === iters) result.exponentsLast = r.exponents;
      onProgress?.({ iter, iters, loss: r.loss, maxExponent });
    }
    result.seconds = (performance.now() - start) / 1000;
    return result;
  }
}

/**
 * Flossing pretraining: `iters` Adam updates (own state) of the flossed parameters on fresh task
 * inputs, before any task training. See {@link FlossSettings} for the defaults.
 * @throws TypeError / RangeError for a model that is not a LeakyRNN, a task with another number
 *   of inputs than the model, a missing rng, an unknown option key or a bad setting
 */
export function flossPretrain(model: LeakyRNN, task: Task, options: FlossPretrainOptions): FlossPhaseResult {
  const o = expectObject(options, 'options');
  expectKnownKeys(o, [...SETTING_KEYS, 'rng', 'onProgress'], 'options');
  const { rng, onProgress, ...settings } = options;
  return new Flosser(model, task, settings, rng, 'options').run(undefined, onProgress);
}

/**
 * Flossing as an option of `train()` (a plain object, so sweeps can carry it): `iters` updates
 * before training (0 = none), then optionally `repeatIters` more every `every` training
 * iterations, at most `repeats` times (Engelken: every 100 epochs, at most twice).
 */
export interface FlossTrainOptions extends FlossSettings {
  /** Flossing phase every this many training iterations (default: never). */
  every?: number;
  /** At most this many phases during training (default 1 when `every` is set). */
  repeats?: number;
  /** Updates per phase during training (default: `iters`, or 100 when iters is 0). */
  repeatIters?: number;
}

/** One flossing phase of a training run. */
export interface FlossPhase extends FlossPhaseResult {
  /** Training iterations done before this phase (0 = pretraining). */
  afterIteration: number;
}

/** The flossing schedule of one training run (used by `train()`). */
export class FlossSchedule {
  private readonly flosser: Flosser;
  private readonly every: number;
  private readonly repeats: number;
  private readonly repeatIters: number;
  private done = 0;

  /**
   * @param model the network trained (flossed in place)
   * @param task source of the flossing input sequences
   * @param options the schedule and flossing settings
   * @param rng generator for the flossing phases
   * @param field prefix of error messages
   */
  constructor(model: LeakyRNN, task: Task, options: FlossTrainOptions, rng: Rng, field = 'options.floss') {
    const o = expectObject(options, field);
    expectKnownKeys(o, [...SETTING_KEYS, 'every', 'repeats', 'repeatIters'], field);
    const { every, repeats, repeatIters, ...settings } = options;
    this.flosser = new Flosser(model, task, settings, rng, field);
    this.every = every === undefined ? 0 : expectInteger(every, `${field}.every`, 1);
    this.repeats = expectInteger(repeats ?? (this.every > 0 ? 1 : 0), `${field}.repeats`, 0);
    const iters = this.flosser.settings.iters;
    this.repeatIters = expectInteger(repeatIters ?? (iters > 0 ? iters : 100), `${field}.repeatIters`, 0);
  }

  /** The pretraining phase, or null when iters is 0. */
  pretrain(onProgress?: (progress: FlossProgress) => void): FlossPhase | null {
    if (this.flosser.settings.iters === 0) return null;
    return { afterIteration: 0, ...this.flosser.run(this.flosser.settings.iters, onProgress) };
  }

  /** A phase if one is due after training iteration `iter`, else null. */
  afterIteration(iter: number, onProgress?: (progress: FlossProgress) => void): FlossPhase | null {
    if (this.every === 0 || iter % this.every !== 0 || this.done >= this.repeats) return null;
    this.done += 1;
    return { afterIteration: iter, ...this.flosser.run(this.repeatIters, onProgress) };
  }
}
