/**
 * Vega-Lite figures of paper 2's neural-similarity analyses (ts/experiment/neural-summary.ts):
 * distance versus normalised accuracy along training (Figures 1B, 2, 9), the noise-floor bars
 * (Figure 5), and the pairwise distance matrix with its UMAP embedding (Appendix Figure 6).
 * Colours follow the paper: BPTT black, e-prop magenta, truncated BPTT blue, node perturbation
 * cyan, ES yellow-orange, the data orange.
 * @module
 */
import type { DistanceCurve, NoiseFloorTable, PairwiseSummary } from '../experiment/neural-summary.js';
import type { Figure } from './figures.js';
import type { VegaLiteSpec } from './render.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const RULE_COLORS: Record<string, string> = {
  bptt: '#000000',
  eprop: '#d62fd6',
  'tbptt:10': '#1f5fd6',
  np: '#17becf',
  es: '#e0a800',
  untrained: '#8c8c8c',
  data: '#ff7f0e',
  'noise floor': '#ff7f0e',
};
const FALLBACK = ['#2ca02c', '#9467bd', '#8c564b', '#bcbd22', '#7f7f7f'];

/** A colour scale for the given group names (paper colours where known). */
export function colorScale(names: readonly string[]): { domain: string[]; range: string[] } {
  const domain = [...new Set(names)];
  let extra = 0;
  return { domain, range: domain.map((n) => RULE_COLORS[n] ?? RULE_COLORS[n.split(' ')[0]!] ?? FALLBACK[extra++ % FALLBACK.length]!) };
}

/** Display name of a rule. */
export function ruleLabel(rule: string): string {
  return rule === 'eprop' ? 'e-prop' : rule === 'bptt' ? 'BPTT' : rule.startsWith('tbptt') ? `truncated BPTT (${rule.split(':')[1] ?? 10})` : rule === 'np' ? 'node perturbation' : rule === 'es' ? 'ES' : rule;
}

function curveValues(curves: readonly DistanceCurve[], series: (c: DistanceCurve) => string, column: (c: DistanceCurve) => string): Record<string, unknown>[] {
  const values: Record<string, unknown>[] = [];
  for (const c of curves) {
    c.iter.forEach((iter, k) => {
      const a = c.accuracy[k]!;
      const d = c.distance[k]!;
      if (a.n === 0 || !Number.isFinite(d.mean)) return;
      // Error bars on every third checkpoint (and the last), so that dense schedules stay legible.
      const bar = k % 3 === 0 || k === c.iter.length - 1;
      values.push({ series: series(c), column: column(c), iter, bar, acc: a.mean, accLo: a.mean - a.std, accHi: a.mean + a.std, dist: d.mean, distLo: d.mean - d.std, distHi: d.mean + d.std, seeds: a.n });
    });
  }
  return values;
}

function distanceAccuracySpec(title: string, values: Record<string, unknown>[], color: { title: string; scale?: { domain: string[]; range: string[] } }, faceted: boolean): VegaLiteSpec {
  const colorEnc = { field: 'series', type: 'nominal' as const, title: color.title, ...(color.scale ? { scale: color.scale } : {}), sort: null };
  const x = { field: 'acc', type: 'quantitative' as const, title: 'normalised accuracy', scale: { domain: [0, 1] } };
  const y = { field: 'dist', type: 'quantitative' as const, title: 'Procrustes distance / (pi/2)', scale: { zero: false } };
  const layers = [
    { transform: [{ filter: 'datum.bar' }], mark: { type: 'rule', opacity: 0.45 }, encoding: { x, y: { field: 'distLo', type: 'quantitative' }, y2: { field: 'distHi' }, color: colorEnc } },
    { transform: [{ filter: 'datum.bar' }], mark: { type: 'rule', opacity: 0.45 }, encoding: { x: { field: 'accLo', type: 'quantitative' }, x2: { field: 'accHi' }, y, color: colorEnc } },
    { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, order: { field: 'iter', type: 'quantitative' }, color: colorEnc } },
    {
      mark: { type: 'point', filled: true, size: 18, opacity: 1 },
      encoding: { x, y, color: colorEnc, tooltip: [{ field: 'series' }, { field: 'iter' }, { field: 'acc', format: '.3f' }, { field: 'dist', format: '.3f' }, { field: 'seeds' }] },
    },
  ];
  const inner = { width: 300, height: 240, layer: layers };
  return (faceted
    ? { $schema: SCHEMA, title, data: { values }, facet: { column: { field: 'column', type: 'nominal', title: null } }, spec: inner }
    : { $schema: SCHEMA, title, data: { values }, ...inner }) as unknown as VegaLiteSpec;
}

/** Figure 1B (and Figure 9 with more rules): one curve per rule at one gain. */
export function distanceAccuracyFigure(id: string, curves: readonly DistanceCurve[], caption: string): Figure {
  const values = curveValues(curves, (c) => ruleLabel(c.rule), () => '');
  const scale = colorScale(curves.map((c) => c.rule));
  const labelled = { domain: scale.domain.map(ruleLabel), range: scale.range };
  return {
    id,
    title: 'Procrustes distance to the M1 recordings versus normalised accuracy along training',
    caption,
    spec: distanceAccuracySpec('Distance to data vs accuracy (Hatsopoulos 2007), mean ± std across seeds', values, { title: 'rule', scale: labelled }, false),
  };
}

/** Figure 2: one panel per rule, one curve per initial gain. */
export function gainCurvesFigure(id: string, curves: readonly DistanceCurve[], gainLabel: (g: number) => string, caption: string): Figure {
  const values = curveValues(curves, (c) => gainLabel(c.gain), (c) => ruleLabel(c.rule));
  return {
    id,
    title: 'Distance versus accuracy for several initial gains',
    caption,
    spec: distanceAccuracySpec('Distance to data vs accuracy per initial gain, mean ± std across seeds', values, { title: 'initial gain' }, true),
  };
}

/** Figure 5: noise floor, trained and untrained models (ours, with the paper's values beside them). */
export function noiseFloorFigure(id: string, table: NoiseFloorTable, paper: Record<string, [number, number]>, caption: string): Figure {
  const values: Record<string, unknown>[] = [];
  const add = (name: string, source: string, mean: number, std: number) => values.push({ name, source, mean, lo: mean - std, hi: mean + std });
  add('noise floor', 'this run', table.noiseFloor.mean, table.noiseFloor.std);
  for (const [rule, t] of Object.entries(table.trained)) add(`${ruleLabel(rule)} trained`, 'this run', t.distance.mean, t.distance.std);
  add('untrained', 'this run', table.untrained.distance.mean, table.untrained.distance.std);
  for (const [name, [m, s]] of Object.entries(paper)) add(name, 'paper', m, s);
  const order = [...new Set(values.map((v) => v.name as string))];
  const x = { field: 'name', type: 'nominal' as const, sort: order, title: null, axis: { labelAngle: -30 } };
  const xOffset = { field: 'source', type: 'nominal' as const, sort: ['this run', 'paper'] };
  const color = { field: 'source', type: 'nominal' as const, title: null, scale: { domain: ['this run', 'paper'], range: ['#ff7f0e', '#7f7f7f'] } };
  const spec = {
    $schema: SCHEMA,
    title: 'Noise floor vs model-to-data distance (Hatsopoulos 2007), mean ± std',
    data: { values },
    width: 360,
    height: 240,
    encoding: { x, xOffset },
    layer: [
      { mark: { type: 'bar', opacity: 0.8, clip: true }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'Procrustes distance / (pi/2), half samples', scale: { zero: false, domain: [0.2, 0.7] } }, color } },
      { mark: { type: 'rule' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { value: '#222' } } },
    ],
  } as unknown as VegaLiteSpec;
  return { id, title: 'Noise floor, trained and untrained models', caption, spec };
}

/** Appendix Figure 6, left: the pairwise distance matrix as a heat map. */
export function pairwiseMatrixFigure(id: string, p: PairwiseSummary, caption: string): Figure {
  const n = p.labels.length;
  const values: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) values.push({ a: p.labels[i], b: p.labels[j], d: p.distances[i * n + j] });
  const spec = {
    $schema: SCHEMA,
    title: 'Pairwise Procrustes distance / (pi/2) among models and data',
    data: { values },
    width: Math.max(200, 18 * n),
    height: Math.max(200, 18 * n),
    mark: 'rect',
    encoding: {
      x: { field: 'b', type: 'nominal', sort: p.labels, title: null },
      y: { field: 'a', type: 'nominal', sort: p.labels, title: null },
      color: { field: 'd', type: 'quantitative', title: 'distance', scale: { scheme: 'viridis' } },
      tooltip: [{ field: 'a' }, { field: 'b' }, { field: 'd', format: '.3f' }],
    },
  } as unknown as VegaLiteSpec;
  return { id, title: 'Pairwise distances among models and the data', caption, spec };
}

/** Appendix Figure 6, right: the 2-D UMAP embedding of the pairwise distances. */
export function umapFigure(id: string, p: PairwiseSummary, caption: string): Figure {
  const values = p.labels.map((label, k) => ({ label, group: p.groups[k] === 'data' || p.groups[k] === 'untrained' ? p.groups[k] : ruleLabel(p.groups[k]!), x: p.embedding[2 * k], y: p.embedding[2 * k + 1] }));
  const scale = colorScale(p.groups);
  const spec = {
    $schema: SCHEMA,
    title: 'UMAP embedding of the pairwise distances',
    data: { values },
    width: 300,
    height: 260,
    mark: { type: 'point', filled: true, size: 70 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'UMAP 1', axis: { labels: false }, scale: { zero: false, padding: 20 } },
      y: { field: 'y', type: 'quantitative', title: 'UMAP 2', axis: { labels: false }, scale: { zero: false, padding: 20 } },
      color: { field: 'group', type: 'nominal', title: null, scale: { domain: scale.domain.map((g) => (g === 'data' || g === 'untrained' ? g : ruleLabel(g))), range: scale.range } },
      shape: { field: 'group', type: 'nominal', title: null },
      tooltip: [{ field: 'label' }],
    },
  } as unknown as VegaLiteSpec;
  return { id, title: 'UMAP embedding of models and data', caption, spec };
}
