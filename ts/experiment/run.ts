/**
 * One complete run from its settings: build the task and the model, train, score before and
 * after on a fixed held-out batch, and return a self-contained record. Sweeps, presets and
 * `rnnlab train` all go through here, so a run means the same thing everywhere.
 * @module
 */
import { hostname } from 'node:os';
import { LeakyRNN } from '../model/leaky-rnn.js';
import type { LeakyRNNConfig } from '../model/leaky-rnn.js';
import { blasInfo } from '../native.js';
import { createOptimizer } from '../optim/index.js';
import { Rng } from '../rng.js';
import { createRule } from '../rules/index.js';
import type { LearningRule } from '../rules/rule.js';
import { createTask } from '../tasks/index.js';
import type { Task } from '../tasks/task.js';
import { rangeError } from '../validate.js';
import { VERSION } from '../version.js';
import { evaluate } from './evaluate.js';
import { resolveRunConfig, runId } from './run-config.js';
import type { RunConfig, RunConfigInput } from './run-config.js';
import { train } from './train.js';
import type { TrainProgress, TrainResult } from './train.js';
import type { FlossPhase, FlossTrainOptions } from '../analysis/flossing.js';
import type { MaxLyapunovOptions, MaxLyapunovResult } from '../analysis/lyapunov.js';
import type { Eigenvalues } from '../analysis/spectra.js';
import { NeuralTracker, dataComparison, liu2025Checkpoints } from './data-comparison.js';
import type { NeuralRecord } from './data-comparison.js';

/** What a finished run leaves behind (JSON-serialisable). */
export interface RunRecord {
  /** Format tag of the record, always "rnnlab.run/1". */
  format: 'rnnlab.run/1';
  /** The run's identity: 16 hex digits of the SHA-256 of `config` (see {@link runId}). */
  id: string;
  /** Resolved settings (every default filled in). */
  config: RunConfig;
  /** rnnlab version that made the record. */
  version: string;
  /** The machine the run ran on. */
  host: {
    /** Host name (os.hostname()). */
    hostname: string;
    /** Node.js version (process.version, e.g. "v22.1.0"). */
    node: string;
    /** The native BLAS: its core name and thread count, e.g. "Haswell, 1 thread(s)". */
    blas: string;
  };
  /** When the run started (ISO 8601, UTC). */
  startedAt: string;
  /** Wall time of the whole run in seconds, scoring and dynamics included. */
  wallSeconds: number;
  /** Wall time of the training loop in seconds (flossing phases included). */
  trainSeconds: number;
  /** Updates done (fewer than config.iters when the run diverged). */
  iterations: number;
  /** Trials per training batch. */
  batchSize: number;
  /**
   * Training loss curve: mean batch loss over each logging interval; with `trackAccuracy`, also
   * the held-out loss, decision accuracy and normalised accuracy at each point.
   */
  curve: {
    /** Updates done at each logged point (every `logEvery` updates, and the last). */
    iter: number[];
    /** Mean training-batch loss of each logging interval (each batch measured before its update; task loss plus the activity regulariser with `activityL2`). */
    loss: number[];
    /** With `trackAccuracy`: loss on the held-out batch after each logged point's update. */
    evalLoss?: number[];
    /** With `trackAccuracy`, for tasks with a decision period: decision accuracy on the held-out batch, in [0, 1]. */
    accuracy?: number[];
    /** With `trackAccuracy`: paper 2's normalised accuracy on the held-out batch, in [0, 1]. */
    normalizedAccuracy?: number[];
  };
  /** Held-out batch scores before and after training (after is null when the run diverged). */
  eval: {
    /** Trials in the fixed held-out batch (`evalBatch`, or the task's condition count, or 256). */
    trials: number;
    /** Scores of the initial model. */
    before: Score;
    /** Scores of the trained model (null when the run diverged). */
    after: Score | null;
  };
  /** Where the run diverged, or null. */
  diverged: {
    /** The update at which divergence was detected (1-based). */
    iter: number;
    /** The offending loss, or null when it was not finite (NaN or infinite, which JSON cannot hold). */
    loss: number | null;
    /** What happened: "loss is not finite", "loss above <divergenceLoss>" or "parameters are not finite". */
    reason: string;
  } | null;
  /** What `lyapunov`, `eigenvalues` and flossing recorded (absent when none was asked for). */
  dynamics?: RunDynamics;
  /** With `activityL2`: lambda at the start and at the end of training. */
  activityL2?: {
    /** lambda before the first update (the `activityL2` setting). */
    initial: number;
    /** lambda after the last update (after the adaptive schedule, if on). */
    final: number;
  };
  /** With `neuralData`: the comparison with the recording along training (data-comparison.ts). */
  neural?: NeuralRecord;
}

/** The dynamics a run recorded ({@link RunRecord.dynamics}); each part only when its setting asked for it. */
export interface RunDynamics {
  /** With `eigenvalues`: eigenvalues of the (effective) recurrent weights, sorted by decreasing modulus. */
  weightSpectrum?: {
    /** At initialisation. */
    before: Eigenvalues;
    /** After training (null when the run diverged). */
    after: Eigenvalues | null;
  };
  /** With `lyapunov`: the largest Lyapunov exponent (per step, natural log) over trajectories of task inputs. */
  maxLyapunov?: {
    /** How the exponent was measured. */
    protocol: {
      /** Trajectories averaged over (default 15). */
      batch: number;
      /** Tangent warm-up steps, log R not accumulated (default 100). */
      warmup: number;
      /** Accumulation steps the exponent averages over (default 100). */
      steps: number;
      /** Exponents measured: only the largest. */
      k: 1;
      /** Unit of the exponents: "per step, natural log". */
      unit: string;
      /** The inputs driving the trajectories, e.g. "fresh romo trials, concatenated". */
      inputs: string;
    };
    /** At initialisation, before any flossing or training. */
    before: MaxLyapunovResult;
    /** After the flossing pretraining (null without `flossPretrain`). */
    afterFlossPretrain: MaxLyapunovResult | null;
    /** After training (null when the run diverged). */
    after: MaxLyapunovResult | null;
  };
  /** With flossing: its settings and every phase (when, updates, loss and max exponent per update). */
  floss?: {
    /** The flossing settings used (`flossOptions` with `iters` = `flossPretrain` and `mode` = `flossMode`). */
    options: FlossTrainOptions;
    /** Every flossing phase done, pretraining included. */
    phases: FlossPhase[];
  };
}

/** Scores on the held-out batch (accuracy and chance only for tasks with a decision period). */
export interface Score {
  /** Loss on the held-out batch (the task's loss: mse or cross-entropy). */
  loss: number;
  /** Decision accuracy, in [0, 1]. */
  accuracy?: number;
  /** Chance accuracy (1 / choices); present with `accuracy`. */
  chance?: number;
  /** Paper 2's normalised accuracy, in [0, 1]. */
  normalizedAccuracy?: number;
}

function scoreOf(e: { loss: number; accuracy?: number; chance?: number; normalizedAccuracy?: number }): Score {
  return {
    loss: e.loss,
    ...(e.accuracy !== undefined ? { accuracy: e.accuracy } : {}),
    ...(e.chance !== undefined ? { chance: e.chance } : {}),
    ...(e.normalizedAccuracy !== undefined ? { normalizedAccuracy: e.normalizedAccuracy } : {}),
  };
}

export interface RunContext {
  /** Called at every logged point of training. */
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

/** The model settings a run config implies for a task. */
export function modelConfigFor(config: RunConfig, task: Task): LeakyRNNConfig {
  const tau = config.tau ?? task.info.tau;
  const alpha = config.alpha ?? 1 - task.info.dt / tau;
  if (!(alpha >= 0 && alpha < 1)) throw rangeError('tau', `a value >= dt (${task.info.dt}) so that alpha = 1 - dt/tau is in [0, 1)`, tau);
  return {
    nIn: task.info.inputs.length,
    nHidden: config.hidden,
    nOut: task.info.outputs.length,
    alpha,
    activation: config.activation,
    noiseStd: config.noise,
    ...(config.alpha === undefined ? { dt: task.info.dt, tau } : {}),
    ...(config.dale ? { dale: true, ...(config.excitatoryFraction !== undefined ? { excitatoryFraction: config.excitatoryFraction } : {}) } : {}),
    ...(config.connectivity < 1 ? { connectivity: config.connectivity } : {}),
    ...(config.trainable ? { trainable: config.trainable } : {}),
  };
}

/** Everything a run builds before training, so callers (e.g. `rnnlab train`) can keep the models. */
export interface PreparedRun {
  config: RunConfig;
  id: string;
  task: Task;
  rule: LearningRule;
  model: LeakyRNN;
  initial: LeakyRNN;
  rng: Rng;
}

/** Validates settings and builds the task and the initial model. */
export function prepareRun(input: RunConfigInput | RunConfig): PreparedRun {
  const config = resolveRunConfig(input);
  const rng = new Rng(config.seed);
  const rule = createRule(config.rule, config.ruleOptions, rng, 'rule');
  const task = createTask(config.task, config.taskOptions);
  const model = LeakyRNN.create(modelConfigFor(config, task), { rng: rng.fork('init'), gain: config.gain, init: config.init, dtype: config.dtype });
  return { config, id: runId(config), task, rule, model, initial: model.clone(), rng };
}

/** Trains a prepared run in place and returns its record. */
export function executeRun(run: PreparedRun, context: RunContext = {}): RunRecord {
  const { config, task, rule, model, rng } = run;
  const startedAt = new Date();
  const start = performance.now();
  const optimizer = createOptimizer(config.optimizer, config.optimizer === 'sgd' ? { lr: config.lr, momentum: config.momentum } : { lr: config.lr });
  const evalTrials = config.evalBatch ?? task.info.conditionCount ?? 256;
  const batchSize = config.batch ?? task.info.conditionCount ?? 32;
  const evalBatch = task.sample(rng.fork('eval'), evalTrials);
  const floss = config.flossPretrain > 0 || config.flossOptions.every !== undefined ? ({ ...config.flossOptions, iters: config.flossPretrain, mode: config.flossMode } as FlossTrainOptions) : undefined;
  const lyapunov = config.lyapunov ? ({ ...config.lyapunovOptions, rng: rng.fork('lyapunov') } as MaxLyapunovOptions) : undefined;
  const score = () => scoreOf(evaluate(model, evalBatch, { rng: rng.fork('eval-noise'), task }));
  const before = score();
  const tracker = config.neuralData ? new NeuralTracker(dataComparison(config.neuralData, config.task, config.taskOptions)) : null;
  const checkpoints = config.checkpoints === undefined || config.checkpoints === 'liu2025' ? liu2025Checkpoints(config.iters) : config.checkpoints.filter((p) => p <= config.iters);
  const result = train(model, {
    task,
    rule,
    optimizer,
    iters: config.iters,
    batchSize,
    ...(config.trackAccuracy ? { evalBatch } : {}),
    ...(floss ? { floss } : {}),
    ...(lyapunov ? { lyapunov } : {}),
    eigenvalues: config.eigenvalues,
    rng: rng.fork('train'),
    logEvery: config.logEvery,
    divergenceLoss: config.divergenceLoss,
    ...(config.clip > 0 ? { clipNorm: config.clip } : {}),
    ...(config.activityL2 !== undefined ? { activityL2: { lambda: config.activityL2, adaptive: config.activityL2Adaptive ?? true } } : {}),
    ...(tracker ? { checkpoints, onCheckpoint: (iter: number, m: LeakyRNN) => tracker.observe(iter, m) } : {}),
    ...(context.onProgress ? { onProgress: context.onProgress } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  });
  const after = result.diverged ? null : score();
  const neural = tracker ? tracker.finish({ rng: new Rng('noise-floor').fork(config.seed), ...(config.noiseFloorSplits !== undefined ? { splits: config.noiseFloorSplits } : {}) }) : null;
  const dynamics = dynamicsOf(result, config, lyapunov, floss);
  const info = blasInfo();
  return {
    format: 'rnnlab.run/1',
    id: run.id,
    config,
    version: VERSION,
    host: { hostname: hostname(), node: process.version, blas: `${info.corename}, ${info.threads} thread(s)` },
    startedAt: startedAt.toISOString(),
    wallSeconds: (performance.now() - start) / 1000,
    trainSeconds: result.seconds,
    iterations: result.iterations,
    batchSize,
    curve: curveOf(result.lossCurve, config.trackAccuracy),
    eval: { trials: evalTrials, before, after },
    diverged: result.diverged ? { ...result.diverged, loss: Number.isFinite(result.diverged.loss) ? result.diverged.loss : null } : null,
    ...(dynamics ? { dynamics } : {}),
    ...(result.activityL2 ? { activityL2: result.activityL2 } : {}),
    ...(neural ? { neural } : {}),
  };
}

function dynamicsOf(result: TrainResult, config: RunConfig, lyapunov: MaxLyapunovOptions | undefined, floss: FlossTrainOptions | undefined): RunDynamics | undefined {
  const d: RunDynamics = {};
  if (result.dynamics?.eigenvalues) d.weightSpectrum = result.dynamics.eigenvalues;
  const lyap = result.dynamics?.maxLyapunov;
  if (lyap && lyapunov) {
    d.maxLyapunov = {
      protocol: { batch: lyapunov.batch ?? 15, warmup: lyapunov.warmup ?? 100, steps: lyapunov.steps ?? 100, k: 1, unit: 'per step, natural log', inputs: `fresh ${config.task} trials, concatenated` },
      before: lyap.before,
      afterFlossPretrain: lyap.afterFlossPretrain,
      after: lyap.after,
    };
  }
  if (floss) d.floss = { options: floss, phases: result.floss };
  return Object.keys(d).length ? d : undefined;
}

function curveOf(points: TrainResult['lossCurve'], tracked: boolean): RunRecord['curve'] {
  const curve: RunRecord['curve'] = { iter: points.map((p) => p.iter), loss: points.map((p) => p.loss) };
  if (tracked) {
    curve.evalLoss = points.map((p) => p.evalLoss ?? NaN);
    if (points.some((p) => p.accuracy !== undefined)) curve.accuracy = points.map((p) => p.accuracy ?? NaN);
    curve.normalizedAccuracy = points.map((p) => p.normalizedAccuracy ?? NaN);
  }
  return curve;
}

/**
 * Runs one configuration from scratch and returns its record.
 * @param input the run's settings (defaults filled in by {@link resolveRunConfig})
 * @param context progress callback and abort signal
 * @throws TypeError / RangeError (naming the field) for invalid settings (see
 *   {@link resolveRunConfig}), an unknown task or rule or invalid options of theirs, or a `tau`
 *   that makes alpha = 1 - dt/tau fall outside [0, 1)
 */
export function runOne(input: RunConfigInput | RunConfig, context: RunContext = {}): RunRecord {
  return executeRun(prepareRun(input), context);
}
