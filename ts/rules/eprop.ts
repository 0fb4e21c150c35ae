/**
 * e-prop (Bellec et al. 2020; RFLO, Murray 2019, is the same rule for this model and is accepted
 * as an alias) computed online in C++ in one forward sweep (native/eprop.hpp), as
 * reference/specs.md 2.5 and DESIGN.md define it:
 *
 *   learning signal  L_t = f'(h_t) * (F^T dl_t/dy_t),  F = Wout (exact) or a fixed random matrix
 *   traces           eps_t = alpha eps_{t-1} + (1 - alpha) f(h_{t-1})          (presynaptic, [B][N])
 *                    epsx_t = alpha epsx_{t-1} + (1 - alpha) x_t,  epsb_t = alpha epsb_{t-1} + (1 - alpha)
 *   estimate         dWh = sum_t L_t^T eps_t, dWx = sum_t L_t^T epsx_t, db = sum_t epsb_t L_t,
 *                    dh0 = sum_t alpha^t L_t; dWout and dbOut exact.
 *
 * With exact feedback this is the gradient of the graph in which the recurrent drive
 * Wh f(h_{t-1}) sees a detached h_{t-1} while the leak path stays (LearningRuleSimilarities'
 * `h.detach()`): what is dropped is every path through Wh^T. Memory is O(B N + N^2) whatever T
 * is (no trajectory is stored); cost per step is two N x N products (forward and the dWh
 * accumulation) against BPTT's three.
 * @module
 */
import { effectiveParams, gradientToRaw } from '../model/constraints.js';
import { native } from '../native.js';
import type { Rng } from '../rng.js';
import { activityL2Of, batchArrays, reportTerms, termsBuffer } from './forward.js';
import { readFeedback, ruleOptions } from './options.js';
import type { FeedbackMode } from './options.js';
import type { LearningRule } from './rule.js';
import { splitBatchGradient } from './split.js';
import { expectInteger } from '../validate.js';

/** Settings of {@link createEprop}. */
export interface EpropOptions {
  /** "exact" (learning signal through Wout^T, default) or "random" (feedback alignment). */
  feedback?: FeedbackMode;
  /** Generator of the random feedback matrix (required with feedback "random"). */
  rng?: Rng;
}

/** Creates e-prop (or its alias rflo, which is the same computation). */
export function createEprop(options: EpropOptions = {}, field = 'options', name: 'eprop' | 'rflo' = 'eprop'): LearningRule {
  const o = ruleOptions(options, ['feedback', 'rng'], field);
  const feedback = readFeedback(o, field);
  return {
    name,
    description: `e-prop: online eligibility traces with the recurrent drive's presynaptic state detached, learning signal through ${feedback ? 'a fixed random feedback matrix (feedback alignment)' : 'Wout^T'}`,
    splitsBatch: true,
    gradient(model, trials, grads, ctx) {
      const threads = Math.min(expectInteger(ctx.threads ?? 1, 'threads', 1), trials.B);
      if (threads > 1) return splitBatchGradient('eprop', model, trials, grads, ctx, threads, feedback ? feedback.matrix(model) : null);
      const params = effectiveParams(model, ctx.workspace);
      const a = batchArrays(model, trials, ctx.workspace, ctx.rng);
      const terms = termsBuffer(ctx.workspace);
      const loss = native.epropGradient(a.spec, params, a.x, a.noise, a.kind, a.targets, a.mask, feedback ? feedback.matrix(model) : null, grads.flat, activityL2Of(ctx), terms);
      reportTerms(ctx, terms[0]!, terms[1]!);
      gradientToRaw(model, grads);
      return loss;
    },
  };
}
