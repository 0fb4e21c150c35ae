/**
 * Reusable scratch arrays, so that a training loop allocates its trajectory buffers once
 * instead of once per iteration.
 * @module
 */
import type { FloatArray } from '../native.js';
import { allocate } from '../model/params.js';
import type { DType } from '../model/params.js';

export class Workspace {
  private readonly buffers = new Map<string, { buffer: FloatArray; view: FloatArray }>();

  /** An array named `name` of exactly `length` elements; contents are unspecified. */
  get(name: string, dtype: DType, length: number): FloatArray {
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

  /** Bytes held by all buffers. */
  get bytes(): number {
    let total = 0;
    for (const { buffer } of this.buffers.values()) total += buffer.byteLength;
    return total;
  }
}
