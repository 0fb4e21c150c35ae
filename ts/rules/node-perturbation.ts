/**
 * Node perturbation as paper 2 defines it (Appendix A.2, eq. 10; Werfel et al. 2003):
 *
 *   dWh_ij = sum_t I^_{i,t} e_{ij,t},   I^_t = (l_t(h_t + xi_t) - l_t(h_t)) xi_t / sigma^2,
 *   xi_t ~ N(0, sigma^2 I) independently for every step and trial,
 *
 * where e is the e-prop eligibility trace (the same traces as e-prop, also for Wx, b and h0) and
 * l_t is the loss of step t as a function of the state h_t through the readout (the same per-step
 * loss whose gradient is e-prop's learning signal). I^_t is an estimate of dl_t/dh_t: unbiased up to
 * O(sigma^2) (E[(xi . g) xi] / sigma^2 = g, the quadratic term has zero mean), so the expected
 * update is e-prop's. Choices where the paper is silent, all documented:
 *   - The perturbation is a probe of the readout: h_t + xi_t is read out to measure l_t, but the
 *     network keeps running on the unperturbed h_t (the formula compares both at the same h_t).
 *   - Baseline: the unperturbed per-step loss l_t(h_t), as in the formula (computed exactly in the
 *     same sweep; no running average).
 *   - sigma (state units): default 0.01 (at least 1e-100, so that sigma^2 > 0; in float32 keep
 *     it well above 1e-7 |h|, or h + xi rounds to h and the estimate is 0).
 *   - The readout weights get their exact gradient (a local delta rule), as for e-prop.
 * Forward only: it runs in the same single online C++ sweep as e-prop (native/eprop.hpp), drawing
 * xi from a native stream seeded by two words from the caller's Rng.
 * @module
 */
import { effectiveParams, gradientToRaw } from '../model/constraints.js';
import { native } from '../native.js';
import { expectNumber } from '../validate.js';
import { activityL2Of, batchArrays, reportTerms, termsBuffer } from './forward.js';
import { requireRng, ruleOptions, seedWords } from './options.js';
import type { LearningRule } from './rule.js';

export const DEFAULT_NP_SIGMA = 0.01;

/** Settings of {@link createNodePerturbation}. */
export interface NodePerturbationOptions {
  /** Standard deviation of the state perturbation xi (state units), default 0.01. */
  sigma?: number;
}

/** Creates node perturbation. */
export function createNodePerturbation(options: NodePerturbationOptions = {}, field = 'options'): LearningRule {
  const o = ruleOptions(options, ['sigma'], field);
  const sigma = expectNumber(o.sigma ?? DEFAULT_NP_SIGMA, `${field}.sigma`, { min: 1e-100 });
  return {
    name: 'np',
    description: `node perturbation (paper 2, eq. 10): e-prop traces with the learning signal estimated from per-step loss changes under state probes of std ${sigma}`,
    gradient(model, trials, grads, ctx) {
      const rng = requireRng(ctx, 'np');
      const params = effectiveParams(model, ctx.workspace);
      const a = batchArrays(model, trials, ctx.workspace, rng);
      const [lo, hi] = seedWords(rng);
      const terms = termsBuffer(ctx.workspace);
      const loss = native.nodePerturbationGradient(a.spec, params, a.x, a.noise, a.kind, a.targets, a.mask, sigma, lo, hi, grads.flat, activityL2Of(ctx), terms);
      reportTerms(ctx, terms[0]!, terms[1]!);
      gradientToRaw(model, grads);
      return loss;
    },
  };
}
