/**
 * Representational similarity between two sets of activity recorded (or simulated) on the same
 * samples: netrep's shape metrics (angular Procrustes, CCA and everything in between) and linear
 * CKA. DSA, which compares dynamics rather than point clouds, is in ./dsa.ts.
 *
 * Conventions (netrep, ahwillia/netrep @ 0186b8a; reference/specs.md section 3):
 * - Inputs are samples x units, row-major ({@link SampleMatrix}); samples are time points x
 *   conditions and must match between the two sides; unit counts may differ (the narrower side
 *   is zero-padded). Every unit is centred over samples.
 * - Distances are angles in radians. `procrustes` (alpha 1), `cca` (alpha 0) and `shape`
 *   (alpha in [0, 1]) lie in [0, pi/2]; the CKA distance arccos(CKA) also lies in [0, pi/2].
 *   {@link normalizedDistance} divides by pi/2 (Liu et al. 2025 report d / (pi/2) in [0, 1]).
 * - Float32 inputs are promoted to float64; everything is computed in float64 by LAPACK.
 * @module
 */
import { z } from 'zod';
import type { NdArray } from '../io/ndarray.js';
import { expectNdArray, formatShape } from '../io/ndarray.js';
import { native } from '../native.js';
import type { FloatArray } from '../native.js';
import { expectFinite, expectInteger, expectNumber, parseWithSchema, rangeError, typeError } from '../validate.js';

/**
 * Activity as a samples x units matrix, row-major: unit `u` at sample `s` is
 * `data[s * units + u]`. Samples are usually time points x conditions, time fastest within each
 * condition (see ts/analysis/layout.ts).
 */
export interface SampleMatrix {
  /** The values, samples x units row-major (float32 is promoted to float64 by the metrics). */
  data: FloatArray;
  /** Number of rows m (time points x conditions); must match between compared matrices. */
  samples: number;
  /** Number of columns (units, neurons); may differ between compared matrices. */
  units: number;
}

/** The metrics of {@link compareRepresentations} (and `rnnlab similarity`). */
export const LINEAR_METRICS = ['procrustes', 'cca', 'shape', 'cka'] as const;
/** One of {@link LINEAR_METRICS}. */
export type LinearMetricName = (typeof LINEAR_METRICS)[number];

/** Which metric to use, with its parameter. */
export interface MetricSpec {
  /** procrustes (alpha 1), cca (alpha 0), shape (any alpha in [0, 1], required) or cka. */
  metric: LinearMetricName;
  /** For `shape` only: 1 = Procrustes (rotations only), 0 = CCA (any invertible map). */
  alpha?: number;
}

/** Result of one comparison: `distance` in radians; for `cka` also the CKA value itself. */
export interface Comparison {
  /** The distance, an angle in radians in [0, pi/2]. */
  distance: number;
  /** For `cka` only: linear CKA itself, in [0, 1] (distance = arccos(similarity)). */
  similarity?: number;
}

/**
 * Builds a {@link SampleMatrix} from a 2-D {@link NdArray} (rows = samples, columns = units),
 * sharing its data (no copy).
 * @throws TypeError when `array` is not an { shape, data } array with a Float64Array or
 *   Float32Array `data`
 * @throws RangeError when the array is not 2-D or its data length differs from its shape
 */
export function sampleMatrixFromNdArray(array: NdArray, field = 'array'): SampleMatrix {
  expectNdArray(array, field);
  if (array.shape.length !== 2) {
    throw rangeError(field, 'a 2-D array of samples x units', undefined, `an array of shape ${formatShape(array.shape)}`);
  }
  return { data: array.data, samples: array.shape[0]!, units: array.shape[1]! };
}

/** Checks a SampleMatrix (types, sizes, finite values) and returns its data as float64. @internal */
export function checkSampleMatrix(value: unknown, field: string): { data: Float64Array; samples: number; units: number } {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Array.isArray(value)) {
    throw typeError(field, 'a sample matrix { data, samples, units }', value);
  }
  const { data, samples, units } = value as Partial<SampleMatrix>;
  if (!(data instanceof Float64Array || data instanceof Float32Array)) throw typeError(`${field}.data`, 'a Float64Array or Float32Array', data);
  expectInteger(samples, `${field}.samples`, 1);
  expectInteger(units, `${field}.units`, 1);
  if (data.length !== samples! * units!) {
    throw rangeError(`${field}.data`, `${samples! * units!} values (samples ${samples} x units ${units})`, data);
  }
  expectFinite(data, `${field}.data`, [samples!, units!]);
  return { data: data instanceof Float64Array ? data : Float64Array.from(data), samples: samples!, units: units! };
}

/** Throws unless some unit varies over samples (otherwise the centred matrix is zero). */
function expectVarying(x: { data: Float64Array; samples: number; units: number }, field: string): void {
  const { data, samples, units } = x;
  for (let u = 0; u < units; u++) {
    const first = data[u]!;
    for (let s = 1; s < samples; s++) if (data[s * units + u] !== first) return;
  }
  throw rangeError(field, 'activity that varies across samples (every unit is constant, so the centred matrix is zero and no angle is defined)', undefined, `a ${samples} x ${units} matrix of constant columns`);
}

/** Validates a pair for comparison: same number of samples, at least 2, finite, not constant. */
function checkPair(X: unknown, Y: unknown): [ReturnType<typeof checkSampleMatrix>, ReturnType<typeof checkSampleMatrix>] {
  const x = checkSampleMatrix(X, 'X');
  const y = checkSampleMatrix(Y, 'Y');
  if (x.samples !== y.samples) {
    throw rangeError('Y.samples', `${x.samples} samples, the same as X (both matrices are samples x units, and row k of each must be the same time point and condition)`, y.samples);
  }
  if (x.samples < 2) throw rangeError('X.samples', 'at least 2 samples', x.samples);
  expectVarying(x, 'X');
  expectVarying(y, 'Y');
  return [x, y];
}

/** Turns a native status code into an error (or nothing for 0). @internal */
export function similarityStatusError(status: number, what: string): Error | undefined {
  switch (status) {
    case 0:
      return undefined;
    case 1:
      return rangeError(what, 'matrices that are not all zero', undefined, 'a zero matrix');
    case 2:
      return new Error(`rnnlab native ${what}: a LAPACK decomposition did not converge (are the inputs extremely badly scaled?)`);
    default:
      return new Error(`rnnlab native ${what}: failed with status ${status}`);
  }
}

/**
 * netrep's `LinearMetric(alpha, center_columns=True, zero_pad=True).fit_score(X, Y)` with the
 * angular score, in radians. alpha = 1 is angular Procrustes (rotations and reflections only),
 * alpha = 0 is CCA (invariant to any invertible linear map), values in between interpolate
 * (partial whitening). Symmetric in X and Y.
 *
 * Closed forms: alpha = 1 gives arccos(|Xc^T Yc|_* / (|Xc|_F |Yc|_F)) (nuclear norm);
 * alpha = 0 gives arccos(sum of canonical correlations / sqrt(rank Xc * rank Yc)).
 *
 * @param X samples x units (m x p), row-major
 * @param Y samples x units (m x q), row-major; the same m
 * @param alpha in [0, 1]
 * @returns the distance in radians, in [0, pi/2]
 * @throws TypeError when X or Y is not a { data, samples, units } matrix with a Float64Array or
 *   Float32Array `data` and integer sizes
 * @throws RangeError when a data length differs from samples x units, a value is not finite,
 *   the sample counts differ (Y.samples), there are fewer than 2 samples, or every unit of a side
 *   is constant over samples, or alpha is outside [0, 1]
 */
export function shapeDistance(X: SampleMatrix, Y: SampleMatrix, alpha: number): number {
  expectNumber(alpha, 'alpha', { min: 0, max: 1 });
  const [x, y] = checkPair(X, Y);
  const out = new Float64Array(2);
  const status = native.shapeMetric(x.samples, x.units, y.units, x.data, y.data, alpha, out);
  const error = similarityStatusError(status, 'shapeMetric');
  if (error) throw error;
  return out[0]!;
}

/**
 * Angular Procrustes distance (netrep LinearMetric alpha = 1), radians in [0, pi/2].
 * @param X samples x units (m x p), row-major
 * @param Y samples x units (m x q), row-major; the same m
 * @throws TypeError when X or Y is not a { data, samples, units } matrix with a Float64Array or
 *   Float32Array `data` and integer sizes
 * @throws RangeError when a data length differs from samples x units, a value is not finite,
 *   the sample counts differ (Y.samples), there are fewer than 2 samples, or every unit of a side
 *   is constant over samples
 */
export function procrustesDistance(X: SampleMatrix, Y: SampleMatrix): number {
  return shapeDistance(X, Y, 1);
}

/**
 * CCA distance (netrep LinearMetric alpha = 0), radians in [0, pi/2].
 * @param X samples x units (m x p), row-major
 * @param Y samples x units (m x q), row-major; the same m
 * @throws TypeError when X or Y is not a { data, samples, units } matrix with a Float64Array or
 *   Float32Array `data` and integer sizes
 * @throws RangeError when a data length differs from samples x units, a value is not finite,
 *   the sample counts differ (Y.samples), there are fewer than 2 samples, or every unit of a side
 *   is constant over samples
 */
export function ccaDistance(X: SampleMatrix, Y: SampleMatrix): number {
  return shapeDistance(X, Y, 0);
}

/**
 * Linear CKA (Kornblith et al. 2019) with column centring:
 * |Yc^T Xc|_F^2 / (|Xc^T Xc|_F |Yc^T Yc|_F), in [0, 1]; 1 = identical up to rotation and scale.
 * @param X samples x units (m x p), row-major
 * @param Y samples x units (m x q), row-major; the same m
 * @throws TypeError when X or Y is not a { data, samples, units } matrix with a Float64Array or
 *   Float32Array `data` and integer sizes
 * @throws RangeError when a data length differs from samples x units, a value is not finite,
 *   the sample counts differ (Y.samples), there are fewer than 2 samples, or every unit of a side
 *   is constant over samples
 */
export function linearCka(X: SampleMatrix, Y: SampleMatrix): number {
  const [x, y] = checkPair(X, Y);
  const out = new Float64Array(1);
  const status = native.linearCka(x.samples, x.units, y.units, x.data, y.data, out);
  const error = similarityStatusError(status, 'linearCka');
  if (error) throw error;
  return Math.min(1, Math.max(0, out[0]!));
}

/**
 * netrep `LinearCKA(center_columns=True).score`: arccos(linear CKA), radians in [0, pi/2].
 * @param X samples x units (m x p), row-major
 * @param Y samples x units (m x q), row-major; the same m
 * @throws TypeError when X or Y is not a { data, samples, units } matrix with a Float64Array or
 *   Float32Array `data` and integer sizes
 * @throws RangeError when a data length differs from samples x units, a value is not finite,
 *   the sample counts differ (Y.samples), there are fewer than 2 samples, or every unit of a side
 *   is constant over samples
 */
export function ckaDistance(X: SampleMatrix, Y: SampleMatrix): number {
  return Math.acos(linearCka(X, Y));
}

const MetricSpecSchema = z.strictObject({
  metric: z.enum(LINEAR_METRICS),
  alpha: z.number().min(0).max(1).optional(),
});

/** Validates a metric spec; `alpha` is required for `shape` and refused for the others. @internal */
export function checkMetricSpec(spec: unknown, field = 'metric'): { metric: LinearMetricName; alpha: number } {
  const parsed = parseWithSchema(MetricSpecSchema, spec, field);
  if (parsed.metric === 'shape') {
    if (parsed.alpha === undefined) throw typeError(`${field}.alpha`, 'a number in [0, 1] (required for the shape metric)', undefined, 'nothing');
    return { metric: 'shape', alpha: parsed.alpha };
  }
  const fixed = parsed.metric === 'procrustes' ? 1 : parsed.metric === 'cca' ? 0 : NaN;
  if (parsed.alpha !== undefined && parsed.alpha !== fixed) {
    throw rangeError(`${field}.alpha`, parsed.metric === 'cka' ? 'no alpha for cka' : `alpha ${fixed} for ${parsed.metric} (or use metric "shape")`, parsed.alpha);
  }
  return { metric: parsed.metric, alpha: fixed };
}

/**
 * Compares two representations with one of the linear metrics.
 * @param X samples x units (m x p), row-major
 * @param Y samples x units (m x q), row-major; the same m
 * @returns `{ distance }` in radians, plus `similarity` (the CKA value) for `cka`
 * @throws TypeError when X or Y is not a { data, samples, units } matrix with a Float64Array or
 *   Float32Array `data` and integer sizes
 * @throws RangeError when a data length differs from samples x units, a value is not finite,
 *   the sample counts differ (Y.samples), there are fewer than 2 samples, or every unit of a side
 *   is constant over samples
 * @throws TypeError for a spec that is not an object, an unknown key, or a missing alpha for
 *   `shape`; RangeError for an unknown metric (with a hint) or an alpha the metric does not take
 */
export function compareRepresentations(X: SampleMatrix, Y: SampleMatrix, spec: MetricSpec): Comparison {
  const { metric, alpha } = checkMetricSpec(spec);
  if (metric === 'cka') {
    const similarity = linearCka(X, Y);
    return { distance: Math.acos(similarity), similarity };
  }
  return { distance: shapeDistance(X, Y, alpha) };
}

/**
 * A distance in radians divided by pi/2 (Liu et al. 2025's normalisation to [0, 1]).
 * @throws TypeError / RangeError unless `radians` is a finite number
 */
export function normalizedDistance(radians: number): number {
  if (!Number.isFinite(radians)) expectNumber(radians, 'radians');
  return radians / (Math.PI / 2);
}
