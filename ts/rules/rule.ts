/**
 * What every learning rule provides.
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { ParamSet } from '../model/params.js';
import type { Rng } from '../rng.js';
import type { Trials } from '../trials.js';
import type { Workspace } from './workspace.js';

/** What the loss holds besides the task loss (DESIGN.md); everything is off by default. */
export interface LossOptions {
  /**
   * Activity L2 regulariser of paper 2 (Liu, Yang & Cueva 2025): lambda >= 0 adds
   * lambda * mean over steps t = 1..T, trials and units of f(h_t)^2 (the rates; f(h_0) not
   * included) to the loss. Every rule then estimates the gradient of the regularised loss
   * (native/regularizer.hpp). Default 0 (off).
   */
  activityL2?: number;
}

/** A loss split into its terms (the rule returns their sum). */
export interface LossTerms {
  /** The task loss (DESIGN.md definition). */
  task: number;
  /** The activity regulariser's value (0 when off). */
  activityL2: number;
}

/** What a rule's gradient() gets besides the model and the batch. */
export interface RuleContext {
  /** Scratch arrays reused across calls. */
  workspace: Workspace;
  /** Generator for state noise and for stochastic rules. */
  rng?: Rng;
  /**
   * Threads for this one gradient (default 1): rules that support it split the batch into this
   * many shares of trials, one per thread, and combine the shares' gradients once at the end
   * (bptt and e-prop do; the result equals the one-thread gradient up to rounding).
   */
  threads?: number;
  /** Terms added to the task loss (default: none). */
  loss?: LossOptions;
  /** When given, receives the loss split into its terms. */
  terms?: LossTerms;
}

/**
 * A learning rule: an estimate of the loss gradient on one batch. The built-in rules come from
 * getRule / createRule; a custom rule is any object of this shape (it can be passed to train).
 */
export interface LearningRule {
  /** The name it is registered under (e.g. "bptt", "eprop", "tbptt"). */
  readonly name: string;
  /** One line on what the rule computes. */
  readonly description: string;
  /** Whether gradient() splits the batch across `ctx.threads` threads (otherwise it uses one). */
  readonly splitsBatch?: boolean;
  /**
   * Writes the rule's estimate of dLoss/dparams into `grads` (overwritten; same layout as the
   * parameters, same sign and scale as the exact gradient) and returns the batch loss (with the
   * terms of `ctx.loss`, e.g. the activity regulariser, included).
   */
  gradient(model: LeakyRNN, trials: Trials, grads: ParamSet, ctx: RuleContext): number;
}
