/**
 * `rnnlab train`: train one model on one task with one rule, with a progress bar, and write the
 * loss curve (CSV and JSON), the initial and final model files and a run record.
 * @module
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { evaluate } from '../experiment/evaluate.js';
import { train } from '../experiment/train.js';
import type { TrainResult } from '../experiment/train.js';
import { writeFileAtomic, writeJsonFile } from '../io/files.js';
import { modelToJSON, writeModelFile } from '../io/model-file.js';
import { ACTIVATIONS, INIT_SCHEMES, LeakyRNN } from '../model/leaky-rnn.js';
import type { Activation, InitScheme } from '../model/leaky-rnn.js';
import { DTYPES } from '../model/params.js';
import type { DType } from '../model/params.js';
import { OPTIMIZERS, createOptimizer } from '../optim/index.js';
import { Rng } from '../rng.js';
import { createTask, taskNames } from '../tasks/index.js';
import { rangeError } from '../validate.js';
import { VERSION } from '../version.js';
import { integerOption, keyValueOption, numberOption, prepareOutputDir, printJson } from './common.js';
import { createProgressBar } from './progress.js';
import { addRuleOptions, ruleFromCli } from './rule-options.js';
import type { RuleCliOptions } from './rule-options.js';

interface TrainCliOptions extends RuleCliOptions {
  task: string;
  taskOption?: Record<string, unknown>;
  gain: number;
  iters: number;
  batch: number;
  hidden: number;
  lr: number;
  optimizer: string;
  momentum?: number;
  clip?: number;
  activation: Activation;
  alpha?: number;
  tau?: number;
  noise: number;
  dale: boolean;
  excitatoryFraction?: number;
  connectivity?: number;
  init: InitScheme;
  dtype: DType;
  seed: number;
  logEvery: number;
  evalBatch: number;
  out?: string;
  force: boolean;
  json: boolean;
  progress: boolean;
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('Train a leaky RNN on a task with a learning rule; write the loss curve and the model.')
    .requiredOption('--task <name>', `task (${taskNames().join(', ')})`)
    .option('--task-option <key=value>', 'task setting, repeatable (e.g. --task-option test=true)', keyValueOption('--task-option'));
  addRuleOptions(command)
    .option('--gain <g>', 'recurrent gain: Wh ~ N(0, g^2/N)', numberOption('--gain', { min: 0 }), 1)
    .option('--iters <n>', 'training iterations (updates)', integerOption('--iters', 0), 2000)
    .option('--batch <B>', 'trials per batch', integerOption('--batch', 1), 32)
    .option('--hidden <N>', 'hidden units', integerOption('--hidden', 1), 64)
    .option('--lr <rate>', 'learning rate', numberOption('--lr', { min: 0 }), 1e-3)
    .addOption(new Option('--optimizer <name>', 'optimizer').choices([...OPTIMIZERS]).default('adam'))
    .option('--momentum <m>', 'SGD momentum', numberOption('--momentum', { min: 0, max: 1, maxExclusive: true }))
    .option('--clip <norm>', 'clip the gradient 2-norm to this value', numberOption('--clip', { min: 0, minExclusive: true }))
    .addOption(new Option('--activation <f>', 'activation').choices([...ACTIVATIONS]).default('relu'))
    .option('--alpha <a>', "leak factor in [0, 1) (default 1 - dt/tau from the task's dt and tau)", numberOption('--alpha', { min: 0, max: 1, maxExclusive: true }))
    .option('--tau <tau>', "membrane time constant in the task's time unit (default: the task's)", numberOption('--tau', { min: 0, minExclusive: true }))
    .option('--noise <std>', 'state noise standard deviation per step', numberOption('--noise', { min: 0 }), 0)
    .option('--dale', "Dale's law on the recurrent weights (sign by presynaptic unit, no autapses)", false)
    .option('--excitatory-fraction <f>', "fraction of excitatory units with --dale (default 0.8)", numberOption('--excitatory-fraction', { min: 0, max: 1, minExclusive: true, maxExclusive: true }))
    .option('--connectivity <p>', 'probability of each recurrent connection: a fixed Bernoulli(p) mask, saved with the model (default 1)', numberOption('--connectivity', { min: 0, max: 1, minExclusive: true }))
    .addOption(new Option('--init <scheme>', 'input/readout initialisation').choices([...INIT_SCHEMES]).default('yang2020'))
    .addOption(new Option('--dtype <type>', 'floating-point type').choices([...DTYPES]).default('float32'))
    .option('--seed <n>', 'random seed (weights, batches, noise)', integerOption('--seed', 0), 0)
    .option('--log-every <n>', 'log the mean loss every n iterations', integerOption('--log-every', 1), 10)
    .option('--eval-batch <n>', 'trials in the fixed batch scored before and after training', integerOption('--eval-batch', 1), 256)
    .option('--out <dir>', 'write loss.csv, loss.json, model.json, model-init.json and run.json here')
    .option('--force', 'allow --out to be a non-empty folder (replaces only the files listed above)', false)
    .option('--json', 'print one JSON summary on stdout', false)
    .option('--no-progress', 'no progress bar on stderr')
    .action((options: TrainCliOptions) => runTrain(options));
}

function runTrain(o: TrainCliOptions): void {
  if (o.out !== undefined) prepareOutputDir(o.out, o.force);
  const rng = new Rng(o.seed);
  const rule = ruleFromCli(o, rng);
  const task = createTask(o.task, o.taskOption ?? {});
  const tau = o.tau ?? task.info.tau;
  const alpha = o.alpha ?? 1 - task.info.dt / tau;
  if (!(alpha >= 0 && alpha < 1)) throw rangeError('--tau', `a value >= dt (${task.info.dt}) so that alpha = 1 - dt/tau is in [0, 1)`, tau);
  const config = {
    nIn: task.info.inputs.length,
    nHidden: o.hidden,
    nOut: task.info.outputs.length,
    alpha,
    activation: o.activation,
    noiseStd: o.noise,
    ...(o.alpha === undefined ? { dt: task.info.dt, tau } : {}),
    ...(o.dale ? { dale: true } : {}),
    ...(o.excitatoryFraction !== undefined ? { excitatoryFraction: o.excitatoryFraction } : {}),
    ...(o.connectivity !== undefined ? { connectivity: o.connectivity } : {}),
  };
  const model = LeakyRNN.create(config, { rng: rng.fork('init'), gain: o.gain, init: o.init, dtype: o.dtype });
  const initial = model.clone();
  const optimizer = createOptimizer(o.optimizer, o.optimizer === 'sgd' ? { lr: o.lr, momentum: o.momentum ?? 0 } : { lr: o.lr });
  const evalBatch = task.sample(rng.fork('eval'), o.evalBatch);
  const lossBefore = evaluate(model, evalBatch, { rng: rng.fork('eval-noise') }).loss;

  const bar = createProgressBar(o.iters, 'train', '| loss {loss} | {speed} it/s', { loss: '-', speed: '-' }, o.progress);
  let result: TrainResult;
  try {
    result = train(model, {
      task,
      rule,
      optimizer,
      iters: o.iters,
      batchSize: o.batch,
      rng: rng.fork('train'),
      logEvery: o.logEvery,
      ...(o.clip !== undefined ? { clipNorm: o.clip } : {}),
      onProgress: (p) => bar.update(p.iter, { loss: p.loss.toPrecision(4), speed: p.itersPerSecond.toFixed(0) }),
    });
  } finally {
    bar.stop();
  }
  const lossAfter = result.diverged ? NaN : evaluate(model, evalBatch, { rng: rng.fork('eval-noise') }).loss;

  const summary = {
    task: o.task,
    rule: rule.name,
    gain: o.gain,
    seed: o.seed,
    iterations: result.iterations,
    lossBefore,
    lossAfter,
    finalLoggedLoss: result.lossCurve.at(-1)?.loss ?? null,
    diverged: result.diverged,
    seconds: result.seconds,
    itersPerSecond: result.iterations / result.seconds,
    out: o.out ?? null,
  };
  if (o.out !== undefined) {
    const overwrite = o.force;
    writeFileAtomic(join(o.out, 'loss.csv'), `iter,loss\n${result.lossCurve.map((p) => `${p.iter},${p.loss}`).join('\n')}\n`, { overwrite });
    writeJsonFile(join(o.out, 'loss.json'), { iter: result.lossCurve.map((p) => p.iter), loss: result.lossCurve.map((p) => p.loss) }, { overwrite });
    writeModelFile(join(o.out, 'model-init.json'), initial, { overwrite });
    writeModelFile(join(o.out, 'model.json'), model, { overwrite });
    writeJsonFile(
      join(o.out, 'run.json'),
      {
        format: 'rnnlab.run/1',
        version: VERSION,
        date: new Date().toISOString(),
        settings: { ...o, taskSettings: task.settings, model: modelToJSON(model).config },
        ...summary,
      },
      { overwrite },
    );
  }
  if (o.json) printJson(summary);
  else {
    process.stderr.write(
      `rnnlab train: ${o.task}/${rule.name}, gain ${o.gain}, seed ${o.seed}: loss ${lossBefore.toPrecision(4)} -> ${lossAfter.toPrecision(4)} ` +
        `on ${o.evalBatch} held-out trials, ${result.iterations} iterations in ${result.seconds.toFixed(1)} s` +
        `${result.diverged ? ` (diverged at iteration ${result.diverged.iter}: ${result.diverged.reason})` : ''}${o.out ? `; wrote ${o.out}` : ''}\n`,
    );
  }
}
