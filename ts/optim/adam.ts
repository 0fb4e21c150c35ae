/**
 * Adam with PyTorch's defaults and update formula (torch.optim.Adam, amsgrad off).
 * @module
 */
import { native } from '../native.js';
import { ParamSet } from '../model/params.js';
import { expectKnownKeys, expectNumber, expectObject } from '../validate.js';
import type { Optimizer } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient, as torch.optim.Adam (default 0). */
  weightDecay?: number;
}

export interface AdamState {
  /** Number of updates done so far. */
  step: number;
  /** First moments, same layout as the parameters. */
  m: ParamSet;
  /** Second moments. */
  v: ParamSet;
}

/** Creates Adam with the given settings (unknown keys are an error). */
export function adam(options: AdamOptions = {}): Optimizer<AdamState> & { readonly options: Required<AdamOptions> } {
  const o = expectObject(options, 'adam options');
  expectKnownKeys(o, ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'], 'adam options');
  const resolved: Required<AdamOptions> = {
    lr: expectNumber(options.lr ?? 1e-3, 'lr', { min: 0 }),
    beta1: expectNumber(options.beta1 ?? 0.9, 'beta1', { min: 0, max: 1, maxExclusive: true }),
    beta2: expectNumber(options.beta2 ?? 0.999, 'beta2', { min: 0, max: 1, maxExclusive: true }),
    eps: expectNumber(options.eps ?? 1e-8, 'eps', { min: 0 }),
    weightDecay: expectNumber(options.weightDecay ?? 0, 'weightDecay', { min: 0 }),
  };
  return {
    name: 'adam',
    options: resolved,
    init(params) {
      return { step: 0, m: new ParamSet(params.dims, params.dtype), v: new ParamSet(params.dims, params.dtype) };
    },
    update(state, params, grads, trainable) {
      state.step += 1;
      const { lr, beta1, beta2, eps, weightDecay } = resolved;
      for (const name of trainable) {
        native.adamStep(params[name], grads[name], state.m[name], state.v[name], state.step, lr, beta1, beta2, eps, weightDecay);
      }
    },
  };
}
