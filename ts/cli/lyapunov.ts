/**
 * `rnnlab lyapunov`: the first k Lyapunov exponents of a model (DESIGN.md contract), optionally
 * on a task's inputs (one spectrum per trial, their mean and std) and with the gradient of the
 * flossing loss.
 *
 *   rnnlab lyapunov --model M.json [--inputs X.json] --k K --warmup-state A --warmup-q B --steps S [--json]
 *   -> { "exponents": [...] }   per step, natural log, Q0 = I[:, :k], h starts at h0
 * X.json holds one input row per step, warm-ups included: [A + B + S][nIn] (zeros when absent),
 * as a bare array or as { "inputs": [...] }.
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { FLOSS_GRADIENT_PARAMS, FLOSS_MODES, flossingGradient } from '../analysis/flossing.js';
import type { FlossMode } from '../analysis/flossing.js';
import { QR_METHODS, lyapunovSpectrum, taskInputSequences } from '../analysis/lyapunov.js';
import type { DriveOptions, LyapunovProtocol, QrMethod } from '../analysis/lyapunov.js';
import { readJsonFile } from '../io/files.js';
import { readModelFile } from '../io/model-file.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { DTYPES } from '../model/params.js';
import type { DType } from '../model/params.js';
import { Rng } from '../rng.js';
import { createTask, taskNames } from '../tasks/index.js';
import { rangeError, readNestedArray, toNested, typeError } from '../validate.js';
import { integerOption, keyValueOption, numberOption, printJson } from './common.js';

interface LyapunovCliOptions {
  model: string;
  inputs?: string;
  task?: string;
  taskOption?: Record<string, unknown>;
  batch?: number;
  seed: number;
  k?: number;
  warmupState: number;
  warmupQ: number;
  steps: number;
  qrEvery: number;
  qrMethod: QrMethod;
  q0: 'identity' | 'random';
  noise: boolean;
  dt?: number;
  perTime: boolean;
  flossGrad?: FlossMode;
  flossTarget: number;
  timing: boolean;
  dtype: DType;
  json: boolean;
}

export function registerLyapunov(program: Command): void {
  program
    .command('lyapunov')
    .description('Lyapunov exponents of a model (QR method; per step, natural log), optionally with the flossing gradient.')
    .requiredOption('--model <file>', 'model file (rnnlab.model/1)')
    .option('--inputs <file>', 'input rows [A+B+S][nIn], warm-ups included (JSON array, or { "inputs": [...] }); zeros when absent')
    .option('--task <name>', `drive with fresh trials of a task, concatenated (${taskNames().join(', ')})`)
    .option('--task-option <key=value>', 'task setting, repeatable', keyValueOption('--task-option'))
    .option('--batch <n>', 'with --task: trajectories, one spectrum each (default 1)', integerOption('--batch', 1))
    .option('--seed <n>', 'seed for task trials, frozen state noise and a random Q0', integerOption('--seed', 0), 0)
    .option('--k <K>', 'number of exponents (default N)', integerOption('--k', 1))
    .option('--warmup-state <A>', 'state-only warm-up steps', integerOption('--warmup-state', 0), 0)
    .option('--warmup-q <B>', 'tangent warm-up steps (QR, not accumulated)', integerOption('--warmup-q', 0), 0)
    .requiredOption('--steps <S>', 'accumulation steps', integerOption('--steps', 1))
    .option('--qr-every <m>', 'QR every m accumulation steps', integerOption('--qr-every', 1), 1)
    .addOption(new Option('--qr-method <method>', 'QR algorithm').choices([...QR_METHODS]).default('choleskyqr2'))
    .addOption(new Option('--q0 <frame>', 'initial frame').choices(['identity', 'random']).default('identity'))
    .option('--no-noise', "leave out the model's state noise (by default it is drawn once from --seed and frozen)")
    .option('--dt <dt>', "step size for --per-time (default: the model's config.dt)", numberOption('--dt', { min: 0, minExclusive: true }))
    .option('--per-time', 'also report exponents per unit time (per step / dt)', false)
    .addOption(new Option('--floss-grad <mode>', 'add the flossing loss (mean of squared exponents) and its gradient').choices([...FLOSS_MODES]))
    .option('--floss-target <t>', 'target exponent of the flossing loss', numberOption('--floss-target'), 0)
    .option('--timing', 'report the time spent in state updates, J Q products and QRs', false)
    .addOption(new Option('--dtype <type>', 'floating-point type of the computation').choices([...DTYPES]).default('float64'))
    .option('--json', 'print one JSON object on stdout', false)
    .action((options: LyapunovCliOptions) => runLyapunov(options));
}

/** Reads X.json: [T][nIn] rows, bare or as { "inputs": [...] }, with exactly `rows` rows. */
function readInputRows(path: string, model: LeakyRNN, rows: number, o: LyapunovCliOptions): Float64Array {
  const json = readJsonFile(path, '--inputs');
  let value: unknown = json;
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const keys = Object.keys(json);
    if (keys.length !== 1 || keys[0] !== 'inputs') throw typeError('--inputs', 'a JSON array of input rows or an object with the single key "inputs"', json);
    value = (json as { inputs: unknown }).inputs;
  }
  const nIn = model.config.nIn;
  const field = `--inputs (${path})`;
  if (!Array.isArray(value)) throw typeError(field, `an array of ${rows} input rows [${rows}][${nIn}]`, value);
  if (value.length !== rows) {
    throw rangeError(field, `${rows} rows (warmup-state ${o.warmupState} + warmup-q ${o.warmupQ} + steps ${o.steps}), each of ${nIn} inputs`, value, `${value.length} rows`);
  }
  return readNestedArray(value, field, [rows, nIn]);
}

function runLyapunov(o: LyapunovCliOptions): void {
  const model = readModelFile(o.model, { field: '--model' });
  const N = model.N;
  if (o.k !== undefined && o.k > N) throw rangeError('--k', `an integer in [1, ${N}] (k <= N, the model's hidden units)`, o.k);
  if (o.inputs !== undefined && o.task !== undefined) throw rangeError('--inputs', 'either --inputs or --task, not both', o.inputs);
  if (o.batch !== undefined && o.task === undefined) throw rangeError('--batch', 'to be used with --task (an --inputs file holds one trajectory)', o.batch);
  if (o.taskOption !== undefined && o.task === undefined) throw rangeError('--task-option', 'to be used with --task', o.taskOption);
  const rows = o.warmupState + o.warmupQ + o.steps;
  const rng = new Rng(o.seed);
  const batch = o.batch ?? 1;
  let inputs: Float64Array | undefined;
  if (o.inputs !== undefined) inputs = readInputRows(o.inputs, model, rows, o);
  if (o.task !== undefined) {
    const task = createTask(o.task, o.taskOption ?? {});
    if (task.info.inputs.length !== model.config.nIn) {
      throw rangeError('--task', `a task with ${model.config.nIn} inputs (the model's nIn)`, o.task, `"${o.task}" with ${task.info.inputs.length} inputs`);
    }
    inputs = taskInputSequences(task, rng.fork('task'), batch, rows);
  }
  let dt: number | null = null;
  if (o.perTime) {
    dt = o.dt ?? model.config.dt ?? null;
    if (dt === null) throw rangeError('--per-time', "a step size: give --dt (the model's config has no dt)", true, 'no dt');
  }

  const common: LyapunovProtocol & DriveOptions = {
    ...(o.k !== undefined ? { k: o.k } : {}),
    warmupState: o.warmupState,
    warmupQ: o.warmupQ,
    steps: o.steps,
    qrEvery: o.qrEvery,
    qrMethod: o.qrMethod,
    q0: o.q0,
    batch,
    noise: o.noise,
    rng: rng.fork('run'),
    dtype: o.dtype,
    ...(inputs !== undefined ? { inputs } : {}),
  };
  const out: Record<string, unknown> = {};
  // Both computations return the spectrum the same way; flossing adds its loss and gradient.
  const r = o.flossGrad !== undefined ? flossingGradient(model, { ...common, mode: o.flossGrad, target: o.flossTarget }) : lyapunovSpectrum(model, { ...common, timing: o.timing });
  const { exponents, std, perTrajectory, warnings } = r;
  out.exponents = exponents;
  addBatch(out, o, std, perTrajectory);
  addPerTime(out, exponents, dt);
  if ('loss' in r) {
    out.flossLoss = r.loss;
    out.flossGrads = Object.fromEntries(FLOSS_GRADIENT_PARAMS[o.flossGrad!].map((name) => [name, toNested(r.grads.get(name), r.grads.shape(name))]));
    if (o.timing) out.timing = { totalSeconds: r.seconds };
  } else if (o.timing) {
    out.timing = { ...r.timing, qrCalls: r.qrCalls, qrFallbacks: r.qrFallbacks };
  }
  for (const w of warnings) process.stderr.write(`rnnlab lyapunov: warning: ${w}\n`);
  if (o.json) {
    printJson(out);
    return;
  }
  const lines = [`Lyapunov exponents of ${o.model}: k = ${exponents.length} of N = ${N}, per step (natural log), ${o.steps} accumulation steps${o.task ? `, ${batch} trajector${batch === 1 ? 'y' : 'ies'} of ${o.task}` : ''}`];
  exponents.forEach((v, i) => {
    const parts = [`  lambda_${String(i + 1).padEnd(3)} ${v.toExponential(6)}`];
    if (o.task !== undefined && batch > 1) parts.push(`± ${std[i]!.toExponential(2)}`);
    if (dt !== null) parts.push(`(${(v / dt).toExponential(6)} per unit time)`);
    lines.push(parts.join(' '));
  });
  if (out.flossLoss !== undefined) {
    lines.push(`flossing loss ${String(out.flossLoss)} (${o.flossGrad})`);
  }
  if (out.timing !== undefined) lines.push(`timing ${JSON.stringify(out.timing)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function addBatch(out: Record<string, unknown>, o: LyapunovCliOptions, std: number[], perTrajectory: number[][]): void {
  if (o.task === undefined) return;
  out.std = std;
  out.perTrajectory = perTrajectory;
  out.batch = perTrajectory.length;
}

function addPerTime(out: Record<string, unknown>, exponents: number[], dt: number | null): void {
  if (dt === null) return;
  out.dt = dt;
  out.exponentsPerTime = exponents.map((v) => v / dt);
}
