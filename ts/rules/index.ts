/**
 * The learning-rule registry: rules by name, each created by a factory from its options.
 *
 * | name        | what it computes                                                        | module            |
 * |-------------|-------------------------------------------------------------------------|-------------------|
 * | bptt        | exact gradient, reverse mode                                            | rules/bptt.ts     |
 * | rtrl        | exact gradient, forward mode (influence matrix; N <= 128 by default)    | rules/rtrl.ts     |
 * | tbptt[:K]   | BPTT with the recurrent path cut every K steps from the end (K = 10)    | rules/tbptt.ts    |
 * | eprop, rflo | online eligibility traces, recurrent drive detached (rflo = alias)      | rules/eprop.ts    |
 * | modprop     | reverse pass with cell-type averaged weights and constant derivative    | rules/modprop.ts  |
 * | np          | node perturbation: e-prop traces, perturbation-estimated signal         | rules/node-perturbation.ts |
 * | es          | evolution strategies: Gaussian parameter perturbations                  | rules/es.ts       |
 *
 * bptt, tbptt and eprop take `feedback: "random"` (with an `rng`) for feedback alignment.
 * @module
 */
import { expectInteger, expectOneOf, rangeError, typeError } from '../validate.js';
import { bptt, createBptt } from './bptt.js';
import { createEprop } from './eprop.js';
import { createEs } from './es.js';
import { createModprop } from './modprop.js';
import { createNodePerturbation } from './node-perturbation.js';
import { createRtrl } from './rtrl.js';
import { createTbptt } from './tbptt.js';
import type { LearningRule, LossOptions, LossTerms, RuleContext } from './rule.js';
import { ParamSet } from '../model/params.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { Rng } from '../rng.js';
import { checkTrials } from '../trials.js';
import type { Trials } from '../trials.js';
import { Workspace } from './workspace.js';

type Factory = (options: Record<string, unknown>, field: string) => LearningRule;

const FACTORIES: Record<string, Factory> = {
  bptt: (o, f) => createBptt(o, f),
  rtrl: (o, f) => createRtrl(o, f),
  tbptt: (o, f) => createTbptt(o, f),
  eprop: (o, f) => createEprop(o, f, 'eprop'),
  rflo: (o, f) => createEprop(o, f, 'rflo'),
  modprop: (o, f) => createModprop(o, f),
  np: (o, f) => createNodePerturbation(o, f),
  es: (o, f) => createEs(o, f),
};

/** Names of every registered rule (rflo is an alias of eprop; tbptt also accepts tbptt:K). */
export function ruleNames(): string[] {
  return Object.keys(FACTORIES);
}

/**
 * The rule called `name`, created with `options` (each rule's options are documented with its
 * factory; unknown keys are an error). `tbptt:K` sets the truncation window K. The error for an
 * unknown name lists the known names.
 */
export function getRule(name: string, options: Record<string, unknown> = {}, field = 'rule'): LearningRule {
  if (typeof name !== 'string') throw typeError(field, `a rule name (one of ${ruleNames().join(', ')})`, name);
  let base = name;
  let opts = options;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    base = name.slice(0, colon);
    const suffix = name.slice(colon + 1);
    const K = Number(suffix);
    if (base !== 'tbptt' || suffix.trim() === '' || !Number.isInteger(K) || K < 1) {
      throw rangeError(field, 'a rule name, or tbptt:K with K an integer >= 1 (the truncation window)', name);
    }
    if (options.truncation !== undefined && options.truncation !== K) {
      throw rangeError(`${field} options.truncation`, `${K} (as in the name "${name}") or nothing`, options.truncation);
    }
    opts = { ...options, truncation: K };
  }
  return FACTORIES[expectOneOf(base, field, ruleNames())]!(opts, `${field} options`);
}

/**
 * A rule from its name and plain options (as sweeps and the command line give them): when the
 * options ask for random feedback, its fixed matrix is drawn from `rng.fork('feedback')`, so the
 * same seed gives the same matrix everywhere.
 */
export function createRule(name: string, options: Record<string, unknown>, rng: Rng, field = 'rule'): LearningRule {
  const opts: Record<string, unknown> = { ...options };
  if (opts.feedback === 'random' && opts.rng === undefined) opts.rng = rng.fork('feedback');
  return getRule(name, opts, field);
}

export { bptt, createBptt, createEprop, createEs, createModprop, createNodePerturbation, createRtrl, createTbptt };
export type { LearningRule, LossOptions, LossTerms, RuleContext } from './rule.js';

/** What {@link computeGradient} returns. */
export interface GradientResult {
  /** The batch loss (task loss plus any regulariser), as the rule computed it. */
  loss: number;
  /** The estimate of dLoss/dparams, in the parameters' layout (fresh ParamSet). */
  grads: ParamSet;
  /** The loss split into the task loss and the regulariser's value. */
  terms: LossTerms;
}

/**
 * One rule's gradient estimate on one batch (validated), in a fresh {@link ParamSet}.
 * `rule` is a rule or its name (default "bptt"); `ruleOptions` go to the named rule's factory.
 * `rng` is needed for models with state noise and for stochastic rules (np, es). `loss` adds
 * terms to the loss (the activity regulariser); `terms` splits the returned loss into them.
 * `threads` > 1 splits the batch across threads for rules that support it
 * ({@link LearningRule.splitsBatch}).
 */
export function computeGradient(
  model: LeakyRNN,
  trials: Trials,
  options: { rule?: string | LearningRule; ruleOptions?: Record<string, unknown>; rng?: Rng; loss?: LossOptions; threads?: number } = {},
): GradientResult {
  checkTrials(trials, model);
  if (typeof options.rule === 'object' && options.ruleOptions !== undefined) {
    throw rangeError('options.ruleOptions', 'no rule options with a rule object (pass them to its factory or to getRule)', options.ruleOptions);
  }
  const rule = typeof options.rule === 'object' ? options.rule : getRule(options.rule ?? 'bptt', options.ruleOptions ?? {});
  const grads = new ParamSet(model.params.dims, model.dtype);
  const terms: LossTerms = { task: NaN, activityL2: 0 };
  const ctx: RuleContext = {
    workspace: new Workspace(),
    terms,
    threads: expectInteger(options.threads ?? 1, 'threads', 1),
    ...(options.rng ? { rng: options.rng } : {}),
    ...(options.loss ? { loss: options.loss } : {}),
  };
  const loss = rule.gradient(model, trials, grads, ctx);
  return { loss, grads, terms };
}
