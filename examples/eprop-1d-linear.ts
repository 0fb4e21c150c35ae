// Paper 2 (Liu, Yang & Cueva 2025), Appendix B, Proposition B.1: e-prop on a 1-D linear RNN
// converges to a solution W* from one initialisation and diverges from another.
//
//   npx tsx examples/eprop-1d-linear.ts
//
// The proposition's model is h_t = W h_{t-1} + x_t, yhat = h_T, L = yhat^2 / 2, with a target of 0,
// so training is root finding on the polynomial yhat(W) = sum_{t<T} W^t x_{T-t}. rnnlab's leaky RNN
// with one linear unit, alpha = 0, Wx = 1, Wout = 1, zero biases and h0 = 0 is exactly this model;
// a mask that keeps only the last step makes the loss yhat^2 (rnnlab's mse divides by
// nOut * sum(mask) = 1, so the loss and its gradients are twice the paper's: a step of size lr
// here is a step of 2 lr of the paper's flow). We train only Wh with plain SGD, with the engine's
// own rules, and also integrate the paper's e-prop flow (eq. 14) literally.
//
// Here x = (1, -3, 2): yhat(W) = W^2 - 3W + 2 = (W - 1)(W - 2), roots W* = 1 and W* = 2, and
// x_{T-1} = -3 < 0. The proposition: e-prop converges to W* when sign(yhat'(W)) = sign(x_{T-1})
// near W*, and diverges when the signs differ. yhat'(1) = -1 (same sign): converge;
// yhat'(2) = +1 (opposite): diverge. BPTT (gradient descent on yhat^2) converges to either root.
//
// What the engine's e-prop computes for this model (the graph with the recurrent drive W h_{T-1}
// detached, as the paper's code does) is d(yhat^2)/dW = 2 yhat(W) h_{T-1}(W), i.e. the
// eligibility trace is h_{T-1}(W) = W x_1 + x_2 = W - 3, where the paper's eq. 14 writes x_{T-1}.
// The two have the same sign for W < 3, so the engine's e-prop obeys the proposition there: from
// W(0) = 0.8 it converges to W* = 1; from W(0) = 2.2 it moves away from W* = 2. It then stops at
// W = 3, where its eligibility trace vanishes (a fixed point of the e-prop flow that is not a
// solution: the loss there is 4), rather than running off to infinity as the literal eq. 14 does
// (for this model the engine's flow is bounded whenever x_1 != 0, because yhat h_{T-1} ~ W^3 for
// large |W|). Both are "fails to converge to W*"; this example prints both.
import { pathToFileURL } from 'node:url';
import { LeakyRNN, ParamSet, computeGradient, sgd } from '../ts/index.js';
import type { Trials } from '../ts/index.js';

/** The inputs x_1..x_T of the example. */
export const INPUTS = [1, -3, 2] as const;

/** yhat(W) = sum_{t<T} W^t x_{T-t}. */
export function yhat(W: number, x: readonly number[] = INPUTS): number {
  let h = 0;
  for (const xt of x) h = W * h + xt;
  return h;
}

/** The 1-unit linear leaky RNN (alpha = 0) with recurrent weight W, as an rnnlab model. */
export function linearModel(W: number): LeakyRNN {
  const config = { nIn: 1, nHidden: 1, nOut: 1, alpha: 0, activation: 'linear' as const, trainable: ['Wh' as const] };
  const params = new ParamSet(config, 'float64');
  params.Wh[0] = W;
  params.Wx[0] = 1;
  params.Wout[0] = 1;
  return new LeakyRNN(config, params);
}

/** One trial of x = INPUTS, target 0, loss on the last step only (loss = yhat^2). */
export function lastStepTrials(x: readonly number[] = INPUTS): Trials {
  const T = x.length;
  const mask = new Float64Array(T);
  mask[T - 1] = 1;
  return { T, B: 1, nIn: 1, nOut: 1, loss: 'mse', inputs: Float64Array.from(x), targets: new Float64Array(T), mask };
}

export interface Run {
  rule: 'bptt' | 'eprop' | 'eprop (paper eq. 14)';
  W0: number;
  /** W after training, or the last finite W before |W| exceeded 1e3. */
  W: number;
  /** yhat(W)^2 at the end. */
  loss: number;
  /** Step at which |W| exceeded 1e3, or null. */
  divergedAt: number | null;
}

/**
 * Trains W from W0 with SGD (learning rate lr, `steps` updates) using the engine's rule, or
 * integrates the paper's e-prop flow dW/dt = -yhat(W) x_{T-1} with Euler steps of 2 lr (the same
 * time scale, since the engine's loss is twice the paper's).
 */
export function run(rule: Run['rule'], W0: number, lr = 0.01, steps = 4000): Run {
  const x = INPUTS;
  let divergedAt: number | null = null;
  let W = W0;
  if (rule === 'eprop (paper eq. 14)') {
    for (let k = 1; k <= steps; k++) {
      const next = W - 2 * lr * yhat(W, x) * x[x.length - 2]!;
      if (!(Math.abs(next) < 1e3)) {
        divergedAt = k;
        break;
      }
      W = next;
    }
  } else {
    const model = linearModel(W0);
    const trials = lastStepTrials(x);
    const optimizer = sgd({ lr });
    const state = optimizer.init(model.params);
    for (let k = 1; k <= steps; k++) {
      const { grads } = computeGradient(model, trials, { rule });
      const previous = model.params.Wh[0]!;
      optimizer.update(state, model.params, grads, ['Wh']);
      if (!(Math.abs(model.params.Wh[0]!) < 1e3)) {
        model.params.Wh[0] = previous;
        divergedAt = k;
        break;
      }
    }
    W = model.params.Wh[0]!;
  }
  return { rule, W0, W, loss: yhat(W, x) ** 2, divergedAt };
}

/** Every rule from both initialisations. */
export function propositionB1(lr = 0.01, steps = 4000): Run[] {
  const runs: Run[] = [];
  for (const W0 of [0.8, 2.2]) {
    for (const rule of ['bptt', 'eprop', 'eprop (paper eq. 14)'] as const) runs.push(run(rule, W0, lr, steps));
  }
  return runs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`x = (${INPUTS.join(', ')}): yhat(W) = W^2 - 3W + 2, roots W* = 1 (yhat' = -1) and W* = 2 (yhat' = +1); x_{T-1} = -3`);
  console.log('rule                   W(0)  final W      final yhat^2  outcome');
  for (const r of propositionB1()) {
    const outcome = r.divergedAt !== null ? `diverged (|W| > 1e3 at step ${r.divergedAt})` : r.loss < 1e-12 ? `converged to W* = ${r.W.toFixed(6)}` : `stuck at W = ${r.W.toFixed(6)}, not a solution`;
    console.log(`${r.rule.padEnd(21)}  ${r.W0.toFixed(1)}   ${r.W.toFixed(6).padStart(10)}   ${r.loss.toExponential(2).padStart(10)}    ${outcome}`);
  }
}
