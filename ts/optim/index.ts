/**
 * Optimisers by name.
 * @module
 */
import { expectOneOf } from '../validate.js';
import { adam } from './adam.js';
import type { AdamOptions } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { sgd } from './sgd.js';
import type { SgdOptions } from './sgd.js';

/** Names accepted by {@link createOptimizer}. */
export const OPTIMIZERS = ['adam', 'sgd'] as const;
/** One of {@link OPTIMIZERS}. @internal */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * Creates an optimiser by name with its options ({@link AdamOptions} or {@link SgdOptions}).
 * @throws TypeError for a name that is not a string, or options as {@link adam} / {@link sgd} throw
 * @throws RangeError for an unknown name (with a "did you mean" hint), or options out of range
 */
export function createOptimizer(name: string, options: AdamOptions & SgdOptions = {}): Optimizer {
  const which = expectOneOf(name, 'optimizer', OPTIMIZERS);
  return (which === 'adam' ? adam(options as AdamOptions) : sgd(options as SgdOptions)) as Optimizer;
}

export { adam, sgd };
export { clipGradNorm, gradNorm } from './clip.js';
export type { AdamOptions, AdamState } from './adam.js';
export type { SgdOptions, SgdState } from './sgd.js';
export type { Optimizer } from './optimizer.js';
