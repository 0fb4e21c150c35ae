/**
 * Entry point of a sweep worker thread: runs the configurations it is sent and posts back
 * their records. Workers share the process's OpenBLAS, which runs with one thread.
 * @module
 * @internal
 */
import { parentPort } from 'node:worker_threads';
import { runOne } from './run.js';
import type { RunConfig } from './run-config.js';

export type WorkerRequest = { type: 'run'; id: string; config: RunConfig };
export type WorkerReply =
  | { type: 'done'; id: string; record: ReturnType<typeof runOne> }
  | { type: 'failed'; id: string; error: { name: string; message: string } };

if (!parentPort) throw new Error('rnnlab: worker.ts must run in a worker thread');
const port = parentPort;
port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { type: 'done', id: request.id, record: runOne(request.config) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { type: 'failed', id: request.id, error: { name: e.name, message: e.message } };
  }
  port.postMessage(reply);
});
