/**
 * `rnnlab grad`: the gradient of the loss of a model on a trials file.
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { readModelFile } from '../io/model-file.js';
import { readTrialsFile } from '../io/trials-file.js';
import { DTYPES, PARAM_NAMES } from '../model/params.js';
import type { DType, ParamName } from '../model/params.js';
import { Rng } from '../rng.js';
import { computeGradient, ruleNames } from '../rules/index.js';
import { toNested } from '../validate.js';
import { integerOption, printJson } from './common.js';

interface GradCliOptions {
  model: string;
  trials: string;
  rule: string;
  dtype: DType;
  seed: number;
  json: boolean;
}

/** Parameters reported by grad: the DESIGN.md contract, plus h0 when the model trains it. */
const REPORTED: readonly ParamName[] = ['Wh', 'Wx', 'Wout', 'b', 'bOut'];

export function registerGrad(program: Command): void {
  program
    .command('grad')
    .description('Print the gradient of the loss of a model on a batch of trials.')
    .requiredOption('--model <file>', 'model file (rnnlab.model/1)')
    .requiredOption('--trials <file>', 'trials file (inputs, targets, mask, loss)')
    .option('--rule <name>', `learning rule (${ruleNames().join(', ')})`, 'bptt')
    .addOption(new Option('--dtype <type>', 'floating-point type of the computation').choices([...DTYPES]).default('float64'))
    .option('--seed <n>', 'seed for state noise and stochastic rules', integerOption('--seed', 0), 0)
    .option('--json', 'print { loss, grads } as JSON on stdout', false)
    .action((options: GradCliOptions) => runGrad(options));
}

function runGrad(o: GradCliOptions): void {
  const model = readModelFile(o.model, { dtype: o.dtype, field: '--model' });
  const trials = readTrialsFile(o.trials, { nOut: model.config.nOut, field: '--trials' });
  const { loss, grads } = computeGradient(model, trials, { rule: o.rule, rng: new Rng(o.seed) });
  const names = PARAM_NAMES.filter((n) => REPORTED.includes(n) || (n === 'h0' && model.config.trainable.includes('h0')));
  if (o.json) {
    const out: Record<string, unknown> = {};
    for (const name of names) out[name] = toNested(grads.get(name), grads.shape(name));
    printJson({ loss, grads: out });
    return;
  }
  const lines = [`loss ${loss}`, `rule ${o.rule}`];
  for (const name of names) {
    const g = grads.get(name);
    let sq = 0;
    for (let k = 0; k < g.length; k++) sq += g[k]! * g[k]!;
    lines.push(`  d${name.padEnd(5)} shape ${grads.shape(name).join('x').padEnd(8)} norm ${Math.sqrt(sq).toExponential(4)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
