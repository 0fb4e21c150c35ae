/**
 * Parameter arrays of the leaky RNN. All parameters of a model live in one flat typed array
 * (`flat`) and each named parameter is a view into it, in the order the C++ kernels expect:
 *
 *   Wh [N][N] | Wx [N][nIn] | b [N] | Wout [nOut][N] | bOut [nOut] | h0 [N]
 *
 * Matrices are row-major with row = postsynaptic unit. Gradients and optimiser moments use the
 * same class, so an optimiser step is one loop over matching views.
 * @module
 */
import type { FloatArray } from '../native.js';
import { rangeError, typeError } from '../validate.js';

export type { FloatArray } from '../native.js';

/** Names of the parameters, in storage order. */
export const PARAM_NAMES = ['Wh', 'Wx', 'b', 'Wout', 'bOut', 'h0'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export const DTYPES = ['float32', 'float64'] as const;
/** Element type of every array of a model: float32 (fast) or float64 (checks, analysis). */
export type DType = (typeof DTYPES)[number];

/** Layer sizes. */
export interface ModelDims {
  nIn: number;
  nHidden: number;
  nOut: number;
}

/** Shape of each parameter: matrices [rows, cols], vectors [length]. */
export function paramShapes(dims: ModelDims): Record<ParamName, number[]> {
  const { nIn, nHidden: N, nOut } = dims;
  return { Wh: [N, N], Wx: [N, nIn], b: [N], Wout: [nOut, N], bOut: [nOut], h0: [N] };
}

/** Offset and length of each parameter inside the flat array, plus the total length. */
export function paramLayout(dims: ModelDims): { offset: Record<ParamName, number>; size: Record<ParamName, number>; total: number } {
  const shapes = paramShapes(dims);
  const offset = {} as Record<ParamName, number>;
  const size = {} as Record<ParamName, number>;
  let total = 0;
  for (const name of PARAM_NAMES) {
    offset[name] = total;
    size[name] = shapes[name].reduce((a, b) => a * b, 1);
    total += size[name];
  }
  return { offset, size, total };
}

/** Allocates a zeroed array of `length` elements of `dtype`. */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** The dtype of a typed array. */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? 'float32' : 'float64';
}

/** One flat array with a named view per parameter (parameters, gradients, moments). */
export class ParamSet {
  readonly dims: Readonly<ModelDims>;
  readonly dtype: DType;
  /** All parameters, concatenated in {@link PARAM_NAMES} order. */
  readonly flat: FloatArray;
  /** Recurrent weights [N][N], row = postsynaptic. */
  readonly Wh: FloatArray;
  /** Input weights [N][nIn]. */
  readonly Wx: FloatArray;
  /** Recurrent bias [N]. */
  readonly b: FloatArray;
  /** Readout weights [nOut][N]. */
  readonly Wout: FloatArray;
  /** Readout bias [nOut]. */
  readonly bOut: FloatArray;
  /** Initial state [N]. */
  readonly h0: FloatArray;

  /** Wraps `flat` (allocated when omitted) with named views. */
  constructor(dims: ModelDims, dtype: DType, flat?: FloatArray) {
    this.dims = Object.freeze({ nIn: dims.nIn, nHidden: dims.nHidden, nOut: dims.nOut });
    this.dtype = dtype;
    const { offset, size, total } = paramLayout(dims);
    if (flat === undefined) flat = allocate(dtype, total);
    if (dtypeOf(flat) !== dtype) throw typeError('flat', dtype === 'float32' ? 'a Float32Array' : 'a Float64Array', flat);
    if (flat.length !== total) throw rangeError('flat', `length ${total}`, flat);
    this.flat = flat;
    const view = (name: ParamName): FloatArray => flat.subarray(offset[name], offset[name] + size[name]);
    this.Wh = view('Wh');
    this.Wx = view('Wx');
    this.b = view('b');
    this.Wout = view('Wout');
    this.bOut = view('bOut');
    this.h0 = view('h0');
  }

  /** The view of one parameter. */
  get(name: ParamName): FloatArray {
    return this[name];
  }

  /** Shape of one parameter. */
  shape(name: ParamName): number[] {
    return paramShapes(this.dims)[name];
  }

  /** A deep copy (optionally converted to another dtype). */
  clone(dtype: DType = this.dtype): ParamSet {
    const copy = new ParamSet(this.dims, dtype);
    copy.flat.set(this.flat);
    return copy;
  }

  /** Sets every element to `value`. */
  fill(value: number): this {
    this.flat.fill(value);
    return this;
  }
}
