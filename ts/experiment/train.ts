/**
 * The training loop: sample a batch, let the rule estimate the gradient, clip, step the
 * optimiser; log the loss; stop and report when the run diverges.
 * @module
 */
import { FlossSchedule } from '../analysis/flossing.js';
import type { FlossPhase, FlossTrainOptions } from '../analysis/flossing.js';
import type { MaxLyapunovOptions } from '../analysis/lyapunov.js';
import { DynamicsRecorder } from '../analysis/record.js';
import type { TrainDynamics } from '../analysis/record.js';
import { expectModel } from '../model/leaky-rnn.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { ParamSet } from '../model/params.js';
import { native } from '../native.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import { expectRng } from '../rng.js';
import type { Rng } from '../rng.js';
import { getRule } from '../rules/index.js';
import type { LearningRule } from '../rules/rule.js';
import { Workspace } from '../rules/workspace.js';
import type { Task, TaskBatch } from '../tasks/task.js';
import { checkTrials } from '../trials.js';
import { evaluate } from './evaluate.js';
import { expectBoolean, expectInteger, expectKnownKeys, expectNumber, expectObject, typeError } from '../validate.js';
import type { LossTerms, RuleContext } from '../rules/rule.js';

/** The activity regulariser's setting in {@link TrainOptions}. */
export interface ActivityL2Setting {
  /** lambda at the start, >= 0 (dimensionless weight of mean f(h)^2 in the loss). */
  lambda: number;
  /** Follow the authors' schedule (lambda <- 2 lambda / 3 when it dominates; default true). */
  adaptive?: boolean;
}

/** Where a run diverged (see {@link TrainResult.diverged}). */
export interface Divergence {
  /** The update at which it was detected (1-based). */
  iter: number;
  /** The offending loss (may be NaN or infinite). */
  loss: number;
  /** What happened: "loss is not finite", "loss above <divergenceLoss>" or "parameters are not finite". */
  reason: string;
}

/** Settings of {@link train}; task, rule, optimizer, iters, batchSize and rng are required. */
export interface TrainOptions {
  /** The task batches are sampled from (see createTask, defineTask). */
  task: Task;
  /** A rule or its registered name. */
  rule: LearningRule | string;
  /** The optimiser that steps the parameters against each gradient (see adam, sgd). */
  optimizer: Optimizer;
  /** Number of updates. */
  iters: number;
  /** Trials per batch (a fresh batch every iteration). */
  batchSize: number;
  /** Generator for batches and state noise (forked into independent streams). */
  rng: Rng;
  /** Log a point every this many iterations (default 1): the mean batch loss since the last point. */
  logEvery?: number;
  /** Clip the gradient 2-norm to this value before each update (default: no clipping). */
  clipNorm?: number;
  /** A loss above this (or not finite) marks the run as diverged (default 1e6). */
  divergenceLoss?: number;
  /**
   * Threads for each gradient (default 1): the batch is split across them, for rules that
   * support it (bptt, e-prop). For many runs, prefer one run per core (a sweep) with 1 thread each.
   */
  threads?: number;
  /** Called after each logged point. */
  onProgress?: (progress: TrainProgress) => void;
  /**
   * A fixed batch (sampled from `task`) scored at every logged point: each point then also
   * carries `evalLoss`, `accuracy` and `normalizedAccuracy` on it. Costs one forward pass over
   * this batch per logged point; absent (the default), training does no extra work.
   */
  evalBatch?: TaskBatch;
  /** Stops the loop between iterations; the result then has `aborted: true`. */
  signal?: AbortSignal;
  /**
   * Gradient flossing (Lyapunov exponents pushed towards 0) before training and optionally every
   * n iterations, with its own Adam state; see FlossTrainOptions. Default: none.
   */
  floss?: FlossTrainOptions;
  /** Called after each flossing phase, with the model as it is then. */
  onFlossPhase?: (phase: FlossPhase, model: LeakyRNN) => void;
  /**
   * Record the maximum Lyapunov exponent before training, after flossing pretraining and after
   * training, on the task's inputs (maxLyapunov protocol; `{}` for its defaults). Default: not
   * recorded. The generator defaults to a fork of `rng`, the same before and after.
   */
  lyapunov?: MaxLyapunovOptions;
  /** Record the eigenvalues of Wh before and after training (default false). */
  eigenvalues?: boolean;
  /**
   * The activity L2 regulariser of paper 2 in the training loss (see LossOptions.activityL2):
   * `lambda` >= 0 to start with and, unless `adaptive: false`, the authors' schedule: after each
   * update, lambda <- 2 lambda / 3 whenever lambda mean(f(h)^2) >= task loss / 2 on that batch
   * (LearningRuleSimilarities main_train_model.py; their lambda0 = 10). Default: none.
   */
  activityL2?: ActivityL2Setting;
  /**
   * Iterations at which `onCheckpoint` sees the model: 0 = before the first update, k = after k
   * updates (each at most `iters`). Nothing is done at other iterations.
   */
  checkpoints?: readonly number[];
  /** Called at each checkpoint with the model as it is then (do not modify it). */
  onCheckpoint?: (iter: number, model: LeakyRNN) => void;
}

/** What `onProgress` receives at each logged point. */
export interface TrainProgress {
  /** Updates done so far. */
  iter: number;
  /** Updates asked for (options.iters). */
  iters: number;
  /** Mean batch loss since the previous point. */
  loss: number;
  /** Updates per second of wall time since training started. */
  itersPerSecond: number;
  /** With `evalBatch`: the loss on it (see {@link LossPoint}). */
  evalLoss?: number;
  /** With `evalBatch`: decision accuracy on it, in [0, 1]. */
  accuracy?: number;
  /** With `evalBatch`: paper 2's normalised accuracy on it. */
  normalizedAccuracy?: number;
}

/** One point of the loss curve. */
export interface LossPoint {
  /** Updates done at the end of the logging interval. */
  iter: number;
  /** Mean loss of the interval's batches (each measured before its update). */
  loss: number;
  /** With `evalBatch`: the loss on it after this point's update. */
  evalLoss?: number;
  /** With `evalBatch`: decision accuracy on it (tasks with a decision period). */
  accuracy?: number;
  /** With `evalBatch`: paper 2's normalised accuracy on it. */
  normalizedAccuracy?: number;
  /** With `activityL2`: the mean task loss of the interval's batches (`loss` is task + regulariser). */
  taskLoss?: number;
  /** With `activityL2`: lambda after this point's update. */
  lambda?: number;
}

/** What {@link train} returns (the model itself is trained in place). */
export interface TrainResult {
  /** One point every `logEvery` updates. */
  lossCurve: LossPoint[];
  /**
   * Where the run diverged (a loss that is not finite or above divergenceLoss, or parameters
   * that are not finite after an update), or null. Training stops there.
   */
  diverged: Divergence | null;
  /** True when `signal` stopped the loop early. */
  aborted: boolean;
  /** Updates actually done. */
  iterations: number;
  /** Wall time in seconds, flossing phases included. */
  seconds: number;
  /** Flossing phases done (empty without `floss`). */
  floss: FlossPhase[];
  /** What was recorded with the `lyapunov` and `eigenvalues` options (absent without them). */
  dynamics?: TrainDynamics;
  /** With `activityL2`: lambda at the start and at the end (after the adaptive schedule). */
  activityL2?: {
    /** lambda before the first update. */
    initial: number;
    /** lambda after the last update. */
    final: number;
  };
}

const TRAIN_KEYS = ['task', 'rule', 'optimizer', 'iters', 'batchSize', 'rng', 'logEvery', 'clipNorm', 'divergenceLoss', 'threads', 'onProgress', 'signal', 'evalBatch', 'floss', 'onFlossPhase', 'lyapunov', 'eigenvalues', 'activityL2', 'checkpoints', 'onCheckpoint'];

/** Reads the activityL2 option: [lambda0, adaptive], or null. */
function readActivityL2(value: unknown): { lambda: number; adaptive: boolean } | null {
  if (value === undefined) return null;
  const o = expectObject(value, 'options.activityL2');
  expectKnownKeys(o, ['lambda', 'adaptive'], 'options.activityL2');
  return { lambda: expectNumber(o.lambda, 'options.activityL2.lambda', { min: 0 }), adaptive: o.adaptive === undefined ? true : expectBoolean(o.adaptive, 'options.activityL2.adaptive') };
}

/** Reads the checkpoint iterations (integers in [0, iters]) into a set. */
function readCheckpoints(value: unknown, iters: number, callback: unknown): Set<number> | null {
  if (value === undefined) {
    if (callback !== undefined) throw typeError('options.checkpoints', 'the iterations at which to call onCheckpoint', undefined, 'nothing');
    return null;
  }
  if (!Array.isArray(value)) throw typeError('options.checkpoints', 'an array of iterations', value);
  if (typeof callback !== 'function') throw typeError('options.onCheckpoint', 'a function called at each checkpoint', callback);
  value.forEach((v, k) => expectInteger(v, `options.checkpoints[${k}]`, 0, iters));
  return new Set(value as number[]);
}

/** Trains `model` in place. */
export function train(model: LeakyRNN, options: TrainOptions): TrainResult {
  expectModel(model);
  expectKnownKeys(expectObject(options, 'options'), TRAIN_KEYS, 'options');
  for (const key of ['task', 'rule', 'optimizer', 'iters', 'batchSize', 'rng'] as const) {
    if (options[key] === undefined) throw typeError(`options.${key}`, `a value (${key} is required)`, undefined, 'nothing');
  }
  expectRng(options.rng, 'options.rng', 'batches and state noise are drawn from it');
  const rule = typeof options.rule === 'string' ? getRule(options.rule, {}, 'options.rule') : options.rule;
  if (!rule || typeof rule.gradient !== 'function') throw typeError('options.rule', 'a learning rule or its name', options.rule);
  const iters = expectInteger(options.iters, 'options.iters', 0);
  const batchSize = expectInteger(options.batchSize, 'options.batchSize', 1);
  const logEvery = expectInteger(options.logEvery ?? 1, 'options.logEvery', 1);
  const clipNorm = options.clipNorm === undefined ? undefined : expectNumber(options.clipNorm, 'options.clipNorm', { min: 0, minExclusive: true });
  const threads = expectInteger(options.threads ?? 1, 'options.threads', 1);
  const divergenceLoss = expectNumber(options.divergenceLoss ?? 1e6, 'options.divergenceLoss', { min: 0, minExclusive: true });
  const { task, optimizer } = options;
  if (!task || typeof task.sample !== 'function') throw typeError('options.task', 'a task (see createTask)', task);
  if (!optimizer || typeof optimizer.update !== 'function') throw typeError('options.optimizer', 'an optimizer (see adam, sgd)', optimizer);

  const evalBatch = options.evalBatch;
  if (evalBatch !== undefined) checkTrials(evalBatch, model, 'options.evalBatch');
  const evalWorkspace = evalBatch ? new Workspace() : undefined;
  const evalRng = options.rng.fork('eval');
  const dataRng = options.rng.fork('data');
  const noiseRng = options.rng.fork('noise');
  const workspace = new Workspace();
  const grads = new ParamSet(model.params.dims, model.dtype);
  const state = optimizer.init(model.params);
  const trainable = model.config.trainable;

  const activityL2 = readActivityL2(options.activityL2);
  const checkpoints = readCheckpoints(options.checkpoints, iters, options.onCheckpoint);
  const terms: LossTerms = { task: 0, activityL2: 0 };
  const ctx: RuleContext = { workspace, rng: noiseRng, threads, ...(activityL2 ? { loss: { activityL2: activityL2.lambda }, terms } : {}) };
  let intervalTask = 0;

  const flossing = options.floss === undefined ? null : new FlossSchedule(model, task, options.floss, options.rng.fork('floss'));
  const recorder = options.lyapunov !== undefined || options.eigenvalues ? new DynamicsRecorder(model, task, options.lyapunov, options.eigenvalues, options.rng) : null;
  const result: TrainResult = { lossCurve: [], diverged: null, aborted: false, iterations: 0, seconds: 0, floss: [] };
  const recordFloss = (phase: FlossPhase | null): void => {
    if (phase === null) return;
    result.floss.push(phase);
    if (phase.afterIteration === 0) recorder?.afterFlossPretrain();
    options.onFlossPhase?.(phase, model);
  };
  recorder?.before();
  const flossStart = performance.now();
  if (flossing) recordFloss(flossing.pretrain());
  const pretrainSeconds = (performance.now() - flossStart) / 1000;
  const start = performance.now();
  let intervalLoss = 0;
  let intervalCount = 0;
  if (checkpoints?.has(0)) options.onCheckpoint!(0, model);

  for (let iter = 1; iter <= iters; iter++) {
    if (options.signal?.aborted) {
      result.aborted = true;
      break;
    }
    const batch = task.sample(dataRng, batchSize);
    if (iter === 1) checkTrials(batch, model, 'task batch');
    const loss = rule.gradient(model, batch, grads, ctx);
    if (!Number.isFinite(loss) || loss > divergenceLoss) {
      result.diverged = { iter, loss, reason: Number.isFinite(loss) ? `loss above ${divergenceLoss}` : 'loss is not finite' };
      break;
    }
    if (clipNorm !== undefined) clipGradNorm(grads, trainable, clipNorm);
    optimizer.update(state, model.params, grads, trainable);
    result.iterations = iter;
    intervalLoss += loss;
    intervalCount += 1;
    if (activityL2) {
      intervalTask += terms.task;
      // The authors' schedule: shrink lambda when the regulariser reaches half the task loss.
      if (activityL2.adaptive && terms.activityL2 >= terms.task / 2) ctx.loss!.activityL2 = ctx.loss!.activityL2! * (2 / 3);
    }
    if (checkpoints?.has(iter)) options.onCheckpoint!(iter, model);
    if (iter % logEvery === 0 || iter === iters) {
      const point: LossPoint = { iter, loss: intervalLoss / intervalCount };
      if (activityL2) {
        point.taskLoss = intervalTask / intervalCount;
        point.lambda = ctx.loss!.activityL2!;
        intervalTask = 0;
      }
      if (evalBatch) {
        const e = evaluate(model, evalBatch, { task, rng: evalRng, workspace: evalWorkspace! });
        point.evalLoss = e.loss;
        if (e.accuracy !== undefined) point.accuracy = e.accuracy;
        if (e.normalizedAccuracy !== undefined) point.normalizedAccuracy = e.normalizedAccuracy;
      }
      result.lossCurve.push(point);
      intervalLoss = 0;
      intervalCount = 0;
      options.onProgress?.({ ...point, iters, itersPerSecond: iter / ((performance.now() - start) / 1000) });
    }
    if (flossing) recordFloss(flossing.afterIteration(iter));
  }
  if (!result.diverged && !Number.isFinite(native.sumSquares(model.params.flat))) {
    result.diverged = { iter: result.iterations, loss: NaN, reason: 'parameters are not finite' };
  }
  result.seconds = pretrainSeconds + (performance.now() - start) / 1000;
  if (activityL2) result.activityL2 = { initial: activityL2.lambda, final: ctx.loss!.activityL2! };
  if (recorder) {
    recorder.after(result.diverged !== null);
    result.dynamics = recorder.result;
  }
  return result;
}
