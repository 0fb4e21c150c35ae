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
}

export interface LearningRule {
  readonly name: string;
  /** One line on what the rule computes. */
  readonly description: string;
  /**
   * Writes the rule's estimate of dLoss/dparams into `grads` (overwritten; same layout as the
   * parameters, same sign and scale as the exact gradient) and returns the batch loss.
   */
  gradient(model: LeakyRNN, trials: Trials, grads: ParamSet, ctx: RuleContext): number;
}
