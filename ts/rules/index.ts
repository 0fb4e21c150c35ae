/**
 * The learning-rule registry: rules by name.
 * @module
 */
import { expectInteger, expectOneOf } from '../validate.js';
import { bptt } from './bptt.js';
import type { LearningRule, RuleContext } from './rule.js';
import { ParamSet } from '../model/params.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { Rng } from '../rng.js';
import { checkTrials } from '../trials.js';
import type { Trials } from '../trials.js';
import { Workspace } from './workspace.js';

const RULES: Record<string, LearningRule> = { bptt };

/** Names of every registered rule. */
export function ruleNames(): string[] {
  return Object.keys(RULES);
}

/** The rule called `name`; the error lists the known names. */
export function getRule(name: string, field = 'rule'): LearningRule {
  return RULES[expectOneOf(name, field, ruleNames())]!;
}

export { bptt };
export type { LearningRule, RuleContext } from './rule.js';

/**
 * One rule's gradient estimate on one batch (validated), in a fresh {@link ParamSet}.
 * `rng` is needed for models with state noise and for stochastic rules; `threads` > 1 splits
 * the batch across threads for rules that support it (bptt).
 */
export function computeGradient(model: LeakyRNN, trials: Trials, options: { rule?: string | LearningRule; rng?: Rng; threads?: number } = {}): { loss: number; grads: ParamSet } {
  checkTrials(trials, model);
  const rule = typeof options.rule === 'object' ? options.rule : getRule(options.rule ?? 'bptt');
  const grads = new ParamSet(model.params.dims, model.dtype);
  const ctx: RuleContext = { workspace: new Workspace(), threads: expectInteger(options.threads ?? 1, 'threads', 1) };
  if (options.rng) ctx.rng = options.rng;
  const loss = rule.gradient(model, trials, grads, ctx);
  return { loss, grads };
}
