/**
 * `rnnlab train`: train one model on one task with one rule, with a progress bar, and write the
 * loss curve (CSV and JSON), the initial and final model files and a run record.
 * @module
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { executeRun, prepareRun } from '../experiment/run.js';
import type { RunRecord } from '../experiment/run.js';
import type { RunConfig, RunConfigInput } from '../experiment/run-config.js';
import { FLOSS_MODES } from '../analysis/flossing.js';
import type { FlossMode } from '../analysis/flossing.js';
import { writeFileAtomic, writeJsonFile } from '../io/files.js';
import { modelToJSON, writeModelFile } from '../io/model-file.js';
import { ACTIVATIONS, INIT_SCHEMES } from '../model/leaky-rnn.js';
import type { Activation, InitScheme } from '../model/leaky-rnn.js';
import { DTYPES } from '../model/params.js';
import type { DType } from '../model/params.js';
import { OPTIMIZERS } from '../optim/index.js';
import { taskNames } from '../tasks/index.js';
import { rangeError } from '../validate.js';
import { integerOption, keyValueOption, numberOption, prepareOutputDir, printJson } from './common.js';
import { createProgressBar } from './progress.js';
import { addRuleOptions } from './rule-options.js';
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

/** The run settings (as a sweep would give them) that the command-line options describe. */
export function runConfigFromCli(o: TrainCliOptions): RunConfigInput {
  const ruleOptions: Record<string, unknown> = { ...(o.ruleOption ?? {}) };
  if (o.feedback !== undefined) {
    if (ruleOptions.feedback !== undefined) throw rangeError('--feedback', 'either --feedback or --rule-option feedback=..., not both', o.feedback);
    ruleOptions.feedback = o.feedback;
  }
  const flossing = o.flossPretrain > 0 || o.flossEvery !== undefined;
  const flossOptions = {
    lr: o.flossLr,
    batchSize: o.flossBatch,
    ...(o.flossK !== undefined ? { k: o.flossK } : {}),
    ...(o.flossSteps !== undefined ? { sequenceSteps: o.flossSteps } : {}),
    ...(o.flossWarmupQ !== undefined ? { warmupQ: o.flossWarmupQ } : {}),
    ...(o.flossEvery !== undefined ? { every: o.flossEvery } : {}),
    ...(o.flossRepeats !== undefined ? { repeats: o.flossRepeats } : {}),
    ...(o.flossRepeatIters !== undefined ? { repeatIters: o.flossRepeatIters } : {}),
  };
  return {
    task: o.task,
    taskOptions: o.taskOption ?? {},
    rule: o.rule,
    ruleOptions,
    gain: o.gain,
    lr: o.lr,
    seed: o.seed,
    iters: o.iters,
    hidden: o.hidden,
    optimizer: o.optimizer as RunConfig['optimizer'],
    momentum: o.momentum ?? 0,
    clip: o.clip ?? 0,
    activation: o.activation,
    noise: o.noise,
    init: o.init,
    dtype: o.dtype,
    logEvery: o.logEvery,
    trackAccuracy: o.trackAccuracy,
    dale: o.dale,
    eigenvalues: true,
    lyapunov: o.lyapunov === true,
    ...(o.lyapunov ? { lyapunovOptions: { batch: o.lyapunovBatch, warmup: o.lyapunovWarmup, steps: o.lyapunovSteps } } : {}),
    ...(flossing ? { flossPretrain: o.flossPretrain, flossMode: o.flossMode, flossOptions } : {}),
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    ...(o.evalBatch !== undefined ? { evalBatch: o.evalBatch } : {}),
    ...(o.alpha !== undefined ? { alpha: o.alpha } : {}),
    ...(o.tau !== undefined ? { tau: o.tau } : {}),
    ...(o.excitatoryFraction !== undefined ? { excitatoryFraction: o.excitatoryFraction } : {}),
    ...(o.connectivity !== undefined ? { connectivity: o.connectivity } : {}),
  };
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '-' : value.toFixed(3);
}

/** The JSON summary `rnnlab train --json` prints. */
function summaryOf(record: RunRecord, ruleName: string, out: string | undefined): Record<string, unknown> {
  const { config, eval: scores, dynamics } = record;
  const lyapunov = dynamics?.maxLyapunov;
  return {
    task: config.task,
    rule: ruleName,
    gain: config.gain,
    seed: config.seed,
    iterations: record.iterations,
    lossBefore: scores.before.loss,
    lossAfter: scores.after ? scores.after.loss : NaN,
    evalTrials: scores.trials,
    accuracyBefore: scores.before.accuracy ?? null,
    accuracyAfter: scores.after ? (scores.after.accuracy ?? null) : null,
    chance: scores.before.chance ?? null,
    normalizedAccuracyBefore: scores.before.normalizedAccuracy ?? null,
    normalizedAccuracyAfter: scores.after ? (scores.after.normalizedAccuracy ?? null) : null,
    spectralRadiusBefore: dynamics?.weightSpectrum?.before.spectralRadius ?? null,
    spectralRadiusAfter: dynamics?.weightSpectrum?.after?.spectralRadius ?? null,
    ...(lyapunov
      ? {
          maxLyapunovBefore: lyapunov.before.mean,
          ...(lyapunov.afterFlossPretrain ? { maxLyapunovAfterFloss: lyapunov.afterFlossPretrain.mean } : {}),
          maxLyapunovAfter: lyapunov.after?.mean ?? null,
        }
      : {}),
    ...(dynamics?.floss
      ? {
          floss: dynamics.floss.phases.map((p) => ({
            afterIteration: p.afterIteration,
            iterations: p.iterations,
            lossFirst: p.loss[0] ?? null,
            lossLast: p.loss.at(-1) ?? null,
            maxExponentFirst: p.maxExponent[0] ?? null,
            maxExponentLast: p.maxExponent.at(-1) ?? null,
            seconds: p.seconds,
          })),
        }
      : {}),
    finalLoggedLoss: record.curve.loss.at(-1) ?? null,
    diverged: record.diverged,
    seconds: record.trainSeconds,
    itersPerSecond: record.iterations / record.trainSeconds,
    out: out ?? null,
  };
}

function runTrain(o: TrainCliOptions): void {
  if (o.out !== undefined) prepareOutputDir(o.out, o.force);
  if (o.flossK !== undefined && o.flossK > o.hidden) throw rangeError('--floss-k', `an integer in [1, ${o.hidden}] (k <= --hidden)`, o.flossK);
  const run = prepareRun(runConfigFromCli(o));
  const showAccuracy = o.trackAccuracy && run.task.info.decisionPeriod !== undefined;
  const bar = createProgressBar(o.iters, 'train', `| loss {loss}${showAccuracy ? ' | acc {acc}' : ''} | {speed} it/s`, { loss: '-', acc: '-', speed: '-' }, o.progress);
  let record: RunRecord;
  try {
    record = executeRun(run, {
      onProgress: (p) => bar.update(p.iter, { loss: p.loss.toPrecision(4), acc: p.accuracy?.toFixed(3) ?? '-', speed: p.itersPerSecond.toFixed(0) }),
    });
  } finally {
    bar.stop();
  }
  const summary = summaryOf(record, run.rule.name, o.out);
  if (o.out !== undefined) {
    const overwrite = o.force;
    const columns = (['iter', 'loss', 'evalLoss', 'accuracy', 'normalizedAccuracy'] as const).filter((c) => record.curve[c] !== undefined);
    const at = (c: (typeof columns)[number], k: number): number | null => {
      const v = record.curve[c]![k];
      return v === undefined || Number.isNaN(v) ? null : v;
    };
    const rows = record.curve.iter.map((_, k) => columns.map((c) => String(at(c, k) ?? '')).join(','));
    writeFileAtomic(join(o.out, 'loss.csv'), `${columns.join(',')}\n${rows.join('\n')}\n`, { overwrite });
    writeJsonFile(join(o.out, 'loss.json'), Object.fromEntries(columns.map((c) => [c, record.curve.iter.map((_, k) => at(c, k))])), { overwrite });
    writeModelFile(join(o.out, 'model-init.json'), run.initial, { overwrite });
    writeModelFile(join(o.out, 'model.json'), run.model, { overwrite });
    writeJsonFile(join(o.out, 'run.json'), { ...record, taskSettings: run.task.settings, model: modelToJSON(run.model).config, summary }, { overwrite });
  }
  if (o.json) printJson(summary);
  else {
    const s = summary as { lossBefore: number; lossAfter: number; accuracyBefore: number | null; accuracyAfter: number | null; chance: number | null; normalizedAccuracyBefore: number | null; normalizedAccuracyAfter: number | null };
    process.stderr.write(
      `rnnlab train: ${o.task}/${run.rule.name}, gain ${o.gain}, seed ${o.seed}: loss ${s.lossBefore.toPrecision(4)} -> ${s.lossAfter.toPrecision(4)}` +
        `${s.accuracyBefore !== null ? `, accuracy ${fmt(s.accuracyBefore)} -> ${fmt(s.accuracyAfter)} (chance ${fmt(s.chance)})` : ''}` +
        `, normalised accuracy ${fmt(s.normalizedAccuracyBefore)} -> ${fmt(s.normalizedAccuracyAfter)}` +
        ` on ${record.eval.trials} held-out trials, ${record.iterations} iterations in ${record.trainSeconds.toFixed(1)} s` +
        `${record.diverged ? ` (diverged at iteration ${record.diverged.iter}: ${record.diverged.reason})` : ''}${o.out ? `; wrote ${o.out}` : ''}\n`,
    );
    const lyapunov = record.dynamics?.maxLyapunov;
    if (lyapunov) {
      process.stderr.write(
        `rnnlab train: max Lyapunov exponent (per step) ${lyapunov.before.mean.toFixed(4)}${lyapunov.afterFlossPretrain ? ` -> ${lyapunov.afterFlossPretrain.mean.toFixed(4)} after flossing` : ''} -> ${lyapunov.after ? lyapunov.after.mean.toFixed(4) : 'n/a'} after training\n`,
      );
    }
  }
}
