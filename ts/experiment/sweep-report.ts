/**
 * The figures and tables of a generic sweep report: learning curves per task (coloured by the
 * first varied setting, gain when it varies), and a table of mean ± std final losses.
 * @module
 */
import { learningCurvesFigure, lyapunovVsGainFigure } from '../plot/figures.js';
import type { Figure } from '../plot/figures.js';
import type { ReportInput } from '../plot/report.js';
import { finalScore, groupRuns, mean, std, variedSettings } from './aggregate.js';
import type { RunRecord } from './run.js';
import type { SweepStore } from './store.js';

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(3) : 'inf';
}

/**
 * Figures for any sweep, per task: learning curves (coloured by the gain when it varies, else
 * the first varied setting); with recorded exponents and several gains, the max Lyapunov
 * exponent before and after training against the gain; with and without flossing pretraining
 * when that varies.
 */
export function sweepFigures(records: readonly RunRecord[]): Figure[] {
  const varied = variedSettings(records).filter((k) => k !== 'seed' && k !== 'lr');
  const colorBy = varied.includes('gain') ? 'gain' : (varied.find((k) => k !== 'task' && k !== 'rule') ?? 'rule');
  const figures: Figure[] = [];
  for (const task of [...new Set(records.map((r) => r.config.task))]) {
    const mine = records.filter((r) => r.config.task === task);
    const plain = varied.includes('flossPretrain') ? mine.filter((r) => r.config.flossPretrain === 0) : mine;
    figures.push(learningCurvesFigure(`learning-curves-${task}`, `Learning curves: ${task}`, plain, { colorBy, columnBy: 'rule' }));
    if (varied.includes('gain') && plain.some((r) => r.dynamics?.maxLyapunov)) {
      figures.push(lyapunovVsGainFigure(`lyapunov-${task}`, `Max Lyapunov exponent before and after training: ${task}`, plain, { columnBy: 'rule' }));
    }
    if (varied.includes('flossPretrain')) {
      figures.push(learningCurvesFigure(`flossing-${task}`, `With and without flossing pretraining: ${task}`, mine, { colorBy: 'flossPretrain', columnBy: varied.includes('gain') ? 'gain' : 'rule', sharedY: true }));
    }
  }
  return figures;
}

/** Everything `rnnlab report` shows for a sweep folder. */
export function sweepReportInput(store: SweepStore): ReportInput {
  const records = store.readRecords();
  const failures = store.readFailures();
  const axes = variedSettings(records).filter((k) => k !== 'seed');
  const table = [
    [...axes, 'seeds', 'diverged', 'final loss (mean ± std)'],
    ...groupRuns(records).map((g) => {
      const scores = g.records.map(finalScore).filter(Number.isFinite);
      return [
        ...axes.map((k) => String((g.settings as Record<string, unknown>)[k])),
        String(g.records.length),
        String(g.records.filter((r) => r.diverged).length),
        `${fmt(mean(scores))} ± ${fmt(std(scores))}`,
      ];
    }),
  ];
  const starts = records.map((r) => r.startedAt).sort();
  return {
    title: `rnnlab sweep${store.manifest.spec.name ? `: ${store.manifest.spec.name}` : ''}`,
    sections: [
      {
        heading: 'Summary',
        paragraphs: [
          `${records.length} of ${store.manifest.runIds.length} runs finished, ${records.filter((r) => r.diverged).length} diverged, ${failures.length} failed.`,
          'Final loss: the mean of the last 10% of logged training losses of each run; mean ± std across seeds.',
        ],
        table,
      },
      ...(failures.length
        ? [{ heading: 'Failed runs', table: [['run', 'error'], ...failures.map((f) => [f.id, `${f.error.name}: ${f.error.message}`])] }]
        : []),
    ],
    figures: records.length ? sweepFigures(records) : [],
    settings: store.manifest.spec,
    computeSeconds: records.reduce((a, r) => a + r.wallSeconds, 0),
    ...(starts.length ? { period: [starts[0]!, starts.at(-1)!] as [string, string] } : {}),
  };
}
