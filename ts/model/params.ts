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
import { expectObject, expectOneOf, rangeError, typeError } from '../validate.js';

/**
 * The storage of every model array: a Float32Array (dtype 'float32') or a Float64Array
 * ('float64'). (The same type as the native layer's.)
 */
export type FloatArray = Float32Array | Float64Array;

/** Names of the parameters, in storage order. */
export const PARAM_NAMES = ['Wh', 'Wx', 'b', 'Wout', 'bOut', 'h0'] as const;
/**
 * A parameter of the leaky RNN: `Wh` recurrent weights [N][N], `Wx` input weights [N][nIn], `b`
 * recurrent bias [N], `Wout` readout weights [nOut][N], `bOut` readout bias [nOut], `h0` initial
 * state [N] (matrices row-major, row = postsynaptic unit).
 */
export type ParamName = (typeof PARAM_NAMES)[number];

/** The element types a model can be stored and run in. */
export const DTYPES = ['float32', 'float64'] as const;
/** Element type of every array of a model: float32 (fast) or float64 (checks, analysis). */
export type DType = (typeof DTYPES)[number];

/** Layer sizes. */
export interface ModelDims {
  /** Number of inputs (>= 0). */
  nIn: number;
  /** Number of hidden units N (>= 1). */
  nHidden: number;
  /** Number of outputs (>= 1). */
  nOut: number;
}

/**
 * Checks layer sizes (integers, nIn >= 0, nHidden >= 1, nOut >= 1) and returns a plain copy.
 * @internal
 */
export function checkDims(dims: unknown, field = 'dims'): ModelDims {
  const d = expectObject(dims, field);
  const size = (name: 'nIn' | 'nHidden' | 'nOut', min: number): number => {
    const v = d[name];
    if (typeof v !== 'number') throw typeError(`${field}.${name}`, `an integer >= ${min}`, v);
    if (!Number.isSafeInteger(v) || v < min) throw rangeError(`${field}.${name}`, `an integer >= ${min}`, v);
    return v;
  };
  return { nIn: size('nIn', 0), nHidden: size('nHidden', 1), nOut: size('nOut', 1) };
}

/**
 * Shape of each parameter: matrices [rows, cols], vectors [length] (see {@link ParamName}).
 * @throws TypeError / RangeError when a size is not an integer (nIn >= 0, nHidden and nOut >= 1)
 */
export function paramShapes(dims: ModelDims): Record<ParamName, number[]> {
  const { nIn, nHidden: N, nOut } = checkDims(dims);
  return { Wh: [N, N], Wx: [N, nIn], b: [N], Wout: [nOut, N], bOut: [nOut], h0: [N] };
}

/**
 * Where each parameter lives in the flat array of a {@link ParamSet} (elements, not bytes).
 * @returns `offset` of each parameter's first element, its `size` (number of elements) and the
 *   `total` length N^2 + N nIn + N + nOut N + nOut + N
 * @throws TypeError / RangeError when a size is not an integer (nIn >= 0, nHidden and nOut >= 1)
 */
export function paramLayout(dims: ModelDims): ParamLayout {
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

/** Where the parameters live in a flat array (see {@link paramLayout}). */
export interface ParamLayout {
  /** Index of the first element of each parameter. */
  offset: Record<ParamName, number>;
  /** Number of elements of each parameter. */
  size: Record<ParamName, number>;
  /** Length of the whole flat array. */
  total: number;
}

/** Allocates a zeroed array of `length` elements of `dtype`. @internal */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** The dtype of a typed array. @internal */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * One flat array with a named view per parameter (used for parameters, gradients and optimiser
 * moments alike). The views share memory with `flat`: writing `p.Wh[i * N + j]` changes `p.flat`.
 */
export class ParamSet {
  /** The layer sizes the arrays are shaped for. */
  readonly dims: Readonly<ModelDims>;
  /** Element type of `flat` and of every view. */
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

  /**
   * Wraps `flat` (a zeroed array is allocated when omitted) with named views; `flat` is used
   * as is, not copied.
   * @param dims layer sizes
   * @param dtype 'float32' or 'float64'
   * @param flat all parameters in {@link PARAM_NAMES} order, length {@link paramLayout}(dims).total
   * @throws TypeError for a size that is not a number, an unknown `dtype`, or a `flat` that is not
   *   a Float32Array (float32) / Float64Array (float64)
   * @throws RangeError for a size out of range or a `flat` of the wrong length
   */
  constructor(dims: ModelDims, dtype: DType, flat?: FloatArray) {
    const checked = checkDims(dims);
    this.dims = Object.freeze(checked);
    this.dtype = expectOneOf(dtype, 'dtype', DTYPES);
    const { offset, size, total } = paramLayout(checked);
    if (flat === undefined) flat = allocate(dtype, total);
    if (!(flat instanceof Float32Array || flat instanceof Float64Array) || dtypeOf(flat) !== dtype) throw typeError('flat', dtype === 'float32' ? 'a Float32Array' : 'a Float64Array', flat);
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

  /**
   * The view of one parameter (shares memory with `flat`).
   * @throws RangeError for a name that is not a parameter
   */
  get(name: ParamName): FloatArray {
    if (!PARAM_NAMES.includes(name)) expectOneOf(name, 'name', PARAM_NAMES);
    return this[name];
  }

  /**
   * Shape of one parameter: [rows, cols] or [length].
   * @throws RangeError for a name that is not a parameter
   */
  shape(name: ParamName): number[] {
    if (!PARAM_NAMES.includes(name)) expectOneOf(name, 'name', PARAM_NAMES);
    return paramShapes(this.dims)[name];
  }

  /**
   * A deep copy (optionally converted to another dtype; float64 to float32 rounds).
   * @throws RangeError for an unknown dtype
   */
  clone(dtype: DType = this.dtype): ParamSet {
    const copy = new ParamSet(this.dims, dtype);
    copy.flat.set(this.flat);
    return copy;
  }

  /**
   * Sets every element to `value`; returns this set.
   * @throws TypeError / RangeError unless `value` is a finite number
   */
  fill(value: number): this {
    if (!Number.isFinite(value)) throw (typeof value === 'number' ? rangeError : typeError)('value', 'a finite number', value);
    this.flat.fill(value);
    return this;
  }
}
