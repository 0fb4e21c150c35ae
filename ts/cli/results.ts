/**
 * `rnnlab results DIR`: a summary table of a sweep (mean ± std across seeds), with CSV and
 * Parquet export of one row per run (and optionally the long-format loss curves).
 * @module
 */
import type { Command } from 'commander';
import { bestLearningRates, finalScore, groupRuns, mean, runRows, std, variedSettings } from '../experiment/aggregate.js';
import { writeCsv, writeParquet } from '../experiment/export.js';
import { SweepStore } from '../experiment/store.js';
import { printJson } from './common.js';

interface ResultsOptions {
  csv?: string;
  parquet?: string;
  curvesCsv?: string;
  curvesParquet?: string;
  json: boolean;
}

export function registerResults(program: Command): void {
  program
    .command('results')
    .description('Summarise a sweep folder; export one row per run as CSV or Parquet.')
    .argument('<dir>', 'sweep results folder')
    .option('--csv <file>', 'write one row per run as CSV')
    .option('--parquet <file>', 'write one row per run as Parquet')
    .option('--curves-csv <file>', 'write the loss curves (run id, iter, loss) as CSV')
    .option('--curves-parquet <file>', 'write the loss curves as Parquet')
    .option('--json', 'print the summary as one JSON object on stdout', false)
    .action((dir: string, options: ResultsOptions) => runResults(dir, options));
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : 'inf';
}

function runResults(dir: string, o: ResultsOptions): void {
  const store = SweepStore.load(dir);
  const records = store.readRecords();
  const failures = store.readFailures();
  const rows = runRows(records);
  if (o.csv) writeCsv(o.csv, rows);
  if (o.parquet) writeParquet(o.parquet, rows);
  if (o.curvesCsv || o.curvesParquet) {
    const curves = records.flatMap((r) => r.curve.iter.map((iter, k) => ({ id: r.id, iter, loss: r.curve.loss[k]! })));
    if (o.curvesCsv) writeCsv(o.curvesCsv, curves);
    if (o.curvesParquet) writeParquet(o.curvesParquet, curves);
  }
  const axes = variedSettings(records).filter((k) => k !== 'seed');
  const groups = groupRuns(records).map((g) => {
    const scores = g.records.map(finalScore).filter(Number.isFinite);
    const settings = Object.fromEntries(axes.map((k) => [k, (g.settings as Record<string, unknown>)[k]]));
    return { settings, seeds: g.records.length, diverged: g.records.filter((r) => r.diverged).length, finalLossMean: mean(scores), finalLossStd: std(scores) };
  });
  const best = bestLearningRates(records).map((b) => ({
    settings: Object.fromEntries(axes.filter((k) => k !== 'lr').map((k) => [k, (b.settings as Record<string, unknown>)[k]])),
    lr: b.lr,
    score: b.score,
  }));
  const summary = { dir, runs: store.manifest.runIds.length, finished: records.length, failed: failures.length, diverged: records.filter((r) => r.diverged).length, axes, groups, bestLearningRates: best };
  if (o.json) {
    printJson(summary);
    return;
  }
  const header = [...axes, 'seeds', 'diverged', 'final loss (mean ± std)'];
  const table = [header, ...groups.map((g) => [...axes.map((k) => String(g.settings[k])), String(g.seeds), String(g.diverged), `${fmt(g.finalLossMean)} ± ${fmt(g.finalLossStd)}`])];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const lines = [`${dir}: ${records.length}/${summary.runs} runs finished, ${summary.diverged} diverged, ${failures.length} failed`];
  for (const row of table) lines.push(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  if (axes.includes('lr')) {
    lines.push('', 'best learning rate (lowest mean final loss across seeds):');
    for (const b of best) lines.push(`  ${Object.entries(b.settings).map(([k, v]) => `${k}=${String(v)}`).join(' ')}: lr ${b.lr} (${fmt(b.score)})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
