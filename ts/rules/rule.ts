/**
 * What every learning rule provides.
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { ParamSet } from '../model/params.js';
import type { Rng } from '../rng.js';
import type { Trials } from '../trials.js';
import type { Workspace } from './workspace.js';

export interface RuleContext {
  /** Scratch arrays reused across calls. */
  workspace: Workspace;
  /** Generator for state noise and for stochastic rules. */
  rng?: Rng;
  /**
   * Threads for this one gradient (default 1): rules that support it split the batch into this
   * many shares of trials, one per thread, and combine the shares' gradients once at the end
   * (bptt does; the result equals the one-thread gradient up to rounding).
   */
  threads?: number;
}

export interface LearningRule {
  readonly name: string;
  /** One line on what the rule computes. */
  readonly description: string;
  /** Whether gradient() splits the batch across `ctx.threads` threads (otherwise it uses one). */
  readonly splitsBatch?: boolean;
  /**
   * Writes the rule's estimate of dLoss/dparams into `grads` (overwritten; same layout as the
   * parameters, same sign and scale as the exact gradient) and returns the batch loss.
   */
  gradient(model: LeakyRNN, trials: Trials, grads: ParamSet, ctx: RuleContext): number;
}
