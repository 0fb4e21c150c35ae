/**
 * Every rule's update on one batch next to the exact gradient, with the cosine alignment that
 * the learning-rule literature reports (`rnnlab grad --rule all`).
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { ParamName, ParamSet } from '../model/params.js';
import { Rng } from '../rng.js';
import { checkTrials } from '../trials.js';
import type { Trials } from '../trials.js';
import { expectKnownKeys, expectObject, typeError } from '../validate.js';
import { computeGradient, getRule } from './index.js';
import { modpropRefusal } from './modprop.js';
import type { LearningRule } from './rule.js';
import { rtrlRefusal } from './rtrl.js';

/** One row of a comparison: a rule's estimate and how it aligns with the exact gradient. */
export type RuleComparison =
  | {
      /** The label of the row (the rule name, plus a note for variants such as random feedback). */
      label: string;
      loss: number;
      grads: ParamSet;
      /** cos(rule, exact) over the concatenated `params`; null when either vector is zero. */
      cosine: number | null;
      /** cos(rule, exact) of each parameter separately (null when either is zero). */
      cosineByParam: Partial<Record<ParamName, number | null>>;
      /** |rule| / |exact| over `params` (null when the exact gradient is zero). */
      normRatio: number | null;
      /** Wall time of the rule's gradient call. */
      seconds: number;
    }
  | { label: string; skipped: string };

export interface CompareOptions {
  /**
   * Generator for stochastic rules (np, es), the random feedback matrix and state noise
   * (required). Each rule gets a copy in the same state, so every rule sees the same state noise.
   */
  rng: Rng;
  /** Parameters over which cosines are taken (default: the model's trainable parameters). */
  params?: readonly ParamName[];
}

/** The rules `compareRules` runs, in order: [label, name, options]. */
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
 * skipped, with the reason.
 */
export function compareRules(model: LeakyRNN, trials: Trials, options: CompareOptions): { loss: number; exact: ParamSet; params: ParamName[]; rules: RuleComparison[] } {
  expectKnownKeys(expectObject(options, 'options'), ['rng', 'params'], 'options');
  if (!(options.rng instanceof Rng)) throw typeError('options.rng', 'an Rng (np, es and the random feedback matrix draw from it)', options.rng);
  checkTrials(trials, model);
  const rng = options.rng;
  const params = [...(options.params ?? model.config.trainable)];
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
