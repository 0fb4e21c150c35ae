/**
 * Turning run records into tables and curves: one flat row per run, groups of runs that differ
 * only by seed (mean ± std across seeds), a final score per run, and the best learning rate per
 * setting.
 *
 * Final score of a run: the mean of the last 10% of its logged training losses (at least the
 * last point). A diverged run scores +Infinity. The best learning rate of a group of settings
 * is the one with the lowest mean final score across seeds (ties: the smaller rate).
 * @module
 */
import type { RunRecord } from './run.js';
import { canonicalJson } from './run-config.js';
import type { RunConfig } from './run-config.js';

/** Fraction of the logged points that make up a run's final score. */
export const FINAL_FRACTION = 0.1;

/** The mean of the last 10% of the logged losses (+Infinity for a diverged run). */
export function finalScore(record: RunRecord): number {
  if (record.diverged || record.curve.loss.length === 0) return Infinity;
  const losses = record.curve.loss;
  const n = Math.max(1, Math.round(losses.length * FINAL_FRACTION));
  let sum = 0;
  for (let k = losses.length - n; k < losses.length; k++) sum += losses[k]!;
  return sum / n;
}

/**
 * Arithmetic mean; NaN for no values. Unlike stats.ts's `mean` it accepts non-finite values, so a
 * diverged run's +Infinity score carries through a group's mean.
 */
export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) * (b - m), 0) / (values.length - 1));
}

type Scalar = string | number | boolean | null;

/** Scalar settings of a run (objects such as taskOptions are JSON-encoded). */
function flatConfig(config: RunConfig): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    out[key] = value !== null && typeof value === 'object' ? canonicalJson(value) : (value as Scalar);
  }
  return out;
}

/** One row per run: its settings and its results. */
export function runRows(records: readonly RunRecord[]): Record<string, Scalar>[] {
  return records.map((r) => ({
    id: r.id,
    ...flatConfig(r.config),
    finalLoss: Number.isFinite(finalScore(r)) ? finalScore(r) : null,
    evalLossBefore: r.eval.before.loss,
    evalLossAfter: r.eval.after ? r.eval.after.loss : null,
    accuracyBefore: r.eval.before.accuracy ?? null,
    accuracyAfter: r.eval.after?.accuracy ?? null,
    normalizedAccuracyAfter: r.eval.after?.normalizedAccuracy ?? null,
    maxLyapunovBefore: r.dynamics?.maxLyapunov?.before.mean ?? null,
    maxLyapunovAfterFloss: r.dynamics?.maxLyapunov?.afterFlossPretrain?.mean ?? null,
    maxLyapunovAfter: r.dynamics?.maxLyapunov?.after?.mean ?? null,
    spectralRadiusBefore: r.dynamics?.weightSpectrum?.before.spectralRadius ?? null,
    spectralRadiusAfter: r.dynamics?.weightSpectrum?.after?.spectralRadius ?? null,
    diverged: r.diverged !== null,
    divergedAt: r.diverged ? r.diverged.iter : null,
    wallSeconds: r.wallSeconds,
    version: r.version,
  }));
}

/** Runs that share every setting but the seed. */
export interface SeedGroup {
  /** The shared settings (seed removed). */
  settings: Omit<RunConfig, 'seed'>;
  /** The group's records (its seeds), in input order. */
  records: RunRecord[];
}

function withoutKeys<T extends object, K extends string>(obj: T, keys: readonly K[]): Omit<T, K> {
  const out = { ...obj } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as Omit<T, K>;
}

/** Groups records by all settings except the listed ones (default: the seed). */
export function groupRuns(records: readonly RunRecord[], ignore: readonly string[] = ['seed']): SeedGroup[] {
  const groups = new Map<string, SeedGroup>();
  for (const r of records) {
    const settings = withoutKeys(r.config, ignore as (keyof RunConfig & string)[]) as Omit<RunConfig, 'seed'>;
    const key = canonicalJson(settings);
    const g = groups.get(key) ?? { settings, records: [] };
    g.records.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Mean ± std across runs of the loss curve at each logged iteration (diverged runs left out). */
export interface MeanCurve {
  /** Logged iterations (updates done), ascending: the union over the runs. */
  iter: number[];
  /** Mean loss across runs at each iteration (of log10 loss with scale 'log'). */
  mean: number[];
  /** Sample standard deviation (n - 1; 0 for one run) at each iteration (of log10 loss with scale 'log'). */
  std: number[];
  /** Runs contributing at each point. */
  n: number[];
  /** Runs left out because they diverged. */
  diverged: number;
}

/**
 * With `scale` 'log' the statistics are of log10 loss (so 10^mean is the geometric mean);
 * non-positive losses are then left out.
 */
export function meanCurve(records: readonly RunRecord[], scale: 'linear' | 'log' = 'linear'): MeanCurve {
  const ok = records.filter((r) => !r.diverged);
  const byIter = new Map<number, number[]>();
  for (const r of ok) {
    r.curve.iter.forEach((it, k) => {
      const loss = r.curve.loss[k]!;
      if (scale === 'log' && !(loss > 0)) return;
      byIter.set(it, [...(byIter.get(it) ?? []), scale === 'log' ? Math.log10(loss) : loss]);
    });
  }
  const iters = [...byIter.keys()].sort((a, b) => a - b);
  return {
    iter: iters,
    mean: iters.map((it) => mean(byIter.get(it)!)),
    std: iters.map((it) => std(byIter.get(it)!)),
    n: iters.map((it) => byIter.get(it)!.length),
    diverged: records.length - ok.length,
  };
}

/** The best learning rate of one group of settings (see {@link bestLearningRates}). */
export interface BestRate {
  /** The settings shared by the compared runs (without seed and lr). */
  settings: Omit<RunConfig, 'seed' | 'lr'>;
  /** The learning rate with the lowest mean final score (ties: the smaller rate). */
  lr: number;
  /** Mean final score across seeds at that rate. */
  score: number;
  /** Mean final score for every rate tried, by increasing lr. */
  scores: {
    /** The learning rate. */
    lr: number;
    /** Mean {@link finalScore} across its seeds (+Infinity when any of them diverged). */
    score: number;
    /** Runs (seeds) at this rate. */
    seeds: number;
  }[];
  /** The records at the best rate (its seeds). */
  records: RunRecord[];
}

/** For each group of settings (seed and lr aside), the learning rate with the lowest mean final score. */
export function bestLearningRates(records: readonly RunRecord[]): BestRate[] {
  return groupRuns(records, ['seed', 'lr']).map((g) => {
    const byLr = groupRuns(g.records, ['seed']);
    const scores = byLr
      .map((s) => ({ lr: s.records[0]!.config.lr, score: mean(s.records.map(finalScore)), seeds: s.records.length, records: s.records }))
      .sort((a, b) => a.score - b.score || a.lr - b.lr);
    const best = scores[0]!;
    return {
      settings: g.settings as Omit<RunConfig, 'seed' | 'lr'>,
      lr: best.lr,
      score: best.score,
      scores: scores.map(({ lr, score, seeds }) => ({ lr, score, seeds })).sort((a, b) => a.lr - b.lr),
      records: best.records,
    };
  });
}

/** The settings that take more than one value across the records (the sweep's axes). */
export function variedSettings(records: readonly RunRecord[]): string[] {
  const values = new Map<string, Set<string>>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r.config)) values.set(k, (values.get(k) ?? new Set()).add(canonicalJson(v)));
  }
  return [...values.entries()].filter(([, s]) => s.size > 1).map(([k]) => k);
}
