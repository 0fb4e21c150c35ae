/**
 * Vega-Lite specs of the figures rnnlab reports, built from run records. Each figure is data
 * plus a declarative spec; nothing is drawn by hand.
 * @module
 */
import { bestLearningRates, meanCurve } from '../experiment/aggregate.js';
import type { RunRecord } from '../experiment/run.js';
import type { VegaLiteSpec } from './render.js';

export interface Figure {
  /** File-name-safe identifier. */
  id: string;
  title: string;
  /** What the figure shows and how it was made (mean ± std over seeds, best lr, ...). */
  caption: string;
  spec: VegaLiteSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Smallest value shown on a log axis (the lower edge of a std band is clamped to it). */
const LOG_FLOOR = 1e-8;

export interface CurveOptions {
  /** Which setting colours the curves (default 'gain'). */
  colorBy?: string;
  /** Which setting splits the figure into columns (default 'rule'). */
  columnBy?: string;
  /** Which setting distinguishes dashed from solid curves, if any. */
  dashBy?: string;
  /** Only points at or after this iteration (the papers start their plots later). */
  fromIter?: number;
  logScale?: boolean;
}

function labelOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Learning curves, mean ± std across seeds (shaded band), one curve per value of `colorBy`
 * (and `dashBy`), each at its best learning rate (lowest mean final loss), one column per
 * value of `columnBy`.
 */
export function learningCurvesFigure(id: string, title: string, records: readonly RunRecord[], options: CurveOptions = {}): Figure {
  const colorBy = options.colorBy ?? 'gain';
  const columnBy = options.columnBy ?? 'rule';
  const fromIter = options.fromIter ?? 0;
  const logScale = options.logScale ?? true;
  const values: Record<string, unknown>[] = [];
  for (const best of bestLearningRates(records)) {
    const settings = best.settings as Record<string, unknown>;
    const curve = meanCurve(best.records);
    curve.iter.forEach((iter, k) => {
      if (iter < fromIter) return;
      const m = curve.mean[k]!;
      const s = curve.std[k]!;
      values.push({
        iter,
        mean: m,
        lo: logScale ? Math.max(m - s, LOG_FLOOR) : m - s,
        hi: m + s,
        color: labelOf(settings[colorBy]),
        column: labelOf(settings[columnBy]),
        dash: options.dashBy ? labelOf(settings[options.dashBy]) : '',
        lr: best.lr,
        seeds: curve.n[k],
      });
    });
  }
  const yScale = logScale ? { type: 'log' as const } : { zero: false };
  const color = { field: 'color', type: 'nominal' as const, title: colorBy, sort: null };
  const dash = options.dashBy ? { strokeDash: { field: 'dash', type: 'nominal' as const, title: options.dashBy } } : {};
  const spec = {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { column: { field: 'column', type: 'nominal', title: columnBy } },
    spec: {
      width: 260,
      height: 200,
      layer: [
        {
          mark: { type: 'area', opacity: 0.2 },
          encoding: {
            x: { field: 'iter', type: 'quantitative', title: 'iteration' },
            y: { field: 'lo', type: 'quantitative', scale: yScale, title: 'loss' },
            y2: { field: 'hi' },
            color,
            ...(options.dashBy ? { detail: { field: 'dash' } } : {}),
          },
        },
        {
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'iter', type: 'quantitative' },
            y: { field: 'mean', type: 'quantitative', scale: yScale },
            color,
            ...dash,
            tooltip: [{ field: 'color', title: colorBy }, { field: 'lr' }, { field: 'iter' }, { field: 'mean', format: '.3g' }, { field: 'seeds' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  } as unknown as VegaLiteSpec;
  return {
    id,
    title,
    caption: `Training loss (mean over each logging interval), mean ± std across seeds (line and band), one curve per ${colorBy}${options.dashBy ? ` and ${options.dashBy}` : ''}, each at the learning rate with the lowest mean final loss${fromIter > 0 ? `; from iteration ${fromIter}` : ''}.`,
    spec,
  };
}
