/**
 * Reusable scratch arrays, so that a training loop allocates its trajectory buffers once
 * instead of once per iteration.
 * @module
 */
import type { FloatArray } from '../native.js';
import { allocate } from '../model/params.js';
import type { DType } from '../model/params.js';
import { expectInteger, expectOneOf, expectString } from '../validate.js';

/**
 * Named scratch arrays reused across calls (the trajectory buffers of a learning rule, say).
 * A rule's {@link RuleContext} carries one; reuse the same workspace across the iterations of a
 * loop, and give each concurrent computation its own. Arrays grow as needed and are never shrunk.
 */
export class Workspace {
  private readonly buffers = new Map<string, { buffer: FloatArray; view: FloatArray }>();

  /**
   * An array named `name` of exactly `length` elements of `dtype`; its contents are unspecified
   * (whatever the last user left). The same name and dtype return the same memory.
   * @throws TypeError / RangeError for a name that is not a string, an unknown dtype or a length
   *   that is not an integer >= 0
   */
  get(name: string, dtype: DType, length: number): FloatArray {
    if (typeof name !== 'string' || (dtype !== 'float32' && dtype !== 'float64') || !Number.isSafeInteger(length) || length < 0) {
      expectString(name, 'name');
      expectOneOf(dtype, 'dtype', ['float32', 'float64'] as const);
      expectInteger(length, 'length', 0);
    }
    const key = `${name}:${dtype}`;
    const entry = this.buffers.get(key);
    if (entry) {
      if (entry.view.length === length) return entry.view;
      if (entry.buffer.length >= length) {
        entry.view = entry.buffer.subarray(0, length);
        return entry.view;
      }
    }
    const buffer = allocate(dtype, length);
    this.buffers.set(key, { buffer, view: buffer });
    return buffer;
  }

  /** Like {@link get}, zero-filled. */
  zeros(name: string, dtype: DType, length: number): FloatArray {
    const a = this.get(name, dtype, length);
    a.fill(0);
    return a;
  }

  /** Bytes held by all buffers (the memory this workspace keeps alive). */
  get bytes(): number {
    let total = 0;
    for (const { buffer } of this.buffers.values()) total += buffer.byteLength;
    return total;
  }
}
