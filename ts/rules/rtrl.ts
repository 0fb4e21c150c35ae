/**
 * Real-time recurrent learning: the exact gradient in forward mode with the influence matrix
 * dh_t/dtheta (native/rtrl.hpp). It equals BPTT to rounding. It costs O(N^4) time per step and
 * trial and 2 N (N^2 + N nIn + 2N) numbers of memory, so it refuses networks with more than
 * `maxHidden` units (default {@link RTRL_MAX_HIDDEN}) instead of running for hours; BPTT gives the
 * same gradient at O(N^2) per step.
 * @module
 */
import { effectiveParams, gradientToRaw } from '../model/constraints.js';
import { native } from '../native.js';
import { expectInteger, rangeError } from '../validate.js';
import { activityL2Of, batchArrays, reportTerms, termsBuffer } from './forward.js';
import { ruleOptions } from './options.js';
import type { LearningRule } from './rule.js';

/**
 * Largest N rtrl accepts by default. At N = 128 one gradient of a B = 32, T = 56 batch takes about
 * a minute on one core (README, "Learning rules"); each doubling of N multiplies that by 16.
 */
export const RTRL_MAX_HIDDEN = 128;

/** Options of {@link createRtrl} (and of `getRule('rtrl', options)`). */
export interface RtrlOptions {
  /** Largest number of hidden units accepted (default 128). */
  maxHidden?: number;
}

/** Why rtrl refuses `N` units with limit `maxHidden`, or null if it accepts them. @internal */
export function rtrlRefusal(N: number, maxHidden = RTRL_MAX_HIDDEN): string | null {
  if (N <= maxHidden) return null;
  return `RTRL costs O(N^4) time per step and trial and O(N^3) memory; N = ${N} is above the limit ${maxHidden} (use bptt, which computes the same gradient, or raise maxHidden)`;
}

/**
 * Creates RTRL, the exact gradient in forward mode (equal to BPTT to rounding).
 * @param options `maxHidden`: the largest N accepted (integer >= 1, default {@link RTRL_MAX_HIDDEN})
 * @param field name of the options in error messages
 * @throws TypeError for options that are not an object, an unknown key, or a value of the wrong
 *   type; RangeError for maxHidden < 1. The rule's `gradient` throws a RangeError for a model
 *   with more than maxHidden units.
 */
export function createRtrl(options: RtrlOptions = {}, field = 'options'): LearningRule {
  const o = ruleOptions(options, ['maxHidden'], field);
  const maxHidden = expectInteger(o.maxHidden ?? RTRL_MAX_HIDDEN, `${field}.maxHidden`, 1);
  return {
    name: 'rtrl',
    description: 'exact gradient by real-time recurrent learning (forward mode, influence matrix)',
    gradient(model, trials, grads, ctx) {
      if (rtrlRefusal(model.N, maxHidden)) {
        throw rangeError('model.config.nHidden', `at most ${maxHidden} units for rtrl (RTRL costs O(N^4) time per step and trial and O(N^3) memory; bptt computes the same gradient; options.maxHidden raises the limit)`, model.N);
      }
      const params = effectiveParams(model, ctx.workspace);
      const a = batchArrays(model, trials, ctx.workspace, ctx.rng);
      const terms = termsBuffer(ctx.workspace);
      const loss = native.rtrlGradient(a.spec, params, a.x, a.noise, a.kind, a.targets, a.mask, grads.flat, activityL2Of(ctx), terms);
      reportTerms(ctx, terms[0]!, terms[1]!);
      gradientToRaw(model, grads);
      return loss;
    },
  };
}
