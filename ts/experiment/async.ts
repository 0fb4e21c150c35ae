/**
 * Asynchronous forms of the long operations, for programs that embed rnnlab and must keep their
 * event loop responsive. The work runs in a worker thread; progress arrives through a callback;
 * an AbortSignal stops it. Several calls may run at once, each deterministic for its seed.
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { LeakyRNN } from '../model/leaky-rnn.js';
import { createRule } from '../rules/index.js';
import { Rng } from '../rng.js';
import { taskOrigin } from '../tasks/index.js';
import type { Task } from '../tasks/task.js';
import type { Optimizer } from '../optim/optimizer.js';
import { expectKnownKeys, expectObject, typeError } from '../validate.js';
import { spawnWorker } from './pool.js';
import type { RunRecord } from './run.js';
import { resolveRunConfig } from './run-config.js';
import type { RunConfig, RunConfigInput } from './run-config.js';
import type { TrainOptions, TrainProgress, TrainResult } from './train.js';
import { modelTransfer } from './transfer.js';
import type { TrainJob, WorkerReply, WorkerRequest } from './worker.js';
import type { LyapunovOptions, LyapunovResult } from '../analysis/lyapunov.js';

/** The error an aborted operation rejects with (name "AbortError"). */
function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('The operation was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

/** Runs one request in a fresh worker; `onReply` sees every reply and returns the final value. */
function inWorker<T>(request: WorkerRequest, onReply: (reply: WorkerReply, done: (value: T) => void) => void, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    let worker: Worker | undefined = spawnWorker();
    const finish = (settle: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      const w = worker;
      worker = undefined;
      if (w) void w.terminate();
      settle();
    };
    const onAbort = () => finish(() => reject(abortError(signal!)));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: WorkerReply) => {
      if (!worker) return;
      if (reply.type === 'failed') {
        const error = reply.error.name === 'RangeError' ? new RangeError(reply.error.message) : reply.error.name === 'TypeError' ? new TypeError(reply.error.message) : new Error(reply.error.message);
        finish(() => reject(error));
        return;
      }
      onReply(reply, (value) => finish(() => resolve(value)));
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => {
      if (worker) finish(() => reject(new Error(`rnnlab: worker thread exited with code ${code}`)));
    });
    worker.postMessage(request);
  });
}

/** Options of {@link trainAsync}: those of `train`, except that the parts must cross threads. */
export interface TrainAsyncOptions extends Omit<TrainOptions, 'task' | 'rule' | 'optimizer'> {
  /** A task made by `createTask` (its name and options are sent to the worker). */
  task: Task;
  /** A rule name (see `ruleNames()`, e.g. "eprop", "tbptt:10"). */
  rule: string;
  /**
   * The rule's settings as plain data (e.g. `{ feedback: 'random' }`); random feedback is drawn
   * from `rng.fork('feedback')`, as `createRule(rule, ruleOptions, rng)` does.
   */
  ruleOptions?: Record<string, unknown>;
  /** An optimiser made by `adam()` or `sgd()`. */
  optimizer: Optimizer & {
    /** The settings it was made with (lr, betas, ...), which are sent to the worker. */
    options?: object;
  };
}

const TRAIN_ASYNC_KEYS = ['task', 'rule', 'ruleOptions', 'optimizer', 'iters', 'batchSize', 'rng', 'logEvery', 'clipNorm', 'divergenceLoss', 'threads', 'onProgress', 'signal'];

/**
 * Trains `model` in a worker thread and, when training ends, writes the trained parameters
 * into `model` (the result is the same as `train` with the same arguments, bit for bit).
 * Aborting rejects with an AbortError and leaves `model` unchanged.
 * @throws TypeError for a custom task or optimiser, which cannot be sent to another thread.
 */
export function trainAsync(model: LeakyRNN, options: TrainAsyncOptions): Promise<TrainResult> {
  expectKnownKeys(expectObject(options, 'options'), TRAIN_ASYNC_KEYS, 'options');
  const origin = taskOrigin(options.task);
  if (!origin) throw typeError('options.task', 'a task made by createTask (custom tasks run with the synchronous train())', options.task);
  if (typeof options.rule !== 'string') {
    throw typeError('options.rule', 'a rule name (rule objects, and custom rules, run with the synchronous train(); rule settings go in ruleOptions)', options.rule);
  }
  const ruleOptions = options.ruleOptions ?? {};
  if (!(options.rng instanceof Rng)) throw typeError('options.rng', 'an Rng', options.rng);
  createRule(options.rule, ruleOptions, options.rng, 'options.rule');
  const optimizer = options.optimizer;
  if (!optimizer || (optimizer.name !== 'adam' && optimizer.name !== 'sgd') || typeof optimizer.options !== 'object') {
    throw typeError('options.optimizer', 'an optimiser made by adam() or sgd()', optimizer);
  }
  const job: TrainJob = {
    model: modelTransfer(model),
    task: origin,
    rule: { name: options.rule, options: ruleOptions },
    optimizer: { name: optimizer.name, options: { ...(optimizer.options as Record<string, number>) } },
    iters: options.iters,
    batchSize: options.batchSize,
    rng: options.rng.state(),
    ...(options.logEvery !== undefined ? { logEvery: options.logEvery } : {}),
    ...(options.clipNorm !== undefined ? { clipNorm: options.clipNorm } : {}),
    ...(options.divergenceLoss !== undefined ? { divergenceLoss: options.divergenceLoss } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  };
  const onProgress = options.onProgress;
  return inWorker<TrainResult>(
    { type: 'train', job },
    (reply, done) => {
      if (reply.type === 'progress') onProgress?.(reply.progress);
      else if (reply.type === 'trained') {
        model.params.flat.set(reply.flat);
        done(reply.result);
      }
    },
    options.signal,
  );
}

/**
 * Runs one configuration (as a sweep run) in a worker thread and resolves with its record.
 * Aborting rejects with an AbortError.
 */
export function runAsync(config: RunConfigInput | RunConfig, options: { signal?: AbortSignal } = {}): Promise<RunRecord> {
  const resolved = resolveRunConfig(config);
  return inWorker<RunRecord>({ type: 'run', id: 'async', config: resolved }, (reply, done) => {
    if (reply.type === 'done') done(reply.record);
  }, options.signal);
}

/**
 * {@link lyapunovSpectrum} in a worker thread: same options, same result (bit for bit), while the
 * caller's event loop keeps running. Aborting rejects with an AbortError.
 * @throws TypeError at once when `model` is not a LeakyRNN or `options` not an object; other
 *   invalid options reject with the error `lyapunovSpectrum` would throw.
 */
export function lyapunovAsync(model: LeakyRNN, options: LyapunovOptions & { signal?: AbortSignal }): Promise<LyapunovResult> {
  if (!(model instanceof LeakyRNN)) throw typeError('model', 'a LeakyRNN', model);
  const { signal, rng, ...rest } = expectObject(options, 'options') as unknown as LyapunovOptions & { signal?: AbortSignal };
  if (rng !== undefined && !(rng instanceof Rng)) throw typeError('options.rng', 'an Rng', rng);
  return inWorker<LyapunovResult>(
    { type: 'lyapunov', job: { model: modelTransfer(model), options: rest, rng: rng ? rng.state() : null } },
    (reply, done) => {
      if (reply.type === 'lyapunov') done(reply.result);
    },
    signal,
  );
}

export type { TrainProgress };
