/**
 * Dynamical Similarity Analysis (Ostrow et al. 2023), with the semantics of
 * mitchellostrow/DSA @ c0793be (the version LearningRuleSimilarities pins; reference/specs.md 3.3):
 *
 * 1. Delay-embed each signal into a Hankel matrix ({@link DmdOptions.nDelays} blocks,
 *    {@link DmdOptions.delayInterval} steps apart, the most recent block first).
 * 2. SVD, keep `rank` eigen-time-delay coordinates, and fit the HAVOK/DMD operator A_v (r x r)
 *    by (ridge) least squares from each time point to the next, within trials.
 * 3. Compare two operators by the angle between A and C B C^T for the orthogonal C that
 *    minimises |A/|A| - C (B/|B|) C^T|_F, over O(r) (both components) or SO(r).
 *
 * Step 3 differs from DSA's implementation in the optimiser only: DSA runs Adam (1500 iterations,
 * lr 5e-3) on an MLP-parametrised Cayley map from the identity; we run Riemannian gradient ascent
 * (Cayley retraction, Barzilai-Borwein steps, nonmonotone Armijo backtracking) from several
 * starts, each in both components of O(r), keeping the best: four sign-aligned matching bases
 * (the identity, and the eigenvectors of the symmetric parts, of M M^T and of M^T M, with the
 * eigenvector signs chosen by a greedy search) and `randomStarts` Haar-random rotations from a
 * seeded {@link Rng}. Each run stops at a stationary point (`gradTol`). The problem is not
 * convex, so for large, unstructured operators a better optimum may exist (more random starts
 * help); on problems with a known answer (B = C A C^T for C in either component, symmetric A
 * and B, r = 2 by brute force) it finds the global optimum (test/82-dsa.test.ts).
 * @module
 */
import { z } from 'zod';
import { native } from '../native.js';
import type { FloatArray } from '../native.js';
import { Rng } from '../rng.js';
import { expectFinite, expectInteger, parseWithSchema, rangeError, typeError } from '../validate.js';
import type { SampleMatrix } from './similarity.js';
import { similarityStatusError } from './similarity.js';

/** Trials of a multivariate time series, row-major [trial][step][unit]. */
export interface TrialTensor {
  /** The values, [trial][step][unit] row-major: `data[(i * steps + t) * units + u]`. */
  data: FloatArray;
  /** Number of trials (>= 1); DSA fits one operator across them (time does not run across trials). */
  trials: number;
  /** Time steps per trial (>= 1). */
  steps: number;
  /** Units (channels) per step (>= 1). */
  units: number;
}

/** Delay embedding, rank and regression settings (DSA's DMD constructor, c0793be defaults). */
export interface DmdOptions {
  /** Number of delay blocks D (default 1: no delays). */
  nDelays?: number | undefined;
  /** Steps between delay blocks tau (default 1). */
  delayInterval?: number | undefined;
  /** Number of eigen-time-delay coordinates r. At most one of rank, rankThreshold, rankExplainedVariance; none = all. */
  rank?: number | undefined;
  /** r = the number of leading singular values >= this threshold. */
  rankThreshold?: number | undefined;
  /** r = the 0-based index of the first component whose cumulative S^2 fraction exceeds this value (in (0, 1)). */
  rankExplainedVariance?: number | undefined;
  /** Ridge penalty lambda of the regression (default 0). */
  lambda?: number | undefined;
}

/** The fitted HAVOK/DMD operator of one signal. */
export interface DmdResult {
  /** A_v, rank x rank, row-major. */
  operator: Float64Array;
  /** r, the number of eigen-time-delay coordinates kept. */
  rank: number;
  /** Singular values of the Hankel matrix, descending. */
  singularValues: Float64Array;
}

/** Settings of the orthogonal alignment of two operators. */
export interface AlignOptions {
  /** "O(n)" (default; both components) or "SO(n)" (rotations only). */
  group?: 'O(n)' | 'SO(n)' | undefined;
  /** Haar-random starting rotations in addition to the four matching-basis starts (default 2). */
  randomStarts?: number | undefined;
  /** Iteration cap per run (default 2000). */
  maxIter?: number | undefined;
  /** Stop when the Riemannian gradient norm falls below this (default 1e-12). */
  gradTol?: number | undefined;
  /** Source of the random starts (default `new Rng('dsa')`, so results are reproducible). */
  rng?: Rng | undefined;
}

/** Options of {@link dsaDistance}: the DMD settings, the alignment settings and the score. */
export type DsaOptions = DmdOptions & AlignOptions & {
  /** "angular" (default): the angle in radians; "euclidean": |A^ - C B^ C^T|_F of the unit-norm operators. */
  score?: 'angular' | 'euclidean' | undefined;
};

/** The comparison of two operators. */
export interface AlignResult {
  /** The angle in radians between A and C B C^T, in [0, pi]. */
  angle: number;
  /** cos(angle) = <A^, C B^ C^T>. */
  cosine: number;
  /** |A^ - C B^ C^T|_F for the unit-norm operators (DSA's "euclidean" score). */
  euclidean: number;
  /** The optimal C, r x r row-major. */
  C: Float64Array;
  /** Optimiser diagnostics: iterations summed over all runs. */
  iterations: number;
  /** Optimiser runs done (each start, in both components of O(r) unless SO(r)). */
  runs: number;
  /** Riemannian gradient norm |Omega|_F at the end of the best run (near 0 at a stationary point). */
  gradientNorm: number;
}

/** The result of {@link dsaDistance}: the alignment of the two operators plus the score asked for. */
export interface DsaResult extends AlignResult {
  /** The score asked for: `angle` (default) or `euclidean`. */
  distance: number;
  /** The common DMD rank r of both operators. */
  rank: number;
  /** The fitted operators A_v of X and of Y, each r x r row-major. */
  operators: [Float64Array, Float64Array];
}

const DmdShape = {
  nDelays: z.int().min(1).optional(),
  delayInterval: z.int().min(1).optional(),
  rank: z.int().min(1).optional(),
  rankThreshold: z.number().min(0).optional(),
  rankExplainedVariance: z.number().gt(0).lt(1).optional(),
  lambda: z.number().min(0).optional(),
};
const AlignShape = {
  group: z.enum(['O(n)', 'SO(n)']).optional(),
  randomStarts: z.int().min(0).max(1000).optional(),
  maxIter: z.int().min(0).optional(),
  gradTol: z.number().min(0).optional(),
  rng: z.instanceof(Rng).optional(),
};
const DmdSchema = z.strictObject(DmdShape);
const AlignSchema = z.strictObject(AlignShape);
const DsaSchema = z.strictObject({ ...DmdShape, ...AlignShape, score: z.enum(['angular', 'euclidean']).optional() });

function checkTensor(value: unknown, field: string): { data: Float64Array; trials: number; steps: number; units: number } {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) throw typeError(field, 'a trial tensor { data, trials, steps, units } or a sample matrix { data, samples, units }', value);
  const v = value as Partial<TrialTensor & SampleMatrix>;
  const single = v.trials === undefined && v.samples !== undefined;
  const trials = single ? 1 : v.trials;
  const steps = single ? v.samples : v.steps;
  expectInteger(trials, `${field}.trials`, 1);
  expectInteger(steps, `${field}.${single ? 'samples' : 'steps'}`, 1);
  expectInteger(v.units, `${field}.units`, 1);
  const data = v.data;
  if (!(data instanceof Float64Array || data instanceof Float32Array)) throw typeError(`${field}.data`, 'a Float64Array or Float32Array', data);
  const n = trials! * steps! * v.units!;
  if (data.length !== n) throw rangeError(`${field}.data`, `${n} values (trials ${trials} x steps ${steps} x units ${v.units})`, data);
  expectFinite(data, `${field}.data`, [trials!, steps!, v.units!]);
  return { data: data instanceof Float64Array ? data : Float64Array.from(data), trials: trials!, steps: steps!, units: v.units! };
}

/**
 * Fits the HAVOK/DMD operator of a signal (DSA's `DMD(...).fit()`, reduced_rank_reg off).
 * @param signal trials x steps x units ({@link TrialTensor}), or one trial as a samples x units
 *   {@link SampleMatrix} (samples = consecutive time steps)
 * @param field name of the signal in error messages (default "signal")
 * @throws TypeError for a signal that is not a tensor or matrix object with a Float64Array or
 *   Float32Array `data`, options that are not an object, an unknown option key (with a hint) or
 *   an option of the wrong type
 * @throws RangeError for sizes that do not match the data, non-finite values, too few steps for
 *   the delays, a Hankel matrix with more columns than rows (several trials), a rank above the
 *   number of singular values, more than one rank rule, a rank rule that keeps nothing, or a
 *   singular regression (lower the rank or set lambda > 0)
 */
export function havokDmd(signal: TrialTensor | SampleMatrix, options: DmdOptions = {}, field = 'signal'): DmdResult {
  const o = parseWithSchema(DmdSchema, options, 'options');
  const x = checkTensor(signal, field);
  const D = o.nDelays ?? 1;
  const tau = o.delayInterval ?? 1;
  const rules = [o.rank, o.rankThreshold, o.rankExplainedVariance].filter((v) => v !== undefined).length;
  if (rules > 1) throw rangeError('options', 'at most one of rank, rankThreshold and rankExplainedVariance', undefined, `${rules} of them`);
  const [rule, value] = o.rank !== undefined ? [1, o.rank] : o.rankThreshold !== undefined ? [2, o.rankThreshold] : o.rankExplainedVariance !== undefined ? [3, o.rankExplainedVariance] : [0, 0];
  const Tp = x.steps - (D - 1) * tau;
  if (Tp < 2) {
    throw rangeError(`${field}.steps`, `at least ${(D - 1) * tau + 2} time steps for ${D} delays ${tau} apart (two embedded time points)`, x.steps);
  }
  const rows = x.trials * Tp;
  const cols = x.units * D;
  if (x.trials > 1 && rows < cols) {
    throw rangeError(
      'options.nDelays',
      `a Hankel matrix with at least as many rows (trials x embedded steps = ${rows}) as columns (units x delays = ${cols}), as DSA requires for several trials: use fewer delays, fewer units (e.g. PCA first) or longer trials`,
      D,
    );
  }
  const k = Math.min(rows, cols);
  if (o.rank !== undefined && Math.min(o.rank, cols) > k) {
    throw rangeError('options.rank', `at most ${k} (the number of singular values of the ${rows} x ${cols} Hankel matrix)`, o.rank);
  }
  const Av = new Float64Array(k * k);
  const S = new Float64Array(k);
  const rankOut = new Float64Array(1);
  const status = native.havokDmd(x.trials, x.steps, x.units, x.data, D, tau, rule, value, o.lambda ?? 0, Av, S, rankOut);
  if (status === 4) throw rangeError('options', 'a rank rule that keeps at least one component', undefined, rule === 2 ? `rankThreshold ${value}, above every singular value` : `rankExplainedVariance ${value}`);
  if (status === 5) {
    throw rangeError('options', 'a regression that can be solved (V-^T V- is singular at this rank: lower the rank or set lambda > 0)', undefined, `rank ${rankOut[0]}, lambda ${o.lambda ?? 0}`);
  }
  const error = similarityStatusError(status, 'havokDmd');
  if (error) throw error;
  const r = rankOut[0]!;
  return { operator: Av.slice(0, r * r), rank: r, singularValues: S };
}

/**
 * DSA's `SimilarityTransformDist(...).fit_score(A, B)` for two r x r operators: the angle
 * between A and C B C^T for the best orthogonal C (see the module comment for the optimiser).
 * @param A r x r row-major
 * @param B r x r row-major
 * @param r the operators' size (integer >= 1)
 * @throws TypeError when A or B is not a Float64Array / Float32Array, or for options that are not
 *   an object, an unknown key or a value of the wrong type (e.g. an `rng` that is not an Rng)
 * @throws RangeError when A or B does not hold r x r values, holds a non-finite value or is all
 *   zero, or for option values out of range
 */
export function alignOperators(A: FloatArray, B: FloatArray, r: number, options: AlignOptions = {}): AlignResult {
  const o = parseWithSchema(AlignSchema, options, 'options');
  expectInteger(r, 'r', 1);
  for (const [name, M] of [['A', A], ['B', B]] as const) {
    if (!(M instanceof Float64Array || M instanceof Float32Array)) throw typeError(name, 'a Float64Array or Float32Array (r x r, row-major)', M);
    if (M.length !== r * r) throw rangeError(name, `${r * r} values (r x r with r = ${r})`, M);
    expectFinite(M, name, [r, r]);
    if (!M.some((v) => v !== 0)) throw rangeError(name, 'an operator that is not all zero (the angle to it is undefined)', undefined, 'a zero matrix');
  }
  const rng = o.rng ?? new Rng('dsa');
  const nG = o.randomStarts ?? 2;
  const gaussians = new Float64Array(nG * r * r);
  rng.fork('starts').fillNormal(gaussians);
  const C = new Float64Array(r * r);
  const stats = new Float64Array(8);
  const a = A instanceof Float64Array ? A : Float64Array.from(A);
  const b = B instanceof Float64Array ? B : Float64Array.from(B);
  const status = native.dsaAlign(r, a, b, gaussians, nG, o.group === 'SO(n)' ? 1 : 0, o.maxIter ?? 2000, o.gradTol ?? 1e-12, C, stats);
  const error = similarityStatusError(status, 'dsaAlign');
  if (error) throw error;
  return { angle: stats[3]!, cosine: stats[0]!, euclidean: stats[1]!, C, iterations: stats[4]!, runs: stats[5]!, gradientNorm: stats[7]! };
}

/**
 * DSA distance between the dynamics of two signals (`DSA(X, Y, ...).fit_score()`): fits the
 * HAVOK/DMD operator of each with the same settings and aligns them.
 * Both operators must have the same rank: with different unit counts, set `rank`.
 * @param X trials x steps x units, or a samples x units matrix (one trial)
 * @param Y the same kinds; trial and step counts may differ from X
 * @returns `distance` in radians (angular score, in [0, pi]) or the euclidean score
 * @throws TypeError / RangeError as {@link havokDmd} (for X and Y) and {@link alignOperators}, and
 *   a RangeError when the two operators' ranks differ
 */
export function dsaDistance(X: TrialTensor | SampleMatrix, Y: TrialTensor | SampleMatrix, options: DsaOptions = {}): DsaResult {
  const o = parseWithSchema(DsaSchema, options, 'options');
  const { group, randomStarts, maxIter, gradTol, rng, score, ...dmd } = o;
  const a = havokDmd(X, dmd, 'X');
  const b = havokDmd(Y, dmd, 'Y');
  if (a.rank !== b.rank) {
    throw rangeError('options.rank', `the same DMD rank for X and Y (set options.rank; DSA compares r x r operators)`, undefined, `rank ${a.rank} for X and ${b.rank} for Y`);
  }
  const result = alignOperators(a.operator, b.operator, a.rank, { group, randomStarts, maxIter, gradTol, rng });
  return { ...result, distance: score === 'euclidean' ? result.euclidean : result.angle, rank: a.rank, operators: [a.operator, b.operator] };
}
