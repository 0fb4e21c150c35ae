/**
 * Paper 2's analyses over a set of runs compared with a recording (records with `neural`, see
 * data-comparison.ts): distance-versus-accuracy curves (Figure 1B / 2), the noise-floor table
 * (Figure 5 / Table 3), distances at matched accuracy across initial gains (Table 1), distances
 * of several rules at equal accuracy (Figure 9), and the pairwise distances among models and the
 * data with a 2-D embedding (Appendix Figure 6). Every choice the paper leaves open is stated
 * where it is made.
 * @module
 */
import { toSampleMatrix } from '../analysis/layout.js';
import type { UnitsTimeConditions } from '../analysis/layout.js';
import { pairwiseDistances, umapEmbedding } from '../analysis/pairwise.js';
import { pearson, welchTTest } from '../analysis/stats.js';
import type { TTest } from '../analysis/stats.js';
import { normalizedDistance } from '../analysis/similarity.js';
import { LeakyRNN } from '../model/leaky-rnn.js';
import { Rng } from '../rng.js';
import { expectNumber, rangeError, typeError } from '../validate.js';
import { dataComparison, decodeParams, scoreAgainstData } from './data-comparison.js';
import type { DataComparison, NeuralRecord } from './data-comparison.js';
import { modelConfigFor, prepareRun } from './run.js';
import type { RunRecord } from './run.js';

/** Mean, sample standard deviation (ddof 1; 0 for one value) and count. */
export interface Stat {
  mean: number;
  std: number;
  n: number;
}

/** The {@link Stat} of `values` (mean NaN for none). @internal */
export function stat(values: readonly number[]): Stat {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** The neural record of a run, or a RangeError naming the run when it has none. */
function neuralOf(record: RunRecord, field: string): NeuralRecord {
  if (record === null || typeof record !== 'object' || record.config === null || typeof record.config !== 'object') {
    throw typeError(field, 'a run record (rnnlab.run/1)', record);
  }
  if (!record.neural) throw rangeError(`${field}.neural`, 'a run compared with a recording (run setting neuralData)', undefined, `run ${record.id} without a comparison`);
  return record.neural;
}

/** Records of runs with a neural comparison, grouped by rule and gain (seeds pooled). */
export interface RunGroup {
  /** The learning rule of the runs. */
  rule: string;
  /** The recurrent gain g of the run settings (Wh ~ N(0, g^2/N)). */
  gain: number;
  /** The runs, sorted by seed. */
  records: RunRecord[];
}

/**
 * Groups run records by (rule, gain), each group's runs sorted by seed, groups in first-seen order.
 * @throws TypeError when `records` is not an array; RangeError for a run without a neural
 *   comparison (field `records[k].neural`)
 */
export function groupByRuleAndGain(records: readonly RunRecord[]): RunGroup[] {
  if (!Array.isArray(records as unknown)) throw typeError('records', 'an array of run records', records);
  const groups = new Map<string, RunGroup>();
  for (const [k, r] of records.entries()) {
    neuralOf(r, `records[${k}]`);
    const key = `${r.config.rule}|${r.config.gain}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { rule: r.config.rule, gain: r.config.gain, records: [] }));
    g.records.push(r);
  }
  for (const g of groups.values()) g.records.sort((a, b) => a.config.seed - b.config.seed);
  return [...groups.values()];
}

/** The mean trajectory of a group through (accuracy, distance) over the shared checkpoints. */
export interface DistanceCurve {
  /** The group's learning rule. */
  rule: string;
  /** The group's recurrent gain. */
  gain: number;
  /** The checkpoints (training updates done), ascending. */
  iter: number[];
  /** Normalised accuracy across seeds at each checkpoint. */
  accuracy: Stat[];
  /** Distance to the recording / (pi/2) across seeds at each checkpoint. */
  distance: Stat[];
}

/**
 * Per checkpoint (runs of a group share the schedule), mean ± std across seeds of the normalised
 * accuracy and the distance; checkpoints a run did not reach (divergence) and undefined
 * distances are left out of that checkpoint's statistics.
 * @throws RangeError for a run without a neural comparison
 */
export function distanceCurve(group: RunGroup): DistanceCurve {
  if (group === null || typeof group !== 'object' || !Array.isArray(group.records)) throw typeError('group', 'a run group { rule, gain, records }', group);
  group.records.forEach((r, k) => neuralOf(r, `group.records[${k}]`));
  const iters = [...new Set(group.records.flatMap((r) => r.neural!.checkpoints.iter))].sort((a, b) => a - b);
  const accuracy: Stat[] = [];
  const distance: Stat[] = [];
  for (const it of iters) {
    const acc: number[] = [];
    const dist: number[] = [];
    for (const r of group.records) {
      const c = r.neural!.checkpoints;
      const k = c.iter.indexOf(it);
      if (k < 0 || !Number.isFinite(c.distance[k]!)) continue;
      acc.push(c.normalizedAccuracy[k]!);
      dist.push(c.distance[k]!);
    }
    accuracy.push(stat(acc));
    distance.push(stat(dist));
  }
  return { rule: group.rule, gain: group.gain, iter: iters, accuracy, distance };
}

/**
 * The checkpoint whose normalised accuracy is closest to `target` (the authors' rule for "at
 * accuracy 0.8": argmin |error - (1 - 0.8)|; the first on ties), with its distance. All NaN
 * when no checkpoint has a defined distance.
 * @throws RangeError for a run without a neural comparison or a target outside [0, 1]
 */
export function atAccuracy(
  record: RunRecord,
  target: number,
): {
  /** The checkpoint (training updates done). */
  iter: number;
  /** Its normalised accuracy. */
  accuracy: number;
  /** Its distance to the recording / (pi/2). */
  distance: number;
} {
  expectNumber(target, 'target', { min: 0, max: 1 });
  const c = neuralOf(record, 'record').checkpoints;
  let best = -1;
  for (let k = 0; k < c.iter.length; k++) {
    if (!Number.isFinite(c.distance[k]!)) continue;
    if (best < 0 || Math.abs(c.normalizedAccuracy[k]! - target) < Math.abs(c.normalizedAccuracy[best]! - target)) best = k;
  }
  if (best < 0) return { iter: NaN, accuracy: NaN, distance: NaN };
  return { iter: c.iter[best]!, accuracy: c.normalizedAccuracy[best]!, distance: c.distance[best]! };
}

/**
 * The highest normalised accuracy a run reached at any checkpoint (0 without checkpoints).
 * @throws RangeError for a run without a neural comparison
 */
export function peakAccuracy(record: RunRecord): number {
  const a = neuralOf(record, 'record').checkpoints.normalizedAccuracy;
  return a.length ? Math.max(...a) : 0;
}

/** How far below the matched accuracy a run's peak may be and still count as reaching it. */
export const REACH_TOLERANCE = 0.025;

/**
 * The accuracy at which to compare groups of runs (one group per rule): the largest of 0.8,
 * 0.75, ..., 0.05 (the paper compares at 0.8) that at least two runs of every group reached (all
 * of a group's runs when it has fewer than two), within REACH_TOLERANCE; runs that stay below it
 * are left out of the comparison and counted as not reaching it. 0 when no level qualifies.
 */
export function matchedAccuracy(groups: readonly (readonly RunRecord[])[], start = 0.8): number {
  const needed = groups.filter((g) => g.length > 0).map((g) => {
    const peaks = g.map(peakAccuracy).sort((a, b) => b - a);
    return peaks[Math.min(2, peaks.length) - 1]!;
  });
  if (needed.length === 0) return 0;
  const reach = Math.min(...needed);
  for (let k = Math.round(start / 0.05); k >= 1; k--) if (reach >= k * 0.05 - REACH_TOLERANCE) return Math.round(k * 5) / 100;
  return 0;
}

/** Values pooled over runs (e.g. the 100 splits of every seed). */
export interface Pooled extends Stat {
  values: number[];
}

function pooled(values: number[]): Pooled {
  return { ...stat(values), values };
}

/** Welch test between two labelled samples, for tables and verdicts. */
export interface Comparison extends TTest {
  a: string;
  b: string;
}

function compare(a: string, x: readonly number[], b: string, y: readonly number[]): Comparison | null {
  if (x.length < 2 || y.length < 2) return null;
  return { a, b, ...welchTTest(x, y) };
}

/** One row of the noise-floor table: d2 (and the normalised distance) pooled over seeds, and per seed. */
export interface FloorEntry {
  /** d2 / (pi/2), every split of every seed. */
  distance: Pooled;
  /** (d2 - d1) / (1 - d1), every split of every seed. */
  normalized: Pooled;
  /** Mean d2 over the splits, one value per seed (the independent replicates). */
  perSeed: number[];
}

/**
 * Figure 5 / Table 3: on the noise floor's neuron splits, d1 (half of the neurons vs the other
 * half) against d2 (the same half vs as many model units) for each rule's trained models (at
 * their minimum-distance checkpoint) and for the untrained models, raw and normalised
 * ((d2 - d1) / (1 - d1)). Entries pool the splits of every seed (so their std is the spread over
 * splits, like the paper's); each seed has its own splits (runs with one seed share them).
 * `tests` are Welch t-tests across seeds (per-seed means over the splits: the seeds are the
 * independent replicates); `pooledTests` run Welch on the pooled split values instead (values
 * that share splits are not independent, so those p-values are far too small; shown only because
 * the paper does not say which it used).
 */
export interface NoiseFloorTable {
  /** d1 / (pi/2), every split of every seed. */
  noiseFloor: Pooled;
  /** Mean d1 over the splits, one value per seed. */
  noiseFloorPerSeed: number[];
  /** Per rule: its trained models at their minimum-distance checkpoint. */
  trained: Record<
    string,
    FloorEntry & {
      /** The minimum-distance checkpoint (training updates) across seeds. */
      bestIter: Stat;
      /** Normalised accuracy at that checkpoint across seeds. */
      accuracyAtBest: Stat;
    }
  >;
  /** The untrained models (one per seed). */
  untrained: FloorEntry;
  /** The cross-condition-average baseline d3 / (pi/2), every split of every seed. */
  crossConditionAverage: Pooled;
  /** Welch tests across seeds: each rule against the floor and the untrained, eprop against bptt. */
  tests: Comparison[];
  /** The same tests on the pooled split values (not independent; see above). */
  pooledTests: Comparison[];
}

const meanOf = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/**
 * Builds the {@link NoiseFloorTable} for `rules` from grouped runs (every gain of a rule pooled).
 * @throws RangeError when no group of the rules has a run, or a run has no neural comparison
 */
export function noiseFloorTable(groups: readonly RunGroup[], rules: readonly string[]): NoiseFloorTable {
  if (!Array.isArray(groups as unknown)) throw typeError('groups', 'an array of run groups (see groupByRuleAndGain)', groups);
  if (!Array.isArray(rules as unknown)) throw typeError('rules', 'an array of rule names', rules);
  const chosen = groups.filter((g) => rules.includes(g.rule));
  if (!chosen.some((g) => g.records.length > 0)) throw rangeError('groups', 'at least one run of the rules', rules);
  const floorBySeed = new Map<number, { d1: number[]; ccad: number[] }>();
  const untrainedBySeed = new Map<number, { d: number[]; n: number[] }>();
  const trained: NoiseFloorTable['trained'] = {};
  for (const g of chosen) {
    const d: number[] = [];
    const nd: number[] = [];
    const perSeed: number[] = [];
    for (const [k, r] of g.records.entries()) {
      const nf = neuralOf(r, `group ${g.rule} records[${k}]`).noiseFloor;
      if (!floorBySeed.has(r.config.seed)) floorBySeed.set(r.config.seed, { d1: nf.dataToData.values, ccad: nf.crossConditionAverage.distance.values });
      if (nf.best) {
        d.push(...nf.best.distance.values);
        nd.push(...nf.best.normalized.values);
        perSeed.push(nf.best.distance.mean);
      }
      if (nf.untrained && !untrainedBySeed.has(r.config.seed)) untrainedBySeed.set(r.config.seed, { d: nf.untrained.distance.values, n: nf.untrained.normalized.values });
    }
    const best = g.records.filter((r) => r.neural!.best);
    trained[g.rule] = {
      distance: pooled(d),
      normalized: pooled(nd),
      perSeed,
      bestIter: stat(best.map((r) => r.neural!.best!.iter)),
      accuracyAtBest: stat(best.map((r) => r.neural!.best!.normalizedAccuracy)),
    };
  }
  const u = [...untrainedBySeed.values()];
  const untrained: FloorEntry = { distance: pooled(u.flatMap((x) => x.d)), normalized: pooled(u.flatMap((x) => x.n)), perSeed: u.map((x) => meanOf(x.d)) };
  const floors = [...floorBySeed.values()];
  const noiseFloor = pooled(floors.flatMap((f) => f.d1));
  const noiseFloorPerSeed = floors.map((f) => meanOf(f.d1));
  const tests: Comparison[] = [];
  const pooledTests: Comparison[] = [];
  const both = (a: string, x: FloorEntry, b: string, y: { perSeed: number[]; pooled: number[] }) => {
    const c = compare(a, x.perSeed, b, y.perSeed);
    if (c) tests.push(c);
    const p = compare(a, x.distance.values, b, y.pooled);
    if (p) pooledTests.push(p);
  };
  for (const rule of rules) {
    const t = trained[rule];
    if (!t) continue;
    both(`${rule} trained`, t, 'noise floor', { perSeed: noiseFloorPerSeed, pooled: noiseFloor.values });
    both(`${rule} trained`, t, 'untrained', { perSeed: untrained.perSeed, pooled: untrained.distance.values });
  }
  if (trained.bptt && trained.eprop) both('eprop trained', trained.eprop, 'bptt trained', { perSeed: trained.bptt.perSeed, pooled: trained.bptt.distance.values });
  return { noiseFloor, noiseFloorPerSeed, trained, untrained, crossConditionAverage: pooled(floors.flatMap((f) => f.ccad)), tests, pooledTests };
}

/** The distance of a group of runs (one rule, one gain) at a matched accuracy A. */
export interface DistanceAtAccuracy {
  /** Distance / (pi/2) at the checkpoint closest to A, across the seeds that reached A. */
  distance: Stat;
  /** The normalised accuracy of those checkpoints. */
  accuracy: Stat;
  /** The distances themselves, one per seed that reached A. */
  values: number[];
  /** Number of runs that reached A. */
  reached: number;
  /** Number of runs in the group. */
  runs: number;
  /** Peak normalised accuracy across the group's runs. */
  peakAccuracy: Stat;
}

/**
 * Table 1: per rule and gain, the distance at the checkpoint closest to the matched accuracy A
 * (matchedAccuracy over the rules at the reference gain), mean ± std across the seeds whose run
 * reached A (peak accuracy >= A - 0.025; the others are counted as not reaching it); the untrained distance per gain (checkpoint 0, the paper's "noise ceiling");
 * Welch tests across seeds between gains (per rule, against the reference gain) and between the
 * first two rules (per gain).
 */
export interface GainTable {
  /** The matched normalised accuracy A (0 when no level qualifies). */
  accuracy: number;
  /** The gains, as given. */
  gains: number[];
  /** The rules, as given. */
  rules: string[];
  /** `cells[rule][String(gain)]`: the distances at accuracy A. */
  cells: Record<string, Record<string, DistanceAtAccuracy>>;
  /** Per gain (`String(gain)`): the distance at checkpoint 0 across seeds. */
  untrained: Record<string, Stat>;
  /** `gainTests[rule][String(gain)]`: Welch test of the reference gain against that gain (null with fewer than 2 values a side). */
  gainTests: Record<string, Record<string, Comparison | null>>;
  /** Per gain: Welch test of the second rule against the first (null with fewer than 2 values a side). */
  ruleTests: Record<string, Comparison | null>;
  /** The gain at which A is chosen. */
  referenceGain: number;
}

/**
 * Builds the {@link GainTable} for the grid rules x gains.
 * @param referenceGain the gain at which the matched accuracy is chosen (must be one of `gains`)
 * @throws TypeError / RangeError for arguments that are not arrays, a reference gain not in
 *   `gains`, or a run without a neural comparison
 */
export function gainTable(groups: readonly RunGroup[], rules: readonly string[], gains: readonly number[], referenceGain: number): GainTable {
  if (!Array.isArray(groups as unknown)) throw typeError('groups', 'an array of run groups (see groupByRuleAndGain)', groups);
  if (!Array.isArray(rules as unknown)) throw typeError('rules', 'an array of rule names', rules);
  if (!Array.isArray(gains as unknown)) throw typeError('gains', 'an array of gains', gains);
  if (!gains.includes(referenceGain)) throw rangeError('referenceGain', `one of the gains ${gains.join(', ')}`, referenceGain);
  const inGrid = groups.filter((g) => rules.includes(g.rule) && gains.includes(g.gain));
  const accuracy = matchedAccuracy(inGrid.filter((g) => g.gain === referenceGain).map((g) => g.records));
  const cells: GainTable['cells'] = {};
  const untrained: GainTable['untrained'] = {};
  for (const rule of rules) {
    cells[rule] = {};
    for (const gain of gains) {
      const g = inGrid.find((x) => x.rule === rule && x.gain === gain);
      const records = g?.records ?? [];
      const reached = records.filter((r) => peakAccuracy(r) >= accuracy - REACH_TOLERANCE);
      const at = reached.map((r) => atAccuracy(r, accuracy)).filter((a) => Number.isFinite(a.distance));
      cells[rule]![String(gain)] = { distance: stat(at.map((a) => a.distance)), accuracy: stat(at.map((a) => a.accuracy)), values: at.map((a) => a.distance), reached: at.length, runs: records.length, peakAccuracy: stat(records.map(peakAccuracy)) };
      if (!untrained[String(gain)] && g) {
        const d0 = records.map((r) => r.neural!.checkpoints).filter((c) => c.iter[0] === 0 && Number.isFinite(c.distance[0]!)).map((c) => c.distance[0]!);
        untrained[String(gain)] = stat(d0);
      }
    }
  }
  const gainTests: GainTable['gainTests'] = {};
  for (const rule of rules) {
    gainTests[rule] = {};
    for (const gain of gains) {
      if (gain === referenceGain) continue;
      gainTests[rule]![String(gain)] = compare(`${rule} gain ${referenceGain}`, cells[rule]![String(referenceGain)]?.values ?? [], `${rule} gain ${gain}`, cells[rule]![String(gain)]!.values);
    }
  }
  const ruleTests: GainTable['ruleTests'] = {};
  if (rules.length >= 2) {
    for (const gain of gains) ruleTests[String(gain)] = compare(`${rules[1]}`, cells[rules[1]!]![String(gain)]!.values, `${rules[0]}`, cells[rules[0]!]![String(gain)]!.values);
  }
  return { accuracy, gains: [...gains], rules: [...rules], cells, untrained, gainTests, ruleTests, referenceGain };
}

/** Figure 9: the rules at the reference gain compared at one accuracy (matchedAccuracy over the rules). */
export interface RulesAtAccuracy {
  /** The matched normalised accuracy A (0 when no level qualifies). */
  accuracy: number;
  /** One row per rule that has runs at the gain, in the order asked for. */
  rows: (DistanceAtAccuracy & {
    /** The learning rule. */
    rule: string;
    /** Welch test of this rule's distances against bptt's (null for bptt or too few values). */
    versusBptt: Comparison | null;
  })[];
}

/**
 * Builds {@link RulesAtAccuracy} for `rules` at one gain.
 * @throws TypeError when groups or rules is not an array; RangeError for a run without a
 *   neural comparison
 */
export function rulesAtAccuracy(groups: readonly RunGroup[], rules: readonly string[], gain: number): RulesAtAccuracy {
  if (!Array.isArray(groups as unknown)) throw typeError('groups', 'an array of run groups (see groupByRuleAndGain)', groups);
  if (!Array.isArray(rules as unknown)) throw typeError('rules', 'an array of rule names', rules);
  const chosen = rules.map((rule) => groups.find((g) => g.rule === rule && g.gain === gain)).filter((g): g is RunGroup => g !== undefined);
  const accuracy = matchedAccuracy(chosen.map((g) => g.records));
  const values = new Map(chosen.map((g) => [g.rule, g.records.filter((r) => peakAccuracy(r) >= accuracy - REACH_TOLERANCE).map((r) => atAccuracy(r, accuracy))]));
  const bptt = (values.get('bptt') ?? []).map((a) => a.distance).filter(Number.isFinite);
  return {
    accuracy,
    rows: chosen.map((g) => {
      const at = values.get(g.rule)!.filter((a) => Number.isFinite(a.distance));
      const d = at.map((a) => a.distance);
      return { rule: g.rule, distance: stat(d), accuracy: stat(at.map((a) => a.accuracy)), values: d, reached: d.length, runs: g.records.length, peakAccuracy: stat(g.records.map(peakAccuracy)), versusBptt: g.rule === 'bptt' ? null : compare(g.rule, d, 'bptt', bptt) };
    }),
  };
}

/** Appendix Figure 6: pairwise distances among the data and models, and their 2-D UMAP embedding. */
export interface PairwiseSummary {
  /** One label per point: 'data', '<rule> seed <s>', 'untrained seed <s>'. */
  labels: string[];
  /** Group of each point (data, the rule, untrained), for colours. */
  groups: string[];
  /** n x n angular Procrustes distances / (pi/2), row-major. */
  distances: number[];
  /** n x 2 UMAP coordinates, row-major. */
  embedding: number[];
}

/**
 * Rebuilds a run's model at its best checkpoint, or before training (re-created from the run's
 * settings and seed).
 * @throws RangeError for `best` when the run has no best checkpoint
 */
export function modelOfRecord(record: RunRecord, which: 'best' | 'untrained'): LeakyRNN {
  const prepared = prepareRun(record.config);
  if (which === 'untrained') return prepared.initial;
  const best = record.neural?.best;
  if (!best) throw rangeError('record.neural.best', 'a best checkpoint', undefined, 'none (no distance was defined)');
  const params = decodeParams(best.params, prepared.model.params.dims);
  return new LeakyRNN(modelConfigFor(record.config, prepared.task), params, prepared.model.masks);
}

/**
 * The data and, for every run of `records`, its model at the best checkpoint, plus one untrained
 * model per seed (the untrained model depends only on the seed and the gain); distances by
 * angular Procrustes / (pi/2) on the comparison window; UMAP from a fixed seed.
 * @param cmp the comparison (default: rebuilt from the first run's settings)
 * @throws RangeError for an empty list or a first run without a neural comparison
 */
export function pairwiseSummary(records: readonly RunRecord[], cmp?: DataComparison): PairwiseSummary {
  if (!Array.isArray(records as unknown)) throw typeError('records', 'an array of run records', records);
  const first = records[0];
  if (!first) throw rangeError('records', 'at least one run', records);
  const comparison = cmp ?? dataComparison(neuralOf(first, 'records[0]').dataset, first.config.task, first.config.taskOptions);
  const reps: UnitsTimeConditions[] = [comparison.data];
  const labels = ['data'];
  const groups = ['data'];
  const untrainedSeen = new Set<string>();
  for (const r of records) {
    if (!r.neural?.best) continue;
    reps.push(scoreAgainstData(modelOfRecord(r, 'best'), comparison).activity);
    labels.push(`${r.config.rule} seed ${r.config.seed}`);
    groups.push(r.config.rule);
  }
  for (const r of records) {
    const key = `${r.config.seed}|${r.config.gain}`;
    if (untrainedSeen.has(key)) continue;
    untrainedSeen.add(key);
    reps.push(scoreAgainstData(modelOfRecord(r, 'untrained'), comparison).activity);
    labels.push(`untrained seed ${r.config.seed}`);
    groups.push('untrained');
  }
  const matrix = pairwiseDistances(reps.map(toSampleMatrix));
  const distances = Array.from(matrix.distances, normalizedDistance);
  const embedding = reps.length >= 3 ? Array.from(umapEmbedding(matrix, { rng: new Rng('umap') })) : [];
  return { labels, groups, distances, embedding };
}

/**
 * Pearson correlation between mean accuracy and mean distance along a curve (Figure 1B's
 * trend), over the checkpoints where both are defined; NaN with fewer than 2 such checkpoints.
 */
export function accuracyDistanceCorrelation(curve: DistanceCurve): number {
  const ok = curve.iter.map((_, k) => k).filter((k) => curve.accuracy[k]!.n > 0 && Number.isFinite(curve.distance[k]!.mean));
  if (ok.length < 2) return NaN;
  return pearson(
    ok.map((k) => curve.accuracy[k]!.mean),
    ok.map((k) => curve.distance[k]!.mean),
  );
}
