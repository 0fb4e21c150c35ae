/**
 * Entry point of rnnlab's worker threads. A worker runs what it is sent — a sweep run from its
 * settings, or one training job of an existing model — and posts back progress and results.
 * Workers share the process's OpenBLAS, which runs with one thread.
 * @module
 * @internal
 */
import { parentPort } from 'node:worker_threads';
import { lyapunovSpectrum } from '../analysis/lyapunov.js';
import type { LyapunovOptions, LyapunovResult } from '../analysis/lyapunov.js';
import type { FloatArray } from '../model/params.js';
import { createOptimizer } from '../optim/index.js';
import { Rng } from '../rng.js';
import type { RngState } from '../rng.js';
import { createRule } from '../rules/index.js';
import { createTask } from '../tasks/index.js';
import type { TaskOrigin } from '../tasks/index.js';
import { runOne } from './run.js';
import { modelFromTransfer } from './transfer.js';
import type { ModelTransfer } from './transfer.js';
import type { RunRecord } from './run.js';
import type { RunConfig } from './run-config.js';
import { train } from './train.js';
import type { TrainProgress, TrainResult } from './train.js';

/** A training job as it crosses to a worker (everything plain data). */
export interface TrainJob {
  model: ModelTransfer;
  task: TaskOrigin;
  rule: { name: string; options: Record<string, unknown> };
  optimizer: { name: string; options: Record<string, number> };
  iters: number;
  batchSize: number;
  rng: RngState;
  logEvery?: number;
  clipNorm?: number;
  divergenceLoss?: number;
  threads?: number;
}

/** A Lyapunov spectrum as it crosses to a worker: the options with the generator as its state. */
export interface LyapunovJob {
  model: ModelTransfer;
  options: Omit<LyapunovOptions, 'rng'>;
  rng: RngState | null;
}

export type WorkerRequest = { type: 'run'; id: string; config: RunConfig } | { type: 'train'; job: TrainJob } | { type: 'lyapunov'; job: LyapunovJob };
export type WorkerReply =
  | { type: 'done'; id: string; record: RunRecord }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'trained'; result: TrainResult; flat: FloatArray }
  | { type: 'lyapunov'; result: LyapunovResult }
  | { type: 'failed'; id: string; error: { name: string; message: string } };

function trainJob(job: TrainJob, post: (reply: WorkerReply) => void): void {
  const model = modelFromTransfer(job.model);
  const rng = Rng.fromState(job.rng);
  const result = train(model, {
    task: createTask(job.task.name, job.task.options),
    rule: createRule(job.rule.name, job.rule.options, rng),
    optimizer: createOptimizer(job.optimizer.name, job.optimizer.options),
    iters: job.iters,
    batchSize: job.batchSize,
    rng,
    ...(job.logEvery !== undefined ? { logEvery: job.logEvery } : {}),
    ...(job.clipNorm !== undefined ? { clipNorm: job.clipNorm } : {}),
    ...(job.divergenceLoss !== undefined ? { divergenceLoss: job.divergenceLoss } : {}),
    ...(job.threads !== undefined ? { threads: job.threads } : {}),
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'trained', result, flat: model.params.flat });
}

if (!parentPort) throw new Error('rnnlab: worker.ts must run in a worker thread');
const port = parentPort;
port.on('message', (request: WorkerRequest) => {
  const id = request.type === 'run' ? request.id : request.type;
  try {
    if (request.type === 'run') port.postMessage({ type: 'done', id, record: runOne(request.config) } satisfies WorkerReply);
    else if (request.type === 'train') trainJob(request.job, (reply) => port.postMessage(reply));
    else {
      const { model, options, rng } = request.job;
      const result = lyapunovSpectrum(modelFromTransfer(model), { ...options, ...(rng ? { rng: Rng.fromState(rng) } : {}) });
      port.postMessage({ type: 'lyapunov', result } satisfies WorkerReply);
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'failed', id, error: { name: e.name, message: e.message } } satisfies WorkerReply);
  }
});
