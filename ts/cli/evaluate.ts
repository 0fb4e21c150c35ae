/**
 * `rnnlab evaluate`: score a saved model on fresh trials of a task (loss, decision accuracy,
 * normalised accuracy).
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { evaluate } from '../experiment/evaluate.js';
import { readModelFile } from '../io/model-file.js';
import { DTYPES } from '../model/params.js';
import type { DType } from '../model/params.js';
import { Rng } from '../rng.js';
import { createTask, taskNames } from '../tasks/index.js';
import { rangeError } from '../validate.js';
import { integerOption, keyValueOption, printJson } from './common.js';

interface EvaluateCliOptions {
  model: string;
  task: string;
  taskOption?: Record<string, unknown>;
  trials?: number;
  seed: number;
  dtype: DType;
  json: boolean;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('Score a saved model on fresh trials of a task: loss, decision accuracy and normalised accuracy.')
    .requiredOption('--model <file>', 'model file (rnnlab.model/1)')
    .requiredOption('--task <name>', `task (${taskNames().join(', ')})`)
    .option('--task-option <key=value>', 'task setting, repeatable (e.g. --task-option preset=liu2025)', keyValueOption('--task-option'))
    .option('--trials <n>', 'trials to sample (default 1000; mante72: its 72 conditions)', integerOption('--trials', 1))
    .option('--seed <n>', 'seed for the trials and any state noise', integerOption('--seed', 0), 0)
    .addOption(new Option('--dtype <type>', 'floating-point type of the computation').choices([...DTYPES]).default('float64'))
    .option('--json', 'print one JSON object on stdout', false)
    .action((options: EvaluateCliOptions) => runEvaluate(options));
}

function runEvaluate(o: EvaluateCliOptions): void {
  const model = readModelFile(o.model, { dtype: o.dtype, field: '--model' });
  const task = createTask(o.task, o.taskOption ?? {});
  const { info } = task;
  const c = model.config;
  if (c.nIn !== info.inputs.length || c.nOut !== info.outputs.length) {
    throw rangeError(
      '--task',
      `a task with the model's ${c.nIn} inputs and ${c.nOut} outputs`,
      undefined,
      `${info.name} (${info.inputs.length} inputs, ${info.outputs.length} outputs)`,
    );
  }
  if (c.dt !== undefined && Math.abs(c.dt - info.dt) > 1e-12 * Math.max(1, c.dt)) {
    throw rangeError('--task', `a task with dt = ${c.dt} (the model's config.dt; pass --task-option dt=${c.dt})`, undefined, `${info.name} with dt ${info.dt}`);
  }
  const n = o.trials ?? info.conditionCount ?? 1000;
  const rng = new Rng(o.seed);
  const batch = task.sample(rng.fork('trials'), n);
  const e = evaluate(model, batch, { task, rng: rng.fork('noise') });
  const summary = {
    task: info.name,
    model: o.model,
    trials: n,
    seed: o.seed,
    loss: e.loss,
    accuracy: e.accuracy ?? null,
    chance: e.chance ?? null,
    normalizedAccuracy: e.normalizedAccuracy ?? null,
  };
  if (o.json) {
    printJson(summary);
    return;
  }
  const lines = [
    `task ${info.name}, ${n} trials, seed ${o.seed}`,
    `  loss                 ${e.loss.toPrecision(6)} (${info.loss})`,
    ...(e.accuracy !== undefined ? [`  accuracy             ${e.accuracy.toFixed(4)} (chance ${e.chance!.toFixed(3)})`] : []),
    `  normalised accuracy  ${e.normalizedAccuracy!.toFixed(4)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
