/**
 * `rnnlab reproduce <paper> [--quick] --out DIR`: run a paper's experiments, write its figures
 * and report, and print whether each of its claims holds on this run's data.
 * @module
 */
import type { Command } from 'commander';
import { getPaperPreset, paperNames } from '../experiment/reproduce/index.js';
import type { PaperPreset, ReproduceResult } from '../experiment/reproduce/index.js';
import { rangeError } from '../validate.js';
import { integerOption, printJson } from './common.js';
import { createProgressBar } from './progress.js';
import type { ProgressBar } from './progress.js';

interface ReproduceCliOptions {
  out: string;
  quick: boolean;
  workers?: number;
  json: boolean;
  progress: boolean;
  rules?: string;
}

// --rules: extra learning rules for the presets that compare rules (PaperPreset.rules).
function parseRules(value: string, preset: PaperPreset): string[] {
  const withRules = paperNames().filter((n) => getPaperPreset(n).rules);
  if (!preset.rules) throw rangeError('--rules', `a paper that compares learning rules (${withRules.join(', ') || 'none'})`, preset.name, `"${preset.name}", which takes no --rules`);
  const rules = value.split(',').map((r) => r.trim()).filter((r) => r.length > 0);
  if (rules.length === 0) throw rangeError('--rules', `a comma-separated list of rules (${[...preset.rules.default, ...preset.rules.optional].join(', ')})`, value);
  return rules;
}

export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description(`Reproduce a paper's figures and check its claims (${paperNames().join(', ')}).`)
    .argument('<paper>', `which paper: ${paperNames().join(', ')}`)
    .requiredOption('--out <dir>', 'results folder (running again resumes)')
    .option('--quick', 'the quick preset: same figures, fewer seeds and iterations', false)
    .option('--workers <n>', 'worker threads (default one per core)', integerOption('--workers', 1))
    .option('--json', 'print the verdicts and paths as one JSON object on stdout', false)
    .option('--no-progress', 'no progress bar on stderr')
    .option('--rules <list>', 'extra learning rules, comma-separated, for papers that compare rules (neural-similarity: tbptt, np, es)')
    .action((paper: string, options: ReproduceCliOptions) => runReproduce(paper, options));
}

function printVerdicts(result: ReproduceResult): void {
  const lines = [`\n${result.paper} (${result.preset} preset), ${result.seconds.toFixed(0)} s: does each claim hold on this run's data?`];
  for (const v of result.verdicts) lines.push(`  [${v.holds ? 'holds' : 'DOES NOT HOLD'}] ${v.claim}\n      ${v.evidence}`);
  for (const [name, rows] of Object.entries(result.tables)) {
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
    lines.push('', `${name}:`);
    for (const row of rows) lines.push(`  ${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`);
  }
  lines.push('', `report: ${result.report}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runReproduce(paper: string, o: ReproduceCliOptions): Promise<void> {
  const preset = getPaperPreset(paper, 'paper');
  const rules = o.rules === undefined ? undefined : parseRules(o.rules, preset);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let bar: ProgressBar | undefined;
  let stage = '';
  try {
    const result = await preset.run({
      quick: o.quick,
      out: o.out,
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(rules ? { rules } : {}),
      signal: controller.signal,
      log: (line) => {
        bar?.stop();
        bar = undefined;
        process.stderr.write(`${line}\n`);
      },
      onSweepProgress: (name, done, total, diverged) => {
        if (name !== stage || !bar) {
          bar?.stop();
          stage = name;
          bar = createProgressBar(total, name, 'runs | diverged {diverged}', { diverged: 0 }, o.progress);
        }
        bar.update(done, { diverged });
      },
    });
    bar?.stop();
    if (o.json) printJson(result);
    else printVerdicts(result);
    if (result.aborted) process.exitCode = 130;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
