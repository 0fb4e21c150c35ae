/**
 * Vega-Lite specs of the figures rnnlab reports, built from run records. Each figure is data
 * plus a declarative spec; nothing is drawn by hand.
 * @module
 */
import { bestLearningRates, mean, meanCurve, std } from '../experiment/aggregate.js';
import type { RunRecord } from '../experiment/run.js';
import type { VegaLiteSpec } from './render.js';

/** A figure: a Vega-Lite spec with its data inlined, and the words that go with it. */
export interface Figure {
  /** File-name-safe identifier. */
  id: string;
  /** Title (also the spec's title). */
  title: string;
  /** What the figure shows and how it was made (mean ± std over seeds, best lr, ...). */
  caption: string;
  /** The Vega-Lite (v6) spec, data included; render it with {@link renderSvg}. */
  spec: VegaLiteSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Smallest value shown on a log axis (the lower edge of a std band is clamped to it). */
const LOG_FLOOR = 1e-8;

/** Settings of {@link learningCurvesFigure}; all optional. */
export interface CurveOptions {
  /** Which setting colours the curves (default 'gain'). */
  colorBy?: string;
  /** Which setting splits the figure into columns (default 'rule'). */
  columnBy?: string;
  /** Which setting distinguishes dashed from solid curves, if any. */
  dashBy?: string;
  /** Only points at or after this iteration (the papers start their plots later). */
  fromIter?: number;
  /**
   * Log-scaled loss axis (default true). The line and band are then the geometric mean and
   * geometric std across seeds (mean ± std of log10 loss), so a band never crosses zero.
   */
  logScale?: boolean;
  /** One y scale for all columns (default false: each column its own). */
  sharedY?: boolean;
  /** How values of `colorBy` (and `dashBy`) are shown in the legend (default: as they are). */
  label?: (value: unknown) => string;
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
  const label = options.label ?? labelOf;
  const values: Record<string, unknown>[] = [];
  for (const best of bestLearningRates(records)) {
    const settings = best.settings as Record<string, unknown>;
    const curve = meanCurve(best.records, logScale ? 'log' : 'linear');
    curve.iter.forEach((iter, k) => {
      if (iter < fromIter) return;
      const m = curve.mean[k]!;
      const s = curve.std[k]!;
      values.push({
        iter,
        mean: logScale ? 10 ** m : m,
        lo: logScale ? Math.max(10 ** (m - s), LOG_FLOOR) : m - s,
        hi: logScale ? 10 ** (m + s) : m + s,
        color: label(settings[colorBy]),
        column: labelOf(settings[columnBy]),
        dash: options.dashBy ? label(settings[options.dashBy]) : '',
        lr: best.lr,
        seeds: curve.n[k],
      });
    });
  }
  const yScale = logScale ? { type: 'log' as const } : { zero: false };
  const color = { field: 'color', type: 'nominal' as const, title: colorBy, sort: null };
  const dash = options.dashBy ? { strokeDash: { field: 'dash', type: 'nominal' as const, title: options.dashBy } } : {};
  const spec = facetByColumn(title, values, columnBy, [
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
  ], { y: options.sharedY ? 'shared' : 'independent' });
  const stats = logScale ? 'geometric mean and geometric std across seeds (mean ± std of log10 loss; line and band)' : 'mean ± std across seeds (line and band)';
  return {
    id,
    title,
    caption: `Training loss (mean over each logging interval), ${stats}, one curve per ${colorBy}${options.dashBy ? ` and ${options.dashBy}` : ''}, each at the learning rate with the lowest mean final loss${fromIter > 0 ? `; from iteration ${fromIter}` : ''}.`,
    spec,
  };
}

/**
 * A Vega-Lite spec of `layers` drawn once per value of the `column` field (titled `columnBy`),
 * 260 x 200 pixels each; `resolveY` sets whether the panels share their y scale (absent: Vega-Lite's
 * default for faceted layers).
 */
function facetByColumn(title: string, values: Record<string, unknown>[], columnBy: string, layers: unknown[], resolveY?: { y: 'shared' | 'independent' }): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { column: { field: 'column', type: 'nominal', title: columnBy } },
    spec: { width: 260, height: 200, layer: layers },
    ...(resolveY ? { resolve: { scale: resolveY } } : {}),
  } as unknown as VegaLiteSpec;
}

/**
 * The maximum Lyapunov exponent before and after training against the initial gain, mean ± std
 * across seeds (points with error bars joined by lines), one column per value of `columnBy`.
 * After training: at each setting's best learning rate. Runs without a recorded exponent are
 * left out.
 */
export function lyapunovVsGainFigure(id: string, title: string, records: readonly RunRecord[], options: { columnBy?: string } = {}): Figure {
  const columnBy = options.columnBy ?? 'rule';
  const values: Record<string, unknown>[] = [];
  for (const best of bestLearningRates(records.filter((r) => r.dynamics?.maxLyapunov))) {
    const settings = best.settings as Record<string, unknown>;
    for (const phase of ['before', 'after'] as const) {
      const xs = best.records.map((r) => r.dynamics!.maxLyapunov![phase]?.mean).filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (xs.length === 0) continue;
      const m = mean(xs);
      const s = std(xs);
      values.push({ gain: settings.gain, phase: phase === 'before' ? 'before training' : 'after training', mean: m, lo: m - s, hi: m + s, column: labelOf(settings[columnBy]), seeds: xs.length, lr: best.lr });
    }
  }
  const color = { field: 'phase', type: 'nominal' as const, title: null, sort: ['before training', 'after training'] };
  const spec = facetByColumn(title, values, columnBy, [
    { mark: { type: 'rule', strokeDash: [3, 3], color: '#888' }, encoding: { y: { datum: 0 } } },
    {
      mark: { type: 'errorbar', ticks: true },
      encoding: { x: { field: 'gain', type: 'quantitative', title: 'initial gain' }, y: { field: 'lo', type: 'quantitative', title: 'max Lyapunov exponent (per step)' }, y2: { field: 'hi' }, color },
    },
    {
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'gain', type: 'quantitative' },
        y: { field: 'mean', type: 'quantitative' },
        color,
        tooltip: [{ field: 'phase' }, { field: 'gain' }, { field: 'mean', format: '.3f' }, { field: 'seeds' }, { field: 'lr' }],
      },
    },
  ]);
  return {
    id,
    title,
    caption: 'Maximum Lyapunov exponent (natural log, per step; QR method on the task inputs) before and after training, mean ± std across seeds; after training at the learning rate with the lowest mean final loss. Dashed: 0.',
    spec,
  };
}
