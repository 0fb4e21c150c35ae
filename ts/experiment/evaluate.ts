/**
 * Scoring a model on a batch without training it.
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { expectRng } from '../rng.js';
import type { Rng } from '../rng.js';
import { lossAndOutputGrad, runForward } from '../rules/forward.js';
import { Workspace } from '../rules/workspace.js';
import type { Task, TaskBatch, TaskInfo } from '../tasks/task.js';
import { checkTrials } from '../trials.js';
import type { Trials } from '../trials.js';
import { expectKnownKeys, expectObject, rangeError, typeError } from '../validate.js';
import { decisionAccuracy, normalizedAccuracy } from './score.js';

/** The result of {@link evaluate}. */
export interface Evaluation {
  /** The batch loss (DESIGN.md definition for trials.loss). */
  loss: number;
  /**
   * Decision accuracy in [0, 1] (experiment/score.ts `decisionAccuracy`); present when a task
   * with a decision period was given.
   */
  accuracy?: number;
  /** Chance accuracy (1 / choices); present with `accuracy`. */
  chance?: number;
  /** Paper 2's normalised accuracy in [0, 1]; present when a task was given. */
  normalizedAccuracy?: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Needed only when the model has state noise. */
  rng?: Rng;
  /** Scratch buffers to reuse across calls (default: a new one). */
  workspace?: Workspace;
  /**
   * The task the batch was sampled from: adds accuracy (needs the batch's trial records) and
   * normalised accuracy to the result.
   */
  task?: Task | TaskInfo;
}

/**
 * The loss of `model` on `trials` (forward pass only) and, given the task, its accuracy and
 * normalised accuracy. `rng` is needed only with state noise.
 * @throws TypeError / RangeError naming the field for a model that is not a LeakyRNN, trials
 *   whose shapes do not match the model (e.g. `trials.inputs` length), an unknown option key, a
 *   workspace that is not a Workspace, a task whose loss differs from the trials', or (for
 *   decision accuracy) trials without trial records
 */
export function evaluate(model: LeakyRNN, trials: Trials, options: EvaluateOptions = {}): Evaluation {
  checkEvaluateOptions(options, ['rng', 'workspace', 'task']);
  checkTrials(trials, model);
  const ws = options.workspace ?? new Workspace();
  const traj = runForward(model, trials, ws, options.rng);
  const loss = lossAndOutputGrad(model, trials, traj, ws).loss;
  if (options.task === undefined) return { loss };
  const info = taskInfoOf(options.task);
  if (info.loss !== trials.loss) throw rangeError('trials.loss', `"${info.loss}" (the loss of task ${info.name})`, trials.loss);
  const result: Evaluation = { loss, normalizedAccuracy: normalizedAccuracy(trials, traj.Y, loss) };
  if (info.decisionPeriod !== undefined) {
    const records = (trials as Partial<TaskBatch>).trials;
    if (!Array.isArray(records)) throw typeError('trials', `a batch sampled from ${info.name} (decision accuracy needs its trial records)`, trials, 'trials without trial records');
    const decision = decisionAccuracy(info, trials as TaskBatch, traj.Y);
    result.accuracy = decision.accuracy;
    result.chance = decision.chance;
  }
  return result;
}

/**
 * The outputs of `model` on `trials`, as a new float64 array [T][B][nOut] (time-major).
 * `rng` is needed only with state noise.
 * @param options `rng` (state noise) and `workspace` (scratch buffers to reuse)
 * @throws TypeError / RangeError as {@link evaluate}
 */
export function predict(model: LeakyRNN, trials: Trials, options: { rng?: Rng; workspace?: Workspace } = {}): Float64Array {
  checkEvaluateOptions(options, ['rng', 'workspace']);
  checkTrials(trials, model);
  const traj = runForward(model, trials, options.workspace ?? new Workspace(), options.rng);
  return Float64Array.from(traj.Y);
}

function checkEvaluateOptions(options: unknown, keys: readonly string[]): void {
  const o = expectObject(options, 'options');
  expectKnownKeys(o, keys, 'options');
  if (o.workspace !== undefined && !(o.workspace instanceof Workspace)) throw typeError('options.workspace', 'a Workspace (new Workspace())', o.workspace);
  if (o.rng !== undefined) expectRng(o.rng, 'options.rng');
}

function taskInfoOf(task: Task | TaskInfo): TaskInfo {
  const info = (task as Task).info ?? (task as TaskInfo);
  if (!info || typeof info !== 'object' || typeof info.name !== 'string' || !Array.isArray(info.outputs)) {
    throw typeError('options.task', 'a task (see createTask) or its info', task);
  }
  return info;
}
