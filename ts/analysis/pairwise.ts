/**
 * Pairwise distances among many representations (models at checkpoints, data) and a 2-D UMAP
 * embedding of them, as in Liu et al. 2025's Figure 1C and Appendix Figure 6.
 *
 * UMAP comes from umap-js (PAIR-code, MIT). It is given the exact k nearest neighbours from the
 * precomputed distance matrix (each point its own first neighbour at distance 0), and draws its
 * random numbers from our seeded {@link Rng}, so an embedding is reproducible.
 * @module
 */
import { UMAP } from 'umap-js';
import { z } from 'zod';
import { Rng } from '../rng.js';
import { expectFinite, expectInteger, parseWithSchema, rangeError, typeError } from '../validate.js';
import type { DistanceSpec } from './baselines.js';
import { alignOperators, havokDmd } from './dsa.js';
import type { DmdResult, TrialTensor } from './dsa.js';
import { checkMetricSpec, checkSampleMatrix, compareRepresentations } from './similarity.js';
import type { SampleMatrix } from './similarity.js';

/** A symmetric n x n distance matrix, row-major, zero diagonal, radians. */
export interface DistanceMatrix {
  /** Number of representations (rows and columns). */
  n: number;
  /** n x n distances in radians, row-major: `distances[i * n + j]` between i and j. */
  distances: Float64Array;
}

/**
 * All pairwise distances among `representations` (each samples x units with the same samples for
 * the linear metrics; for DSA, trial tensors or sample matrices, operators fitted once each).
 * The diagonal is 0 and the matrix is filled symmetrically from the upper triangle.
 * With DSA, pair (i, j) is aligned with `rng.fork("i,j")` of `spec.dsa.rng` (or a fixed seed).
 * @param spec the distance (default angular Procrustes)
 * @throws TypeError / RangeError for fewer than 2 representations, a bad metric spec, an invalid
 *   matrix or tensor (field `representations[k]`), differing sample counts (linear metrics) or
 *   differing DMD ranks (DSA)
 */
export function pairwiseDistances(representations: readonly (SampleMatrix | TrialTensor)[], spec: DistanceSpec = { metric: 'procrustes' }): DistanceMatrix {
  if (!Array.isArray(representations)) throw typeError('representations', 'an array of representations', representations);
  const n = representations.length;
  if (n < 2) throw rangeError('representations', 'at least 2 representations', representations);
  const distances = new Float64Array(n * n);
  if (spec.metric === 'dsa') {
    const { group, randomStarts, maxIter, gradTol, rng, score, ...dmd } = spec.dsa ?? {};
    const ops: DmdResult[] = representations.map((r, k) => havokDmd(r, dmd, `representations[${k}]`));
    const rank = ops[0]!.rank;
    ops.forEach((op, k) => {
      if (op.rank !== rank) throw rangeError(`representations[${k}]`, `DMD rank ${rank} like representations[0] (set dsa.rank)`, undefined, `rank ${op.rank}`);
    });
    const base = rng ?? new Rng('dsa');
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const res = alignOperators(ops[i]!.operator, ops[j]!.operator, rank, { group, randomStarts, maxIter, gradTol, rng: base.fork(`${i},${j}`) });
        distances[i * n + j] = distances[j * n + i] = score === 'euclidean' ? res.euclidean : res.angle;
      }
    return { n, distances };
  }
  checkMetricSpec(spec, 'spec');
  const checked = representations.map((r, k) => {
    const m = checkSampleMatrix(r, `representations[${k}]`);
    return { data: m.data, samples: m.samples, units: m.units };
  });
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (checked[j]!.samples !== checked[i]!.samples) {
        throw rangeError(`representations[${j}].samples`, `${checked[i]!.samples} samples like representations[${i}]`, checked[j]!.samples);
      }
      distances[i * n + j] = distances[j * n + i] = compareRepresentations(checked[i]!, checked[j]!, spec).distance;
    }
  return { n, distances };
}

/** Options of {@link umapEmbedding}. */
export interface UmapOptions {
  /** Seeded source of UMAP's random numbers (required). */
  rng: Rng;
  /** Neighbours per point, the point itself included (default min(15, n - 1)). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0.1, UMAP's default). */
  minDist?: number;
  /** Spread of the embedded points (default 1). */
  spread?: number;
  /** Optimisation epochs (default: umap-js's choice, 500 for small data). */
  nEpochs?: number;
}

const UmapSchema = z.strictObject({
  rng: z.instanceof(Rng),
  nNeighbors: z.int().min(2).optional(),
  minDist: z.number().min(0).optional(),
  spread: z.number().positive().optional(),
  nEpochs: z.int().min(1).optional(),
});

/**
 * A 2-D UMAP embedding of n points given only their distances.
 * @param matrix symmetric n x n distances, row-major (e.g. from {@link pairwiseDistances}); n >= 3
 * @returns n x 2 coordinates, row-major
 * @throws TypeError / RangeError for a missing rng or unknown option key, n < 3, distances that
 *   are not n x n, finite, non-negative and symmetric, or nNeighbors >= n
 */
export function umapEmbedding(matrix: DistanceMatrix, options: UmapOptions): Float64Array {
  const o = parseWithSchema(UmapSchema, options, 'options');
  const { n, distances } = matrix;
  expectInteger(n, 'matrix.n', 3);
  if (!(distances instanceof Float64Array) || distances.length !== n * n) throw typeError('matrix.distances', `a Float64Array of ${n * n} values (n x n)`, distances);
  expectFinite(distances, 'matrix.distances', [n, n]);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const d = distances[i * n + j]!;
      if (d < 0) throw rangeError(`matrix.distances[${i}][${j}]`, 'a non-negative distance', d);
      if (Math.abs(d - distances[j * n + i]!) > 1e-9 * Math.max(1, Math.abs(d))) throw rangeError(`matrix.distances[${i}][${j}]`, `a symmetric matrix (equal to [${j}][${i}] = ${distances[j * n + i]})`, d);
    }
  const k = o.nNeighbors ?? Math.min(15, n - 1);
  if (k >= n) throw rangeError('options.nNeighbors', `fewer than the ${n} points`, k);
  // Exact k nearest neighbours, the point itself first (distance 0), ties broken by index.
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    others.sort((a, b) => distances[i * n + a]! - distances[i * n + b]! || a - b);
    const idx = [i, ...others.slice(0, k - 1)];
    knnIndices.push(idx);
    knnDistances.push(idx.map((j) => (j === i ? 0 : distances[i * n + j]!)));
  }
  const rng = o.rng.fork('umap');
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: k,
    random: () => rng.uniform(),
    ...(o.minDist !== undefined ? { minDist: o.minDist } : {}),
    ...(o.spread !== undefined ? { spread: o.spread } : {}),
    ...(o.nEpochs !== undefined ? { nEpochs: o.nEpochs } : {}),
    distanceFn: (a, b) => distances[a[0]! * n + b[0]!]!,
  });
  umap.setPrecomputedKNN(knnIndices, knnDistances);
  const embedding = umap.fit(Array.from({ length: n }, (_, i) => [i]));
  const out = new Float64Array(2 * n);
  embedding.forEach((p, i) => {
    out[2 * i] = p[0]!;
    out[2 * i + 1] = p[1]!;
  });
  return out;
}
