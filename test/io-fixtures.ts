// Byte-level builders of .npy and MATLAB v5 files for the IO tests, written from the formats'
// public descriptions (numpy.lib.format; MathWorks "MAT-File Format").
import { deflateSync } from 'node:zlib';

/** A .npy file with the given raw header text (padded here) and payload. */
export function npyBytes(header: string, payload: Uint8Array, version: 1 | 2 | 3 = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const enc = new TextEncoder().encode(header);
  const total = Math.ceil((prefix + enc.length + 1) / 64) * 64;
  const headerLength = total - prefix;
  const out = new Uint8Array(total + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  out.fill(0x20, prefix, total - 1);
  out.set(enc, prefix);
  out[total - 1] = 0x0a;
  out.set(payload, total);
  return out;
}

/** Encodes numbers with a DataView setter ("Float64", "Int16", ...), little- or big-endian. */
export function encode(values: readonly number[], kind: 'Float64' | 'Float32' | 'Int8' | 'Uint8' | 'Int16' | 'Uint16' | 'Int32' | 'Uint32' | 'BigInt64', little = true): Uint8Array {
  const size = { Float64: 8, Float32: 4, Int8: 1, Uint8: 1, Int16: 2, Uint16: 2, Int32: 4, Uint32: 4, BigInt64: 8 }[kind];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, k) => {
    if (kind === 'BigInt64') view.setBigInt64(k * 8, BigInt(v), little);
    else (view[`set${kind}`] as (o: number, v: number, l?: boolean) => void).call(view, k * size, v, little);
  });
  return out;
}

/** Column-major order of a row-major array of `shape` (what MATLAB and Fortran store). */
export function toColumnMajor(values: readonly number[], shape: readonly number[]): number[] {
  const n = values.length;
  const out = new Array<number>(n);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  for (let k = 0; k < n; k++) {
    // k is the column-major index: decompose with the first index fastest.
    let rest = k;
    let rowMajor = 0;
    for (let d = 0; d < shape.length; d++) {
      rowMajor += (rest % shape[d]!) * strides[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    out[k] = values[rowMajor]!;
  }
  return out;
}

export interface MatVariable {
  name: string;
  /** mxCLASS code: 6 double, 7 single, 8 int8, 9 uint8, 10 int16, ..., 1 cell, 4 char. */
  mxClass: number;
  dims: number[];
  /** Storage (mi) type of the real part: 9 miDOUBLE, 7 miSINGLE, 1 miINT8, 2 miUINT8, 3 miINT16, 5 miINT32, ... */
  miType?: number;
  /** Column-major values of the real part. */
  values?: number[];
  logical?: boolean;
  complex?: boolean;
  /** Store this variable in an miCOMPRESSED element. */
  compress?: boolean;
}

const MI_KIND: Record<number, Parameters<typeof encode>[1]> = { 1: 'Int8', 2: 'Uint8', 3: 'Int16', 4: 'Uint16', 5: 'Int32', 6: 'Uint32', 7: 'Float32', 9: 'Float64' };

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One data element: 8-byte tag (or the 4-byte small form when it fits and `small`), data padded to 8. */
function element(type: number, data: Uint8Array, little: boolean, small = false): Uint8Array {
  if (small && data.length <= 4) {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, (data.length << 16) | type, little);
    out.set(data, 4);
    return out;
  }
  const padded = Math.ceil(data.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, little);
  view.setUint32(4, data.length, little);
  out.set(data, 8);
  return out;
}

function matrixElement(v: MatVariable, little: boolean): Uint8Array {
  const flags = new Uint8Array(8);
  const fv = new DataView(flags.buffer);
  fv.setUint32(0, v.mxClass | (v.complex ? 0x0800 : 0) | (v.logical ? 0x0200 : 0), little);
  const parts = [
    element(6, flags, little),
    element(5, encode(v.dims, 'Int32', little), little),
    element(1, new TextEncoder().encode(v.name), little, true),
  ];
  if (v.values) {
    const mi = v.miType ?? 9;
    parts.push(element(mi, encode(v.values, MI_KIND[mi]!, little), little));
    if (v.complex) parts.push(element(mi, encode(v.values, MI_KIND[mi]!, little), little));
  }
  return element(14, concat(parts), little);
}

/** A MATLAB Level 5 MAT-file with these variables. */
export function matBytes(variables: MatVariable[], options: { bigEndian?: boolean; description?: string } = {}): Uint8Array {
  const little = !options.bigEndian;
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode((options.description ?? 'MATLAB 5.0 MAT-file, Platform: rnnlab test, Created on: today').slice(0, 116)));
  header.fill(0, 116, 124);
  const hv = new DataView(header.buffer);
  hv.setUint16(124, 0x0100, little);
  header[126] = little ? 0x49 : 0x4d; // 'I' 'M' as written by a little-endian machine
  header[127] = little ? 0x4d : 0x49;
  const parts: Uint8Array[] = [header];
  for (const v of variables) {
    const m = matrixElement(v, little);
    if (v.compress) {
      const z = deflateSync(m);
      const tag = new Uint8Array(8);
      const tv = new DataView(tag.buffer);
      tv.setUint32(0, 15, little);
      tv.setUint32(4, z.length, little);
      parts.push(tag, z);
    } else {
      parts.push(m);
    }
  }
  return concat(parts);
}
