/**
 * `rnnlab sweep run SPEC --out DIR`: run (or resume) a sweep in a pool of worker threads.
 * @module
 */
import type { Command } from 'commander';
import { readSweepSpec } from '../experiment/sweep-spec.js';
import { defaultWorkers } from '../experiment/pool.js';
import { runSweep } from '../experiment/sweep.js';
import { integerOption, printJson } from './common.js';
import { createProgressBar } from './progress.js';

interface SweepRunOptions {
  out: string;
  workers?: number;
  extend: boolean;
  json: boolean;
  progress: boolean;
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
    .option('--json', 'print one JSON summary on stdout', false)
    .option('--no-progress', 'no progress bar on stderr')
    .action((specPath: string, options: SweepRunOptions) => runSweepCommand(specPath, options));
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
