/**
 * Every rule's update on one batch next to the exact gradient, with the cosine alignment that
 * the learning-rule literature reports (`rnnlab grad --rule all`).
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { PARAM_NAMES } from '../model/params.js';
import type { ParamName, ParamSet } from '../model/params.js';
import { expectRng } from '../rng.js';
import type { Rng } from '../rng.js';
import { checkTrials } from '../trials.js';
import type { Trials } from '../trials.js';
import { expectKnownKeys, expectObject, expectOneOf, typeError } from '../validate.js';
import { computeGradient, getRule } from './index.js';
import { modpropRefusal } from './modprop.js';
import type { LearningRule } from './rule.js';
import { rtrlRefusal } from './rtrl.js';

/** One row of a comparison: a rule's estimate and how it aligns with the exact gradient. */
export type RuleComparison =
  | {
      /** The label of the row (the rule name, plus a note for variants such as random feedback). */
      label: string;
      /** The batch loss the rule returned (the same forward pass as the exact gradient's). */
      loss: number;
      /** The rule's estimate of dLoss/dparams (same layout, sign and scale as the exact gradient). */
      grads: ParamSet;
      /** cos(rule, exact) over the concatenated `params`; null when either vector is zero. */
      cosine: number | null;
      /** cos(rule, exact) of each parameter separately (null when either is zero). */
      cosineByParam: Partial<Record<ParamName, number | null>>;
      /** |rule| / |exact| over `params` (null when the exact gradient is zero). */
      normRatio: number | null;
      /** Wall time of the rule's gradient call, in seconds. */
      seconds: number;
    }
  | {
      /** The label of the row. */
      label: string;
      /** Why the rule did not run on this model (e.g. rtrl above its size limit). */
      skipped: string;
    };

/** Options of {@link compareRules}. */
export interface CompareOptions {
  /**
   * Generator for stochastic rules (np, es), the random feedback matrix and state noise
   * (required). Each rule gets a copy in the same state, so every rule sees the same state noise.
   */
  rng: Rng;
  /** Parameters over which cosines are taken (default: the model's trainable parameters). */
  params?: readonly ParamName[];
}

/** The rules `compareRules` runs, in order: [label, name, options]. @internal */
export function defaultComparisonRules(rng: Rng): [string, string, Record<string, unknown>][] {
  return [
    ['bptt', 'bptt', {}],
    ['rtrl', 'rtrl', {}],
    ['tbptt:10', 'tbptt:10', {}],
    ['eprop', 'eprop', {}],
    ['eprop (random feedback)', 'eprop', { feedback: 'random', rng }],
    ['modprop', 'modprop', {}],
    ['np', 'np', {}],
    ['es', 'es', {}],
  ];
}

function dot(a: ParamSet, b: ParamSet, names: readonly ParamName[]): number {
  let s = 0;
  for (const name of names) {
    const x = a.get(name);
    const y = b.get(name);
    for (let k = 0; k < x.length; k++) s += x[k]! * y[k]!;
  }
  return s;
}

function cosine(a: ParamSet, b: ParamSet, names: readonly ParamName[]): number | null {
  const ab = dot(a, b, names);
  const aa = dot(a, a, names);
  const bb = dot(b, b, names);
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : null;
}

/**
 * Runs bptt (the exact gradient) and every other rule on the same batch and reports each rule's
 * estimate with its cosine alignment and norm ratio to the exact gradient. Rules that cannot run
 * on this model (rtrl above its size limit, modprop without relu and Dale's law) are reported as
 * skipped, with the reason. Rows, in order: bptt, rtrl, tbptt:10, eprop, eprop (random feedback),
 * modprop, np, es.
 * @param trials a batch for the model (see {@link checkTrials})
 * @throws TypeError for a model that is not a LeakyRNN, options that are not an object, an
 *   unknown option key, a missing `options.rng`, or a batch of the wrong types
 * @throws RangeError for a batch of the wrong sizes or values (see {@link checkTrials}) or an
 *   unknown parameter name in `options.params`
 */
export function compareRules(
  model: LeakyRNN,
  trials: Trials,
  options: CompareOptions,
): {
  /** The batch loss (task loss, DESIGN.md definition). */
  loss: number;
  /** The exact gradient dLoss/dparams (bptt). */
  exact: ParamSet;
  /** The parameters the cosines and norm ratios are taken over. */
  params: ParamName[];
  /** One row per rule, in the order above. */
  rules: RuleComparison[];
} {
  expectKnownKeys(expectObject(options, 'options'), ['rng', 'params'], 'options');
  const rng = expectRng(options.rng, 'options.rng', 'np, es and the random feedback matrix draw from it');
  checkTrials(trials, model);
  const requested: unknown = options.params;
  if (requested !== undefined && !Array.isArray(requested)) throw typeError('options.params', `an array of parameter names (${PARAM_NAMES.join(', ')})`, requested);
  const params: ParamName[] = requested === undefined ? [...model.config.trainable] : (requested as unknown[]).map((name, k) => expectOneOf(name, `options.params[${k}]`, PARAM_NAMES));
  const runRng = (): Rng => rng.fork('rules');
  const exact = computeGradient(model, trials, { rule: 'bptt', rng: runRng() });
  const rules: RuleComparison[] = [];
  for (const [label, name, ruleOptions] of defaultComparisonRules(rng)) {
    const skip = name === 'rtrl' ? rtrlRefusal(model.N) : name === 'modprop' ? modpropRefusal(model) : null;
    if (skip) {
      rules.push({ label, skipped: skip });
      continue;
    }
    const rule: LearningRule = getRule(name, ruleOptions);
    const start = performance.now();
    const { loss, grads } = computeGradient(model, trials, { rule, rng: runRng() });
    const seconds = (performance.now() - start) / 1000;
    const cosineByParam: Partial<Record<ParamName, number | null>> = {};
    for (const p of params) cosineByParam[p] = cosine(grads, exact.grads, [p]);
    const exactNorm = Math.sqrt(dot(exact.grads, exact.grads, params));
    rules.push({
      label,
      loss,
      grads,
      cosine: cosine(grads, exact.grads, params),
      cosineByParam,
      normRatio: exactNorm > 0 ? Math.sqrt(dot(grads, grads, params)) / exactNorm : null,
      seconds,
    });
  }
  return { loss: exact.loss, exact: exact.grads, params, rules };
}
