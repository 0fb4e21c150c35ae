/**
 * `rnnlab grad`: the gradient of the loss of a model on a trials file, or a learning rule's
 * estimate of it; `--rule all` runs every rule and reports each one's cosine alignment with the
 * exact gradient.
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { readModelFile } from '../io/model-file.js';
import { readTrialsFile } from '../io/trials-file.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { DTYPES, PARAM_NAMES } from '../model/params.js';
import type { DType, ParamName, ParamSet } from '../model/params.js';
import { Rng } from '../rng.js';
import { compareRules } from '../rules/compare.js';
import { computeGradient } from '../rules/index.js';
import { rangeError, toNested } from '../validate.js';
import { integerOption, printJson } from './common.js';
import { addRuleOptions, ruleFromCli } from './rule-options.js';
import type { RuleCliOptions } from './rule-options.js';

interface GradCliOptions extends RuleCliOptions {
  model: string;
  trials: string;
  dtype: DType;
  seed: number;
  json: boolean;
}

/** Parameters reported by grad: the DESIGN.md contract, plus h0 when the model trains it. */
const REPORTED: readonly ParamName[] = ['Wh', 'Wx', 'Wout', 'b', 'bOut'];

export function registerGrad(program: Command): void {
  const command = program
    .command('grad')
    .description('Print the gradient of the loss of a model on a batch of trials (or a learning rule\'s estimate of it; --rule all compares every rule with the exact gradient).')
    .requiredOption('--model <file>', 'model file (rnnlab.model/1)')
    .requiredOption('--trials <file>', 'trials file (inputs, targets, mask, loss)');
  addRuleOptions(command, ['all'])
    .addOption(new Option('--dtype <type>', 'floating-point type of the computation').choices([...DTYPES]).default('float64'))
    .option('--seed <n>', 'seed for state noise, stochastic rules and random feedback', integerOption('--seed', 0), 0)
    .option('--json', 'print { loss, grads } (with --rule all also { rules }) as JSON on stdout', false)
    .action((options: GradCliOptions) => runGrad(options));
}

function reportedNames(model: LeakyRNN): ParamName[] {
  return PARAM_NAMES.filter((n) => REPORTED.includes(n) || (n === 'h0' && model.config.trainable.includes('h0')));
}

function gradsJson(grads: ParamSet, names: readonly ParamName[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = toNested(grads.get(name), grads.shape(name));
  return out;
}

function runGrad(o: GradCliOptions): void {
  const model = readModelFile(o.model, { dtype: o.dtype, field: '--model' });
  const trials = readTrialsFile(o.trials, { nOut: model.config.nOut, field: '--trials' });
  const names = reportedNames(model);
  const rng = new Rng(o.seed);
  if (o.rule === 'all') {
    if (o.ruleOption !== undefined || o.feedback !== undefined) {
      throw rangeError(o.feedback !== undefined ? '--feedback' : '--rule-option', 'no rule settings with --rule all (every rule runs with its defaults; eprop also with random feedback)', o.feedback ?? o.ruleOption);
    }
    runAll(model, trials, names, rng, o.json);
    return;
  }
  const rule = ruleFromCli(o, rng);
  const { loss, grads } = computeGradient(model, trials, { rule, rng });
  if (o.json) {
    printJson({ loss, grads: gradsJson(grads, names) });
    return;
  }
  const lines = [`loss ${loss}`, `rule ${rule.name}: ${rule.description}`];
  for (const name of names) {
    const g = grads.get(name);
    let sq = 0;
    for (let k = 0; k < g.length; k++) sq += g[k]! * g[k]!;
    lines.push(`  d${name.padEnd(5)} shape ${grads.shape(name).join('x').padEnd(8)} norm ${Math.sqrt(sq).toExponential(4)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function runAll(model: LeakyRNN, trials: ReturnType<typeof readTrialsFile>, names: ParamName[], rng: Rng, json: boolean): void {
  const result = compareRules(model, trials, { rng });
  if (json) {
    const rules: Record<string, unknown> = {};
    for (const r of result.rules) {
      rules[r.label] = 'skipped' in r ? { skipped: r.skipped } : { loss: r.loss, cosine: r.cosine, cosineByParam: r.cosineByParam, normRatio: r.normRatio, seconds: r.seconds, grads: gradsJson(r.grads, names) };
    }
    printJson({ loss: result.loss, grads: gradsJson(result.exact, names), cosineOver: result.params, rules });
    return;
  }
  const header = ['rule', 'cos(rule, bptt)', '|rule|/|bptt|', 'seconds'];
  const rows = result.rules.map((r) => ('skipped' in r ? [r.label, `skipped: ${r.skipped}`, '', ''] : [r.label, r.cosine === null ? 'n/a' : r.cosine.toFixed(4), r.normRatio === null ? 'n/a' : r.normRatio.toFixed(4), r.seconds.toFixed(4)]));
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => (c === 1 && row[2] === '' ? 0 : row[c]!.length))));
  const lines = [`loss ${result.loss}; cosines over ${result.params.join(', ')}`, ...[header, ...rows].map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd())];
  process.stdout.write(`${lines.join('\n')}\n`);
}
