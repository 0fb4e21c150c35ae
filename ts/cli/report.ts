/**
 * `rnnlab report DIR`: write an offline HTML report (figures, settings, provenance) of a sweep.
 * @module
 */
import type { Command } from 'commander';
import { SweepStore } from '../experiment/store.js';
import { sweepReportInput } from '../experiment/sweep-report.js';
import { writeReport } from '../plot/report.js';
import { printJson } from './common.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write DIR/report.html and DIR/figures/ (SVG, PNG, Vega-Lite) for a sweep folder.')
    .argument('<dir>', 'sweep results folder')
    .option('--json', 'print { report, figures } on stdout', false)
    .action(async (dir: string, options: { json: boolean }) => {
      const input = sweepReportInput(SweepStore.load(dir));
      const path = await writeReport(dir, input);
      if (options.json) printJson({ report: path, figures: input.figures.map((f) => f.id) });
      else process.stderr.write(`rnnlab report: wrote ${path} (${input.figures.length} figures)\n`);
    });
}
