/**
 * Evolution strategies as paper 2 defines it (Appendix A.2, eq. 11; Salimans et al. 2017):
 *
 *   g = 1 / (sigma S) sum_{s=1..S} L^(s) eps^(s),   eps^(s) ~ N(0, I),
 *
 * L^(s) the loss after perturbing the parameters by sigma eps^(s). This is an unbiased estimate of
 * the gradient of the Gaussian-smoothed loss E[L(theta + sigma eps)], with the scale of the
 * gradient. Choices, documented:
 *   - What is perturbed: every entry of the trainable parameters (config.trainable; by default Wh,
 *     Wx, b, Wout, bOut) except recurrent connections that a constraint removes (a sparsity mask
 *     or Dale's no-autapse diagonal), which do not change the loss. The other entries get 0. The
 *     raw parameters are perturbed; Dale's law and masks are applied to each perturbed set.
 *   - Baseline (default on): L^(s) - L(theta) replaces L^(s). Since E[eps] = 0 the expectation is
 *     unchanged, the variance is much lower. `baseline: false` gives eq. 11 literally.
 *   - Antithetic sampling (option, default off): S/2 directions, each evaluated at theta + sigma eps
 *     and theta - sigma eps, i.e. eq. 11 over the mirrored set (S must be even; the baseline then
 *     cancels).
 *   - S = 50 (the paper's value), sigma = 0.01 in parameter units (the paper gives no value).
 *   - The state noise, when the model has any, is drawn once and shared by all S evaluations.
 * Forward only and batched natively: one C++ call evaluates all S perturbed parameter sets
 * (S + 1 forward passes, each with O(B N) memory), drawing eps from a native stream seeded by two
 * words from the caller's Rng.
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { paramLayout } from '../model/params.js';
import type { FloatArray } from '../native.js';
import { native } from '../native.js';
import { expectBoolean, expectInteger, expectNumber, rangeError } from '../validate.js';
import { activityL2Of, batchArrays, reportTerms, termsBuffer } from './forward.js';
import { requireRng, ruleOptions, seedWords } from './options.js';
import type { LearningRule } from './rule.js';
import type { Workspace } from './workspace.js';

export const DEFAULT_ES_SAMPLES = 50;
export const DEFAULT_ES_SIGMA = 0.01;

/** Settings of {@link createEs}. */
export interface EsOptions {
  /** Number S of perturbed loss evaluations (default 50; even with antithetic sampling). */
  samples?: number;
  /** Standard deviation of the parameter perturbation (default 0.01). */
  sigma?: number;
  /** Mirrored pairs theta +- sigma eps (default false). */
  antithetic?: boolean;
  /** Subtract the unperturbed loss (default true). */
  baseline?: boolean;
}

/** 1 for every flat parameter entry ES perturbs, 0 for the others (see the module comment). */
export function perturbableEntries(model: LeakyRNN, ws: Workspace): FloatArray {
  const { offset, size, total } = paramLayout(model.params.dims);
  const out = ws.zeros('esPerturbable', model.dtype, total);
  for (const name of model.config.trainable) out.fill(1, offset[name], offset[name] + size[name]);
  const c = model.constraint;
  if (c && model.config.trainable.includes('Wh')) {
    for (let k = 0; k < size.Wh; k++) if (c.multiplier[k] === 0) out[offset.Wh + k] = 0;
  }
  return out;
}

/** Creates evolution strategies. */
export function createEs(options: EsOptions = {}, field = 'options'): LearningRule {
  const o = ruleOptions(options, ['samples', 'sigma', 'antithetic', 'baseline'], field);
  const samples = expectInteger(o.samples ?? DEFAULT_ES_SAMPLES, `${field}.samples`, 1);
  const sigma = expectNumber(o.sigma ?? DEFAULT_ES_SIGMA, `${field}.sigma`, { min: 1e-100 });
  const antithetic = expectBoolean(o.antithetic ?? false, `${field}.antithetic`);
  const baseline = expectBoolean(o.baseline ?? true, `${field}.baseline`);
  if (antithetic && samples % 2 !== 0) throw rangeError(`${field}.samples`, 'an even number with antithetic sampling (S/2 mirrored pairs)', samples);
  return {
    name: 'es',
    description: `evolution strategies (paper 2, eq. 11): S = ${samples} Gaussian parameter perturbations of std ${sigma}${antithetic ? ', antithetic' : ''}${baseline ? ', baseline L(theta)' : ''}`,
    gradient(model, trials, grads, ctx) {
      const rng = requireRng(ctx, 'es');
      const a = batchArrays(model, trials, ctx.workspace, rng);
      const [lo, hi] = seedWords(rng);
      const perturbable = perturbableEntries(model, ctx.workspace);
      const c = model.constraint;
      const terms = termsBuffer(ctx.workspace);
      const loss = native.esGradient(a.spec, model.params.flat, perturbable, c ? c.multiplier : null, c?.absolute ? 1 : 0, a.x, a.noise, a.kind, a.targets, a.mask, samples, sigma, antithetic ? 1 : 0, baseline ? 1 : 0, lo, hi, grads.flat, activityL2Of(ctx), terms);
      reportTerms(ctx, terms[0]!, terms[1]!);
      return loss;
    },
  };
}

