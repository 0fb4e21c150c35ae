/**
 * Stochastic gradient descent with optional momentum, as torch.optim.SGD (dampening 0).
 * @module
 */
import { native } from '../native.js';
import { ParamSet } from '../model/params.js';
import { expectKnownKeys, expectNumber, expectObject } from '../validate.js';
import { checkInitArgs, checkUpdateArgs, trainableRuns } from './optimizer.js';
import type { Optimizer } from './optimizer.js';

/** Settings of {@link sgd} (torch.optim.SGD's names and defaults; dampening 0, no Nesterov). */
export interface SgdOptions {
  /** Learning rate, >= 0 (default 1e-2). */
  lr?: number;
  /** Momentum factor in [0, 1) (default 0: plain gradient descent). */
  momentum?: number;
  /** L2 penalty added to the gradient, >= 0 (default 0). */
  weightDecay?: number;
}

/** SGD's state (see {@link Optimizer.init}). */
export interface SgdState {
  /** Number of updates done so far. */
  step: number;
  /** Momentum buffers (null without momentum). */
  buffer: ParamSet | null;
}

/**
 * Creates SGD as torch.optim.SGD: g = grad + weightDecay params; with momentum,
 * buf = momentum buf + g (buf = g at the first step) and params -= lr buf; else params -= lr g.
 * @returns the optimiser, with its resolved settings in `options`
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value that is not a number
 * @throws RangeError for a value out of range (lr, weightDecay < 0; momentum outside [0, 1))
 */
export function sgd(options: SgdOptions = {}): Optimizer<SgdState> & {
  /** The settings with every default filled in. */
  readonly options: Required<SgdOptions>;
} {
  const o = expectObject(options, 'sgd options');
  expectKnownKeys(o, ['lr', 'momentum', 'weightDecay'], 'sgd options');
  const resolved: Required<SgdOptions> = {
    lr: expectNumber(options.lr ?? 1e-2, 'sgd options.lr', { min: 0 }),
    momentum: expectNumber(options.momentum ?? 0, 'sgd options.momentum', { min: 0, max: 1, maxExclusive: true }),
    weightDecay: expectNumber(options.weightDecay ?? 0, 'sgd options.weightDecay', { min: 0 }),
  };
  return {
    name: 'sgd',
    options: resolved,
    init(params) {
      checkInitArgs(params);
      return { step: 0, buffer: resolved.momentum > 0 ? new ParamSet(params.dims, params.dtype) : null };
    },
    update(state, params, grads, trainable) {
      checkUpdateArgs(params, grads, trainable);
      state.step += 1;
      const runs = trainableRuns(params, trainable);
      for (let k = 0; k < runs.length; k += 2) {
        native.sgdStep(params.flat, grads.flat, state.buffer ? state.buffer.flat : null, runs[k]!, runs[k + 1]!, state.step, resolved.lr, resolved.momentum, resolved.weightDecay);
      }
    },
  };
}
