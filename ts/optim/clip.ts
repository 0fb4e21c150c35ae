/**
 * Gradient-norm clipping as torch.nn.utils.clip_grad_norm_ (2-norm over all trainable
 * gradients; scale by maxNorm / (norm + 1e-6) when that is below 1).
 * @module
 */
import { native } from '../native.js';
import type { ParamName, ParamSet } from '../model/params.js';

/** The 2-norm of the named gradients. */
export function gradNorm(grads: ParamSet, names: readonly ParamName[]): number {
  let sumSq = 0;
  for (const name of names) sumSq += native.sumSquares(grads[name]);
  return Math.sqrt(sumSq);
}

/** Clips in place and returns the norm before clipping. */
export function clipGradNorm(grads: ParamSet, names: readonly ParamName[], maxNorm: number): number {
  const norm = gradNorm(grads, names);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const name of names) native.scaleInPlace(grads[name], coef);
  return norm;
}
