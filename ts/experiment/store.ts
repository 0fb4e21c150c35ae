/**
 * The results store of a sweep: a folder with the sweep's manifest and one JSON record per
 * finished run, each written atomically (temporary file + rename), so killing a sweep at any
 * moment loses at most the runs in progress and never leaves a partial record.
 *
 *   DIR/sweep.json         manifest: spec, run ids, fingerprint, version, dates
 *   DIR/runs/<id>.json     one record per finished run (rnnlab.run/1)
 *   DIR/failed/<id>.json   runs that threw (retried when the sweep is run again)
 * @module
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonFile } from '../io/files.js';
import { expectObject, rangeError } from '../validate.js';
import { VERSION } from '../version.js';
import type { RunRecord } from './run.js';
import type { PlannedRun, SweepSpec } from './sweep-spec.js';
import { sweepFingerprint } from './sweep-spec.js';

/** The manifest of a sweep folder, `DIR/sweep.json`. */
export interface SweepManifest {
  /** Format tag, always "rnnlab.sweep/1". */
  format: 'rnnlab.sweep/1';
  /** rnnlab version that last wrote the manifest. */
  version: string;
  /** When the folder was made (ISO 8601, UTC). */
  created: string;
  /** When the manifest was last written (ISO 8601, UTC). */
  updated: string;
  /** 16 hex digits identifying the set of run ids (independent of their order). */
  fingerprint: string;
  /** The sweep spec the runs come from. */
  spec: SweepSpec;
  /** Ids of the spec's runs, in the spec's order. */
  runIds: string[];
}

/** A run that threw, `DIR/failed/<id>.json`. */
export interface FailureRecord {
  /** The run's id. */
  id: string;
  /** The run's resolved settings. */
  config: PlannedRun['config'];
  /** The error it threw. */
  error: {
    /** Error class name, e.g. "RangeError". */
    name: string;
    /** Error message. */
    message: string;
  };
  /** When it failed (ISO 8601, UTC). */
  at: string;
}

/**
 * The results folder of a sweep: its manifest, one record per finished run (`runs/<id>.json`)
 * and one file per failed run (`failed/<id>.json`). Every file is written atomically.
 */
export class SweepStore {
  /** The sweep folder. */
  readonly dir: string;
  /** The folder's manifest (as written by {@link SweepStore.open}, or as read). */
  manifest: SweepManifest;

  private constructor(dir: string, manifest: SweepManifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  /**
   * Opens (or creates) the store for `spec` in `dir`. An existing store made from a different
   * set of runs is refused unless `extend` (then the manifest follows the new spec and every
   * finished run is kept). A non-empty folder that is not a sweep store is refused. With
   * `shared` (one of several shard processes) the folder must already hold this very sweep, and
   * its manifest is left as it is.
   * @param runs the spec's runs, from {@link expandSweep}
   * @throws RangeError for a folder made from a different set of runs (without `extend`, or at
   *   all with `shared`), a non-empty folder without `sweep.json`, a `shared` folder without
   *   one, or an unreadable manifest or one that is not rnnlab.sweep/1 (TypeError when it is not
   *   a JSON object)
   */
  static open(dir: string, spec: SweepSpec, runs: readonly PlannedRun[], options: { extend?: boolean; shared?: boolean } = {}): SweepStore {
    const fingerprint = sweepFingerprint(runs);
    const now = new Date().toISOString();
    const manifestPath = join(dir, 'sweep.json');
    let manifest: SweepManifest;
    if (options.shared) {
      // One of several processes (shards) working in one folder: the folder must already hold
      // this sweep, and the manifest is left as it is.
      if (!existsSync(manifestPath)) throw rangeError('--out', 'a folder prepared for this sweep (by `rnnlab sweep submit`, or an earlier `rnnlab sweep run`) when running a shard', dir, `${JSON.stringify(dir)} (no sweep.json)`);
      const old = SweepStore.readManifest(dir);
      if (old.fingerprint !== fingerprint) throw rangeError('--out', 'the sweep spec that made this folder; the spec has changed', dir, JSON.stringify(dir));
      const store = new SweepStore(dir, old);
      store.removeStaleTemporaries();
      return store;
    }
    if (existsSync(manifestPath)) {
      const old = SweepStore.readManifest(dir);
      if (old.fingerprint !== fingerprint && !options.extend) {
        throw rangeError('--out', `the sweep spec that made this folder (${old.runIds.length} runs); the spec has changed (${runs.length} runs). Add --extend to continue with the new spec, keeping finished runs`, dir, `${JSON.stringify(dir)}`);
      }
      manifest = { ...old, updated: now, version: VERSION, fingerprint, spec, runIds: runs.map((r) => r.id) };
    } else {
      if (existsSync(dir) && readdirSync(dir).length > 0) {
        throw rangeError('--out', 'a new or empty folder, or the folder of an earlier run of this sweep', dir, `${JSON.stringify(dir)}, which holds other files`);
      }
      manifest = { format: 'rnnlab.sweep/1', version: VERSION, created: now, updated: now, fingerprint, spec, runIds: runs.map((r) => r.id) };
    }
    mkdirSync(join(dir, 'runs'), { recursive: true });
    mkdirSync(join(dir, 'failed'), { recursive: true });
    const store = new SweepStore(dir, manifest);
    store.removeStaleTemporaries();
    writeJsonFile(manifestPath, manifest, { overwrite: true });
    return store;
  }

  /**
   * Opens an existing store read-only (for results and reports).
   * @throws RangeError when `dir` has no readable `sweep.json` or it is not an rnnlab.sweep/1
   *   manifest (TypeError when it is not a JSON object)
   */
  static load(dir: string): SweepStore {
    return new SweepStore(dir, SweepStore.readManifest(dir));
  }

  private static readManifest(dir: string): SweepManifest {
    const path = join(dir, 'sweep.json');
    if (!existsSync(path)) throw rangeError('DIR', 'a sweep folder (with sweep.json)', dir, `${JSON.stringify(dir)} (no sweep.json)`);
    const m = expectObject(readJsonFile(path, 'sweep.json'), 'sweep.json');
    if (m.format !== 'rnnlab.sweep/1' || !Array.isArray(m.runIds)) throw rangeError('sweep.json', 'an rnnlab.sweep/1 manifest', m.format);
    return m as unknown as SweepManifest;
  }

  private recordPath(id: string): string {
    return join(this.dir, 'runs', `${id}.json`);
  }

  private failurePath(id: string): string {
    return join(this.dir, 'failed', `${id}.json`);
  }

  /**
   * Removes temporary files left by writes that were killed (they never hold a finished
   * record). Only files older than a minute go: another process sharing the folder (a Slurm
   * shard) may be writing one right now, and a write takes milliseconds.
   */
  private removeStaleTemporaries(): void {
    const cutoff = Date.now() - 60_000;
    for (const sub of ['runs', 'failed']) {
      for (const name of readdirSync(join(this.dir, sub))) {
        const path = join(this.dir, sub, name);
        if (name.startsWith('.') && name.endsWith('.tmp') && statSync(path).mtimeMs < cutoff) rmSync(path, { force: true });
      }
    }
  }

  /** Whether run `id` has a finished record. */
  isDone(id: string): boolean {
    return existsSync(this.recordPath(id));
  }

  /** Saves a finished run (atomic); clears an earlier failure of the same run. */
  writeRecord(record: RunRecord): void {
    writeJsonFile(this.recordPath(record.id), record, { overwrite: false });
    rmSync(this.failurePath(record.id), { force: true });
  }

  /** Records that a run threw (it is retried when the sweep runs again). */
  writeFailure(failure: FailureRecord): void {
    writeJsonFile(this.failurePath(failure.id), failure, { overwrite: true });
  }

  /** Records of the runs of the current spec that have finished. */
  readRecords(): RunRecord[] {
    const records: RunRecord[] = [];
    for (const id of this.manifest.runIds) {
      const path = this.recordPath(id);
      if (existsSync(path)) records.push(JSON.parse(readFileSync(path, 'utf8')) as RunRecord);
    }
    return records;
  }

  /** Failures of runs of the current spec that have not since finished. */
  readFailures(): FailureRecord[] {
    return this.manifest.runIds
      .filter((id) => existsSync(this.failurePath(id)) && !this.isDone(id))
      .map((id) => JSON.parse(readFileSync(this.failurePath(id), 'utf8')) as FailureRecord);
  }
}
