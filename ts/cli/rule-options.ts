/**
 * Command-line options shared by `train` and `grad` for choosing a learning rule:
 * `--rule <name>`, `--rule-option key=value` (repeatable) and `--feedback exact|random`.
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Rng } from '../rng.js';
import { createRule, ruleNames } from '../rules/index.js';
import { FEEDBACK_MODES } from '../rules/options.js';
import type { FeedbackMode } from '../rules/options.js';
import type { LearningRule } from '../rules/rule.js';
import { rangeError } from '../validate.js';
import { keyValueOption } from './common.js';

export interface RuleCliOptions {
  rule: string;
  ruleOption?: Record<string, unknown>;
  feedback?: FeedbackMode;
}

/** Adds --rule, --rule-option and --feedback to a command. */
export function addRuleOptions(command: Command, extraNames: string[] = []): Command {
  return command
    .option('--rule <name>', `learning rule: ${[...ruleNames(), ...extraNames].join(', ')} (tbptt:K sets the truncation window)`, 'bptt')
    .option('--rule-option <key=value>', 'rule setting, repeatable (e.g. --rule-option samples=100 for es, --rule-option mu=0.25 for modprop)', keyValueOption('--rule-option'))
    .addOption(new Option('--feedback <mode>', 'error feedback from the outputs for bptt, tbptt and eprop: exact (Wout^T) or random (fixed random matrix: feedback alignment, drawn from --seed)').choices([...FEEDBACK_MODES]));
}

/** The rule the options describe; the random feedback matrix is drawn from rng.fork('feedback'). */
export function ruleFromCli(o: RuleCliOptions, rng: Rng): LearningRule {
  const options: Record<string, unknown> = { ...(o.ruleOption ?? {}) };
  if (o.feedback !== undefined) {
    if (options.feedback !== undefined) throw rangeError('--feedback', 'either --feedback or --rule-option feedback=..., not both', o.feedback);
    options.feedback = o.feedback;
  }
  return createRule(o.rule, options, rng, '--rule');
}
