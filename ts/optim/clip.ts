/**
 * Gradient-norm clipping as torch.nn.utils.clip_grad_norm_ (2-norm over all trainable
 * gradients; scale by maxNorm / (norm + 1e-6) when that is below 1).
 * @module
 */
import { native } from '../native.js';
import { PARAM_NAMES, ParamSet } from '../model/params.js';
import type { ParamName } from '../model/params.js';
import { expectNumber, expectOneOf, typeError } from '../validate.js';

function checkGradArgs(grads: unknown, names: unknown): void {
  if (!(grads instanceof ParamSet)) throw typeError('grads', 'a ParamSet of gradients', grads);
  if (!Array.isArray(names)) throw typeError('names', `an array of parameter names (${PARAM_NAMES.join(', ')})`, names);
  names.forEach((name, k) => expectOneOf(name, `names[${k}]`, PARAM_NAMES));
}

/**
 * The 2-norm of the named gradients taken together: sqrt(sum over names and entries of g^2).
 * @throws TypeError when `grads` is not a ParamSet or `names` not an array; RangeError for a
 *   name that is not a parameter
 */
export function gradNorm(grads: ParamSet, names: readonly ParamName[]): number {
  checkGradArgs(grads, names);
  let sumSq = 0;
  for (const name of names) sumSq += native.sumSquares(grads[name]);
  return Math.sqrt(sumSq);
}

/**
 * Clips the named gradients in place, as torch.nn.utils.clip_grad_norm_: when their joint 2-norm
 * exceeds `maxNorm`, scales them by maxNorm / (norm + 1e-6).
 * @param maxNorm largest allowed norm, > 0
 * @returns the norm before clipping
 * @throws TypeError / RangeError as {@link gradNorm}, and for a maxNorm that is not a number > 0
 */
export function clipGradNorm(grads: ParamSet, names: readonly ParamName[], maxNorm: number): number {
  expectNumber(maxNorm, 'maxNorm', { min: 0, minExclusive: true });
  const norm = gradNorm(grads, names);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const name of names) native.scaleInPlace(grads[name], coef);
  return norm;
}
