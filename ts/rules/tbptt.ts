/**
 * Truncated BPTT as LearningRuleSimilarities implements it (learning_mode -1, reference-code.md
 * 1.3), in C++ as a truncation schedule of the BPTT reverse pass (native/bptt.hpp).
 *
 * What is cut, exactly: with window K, the recurrent path into step s, i.e. the edge
 * h_{s-1} -> Wh f(h_{s-1}) -> h_s, carries no error backward when (T - s + 1) mod K == 0
 * (s = 1..T; windows are counted from the end of the sequence). This is the reference's
 * `h = h.detach()` before step s. Nothing else is cut: the leak path h_{s-1} -> alpha h_{s-1} -> h_s
 * always carries the error back to the start (so Wx, b and h0 keep their long-range leak
 * gradients), the readout path is exact, and each step's weight gradient is the exact local outer
 * product d_s f(h_{s-1})^T. Consequences:
 *   - K >= T + 1 cuts nothing: tbptt equals BPTT for every parameter.
 *   - K = T cuts only the edge into step 1, i.e. the recurrent path from h0: every parameter but h0
 *     gets the BPTT gradient.
 *   - K = 1 cuts every recurrent edge and keeps only the leak: exactly the e-prop gradient (the
 *     graph with the recurrent drive detached), for every parameter.
 * @module
 */
import { gradientToRaw } from '../model/constraints.js';
import { native } from '../native.js';
import type { Rng } from '../rng.js';
import { expectInteger } from '../validate.js';
import { reverseWithLoss, runForward } from './forward.js';
import { readFeedback, ruleOptions } from './options.js';
import type { FeedbackMode } from './options.js';
import type { LearningRule } from './rule.js';

/** The reference's truncation window (LearningRuleSimilarities `trunc_window`). */
export const DEFAULT_TRUNCATION = 10;

/** Options of {@link createTbptt} (and of `getRule('tbptt', options)` / `getRule('tbptt:K')`). */
export interface TbpttOptions {
  /** Truncation window K >= 1 (default 10, as the reference). `tbptt:K` sets it by name. */
  truncation?: number;
  /** "exact" (default) or "random" readout feedback (feedback alignment). */
  feedback?: FeedbackMode;
  /** Generator of the random feedback matrix (required with feedback "random"). */
  rng?: Rng;
}

/**
 * Creates truncated BPTT with window K (see the module description for exactly what is cut).
 * @param options `truncation` K (integer >= 1, default 10), `feedback` and `rng`
 * @param field name of the options in error messages
 * @throws TypeError for options that are not an object, an unknown key, a value of the wrong
 *   type, or feedback "random" without an `rng`
 * @throws RangeError for K < 1, an unknown feedback mode, or an `rng` with exact feedback
 */
export function createTbptt(options: TbpttOptions = {}, field = 'options'): LearningRule {
  const o = ruleOptions(options, ['truncation', 'feedback', 'rng'], field);
  const K = expectInteger(o.truncation ?? DEFAULT_TRUNCATION, `${field}.truncation`, 1);
  const feedback = readFeedback(o, field);
  return {
    name: `tbptt:${K}`,
    description: `truncated BPTT: the recurrent path is cut every ${K} steps counted from the end; the leak path is never cut${feedback ? '; random readout feedback' : ''}`,
    gradient(model, trials, grads, ctx) {
      const traj = runForward(model, trials, ctx.workspace, ctx.rng);
      const loss = reverseWithLoss(model, trials, traj, ctx, (dY, activityL2) => {
        native.bpttBackwardVariant(traj.spec, traj.params, traj.x, traj.H, traj.rate, dY, grads.flat, K, null, 0, 0, feedback ? feedback.matrix(model) : null, activityL2);
      });
      gradientToRaw(model, grads);
      return loss;
    },
  };
}
