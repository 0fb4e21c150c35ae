/**
 * A pool of worker threads that runs planned runs and reports each result as it arrives.
 * One worker per core by default; each run is independent (its own model, rng, workspace).
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunRecord } from './run.js';
import type { PlannedRun } from './sweep-spec.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export interface PoolHandlers {
  onRecord(record: RunRecord): void;
  onFailure(run: PlannedRun, error: { name: string; message: string }): void;
}

/**
 * The ESM entry of tsx's register API, for workers started from the TypeScript sources (tests,
 * `tsx`): resolved through tsx's package.json "exports", since the source may be loaded as CJS.
 */
function tsxRegisterUrl(): string {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve('tsx/package.json');
  const exportsMap = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(join(dirname(packageJsonPath), exportsMap['./esm/api']!.import.default)).href;
}

/**
 * Starts a worker on the script next to this module: worker.js once compiled; when running
 * from the TypeScript sources, worker.ts loaded through tsx's loader.
 */
export function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const script = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxRegisterUrl())}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/** Default pool size: one worker per core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Runs `runs` on `workers` threads. Resolves when all have reported, or (after `signal`
 * aborts) when the workers have been stopped; unfinished runs then simply have no record.
 */
export async function runInPool(runs: readonly PlannedRun[], workers: number, handlers: PoolHandlers, signal?: AbortSignal): Promise<void> {
  const queue = [...runs];
  const size = Math.max(1, Math.min(workers, queue.length));
  const threads: Worker[] = [];
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void Promise.all(threads.map((w) => w.terminate())).then(() => (error ? reject(error) : resolve()));
    };
    const onAbort = () => finish();
    signal?.addEventListener('abort', onAbort);
    const feed = (worker: Worker, current: { run: PlannedRun | undefined }) => {
      const next = queue.shift();
      current.run = next;
      if (!next) {
        active -= 1;
        if (active === 0) finish();
        return;
      }
      worker.postMessage({ type: 'run', id: next.id, config: next.config } satisfies WorkerRequest);
    };
    for (let k = 0; k < size; k++) {
      const worker = spawnWorker();
      const current: { run: PlannedRun | undefined } = { run: undefined };
      threads.push(worker);
      active += 1;
      worker.on('message', (reply: WorkerReply) => {
        if (settled || (reply.type !== 'done' && reply.type !== 'failed')) return;
        const run = current.run!;
        try {
          if (reply.type === 'done') handlers.onRecord(reply.record);
          else handlers.onFailure(run, reply.error);
        } catch (error) {
          finish(error as Error);
          return;
        }
        feed(worker, current);
      });
      worker.on('error', (error) => {
        if (settled) return;
        // The thread died (an uncaught error outside a run): report the run it held and stop.
        if (current.run) handlers.onFailure(current.run, { name: error.name, message: error.message });
        finish(error);
      });
      if (signal?.aborted) {
        finish();
        return;
      }
      feed(worker, current);
    }
  });
}
