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
import type { LossPoint, TrainResult } from '../experiment/train.js';
import { FLOSS_MODES } from '../analysis/flossing.js';
import type { FlossMode, FlossTrainOptions } from '../analysis/flossing.js';
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
  batch?: number;
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
  evalBatch?: number;
  trackAccuracy: boolean;
  flossPretrain: number;
  flossMode: FlossMode;
  flossK?: number;
  flossLr: number;
  flossSteps?: number;
  flossWarmupQ?: number;
  flossBatch: number;
  flossEvery?: number;
  flossRepeats?: number;
  flossRepeatIters?: number;
  lyapunov?: boolean;
  lyapunovBatch: number;
  lyapunovWarmup: number;
  lyapunovSteps: number;
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
    .option('--batch <B>', 'trials per batch (default 32; mante72: its 72 conditions)', integerOption('--batch', 1))
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
    .option('--eval-batch <n>', 'trials in the fixed held-out batch scored before and after training (default 256; mante72: its 72 conditions)', integerOption('--eval-batch', 1))
    .option('--track-accuracy', 'also score the held-out batch at every log point (adds evalLoss, accuracy, normalizedAccuracy to loss.csv and loss.json)', false)
    .option('--out <dir>', 'write loss.csv, loss.json, model.json, model-init.json and run.json here')
    .option('--force', 'allow --out to be a non-empty folder (replaces only the files listed above)', false)
    .option('--json', 'print one JSON summary on stdout', false)
    // Dynamics (issue 5): gradient flossing and the maximum Lyapunov exponent.
    .option('--floss-pretrain <n>', 'gradient-flossing iterations before training (0 = none; paper 1 uses 100)', integerOption('--floss-pretrain', 0), 0)
    .addOption(new Option('--floss-mode <mode>', 'flossing gradient: full, hdetached or local (time-local, bio-plausible)').choices([...FLOSS_MODES]).default('local'))
    .option('--floss-k <k>', 'exponents flossed (default min(16, N))', integerOption('--floss-k', 1))
    .option('--floss-lr <lr>', 'Adam learning rate of flossing (its own Adam state)', numberOption('--floss-lr', { min: 0 }), 1e-3)
    .option('--floss-steps <T>', 'input rows per flossing sequence, warm-up included (default 55)', integerOption('--floss-steps', 1))
    .option('--floss-warmup-q <n>', 'transient QR steps of each flossing sequence (default 10 + ceil(T/10))', integerOption('--floss-warmup-q', 0))
    .option('--floss-batch <n>', 'trajectories per flossing update', integerOption('--floss-batch', 1), 1)
    .option('--floss-every <n>', 'also floss every n training iterations', integerOption('--floss-every', 1))
    .option('--floss-repeats <m>', 'at most m flossing phases during training (default 1 with --floss-every)', integerOption('--floss-repeats', 0))
    .option('--floss-repeat-iters <n>', 'flossing iterations per phase during training (default: --floss-pretrain, or 100)', integerOption('--floss-repeat-iters', 0))
    .option('--lyapunov', 'record the maximum Lyapunov exponent before and after training (off by default)')
    .option('--no-lyapunov', 'do not record it')
    .option('--lyapunov-batch <n>', 'trajectories for the maximum Lyapunov exponent', integerOption('--lyapunov-batch', 1), 15)
    .option('--lyapunov-warmup <n>', 'tangent warm-up steps for the maximum Lyapunov exponent', integerOption('--lyapunov-warmup', 0), 100)
    .option('--lyapunov-steps <n>', 'accumulation steps for the maximum Lyapunov exponent', integerOption('--lyapunov-steps', 1), 100)
    .option('--no-progress', 'no progress bar on stderr')
    .action((options: TrainCliOptions) => runTrain(options));
}

function runTrain(o: TrainCliOptions): void {
  if (o.out !== undefined) prepareOutputDir(o.out, o.force);
  if (o.flossK !== undefined && o.flossK > o.hidden) throw rangeError('--floss-k', `an integer in [1, ${o.hidden}] (k <= --hidden)`, o.flossK);
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
  const batchSize = o.batch ?? task.info.conditionCount ?? 32;
  const evalTrials = o.evalBatch ?? task.info.conditionCount ?? 256;
  const evalBatch = task.sample(rng.fork('eval'), evalTrials);
  const before = evaluate(model, evalBatch, { rng: rng.fork('eval-noise'), task });
  const lossBefore = before.loss;
  // Dynamics: weight eigenvalues always, the maximum Lyapunov exponent on request.
  const lyapunovProtocol = { batch: o.lyapunovBatch, warmup: o.lyapunovWarmup, steps: o.lyapunovSteps };
  const floss = flossOptions(o);

  const showAccuracy = o.trackAccuracy && task.info.decisionPeriod !== undefined;
  const bar = createProgressBar(
    o.iters,
    'train',
    `| loss {loss}${showAccuracy ? ' | acc {acc}' : ''} | {speed} it/s`,
    { loss: '-', acc: '-', speed: '-' },
    o.progress,
  );
  let result: TrainResult;
  try {
    result = train(model, {
      task,
      rule,
      optimizer,
      iters: o.iters,
      batchSize,
      rng: rng.fork('train'),
      logEvery: o.logEvery,
      ...(o.clip !== undefined ? { clipNorm: o.clip } : {}),
      ...(o.trackAccuracy ? { evalBatch } : {}),
      ...(floss !== undefined ? { floss } : {}),
      ...(o.lyapunov ? { lyapunov: { ...lyapunovProtocol, rng: rng.fork('lyapunov') } } : {}),
      eigenvalues: true,
      onProgress: (p) => bar.update(p.iter, { loss: p.loss.toPrecision(4), acc: p.accuracy?.toFixed(3) ?? '-', speed: p.itersPerSecond.toFixed(0) }),
    });
  } finally {
    bar.stop();
  }
  const after = result.diverged ? null : evaluate(model, evalBatch, { rng: rng.fork('eval-noise'), task });
  const lossAfter = after ? after.loss : NaN;
  const spectrumBefore = result.dynamics!.eigenvalues!.before;
  const spectrumAfter = result.dynamics!.eigenvalues!.after;
  const lyapunov = result.dynamics!.maxLyapunov;
  const lyapunovBefore = lyapunov?.before ?? null;
  const lyapunovAfter = lyapunov?.after ?? null;
  const afterFloss = lyapunov?.afterFlossPretrain ?? null;
  const flossSummary = result.floss.map((p) => ({
    afterIteration: p.afterIteration,
    iterations: p.iterations,
    lossFirst: p.loss[0] ?? null,
    lossLast: p.loss.at(-1) ?? null,
    maxExponentFirst: p.maxExponent[0] ?? null,
    maxExponentLast: p.maxExponent.at(-1) ?? null,
    seconds: p.seconds,
  }));
  const summary = {
    task: o.task,
    rule: rule.name,
    gain: o.gain,
    seed: o.seed,
    iterations: result.iterations,
    lossBefore,
    lossAfter,
    evalTrials,
    accuracyBefore: before.accuracy ?? null,
    accuracyAfter: after ? (after.accuracy ?? null) : null,
    chance: before.chance ?? null,
    normalizedAccuracyBefore: before.normalizedAccuracy ?? null,
    normalizedAccuracyAfter: after ? (after.normalizedAccuracy ?? null) : null,
    spectralRadiusBefore: spectrumBefore.spectralRadius,
    spectralRadiusAfter: spectrumAfter?.spectralRadius ?? null,
    ...(o.lyapunov
      ? {
          maxLyapunovBefore: lyapunovBefore?.mean ?? null,
          ...(afterFloss ? { maxLyapunovAfterFloss: afterFloss.mean } : {}),
          maxLyapunovAfter: lyapunovAfter?.mean ?? null,
        }
      : {}),
    ...(floss !== undefined ? { floss: flossSummary } : {}),
    finalLoggedLoss: result.lossCurve.at(-1)?.loss ?? null,
    diverged: result.diverged,
    seconds: result.seconds,
    itersPerSecond: result.iterations / result.seconds,
    out: o.out ?? null,
  };
  if (o.out !== undefined) {
    const overwrite = o.force;
    const curve = result.lossCurve;
    const columns: (keyof LossPoint)[] = o.trackAccuracy ? ['iter', 'loss', 'evalLoss', 'accuracy', 'normalizedAccuracy'] : ['iter', 'loss'];
    const cell = (p: LossPoint, c: keyof LossPoint): string => (p[c] === undefined ? '' : String(p[c]));
    writeFileAtomic(join(o.out, 'loss.csv'), `${columns.join(',')}\n${curve.map((p) => columns.map((c) => cell(p, c)).join(',')).join('\n')}\n`, { overwrite });
    writeJsonFile(join(o.out, 'loss.json'), Object.fromEntries(columns.map((c) => [c, curve.map((p) => p[c] ?? null)])), { overwrite });
    writeModelFile(join(o.out, 'model-init.json'), initial, { overwrite });
    writeModelFile(join(o.out, 'model.json'), model, { overwrite });
    writeJsonFile(
      join(o.out, 'run.json'),
      {
        format: 'rnnlab.run/1',
        version: VERSION,
        date: new Date().toISOString(),
        settings: { ...o, batch: batchSize, evalBatch: evalTrials, taskSettings: task.settings, model: modelToJSON(model).config },
        dynamics: {
          weightSpectrum: { before: spectrumBefore, after: spectrumAfter },
          ...(o.lyapunov
            ? {
                maxLyapunov: {
                  protocol: { ...lyapunovProtocol, k: 1, qrEvery: 1, unit: 'per step, natural log', inputs: `fresh ${o.task} trials, concatenated` },
                  before: lyapunovBefore,
                  ...(afterFloss ? { afterFlossPretrain: afterFloss } : {}),
                  after: lyapunovAfter,
                },
              }
            : {}),
          ...(floss !== undefined ? { floss: { options: floss, phases: result.floss } } : {}),
        },
        ...summary,
      },
      { overwrite },
    );
  }
  if (o.json) printJson(summary);
  else {
    process.stderr.write(
      `rnnlab train: ${o.task}/${rule.name}, gain ${o.gain}, seed ${o.seed}: loss ${lossBefore.toPrecision(4)} -> ${lossAfter.toPrecision(4)}` +
        `${summary.accuracyBefore !== null ? `, accuracy ${fmt(summary.accuracyBefore)} -> ${fmt(summary.accuracyAfter)} (chance ${fmt(summary.chance)})` : ''}` +
        `, normalised accuracy ${fmt(summary.normalizedAccuracyBefore)} -> ${fmt(summary.normalizedAccuracyAfter)}` +
        ` on ${evalTrials} held-out trials, ${result.iterations} iterations in ${result.seconds.toFixed(1)} s` +
        `${result.diverged ? ` (diverged at iteration ${result.diverged.iter}: ${result.diverged.reason})` : ''}${o.out ? `; wrote ${o.out}` : ''}\n`,
    );
    if (lyapunovBefore) {
      process.stderr.write(
        `rnnlab train: max Lyapunov exponent (per step) ${lyapunovBefore.mean.toFixed(4)}${afterFloss ? ` -> ${afterFloss.mean.toFixed(4)} after flossing` : ''} -> ${lyapunovAfter ? lyapunovAfter.mean.toFixed(4) : 'n/a'} after training\n`,
      );
    }
  }
}

function fmt(value: number | null): string {
  return value === null || Number.isNaN(value) ? '-' : value.toFixed(3);
}

/** The flossing options of train() from the command line, or undefined when flossing is off. */
function flossOptions(o: TrainCliOptions): FlossTrainOptions | undefined {
  if (o.flossPretrain === 0 && o.flossEvery === undefined) return undefined;
  return {
    iters: o.flossPretrain,
    mode: o.flossMode,
    lr: o.flossLr,
    batchSize: o.flossBatch,
    ...(o.flossK !== undefined ? { k: o.flossK } : {}),
    ...(o.flossSteps !== undefined ? { sequenceSteps: o.flossSteps } : {}),
    ...(o.flossWarmupQ !== undefined ? { warmupQ: o.flossWarmupQ } : {}),
    ...(o.flossEvery !== undefined ? { every: o.flossEvery } : {}),
    ...(o.flossRepeats !== undefined ? { repeats: o.flossRepeats } : {}),
    ...(o.flossRepeatIters !== undefined ? { repeatIters: o.flossRepeatIters } : {}),
  };
}
