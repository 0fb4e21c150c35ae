/**
 * The n-dimensional array the data readers return and the .npy writer takes: a shape and a flat
 * typed array in row-major (C) order, whatever the order on disk. Element `[i0][i1]...[ik]` is
 * `data[((i0 * shape[1] + i1) * shape[2] + ...) + ik]`.
 * @module
 */
import type { FloatArray } from '../native.js';
import { rangeError, typeError } from '../validate.js';

/** Element types the readers understand (the type stored in the file). */
export const NUMERIC_DTYPES = ['float64', 'float32', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool'] as const;
/** One of {@link NUMERIC_DTYPES}. */
export type NumericDType = (typeof NUMERIC_DTYPES)[number];

/**
 * A numeric n-d array, row-major. `data` is a Float64Array, except for float32 (and float16)
 * data, which stay single precision in a Float32Array. Integers and booleans become float64
 * (exactly; 64-bit integers beyond 2^53 in magnitude are refused by the readers).
 */
export interface NdArray<A extends FloatArray = FloatArray> {
  /** Size of each dimension, outermost first. `[]` is a scalar (one element). */
  shape: number[];
  /** The elements, row-major, `product(shape)` of them. */
  data: A;
  /** The element type in the file it came from (or of `data` when built in memory). */
  dtype: NumericDType;
}

/** Product of the dimensions (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Checks that `value` is an NdArray whose data length matches its shape; returns it. */
export function expectNdArray(value: unknown, field: string): NdArray {
  if (value === null || typeof value !== 'object') throw typeError(field, 'an array object { shape, data }', value);
  const { shape, data } = value as { shape?: unknown; data?: unknown };
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw typeError(`${field}.shape`, 'an array of non-negative integers', shape);
  }
  if (!(data instanceof Float64Array || data instanceof Float32Array)) {
    throw typeError(`${field}.data`, 'a Float64Array or Float32Array', data);
  }
  const n = shapeSize(shape as number[]);
  if (data.length !== n) throw rangeError(`${field}.data`, `${n} elements (shape ${formatShape(shape as number[])})`, data);
  const dtype = (value as { dtype?: unknown }).dtype ?? (data instanceof Float32Array ? 'float32' : 'float64');
  return { shape: shape as number[], data, dtype: dtype as NumericDType };
}

/** "141 x 121 x 8" (or "scalar"). */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join(' x ');
}

/**
 * Reorders column-major (Fortran / MATLAB) elements into row-major order for the same shape.
 * `source[k]` is the element whose first index varies fastest.
 */
export function columnMajorToRowMajor<A extends FloatArray>(source: A, shape: readonly number[], out: A): A {
  const nd = shape.length;
  if (nd <= 1) {
    out.set(source);
    return out;
  }
  // Row-major strides; walk the source in its own (column-major) order with a multi-index.
  const strides = new Array<number>(nd);
  strides[nd - 1] = 1;
  for (let d = nd - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  const index = new Array<number>(nd).fill(0);
  let dest = 0;
  for (let k = 0; k < source.length; k++) {
    out[dest] = source[k]!;
    for (let d = 0; d < nd; d++) {
      index[d]!++;
      dest += strides[d]!;
      if (index[d]! < shape[d]!) break;
      dest -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
