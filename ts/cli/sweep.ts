/**
 * `rnnlab sweep run SPEC --out DIR`: run (or resume) a sweep in a pool of worker threads.
 * @module
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { compactRanges, resubmitMissing, submitSweep, sweepStatus } from '../experiment/slurm.js';
import { expandSweep, readSweepSpec, sweepFingerprint } from '../experiment/sweep-spec.js';
import { SweepStore } from '../experiment/store.js';
import { rangeError } from '../validate.js';
import { defaultWorkers } from '../experiment/pool.js';
import { runSweep } from '../experiment/sweep.js';
import { integerOption, printJson } from './common.js';
import { createProgressBar } from './progress.js';

interface SweepRunOptions {
  out: string;
  workers?: number;
  extend: boolean;
  shard?: { index: number; count: number };
  json: boolean;
  progress: boolean;
}

interface SweepSubmitOptions {
  out: string;
  slurm: boolean;
  resume: boolean;
  partition?: string;
  time?: string;
  cpusPerTask: number;
  arrayLimit?: number;
  runsPerShard: number;
  shards?: number;
  sbatchArg: string[];
  json: boolean;
}

/** Parses --shard i/n. */
function shardOption(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) {
    throw new InvalidArgumentError(`--shard: expected i/n with 0 <= i < n (e.g. 3/10), received ${JSON.stringify(value)}`);
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

export function registerSweep(program: Command): void {
  const sweep = program.command('sweep').description('Run grids of training runs (resumable, in parallel).');
  sweep
    .command('run')
    .description('Run the sweep in SPEC (JSON or YAML); run it again to finish what is missing.')
    .argument('<spec>', 'sweep file (.json, .yaml, .yml)')
    .requiredOption('--out <dir>', 'results folder (created; an earlier run of the same sweep is resumed)')
    .option('--workers <n>', `worker threads (default ${defaultWorkers()}, one per core)`, integerOption('--workers', 1))
    .option('--extend', 'accept a changed spec for an existing folder, keeping finished runs', false)
    .option('--shard <i/n>', 'run only shard i of n (round-robin over the runs); the folder must already hold the sweep', shardOption)
    .option('--json', 'print one JSON summary on stdout', false)
    .option('--no-progress', 'no progress bar on stderr')
    .action((specPath: string, options: SweepRunOptions) => runSweepCommand(specPath, options));
  sweep
    .command('submit')
    .description('Submit the sweep to Slurm as a job array (each task runs a shard with the worker pool); print the job id.')
    .argument('<spec>', 'sweep file (.json, .yaml, .yml)')
    .requiredOption('--out <dir>', 'shared results folder (the tasks write here)')
    .option('--slurm', 'use Slurm (the only back end for now)', false)
    .option('--resume', 'resubmit only the shards that have missing runs and are not queued', false)
    .option('--partition <name>', 'Slurm partition')
    .option('--time <limit>', 'time limit per task (e.g. 01:00:00)')
    .option('--cpus-per-task <n>', 'CPUs (and workers) per task', integerOption('--cpus-per-task', 1), 1)
    .option('--array-limit <k>', 'at most k tasks at once', integerOption('--array-limit', 1))
    .option('--runs-per-shard <n>', 'runs per array task', integerOption('--runs-per-shard', 1), 16)
    .option('--shards <n>', 'number of array tasks (overrides --runs-per-shard)', integerOption('--shards', 1))
    .option('--sbatch-arg <arg>', 'extra sbatch argument, repeatable (e.g. --sbatch-arg=--mem=4G)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--json', 'print one JSON object on stdout', false)
    .action((specPath: string, options: SweepSubmitOptions) => runSubmit(specPath, options));
  sweep
    .command('status')
    .description('Show done, running, failed and pending runs and shards of a sweep folder.')
    .argument('<dir>', 'sweep results folder')
    .option('--json', 'print the status as one JSON object on stdout', false)
    .action((dir: string, options: { json: boolean }) => runStatus(dir, options));
}

function runSubmit(specPath: string, o: SweepSubmitOptions): void {
  if (!o.slurm) throw rangeError('--slurm', 'a back end to submit to (--slurm)', undefined, 'none');
  if (o.resume) {
    const given = sweepFingerprint(expandSweep(readSweepSpec(specPath, 'SPEC')));
    if (given !== SweepStore.load(o.out).manifest.fingerprint) {
      throw rangeError('SPEC', `the sweep spec submitted to ${o.out}`, specPath, `${JSON.stringify(specPath)}, a different sweep`);
    }
    const { jobId, shards } = resubmitMissing(o.out);
    if (o.json) printJson({ jobId, shards });
    else if (jobId === null) process.stderr.write('rnnlab sweep submit: no shard needs resubmitting\n');
    else process.stdout.write(`${jobId}\n`);
    if (!o.json && jobId !== null) process.stderr.write(`rnnlab sweep submit: resubmitted shards ${compactRanges(shards)} as job ${jobId}\n`);
    return;
  }
  const spec = readSweepSpec(specPath, 'SPEC');
  const result = submitSweep(spec, o.out, {
    runsPerShard: o.runsPerShard,
    cpusPerTask: o.cpusPerTask,
    sbatchArgs: o.sbatchArg,
    ...(o.shards !== undefined ? { shards: o.shards } : {}),
    ...(o.partition !== undefined ? { partition: o.partition } : {}),
    ...(o.time !== undefined ? { time: o.time } : {}),
    ...(o.arrayLimit !== undefined ? { arrayLimit: o.arrayLimit } : {}),
  });
  if (o.json) printJson(result);
  else {
    process.stdout.write(`${result.jobId}\n`);
    process.stderr.write(`rnnlab sweep submit: ${result.runs} runs in ${result.shardCount} array tasks, job ${result.jobId}; script ${result.script}\n`);
  }
}

function runStatus(dir: string, o: { json: boolean }): void {
  const status = sweepStatus(dir);
  if (o.json) {
    printJson(status);
    return;
  }
  const lines = [`${dir}: ${status.done}/${status.total} runs done, ${status.failed} failed, ${status.missing} not done`];
  if (status.slurm) {
    const s = status.slurm;
    lines.push(`slurm: ${s.shardCount} shards, jobs ${s.jobIds.join(', ')}; ${s.running} running, ${s.pending} pending${s.queueAvailable ? '' : ' (squeue not available: queue states unknown)'}`);
    for (const sh of s.shards) lines.push(`  shard ${sh.index}: ${sh.done}/${sh.runs} done${sh.failed ? `, ${sh.failed} failed` : ''}${sh.queue ? `, ${sh.queue}` : ''}`);
    if (s.needResume.length) lines.push(`shards ${compactRanges(s.needResume)} have missing runs and are not queued: run \`rnnlab sweep submit SPEC --out ${dir} --slurm --resume\``);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runSweepCommand(specPath: string, o: SweepRunOptions): Promise<void> {
  const spec = readSweepSpec(specPath, 'SPEC');
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let bar: ReturnType<typeof createProgressBar> | undefined;
  try {
    const summary = await runSweep(spec, o.out, {
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      extend: o.extend,
      ...(o.shard ? { shard: o.shard } : {}),
      signal: controller.signal,
      onProgress: (p) => {
        bar ??= createProgressBar(p.total, 'sweep', 'runs | {rpm} runs/min | diverged {diverged} | failed {failed}', { rpm: '-', diverged: 0, failed: 0 }, o.progress);
        bar.update(p.done, { rpm: p.runsPerMinute.toFixed(1), diverged: p.diverged, failed: p.failed });
      },
    });
    bar?.stop();
    if (o.json) printJson({ out: o.out, ...summary });
    else {
      process.stderr.write(
        `rnnlab sweep: ${summary.done}/${summary.total} runs finished (${summary.ranNow} now, ${summary.skipped} earlier), ` +
          `${summary.diverged} diverged, ${summary.failed} failed, ${summary.seconds.toFixed(1)} s` +
          `${summary.aborted ? '; interrupted: run the same command to finish the rest' : ''}. Results in ${o.out}\n`,
      );
    }
    if (summary.aborted) process.exitCode = 130;
    else if (summary.failed > 0) process.exitCode = 1;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
