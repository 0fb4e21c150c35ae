/**
 * Running a sweep: expand the spec, open the results store, skip the runs already finished,
 * run the rest in the worker pool, and save each record the moment it arrives.
 * @module
 */
import { expandSweep } from './sweep-spec.js';
import type { SweepSpec } from './sweep-spec.js';
import { SweepStore } from './store.js';
import { defaultWorkers, runInPool } from './pool.js';
import { expectInteger } from '../validate.js';

/** Where a sweep stands, passed to {@link SweepOptions.onProgress} after every run. */
export interface SweepProgress {
  /** Runs of the sweep with a record (including ones finished by earlier invocations). */
  done: number;
  /** Runs of the sweep (of this shard, with `shard`). */
  total: number;
  /** Runs finished by this invocation. */
  ranNow: number;
  /** Runs with a record that diverged, earlier invocations' included. */
  diverged: number;
  /** Runs that threw in this invocation (saved under `failed/` and retried next time). */
  failed: number;
  /** Runs finished by this invocation per minute of its wall time (0 at the start). */
  runsPerMinute: number;
  /** Estimated seconds left (null before the first run finishes). */
  etaSeconds: number | null;
}

/** Settings of {@link runSweep}; all optional. */
export interface SweepOptions {
  /** Worker threads (default one per core). */
  workers?: number;
  /** Accept a changed spec for an existing folder, keeping finished runs. */
  extend?: boolean;
  /**
   * Run only shard `index` of `count`: the runs at positions p (in the spec's order) with
   * p % count = index. Several shards may share one folder (it must already hold the sweep).
   */
  shard?: {
    /** This shard's index, in [0, count). */
    index: number;
    /** Number of shards, >= 1. */
    count: number;
  };
  /** Called once at the start and after every finished or failed run, with a copy of the progress. */
  onProgress?: (progress: SweepProgress) => void;
  /** Stops the sweep: the workers are stopped, and runs in progress leave no record (run again to resume). */
  signal?: AbortSignal;
}

/** What {@link runSweep} resolves to: the final progress, plus what this invocation did. */
export interface SweepSummary extends SweepProgress {
  /** Runs that were already finished before this invocation. */
  skipped: number;
  /** Wall time of this invocation in seconds. */
  seconds: number;
  /** True when `signal` aborted the sweep (unfinished runs have no record). */
  aborted: boolean;
}

/**
 * Runs (or resumes) the sweep `spec` with its results in `dir` (see {@link SweepStore}): runs
 * that already have a record are skipped, the others run in worker threads, and each record is
 * saved as it arrives. A run that throws is saved as a failure and counted, not rethrown.
 * @throws TypeError / RangeError (as a rejected promise) for invalid `workers` or `shard`, an
 *   invalid spec (see {@link expandSweep}), or a `dir` the store refuses (see {@link SweepStore.open})
 */
export async function runSweep(spec: SweepSpec, dir: string, options: SweepOptions = {}): Promise<SweepSummary> {
  const workers = expectInteger(options.workers ?? defaultWorkers(), 'workers', 1);
  const all = expandSweep(spec);
  const store = options.shard ? SweepStore.open(dir, spec, all, { shared: true }) : SweepStore.open(dir, spec, all, options.extend ? { extend: true } : {});
  const runs = options.shard ? shardOf(all, options.shard.index, options.shard.count) : all;
  const todo = runs.filter((r) => !store.isDone(r.id));
  const start = performance.now();
  const progress: SweepProgress = {
    done: runs.length - todo.length,
    total: runs.length,
    ranNow: 0,
    diverged: store.readRecords().filter((r) => r.diverged && runs.some((x) => x.id === r.id)).length,
    failed: 0,
    runsPerMinute: 0,
    etaSeconds: null,
  };
  const skipped = progress.done;
  const report = () => {
    const minutes = (performance.now() - start) / 60000;
    progress.runsPerMinute = minutes > 0 ? progress.ranNow / minutes : 0;
    const left = progress.total - progress.done - progress.failed;
    progress.etaSeconds = progress.ranNow > 0 ? (left / progress.runsPerMinute) * 60 : null;
    options.onProgress?.({ ...progress });
  };
  report();
  await runInPool(
    todo,
    workers,
    {
      onRecord(record) {
        store.writeRecord(record);
        progress.done += 1;
        progress.ranNow += 1;
        if (record.diverged) progress.diverged += 1;
        report();
      },
      onFailure(run, error) {
        store.writeFailure({ id: run.id, config: run.config, error, at: new Date().toISOString() });
        progress.failed += 1;
        report();
      },
    },
    options.signal,
  );
  return { ...progress, skipped, seconds: (performance.now() - start) / 1000, aborted: options.signal?.aborted ?? false };
}

/** The runs of shard `index` of `count` (round-robin over the spec's order). */
export function shardOf<T>(runs: readonly T[], index: number, count: number): T[] {
  expectInteger(count, 'shard count', 1);
  expectInteger(index, 'shard index', 0, count - 1);
  return runs.filter((_, p) => p % count === index);
}
