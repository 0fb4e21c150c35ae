/**
 * Adam with PyTorch's defaults and update formula (torch.optim.Adam, amsgrad off).
 * @module
 */
import { native } from '../native.js';
import { ParamSet } from '../model/params.js';
import { expectKnownKeys, expectNumber, expectObject } from '../validate.js';
import { checkInitArgs, checkUpdateArgs, trainableRuns } from './optimizer.js';
import type { Optimizer } from './optimizer.js';

/** Settings of {@link adam} (torch.optim.Adam's names and defaults). */
export interface AdamOptions {
  /** Learning rate, >= 0 (default 1e-3). */
  lr?: number;
  /** Decay of the first-moment average, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the second-moment average, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to sqrt(v hat) in the denominator, >= 0 (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient, as torch.optim.Adam (default 0). */
  weightDecay?: number;
}

/** Adam's state: the step count and the moment estimates (see {@link Optimizer.init}). */
export interface AdamState {
  /** Number of updates done so far. */
  step: number;
  /** First moments, same layout as the parameters. */
  m: ParamSet;
  /** Second moments (of the squared gradient), same layout. */
  v: ParamSet;
}

/**
 * Creates Adam with PyTorch's update: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * params -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), with g = grad + weightDecay params.
 * @returns the optimiser, with its resolved settings in `options`
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value that is not a number
 * @throws RangeError for a value out of range (lr, eps, weightDecay < 0; betas outside [0, 1))
 */
export function adam(options: AdamOptions = {}): Optimizer<AdamState> & {
  /** The settings with every default filled in. */
  readonly options: Required<AdamOptions>;
} {
  const o = expectObject(options, 'adam options');
  expectKnownKeys(o, ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'], 'adam options');
  const resolved: Required<AdamOptions> = {
    lr: expectNumber(options.lr ?? 1e-3, 'adam options.lr', { min: 0 }),
    beta1: expectNumber(options.beta1 ?? 0.9, 'adam options.beta1', { min: 0, max: 1, maxExclusive: true }),
    beta2: expectNumber(options.beta2 ?? 0.999, 'adam options.beta2', { min: 0, max: 1, maxExclusive: true }),
    eps: expectNumber(options.eps ?? 1e-8, 'adam options.eps', { min: 0 }),
    weightDecay: expectNumber(options.weightDecay ?? 0, 'adam options.weightDecay', { min: 0 }),
  };
  return {
    name: 'adam',
    options: resolved,
    init(params) {
      checkInitArgs(params);
      return { step: 0, m: new ParamSet(params.dims, params.dtype), v: new ParamSet(params.dims, params.dtype) };
    },
    update(state, params, grads, trainable) {
      checkUpdateArgs(params, grads, trainable);
      state.step += 1;
      const { lr, beta1, beta2, eps, weightDecay } = resolved;
      const runs = trainableRuns(params, trainable);
      for (let k = 0; k < runs.length; k += 2) {
        native.adamStep(params.flat, grads.flat, state.m.flat, state.v.flat, runs[k]!, runs[k + 1]!, state.step, lr, beta1, beta2, eps, weightDecay);
      }
    },
  };
}
