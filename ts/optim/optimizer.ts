/**
 * Optimisers as init/update pairs over explicit state (nothing hidden in a closure), and
 * gradient-norm clipping. Only the parameters named in `trainable` change.
 * @module
 */
import { PARAM_NAMES, ParamSet } from '../model/params.js';
import type { ParamName } from '../model/params.js';
import { expectOneOf, rangeError, typeError } from '../validate.js';

/**
 * An optimiser as a pair of pure-ish functions over explicit state: `init` makes the state,
 * `update` steps the parameters against a gradient (descent: params -= lr * step). Create one
 * with {@link adam}, {@link sgd} or {@link createOptimizer}.
 */
export interface Optimizer<State = unknown> {
  /** "adam" or "sgd". */
  readonly name: string;
  /**
   * Fresh optimiser state for parameters shaped like `params` (moments zero, step 0).
   * @throws TypeError when `params` is not a ParamSet
   */
  init(params: ParamSet): State;
  /**
   * One update of the `trainable` parameters of `params` (in place) against `grads` (the
   * gradient of the loss, same layout), advancing `state`. Other parameters are left alone.
   * @throws TypeError when `params` or `grads` is not a ParamSet, or `trainable` not an array
   * @throws RangeError when `grads` differs from `params` in sizes or dtype, or a name in
   *   `trainable` is not a parameter
   */
  update(state: State, params: ParamSet, grads: ParamSet, trainable: readonly ParamName[]): void;
}

/** Checks the arguments of `init` (O(1)). @internal */
export function checkInitArgs(params: unknown): ParamSet {
  if (!(params instanceof ParamSet)) throw typeError('params', 'a ParamSet (model.params)', params);
  return params;
}

/**
 * The trainable parameters as runs of the flat array: [start0, end0, start1, end1, ...] (element
 * indices), adjacent parameters merged, each parameter once. An update is then one native call
 * per run (usually one: the default trainable set is contiguous) instead of one per parameter.
 * @internal
 */
export function trainableRuns(params: ParamSet, trainable: readonly ParamName[]): number[] {
  const base = params.flat.byteOffset;
  const bytes = params.flat.BYTES_PER_ELEMENT;
  const runs: number[] = [];
  for (const name of PARAM_NAMES) {
    if (!trainable.includes(name)) continue;
    const view = params[name];
    const start = (view.byteOffset - base) / bytes;
    const end = start + view.length;
    if (runs.length > 0 && runs[runs.length - 1] === start) runs[runs.length - 1] = end;
    else runs.push(start, end);
  }
  return runs;
}

/** Checks the arguments of `update` (O(1) per name). @internal */
export function checkUpdateArgs(params: unknown, grads: unknown, trainable: unknown): void {
  if (!(params instanceof ParamSet)) throw typeError('params', 'a ParamSet (model.params)', params);
  if (!(grads instanceof ParamSet)) throw typeError('grads', 'a ParamSet of gradients', grads);
  if (grads.flat.length !== params.flat.length || grads.dtype !== params.dtype) {
    throw rangeError('grads', `a ParamSet shaped like params (${params.flat.length} ${params.dtype} values)`, grads, `${grads.flat.length} ${grads.dtype} values`);
  }
  if (!Array.isArray(trainable)) throw typeError('trainable', `an array of parameter names (${PARAM_NAMES.join(', ')})`, trainable);
  for (let k = 0; k < trainable.length; k++) if (!PARAM_NAMES.includes(trainable[k] as ParamName)) expectOneOf(trainable[k], `trainable[${k}]`, PARAM_NAMES);
}
