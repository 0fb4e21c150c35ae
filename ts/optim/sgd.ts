/**
 * Stochastic gradient descent with optional momentum, as torch.optim.SGD (dampening 0).
 * @module
 */
import { native } from '../native.js';
import { ParamSet } from '../model/params.js';
import { expectKnownKeys, expectNumber, expectObject } from '../validate.js';
import type { Optimizer } from './optimizer.js';

export interface SgdOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  weightDecay?: number;
}

export interface SgdState {
  step: number;
  /** Momentum buffers (null without momentum). */
  buffer: ParamSet | null;
}

export function sgd(options: SgdOptions = {}): Optimizer<SgdState> & { readonly options: Required<SgdOptions> } {
  const o = expectObject(options, 'sgd options');
  expectKnownKeys(o, ['lr', 'momentum', 'weightDecay'], 'sgd options');
  const resolved: Required<SgdOptions> = {
    lr: expectNumber(options.lr ?? 1e-2, 'lr', { min: 0 }),
    momentum: expectNumber(options.momentum ?? 0, 'momentum', { min: 0, max: 1, maxExclusive: true }),
    weightDecay: expectNumber(options.weightDecay ?? 0, 'weightDecay', { min: 0 }),
  };
  return {
    name: 'sgd',
    options: resolved,
    init(params) {
      return { step: 0, buffer: resolved.momentum > 0 ? new ParamSet(params.dims, params.dtype) : null };
    },
    update(state, params, grads, trainable) {
      state.step += 1;
      for (const name of trainable) {
        native.sgdStep(params[name], grads[name], state.buffer ? state.buffer[name] : null, state.step, resolved.lr, resolved.momentum, resolved.weightDecay);
      }
    },
  };
}
