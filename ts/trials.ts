/**
 * A batch of trials: what a task produces and what a learning rule consumes.
 * All arrays are float64, time-major and row-major.
 * @module
 */
import type { LeakyRNN } from './model/leaky-rnn.js';
import { expectModel } from './model/leaky-rnn.js';
import { expectFinite, expectInteger, expectOneOf, rangeError, typeError } from './validate.js';

/** The losses a batch can be scored with. */
export const LOSSES = ['mse', 'ce'] as const;
/** mse: masked mean squared error; ce: masked cross-entropy over class logits (DESIGN.md). */
export type LossKind = (typeof LOSSES)[number];

/**
 * A batch of B trials of T steps, time-major: element [t][b][k] of a [T][B][K] array is at
 * index (t * B + b) * K + k. Row t (0-based) holds the input of model step t + 1 and the target
 * of that step's output.
 */
export interface Trials {
  /** Number of time steps (>= 1). */
  T: number;
  /** Number of trials in the batch (>= 1). */
  B: number;
  /** Number of input channels (>= 0; must equal the model's nIn). */
  nIn: number;
  /** Number of model outputs (for ce: number of classes). */
  nOut: number;
  /** How outputs are scored: masked mean squared error or masked cross-entropy. */
  loss: LossKind;
  /** Inputs [T][B][nIn]; inputs[t-1] drives step t. */
  inputs: Float64Array;
  /** mse: targets [T][B][nOut]; ce: class indices [T][B] (integers in [0, nOut)). */
  targets: Float64Array;
  /** Loss weights [T][B], 0 or 1 by convention; null = all ones. */
  mask: Float64Array | null;
}

/**
 * Checks a batch: sizes, lengths, finite values, a non-negative mask with at least one nonzero
 * entry, class indices in range, and (when a model is given) that its sizes match the model.
 * @param field name of the batch in error messages (default "trials")
 * @throws TypeError for a batch that is not an object, sizes that are not numbers, an unknown
 *   loss, arrays that are not Float64Arrays (a plain array included), or a `model` that is not a
 *   LeakyRNN
 * @throws RangeError for sizes out of range, arrays of the wrong length, non-finite values (named
 *   by index), a negative or all-zero mask, a class index outside 0..nOut-1, or nIn / nOut that
 *   differ from the model's
 */
export function checkTrials(trials: Trials, model?: LeakyRNN, field = 'trials'): void {
  if (model !== undefined) expectModel(model);
  if (trials === null || typeof trials !== 'object' || Array.isArray(trials) || ArrayBuffer.isView(trials)) throw typeError(field, 'a trials object { T, B, nIn, nOut, loss, inputs, targets, mask }', trials);
  const T = expectInteger(trials.T, `${field}.T`, 1);
  const B = expectInteger(trials.B, `${field}.B`, 1);
  const nIn = expectInteger(trials.nIn, `${field}.nIn`, 0);
  const nOut = expectInteger(trials.nOut, `${field}.nOut`, 1);
  const loss = expectOneOf(trials.loss, `${field}.loss`, LOSSES);
  const arrays: [string, unknown, number, number[]][] = [
    ['inputs', trials.inputs, T * B * nIn, [T, B, nIn]],
    ['targets', trials.targets, loss === 'ce' ? T * B : T * B * nOut, loss === 'ce' ? [T, B] : [T, B, nOut]],
  ];
  if (trials.mask !== null && trials.mask !== undefined) arrays.push(['mask', trials.mask, T * B, [T, B]]);
  for (const [name, value, length, shape] of arrays) {
    if (!(value instanceof Float64Array)) throw typeError(`${field}.${name}`, `a Float64Array [${shape.join('][')}]`, value);
    if (value.length !== length) throw rangeError(`${field}.${name}`, `length ${length} ([${shape.join('][')}])`, value);
    expectFinite(value, `${field}.${name}`, shape);
  }
  if (trials.mask) {
    let sum = 0;
    for (let k = 0; k < trials.mask.length; k++) {
      const m = trials.mask[k]!;
      if (m < 0) throw rangeError(`${field}.mask[${Math.floor(k / B)}][${k % B}]`, 'a weight >= 0', m);
      sum += m;
    }
    if (sum === 0) throw rangeError(`${field}.mask`, 'at least one nonzero entry', trials.mask, 'all zeros');
  }
  if (loss === 'ce') {
    for (let k = 0; k < trials.targets.length; k++) {
      const c = trials.targets[k]!;
      if (!Number.isInteger(c) || c < 0 || c >= nOut) {
        throw rangeError(`${field}.targets[${Math.floor(k / B)}][${k % B}]`, `a class index in 0..${nOut - 1}`, c);
      }
    }
  }
  if (model) {
    const c = model.config;
    if (nIn !== c.nIn) throw rangeError(`${field}.nIn`, `${c.nIn} (the model's nIn)`, nIn);
    if (nOut !== c.nOut) throw rangeError(`${field}.nOut`, `${c.nOut} (the model's nOut)`, nOut);
  }
}

/**
 * The O(1) part of {@link checkTrials}: sizes, the loss, and the types and lengths of the arrays
 * against `model` (no scan of the values). The learning rules run it on every batch, so that a
 * batch of the wrong size for the model is caught here rather than by the native layer.
 * @internal
 */
export function checkBatchShape(model: LeakyRNN, trials: Trials, field = 'trials'): void {
  expectModel(model);
  if (trials === null || typeof trials !== 'object' || Array.isArray(trials) || ArrayBuffer.isView(trials)) throw typeError(field, 'a trials object { T, B, nIn, nOut, loss, inputs, targets, mask }', trials);
  const T = expectInteger(trials.T, `${field}.T`, 1);
  const B = expectInteger(trials.B, `${field}.B`, 1);
  const loss = expectOneOf(trials.loss, `${field}.loss`, LOSSES);
  const c = model.config;
  if (trials.nIn !== c.nIn) throw (typeof trials.nIn === 'number' ? rangeError : typeError)(`${field}.nIn`, `${c.nIn} (the model's nIn)`, trials.nIn);
  if (trials.nOut !== c.nOut) throw (typeof trials.nOut === 'number' ? rangeError : typeError)(`${field}.nOut`, `${c.nOut} (the model's nOut)`, trials.nOut);
  const arrays: [string, unknown, number[]][] = [
    ['inputs', trials.inputs, [T, B, c.nIn]],
    ['targets', trials.targets, loss === 'ce' ? [T, B] : [T, B, c.nOut]],
  ];
  if (trials.mask !== null && trials.mask !== undefined) arrays.push(['mask', trials.mask, [T, B]]);
  for (const [name, value, shape] of arrays) {
    const length = shape.reduce((a, b) => a * b, 1);
    if (!(value instanceof Float64Array)) throw typeError(`${field}.${name}`, `a Float64Array [${shape.join('][')}]`, value);
    if (value.length !== length) throw rangeError(`${field}.${name}`, `length ${length} ([${shape.join('][')}])`, value);
  }
}
