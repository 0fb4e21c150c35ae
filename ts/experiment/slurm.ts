/**
 * Sweeps on a Slurm cluster, with no scheduler of our own: the grid is split into shards (one
 * array task each, because Slurm starts only about one task per second), every task runs
 * `rnnlab sweep run --shard i/n` with the local worker pool on its CPUs, and every finished run
 * is written atomically to the shared results folder. Status comes from those files and from
 * squeue; resubmitting only the shards with missing runs is how a sweep is resumed.
 *
 *   DIR/slurm/spec.json       the sweep spec the tasks run (a copy, so the original may change)
 *   DIR/slurm/sweep.sbatch    the batch script (readable; edit and submit by hand if you like)
 *   DIR/slurm/jobs.json       shard count and every submission (job id, shards)
 *   DIR/slurm/logs/%A_%a.log  each task's output
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonFile, writeFileAtomic, writeJsonFile } from '../io/files.js';
import { expectInteger, expectObject, rangeError } from '../validate.js';
import { VERSION } from '../version.js';
import { SweepStore } from './store.js';
import { expandSweep } from './sweep-spec.js';
import type { PlannedRun, SweepSpec } from './sweep-spec.js';
import { shardOf } from './sweep.js';

export interface SlurmOptions {
  /** Runs per array task (default 16); ignored when `shards` is given. */
  runsPerShard?: number;
  /** Number of array tasks (default: ceil(runs / runsPerShard)). */
  shards?: number;
  /** CPUs per array task, each running one worker (default 1). */
  cpusPerTask?: number;
  partition?: string;
  /** Time limit per task, Slurm syntax (e.g. 01:00:00). */
  time?: string;
  /** At most this many tasks at once (--array ...%K). */
  arrayLimit?: number;
  /** Extra sbatch arguments, e.g. ["--mem=4G", "--account=lab"]. */
  sbatchArgs?: string[];
}

export interface SlurmSubmission {
  jobId: string;
  shards: number[];
  submittedAt: string;
}

export interface SlurmState {
  format: 'rnnlab.slurm/1';
  shardCount: number;
  options: SlurmOptions;
  submissions: SlurmSubmission[];
}

const here = resolve(fileURLToPath(new URL('.', import.meta.url)));
/** The rnnlab command the tasks run (this installation's bin/rnnlab.js). */
const RNNLAB_BIN = resolve(here, '..', '..', 'bin', 'rnnlab.js');

function slurmDir(dir: string): string {
  return join(dir, 'slurm');
}

/** Single-quotes a word for bash. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The batch script: one array task per shard, each running its shard with the worker pool. */
export function sbatchScript(dir: string, spec: SweepSpec, shardCount: number, options: SlurmOptions): string {
  const abs = resolve(dir);
  const lines = [
    '#!/bin/bash',
    `# rnnlab ${VERSION}: sweep ${spec.name ?? ''} on Slurm, ${shardCount} array tasks (shards).`,
    '# Each task runs its shard of the grid with the local worker pool (one worker per CPU) and',
    '# writes one result file per finished run into the results folder. Submit by hand with:',
    `#   sbatch --array=0-${shardCount - 1} ${shellQuote(join(abs, 'slurm', 'sweep.sbatch'))}`,
    `#SBATCH --job-name=rnnlab-${(spec.name ?? 'sweep').replace(/[^A-Za-z0-9_.-]/g, '_')}`,
    `#SBATCH --cpus-per-task=${options.cpusPerTask ?? 1}`,
    `#SBATCH --output=${join(abs, 'slurm', 'logs', '%A_%a.log')}`,
    ...(options.partition ? [`#SBATCH --partition=${options.partition}`] : []),
    ...(options.time ? [`#SBATCH --time=${options.time}`] : []),
    ...(options.sbatchArgs ?? []).map((a) => `#SBATCH ${a}`),
    'set -euo pipefail',
    'export OPENBLAS_NUM_THREADS=1',
    `exec ${shellQuote(process.execPath)} ${shellQuote(RNNLAB_BIN)} sweep run ${shellQuote(join(abs, 'slurm', 'spec.json'))} \\`,
    `  --out ${shellQuote(abs)} --shard "\${SLURM_ARRAY_TASK_ID}/${shardCount}" --workers "\${SLURM_CPUS_PER_TASK:-1}" --no-progress`,
    '',
  ];
  return lines.join('\n');
}

function runCommand(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', missing };
}

function readState(dir: string): SlurmState {
  const path = join(slurmDir(dir), 'jobs.json');
  if (!existsSync(path)) throw rangeError('DIR', 'a sweep folder submitted to Slurm (with slurm/jobs.json)', dir, `${JSON.stringify(dir)} (not submitted)`);
  return expectObject(readJsonFile(path, 'slurm/jobs.json'), 'slurm/jobs.json') as unknown as SlurmState;
}

/** Submits the array tasks of `shards`; returns the job id. */
function submit(dir: string, state: SlurmState, shards: number[]): string {
  const ranges = compactRanges(shards);
  const limit = state.options.arrayLimit ? `%${state.options.arrayLimit}` : '';
  const r = runCommand('sbatch', ['--parsable', `--array=${ranges}${limit}`, join(slurmDir(dir), 'sweep.sbatch')]);
  if (r.missing) throw rangeError('--slurm', 'a machine with Slurm (sbatch on the PATH)', 'sbatch', 'sbatch not found');
  if (r.status !== 0) throw new Error(`rnnlab: sbatch failed (exit ${r.status}): ${r.stderr.trim()}`);
  const jobId = r.stdout.trim().split(';')[0]!;
  state.submissions.push({ jobId, shards, submittedAt: new Date().toISOString() });
  writeJsonFile(join(slurmDir(dir), 'jobs.json'), state, { overwrite: true });
  return jobId;
}

/** "0-3,5,7-8" for [0,1,2,3,5,7,8]. */
export function compactRanges(values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Prepares DIR for the sweep (manifest, spec copy, batch script) and submits every shard.
 * Refuses a folder already submitted (use {@link resubmitMissing}).
 */
export function submitSweep(spec: SweepSpec, dir: string, options: SlurmOptions): { jobId: string; shardCount: number; runs: number; script: string } {
  if (existsSync(join(slurmDir(dir), 'jobs.json'))) {
    throw rangeError('--out', 'a folder not yet submitted to Slurm (add --resume to resubmit the shards with missing runs)', dir, `${JSON.stringify(dir)} (already submitted)`);
  }
  const runs = expandSweep(spec);
  SweepStore.open(dir, spec, runs);
  const perShard = expectInteger(options.runsPerShard ?? 16, 'runsPerShard', 1);
  const shardCount = options.shards !== undefined ? expectInteger(options.shards, 'shards', 1, runs.length) : Math.ceil(runs.length / perShard);
  if (shardCount > 1000) throw rangeError('shards', 'at most 1000 array tasks (Slurm\'s default MaxArraySize is 1001); raise --runs-per-shard', shardCount);
  mkdirSync(join(slurmDir(dir), 'logs'), { recursive: true });
  writeJsonFile(join(slurmDir(dir), 'spec.json'), spec, { overwrite: true });
  const script = sbatchScript(dir, spec, shardCount, options);
  writeFileAtomic(join(slurmDir(dir), 'sweep.sbatch'), script, { overwrite: true });
  const state: SlurmState = { format: 'rnnlab.slurm/1', shardCount, options, submissions: [] };
  const jobId = submit(dir, state, Array.from({ length: shardCount }, (_, k) => k));
  return { jobId, shardCount, runs: runs.length, script: join(slurmDir(dir), 'sweep.sbatch') };
}

/** State of one shard, from the results files and the queue. */
export interface ShardStatus {
  index: number;
  runs: number;
  done: number;
  failed: number;
  /** Slurm state of the shard's latest task (RUNNING, PENDING, COMPLETED, FAILED, ...), or null when not in the queue. */
  queue: string | null;
}

export interface SweepStatus {
  dir: string;
  total: number;
  done: number;
  failed: number;
  /** Runs with no record (and not counted failed). */
  missing: number;
  slurm: null | {
    shardCount: number;
    jobIds: string[];
    /** Whether squeue could be asked. */
    queueAvailable: boolean;
    running: number;
    pending: number;
    /** Shards with missing runs that are not in the queue: resubmit them with --resume. */
    needResume: number[];
    shards: ShardStatus[];
  };
}

/** Array-task states of the given jobs from squeue ("<job>_<task> STATE" lines). */
function queueStates(jobIds: readonly string[]): { available: boolean; byJobTask: Map<string, string> } {
  const states = new Map<string, string>();
  if (jobIds.length === 0) return { available: true, byJobTask: states };
  const r = runCommand('squeue', ['-r', '-h', '-t', 'all', '-j', jobIds.join(','), '-o', '%i %T']);
  if (r.missing) return { available: false, byJobTask: states };
  for (const line of r.stdout.split('\n')) {
    const m = /^(\d+)_(\d+)\s+(\S+)/.exec(line.trim());
    if (m) states.set(`${m[1]}_${m[2]}`, m[3]!);
  }
  return { available: true, byJobTask: states };
}

/** Done, failed and missing runs, and (for a Slurm sweep) the state of every shard. */
export function sweepStatus(dir: string): SweepStatus {
  const store = SweepStore.load(dir);
  const spec = store.manifest.spec;
  const runs: PlannedRun[] = expandSweep(spec);
  const failedIds = new Set(store.readFailures().map((f) => f.id));
  const done = runs.filter((r) => store.isDone(r.id)).length;
  const status: SweepStatus = { dir, total: runs.length, done, failed: failedIds.size, missing: runs.length - done - failedIds.size, slurm: null };
  if (!existsSync(join(slurmDir(dir), 'jobs.json'))) return status;
  const state = readState(dir);
  const jobIds = state.submissions.map((s) => s.jobId);
  const queue = queueStates(jobIds);
  const shards: ShardStatus[] = [];
  for (let index = 0; index < state.shardCount; index++) {
    const mine = shardOf(runs, index, state.shardCount);
    const latest = [...state.submissions].reverse().find((s) => s.shards.includes(index));
    shards.push({
      index,
      runs: mine.length,
      done: mine.filter((r) => store.isDone(r.id)).length,
      failed: mine.filter((r) => failedIds.has(r.id) && !store.isDone(r.id)).length,
      queue: latest ? (queue.byJobTask.get(`${latest.jobId}_${index}`) ?? null) : null,
    });
  }
  const active = (q: string | null) => q === 'RUNNING' || q === 'PENDING' || q === 'CONFIGURING' || q === 'COMPLETING';
  status.slurm = {
    shardCount: state.shardCount,
    jobIds,
    queueAvailable: queue.available,
    running: shards.filter((s) => s.queue === 'RUNNING').length,
    pending: shards.filter((s) => s.queue === 'PENDING').length,
    needResume: shards.filter((s) => s.done < s.runs && !active(s.queue)).map((s) => s.index),
    shards,
  };
  return status;
}

/** Resubmits the shards that have missing runs and are not queued; returns the new job (or null). */
export function resubmitMissing(dir: string): { jobId: string | null; shards: number[] } {
  const status = sweepStatus(dir);
  if (!status.slurm) throw rangeError('DIR', 'a sweep folder submitted to Slurm', dir, `${JSON.stringify(dir)} (not submitted)`);
  if (!status.slurm.queueAvailable) throw rangeError('--resume', 'a machine with Slurm (squeue on the PATH)', 'squeue', 'squeue not found');
  const shards = status.slurm.needResume;
  if (shards.length === 0) return { jobId: null, shards };
  return { jobId: submit(dir, readState(dir), shards), shards };
}
