/**
 * Converters between typed arrays with a shape ({@link NdArray}) and nested JavaScript arrays
 * (JSON), for programs that hold their data as plain arrays. Row-major throughout:
 * `nested[i][j]` is `data[i * cols + j]`.
 * @module
 */
import type { FloatArray } from '../native.js';
import { expectOneOf, nestedShape, rangeError, readNestedArray, toNested, typeError } from '../validate.js';
import type { NdArray } from './ndarray.js';
import { expectNdArray } from './ndarray.js';

/**
 * A rectangular nested array of finite numbers (any depth >= 1) as an {@link NdArray}.
 * @param nested e.g. `[[1, 2, 3], [4, 5, 6]]` (shape [2, 3])
 * @param options.dtype element type of the result (default 'float64')
 * @throws TypeError when `nested` is not an array of arrays/numbers; RangeError when it is ragged
 *   or holds a non-finite number (the message names the first offending index).
 */
export function fromNestedArray(nested: unknown, options: { dtype?: 'float32' | 'float64'; field?: string } = {}): NdArray {
  const field = options.field ?? 'nested';
  if (!Array.isArray(nested)) throw typeError(field, 'a (nested) array of numbers', nested);
  const shape = nestedShape(nested, 32);
  if (shape.includes(0)) throw rangeError(field, 'a nested array without empty dimensions', nested, `shape [${shape.join(', ')}]`);
  const data64 = readNestedArray(nested, field, shape);
  const dtype = expectOneOf(options.dtype ?? 'float64', 'options.dtype', ['float32', 'float64'] as const);
  return { shape, data: dtype === 'float64' ? data64 : Float32Array.from(data64), dtype };
}

/**
 * An {@link NdArray} (or a typed array with an explicit shape) as nested JavaScript arrays.
 * @throws RangeError when the shape does not match the number of elements.
 */
export function toNestedArray(array: Pick<NdArray, 'shape' | 'data'> | FloatArray, shape?: readonly number[]): unknown[] {
  const nd = ArrayBuffer.isView(array) ? { data: array as FloatArray, shape: [...(shape ?? [(array as FloatArray).length])] } : array;
  const checked = expectNdArray(nd, 'array');
  if (checked.shape.length === 0) throw rangeError('array.shape', 'at least one dimension', checked.shape);
  return toNested(checked.data, checked.shape);
}
