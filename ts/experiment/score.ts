/**
 * Scoring model outputs on a batch: the loss, decision accuracy and the normalised accuracy of
 * Liu, Yang & Cueva 2025 (paper 2, Appendix A.3). Everything here works on an outputs array, so
 * it scores outputs from anywhere (rnnlab's forward pass, or arrays read from Python).
 *
 * Outputs are time-major like every rnnlab array: `outputs[(t * B + b) * nOut + k]` is output k
 * of trial b at row t ([T][B][nOut]).
 * @module
 */
import type { TaskBatch, TaskInfo } from '../tasks/task.js';
import type { Trials } from '../trials.js';
import { rangeError, typeError } from '../validate.js';

/** Decision accuracy of a batch, with each trial's choice. */
export interface DecisionScore {
  /** correct / scored, in [0, 1]. */
  accuracy: number;
  /** Number of scored trials whose choice was the correct one. */
  correct: number;
  /** Trials with a decision period of at least one row (normally all of them). */
  scored: number;
  /** 1 / number of choices. */
  chance: number;
  /**
   * Per trial [B]: what the model chose. ce tasks: the class with the largest mean logit over
   * the decision period (0 = fixate is a possible, wrong, answer); mse tasks with several
   * outputs: the output channel with the largest mean; one-output mse tasks: 0 for a positive
   * mean, 1 otherwise. -1 for a trial that was not scored.
   */
  chosen: Int32Array;
  /** Per trial [B]: the correct answer in the same coding (-1 when not scored). */
  expected: Int32Array;
}

/** Everything {@link scoreOutputs} measures. */
export interface Score {
  /** The batch loss (DESIGN.md: masked mse over outputs, or masked mean cross-entropy). */
  loss: number;
  /** Decision accuracy, or null when the task has no decision period. */
  accuracy: number | null;
  /** Chance accuracy (1 / choices), or null. */
  chance: number | null;
  /** Paper 2's normalised accuracy, clipped to [0, 1]. */
  normalizedAccuracy: number;
}

function checkOutputs(trials: Trials, outputs: ArrayLike<number>): void {
  if (!outputs || typeof outputs.length !== 'number') throw typeError('outputs', `an array [T][B][nOut] of length ${trials.T * trials.B * trials.nOut}`, outputs);
  const length = trials.T * trials.B * trials.nOut;
  if (outputs.length !== length) throw rangeError('outputs', `length ${length} ([${trials.T}][${trials.B}][${trials.nOut}])`, outputs);
}

/**
 * The loss of `outputs` on `trials`, computed here in TypeScript (the engine computes the same
 * in C++): mse = sum m (y - y*)^2 / (nOut sum m); ce = sum m (-log softmax(y)[target]) / sum m.
 */
export function lossOf(trials: Trials, outputs: ArrayLike<number>): number {
  checkOutputs(trials, outputs);
  const { T, B, nOut, mask, targets } = trials;
  let total = 0;
  let weight = 0;
  for (let r = 0; r < T * B; r++) {
    const m = mask ? mask[r]! : 1;
    if (m === 0) continue;
    const at = r * nOut;
    if (trials.loss === 'ce') {
      let max = -Infinity;
      for (let k = 0; k < nOut; k++) max = Math.max(max, outputs[at + k]!);
      let sum = 0;
      for (let k = 0; k < nOut; k++) sum += Math.exp(outputs[at + k]! - max);
      total += m * (max + Math.log(sum) - outputs[at + targets[r]!]!);
      weight += m;
    } else {
      for (let k = 0; k < nOut; k++) {
        const d = outputs[at + k]! - targets[at + k]!;
        total += m * d * d;
      }
      weight += m * nOut;
    }
  }
  return total / weight;
}

/**
 * Paper 2's normalised error for mse tasks (LearningRuleSimilarities
 * `compute_normalized_error`): for each output k, over entries with mask > 0 (weighted by the
 * mask), e_k = sum (y - y*)^2 / sum (mean(y*) - y*)^2, or just sum (y - y*)^2 when the target of
 * that output is constant; the error is the mean of e_k over outputs. 0 is perfect; a model
 * that outputs each target's mean scores 1.
 */
export function normalizedError(trials: Trials, outputs: ArrayLike<number>): number {
  checkOutputs(trials, outputs);
  if (trials.loss !== 'mse') throw rangeError('trials.loss', '"mse" (normalised error is defined for mse tasks)', trials.loss);
  const { T, B, nOut, mask, targets } = trials;
  let error = 0;
  for (let k = 0; k < nOut; k++) {
    let sw = 0;
    let sy = 0;
    let first: number | undefined;
    let constant = true;
    for (let r = 0; r < T * B; r++) {
      const m = mask ? mask[r]! : 1;
      if (m === 0) continue;
      const target = targets[r * nOut + k]!;
      if (first === undefined) first = target;
      else if (target !== first) constant = false;
      sw += m;
      sy += m * target;
    }
    const mean = sy / sw;
    let num = 0;
    let den = 0;
    for (let r = 0; r < T * B; r++) {
      const m = mask ? mask[r]! : 1;
      if (m === 0) continue;
      const target = targets[r * nOut + k]!;
      const d = outputs[r * nOut + k]! - target;
      num += m * d * d;
      den += m * (mean - target) * (mean - target);
    }
    error += constant ? num : num / den;
  }
  return error / nOut;
}

/**
 * Paper 2's normalised accuracy (Appendix A.3), clipped to [0, 1]: 1 - normalised error for mse
 * tasks, 1 - cross-entropy for classification (ce) tasks.
 */
export function normalizedAccuracy(trials: Trials, outputs: ArrayLike<number>, loss?: number): number {
  const value = trials.loss === 'ce' ? 1 - (loss ?? lossOf(trials, outputs)) : 1 - normalizedError(trials, outputs);
  return Math.min(1, Math.max(0, Number.isNaN(value) ? 0 : value));
}

/**
 * Decision accuracy: for each trial, the model's choice from its outputs averaged over the
 * rows of the task's decision period, compared with the correct one (see
 * {@link DecisionScore.chosen}). Needs trial records (a batch sampled from the task).
 */
export function decisionAccuracy(info: TaskInfo, batch: TaskBatch, outputs: ArrayLike<number>): DecisionScore {
  checkOutputs(batch, outputs);
  const period = info.decisionPeriod;
  if (period === undefined) throw rangeError('task', 'a task with a decision period (info.decisionPeriod)', undefined, `${info.name}, which has none`);
  if (!Array.isArray(batch.trials) || batch.trials.length !== batch.B) {
    throw typeError('trials', `a batch sampled from ${info.name} (with one trial record per column)`, batch.trials);
  }
  const { B, nOut, targets } = batch;
  const chosen = new Int32Array(B).fill(-1);
  const expected = new Int32Array(B).fill(-1);
  const meanOut = new Float64Array(nOut);
  const meanTarget = new Float64Array(nOut);
  let correct = 0;
  let scored = 0;
  for (let b = 0; b < B; b++) {
    const record = batch.trials[b]!;
    const rows = record.periods[period];
    if (!rows) throw rangeError(`trials.trials[${b}].periods`, `a "${period}" period`, record.periods);
    const start = Math.max(0, rows[0]);
    const end = Math.min(record.steps, rows[1]);
    if (end <= start) continue;
    meanOut.fill(0);
    meanTarget.fill(0);
    for (let t = start; t < end; t++) {
      const at = (t * B + b) * nOut;
      for (let k = 0; k < nOut; k++) meanOut[k] = meanOut[k]! + outputs[at + k]!;
      if (batch.loss === 'mse') for (let k = 0; k < nOut; k++) meanTarget[k] = meanTarget[k]! + targets[at + k]!;
    }
    let want: number;
    let got: number;
    if (batch.loss === 'ce') {
      want = targets[start * B + b]!;
      got = argmax(meanOut);
    } else if (nOut === 1) {
      if (meanTarget[0] === 0) continue;
      want = meanTarget[0]! > 0 ? 0 : 1;
      got = meanOut[0]! > 0 ? 0 : 1;
    } else {
      want = argmax(meanTarget);
      if (meanTarget.every((v) => v === meanTarget[want])) continue;
      got = argmax(meanOut);
    }
    chosen[b] = got;
    expected[b] = want;
    scored += 1;
    if (got === want) correct += 1;
  }
  return { accuracy: scored === 0 ? NaN : correct / scored, correct, scored, chance: 1 / (info.choices ?? 2), chosen, expected };
}

function argmax(values: Float64Array): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/**
 * Scores outputs of a batch sampled from a task: loss, decision accuracy (when the task has a
 * decision period) and normalised accuracy. `loss` may be passed when already known (e.g. from
 * the engine), else it is computed here.
 */
export function scoreOutputs(info: TaskInfo, batch: TaskBatch, outputs: ArrayLike<number>, loss?: number): Score {
  const l = loss ?? lossOf(batch, outputs);
  const decision = info.decisionPeriod === undefined ? null : decisionAccuracy(info, batch, outputs);
  return {
    loss: l,
    accuracy: decision ? decision.accuracy : null,
    chance: decision ? decision.chance : null,
    normalizedAccuracy: normalizedAccuracy(batch, outputs, l),
  };
}
