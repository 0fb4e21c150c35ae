/**
 * MATLAB Level 5 MAT-files (the format of `save -v6` and `save -v7`, and of scipy.io.savemat):
 * a reader for numeric and logical arrays, including variables stored in miCOMPRESSED (zlib)
 * elements, in little- or big-endian files.
 *
 * Layout (MathWorks, "MAT-File Format"): a 128-byte header (116 bytes of text, 8 bytes of
 * subsystem offset, a 2-byte version 0x0100 and the 2-byte endian indicator "IM"/"MI"), then data
 * elements. Each element has an 8-byte tag (uint32 type, uint32 byte count; or the 4-byte
 * "small element" form, byte count in the upper 16 bits) and data padded to 8 bytes. A variable
 * is an miMATRIX element holding sub-elements: array flags (class, complex/logical bits), the
 * dimensions (int32), the name (int8), and the real part (any numeric storage type; MATLAB
 * stores e.g. integral doubles as uint8). An miCOMPRESSED element holds one zlib-compressed
 * element.
 *
 * MATLAB stores arrays column-major; the reader returns them row-major with MATLAB's own
 * dimensions (at least two: a column vector of 61 values has shape [61, 1]). Cell arrays,
 * structs, objects, sparse, char and complex arrays are listed in `skipped` rather than read.
 *
 * MATLAB v7.3 files are HDF5 files and are refused with a message that says how to convert
 * them; MATLAB v4 files are refused too. Every structural problem (truncated, corrupt, sizes
 * that do not add up, bad zlib data) is a RangeError through ts/validate.ts.
 * @module
 */
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { rangeError, typeError } from '../validate.js';
import { readFileBytes } from './files.js';
import { columnMajorToRowMajor, shapeSize } from './ndarray.js';
import type { NdArray, NumericDType } from './ndarray.js';

/** MAT element data types (miINT8 = 1 ... miUTF32 = 18). */
const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

/** Bytes per element of each numeric storage type. */
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

/** mxCLASS codes (array flags, low byte) and what rnnlab makes of them. */
const MX_NUMERIC: Record<number, NumericDType> = {
  6: 'float64',
  7: 'float32',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const MX_OTHER: Record<number, string> = { 1: 'cell array', 2: 'struct', 3: 'object', 4: 'char array', 5: 'sparse array', 16: 'function handle', 17: 'opaque object (e.g. string, table)' };

/** Default cap on the size of one decompressed variable (bytes). */
const DEFAULT_MAX_BYTES = 2 ** 31 - 1;

/** Options of {@link readMat}, {@link readMatVariable} and {@link parseMat}. */
export interface ReadMatOptions {
  /** Name used in error messages (default "mat"). */
  field?: string;
  /** Largest decompressed variable accepted, in bytes (default 2^31 - 1). */
  maxBytes?: number;
}

/** What {@link readMat} returns. */
export interface MatFile {
  /** The header text (e.g. "MATLAB 5.0 MAT-file, Platform: MACI64, Created on: ..."). */
  description: string;
  /** Numeric and logical variables by name, row-major with MATLAB's dimensions. */
  variables: Record<string, NdArray>;
  /** Variables that were not read, with the reason (their class, or "complex"). */
  skipped: {
    /** The variable's name. */
    name: string;
    /** Why it was skipped: its MATLAB class (e.g. "struct") or "complex". */
    reason: string;
  }[];
}

const V73_HELP =
  'a MATLAB v5/v7 MAT-file (this is a v7.3 file, which is HDF5; convert it: in MATLAB, `S = load(\'f.mat\'); save(\'f_v7.mat\', \'-struct\', \'S\', \'-v7\')`, or in Python, read it with h5py and write it with scipy.io.savemat(\'f_v7.mat\', {...}) or np.save)';

/** Reads the numeric variables of a MATLAB v5/v7 MAT-file. */
export function readMat(path: string, options: ReadMatOptions = {}): MatFile {
  const field = options.field ?? 'mat';
  const bytes: Uint8Array = readFileBytes(path, field, 'a readable .mat file');
  return parseMat(bytes, { ...options, field: `${field} ${JSON.stringify(path)}` });
}

/** Reads one variable; a missing or non-numeric variable is a RangeError listing what there is. */
export function readMatVariable(path: string, name: string, options: ReadMatOptions = {}): NdArray {
  const file = readMat(path, options);
  const v = file.variables[name];
  if (v) return v;
  const field = `${options.field ?? 'mat'} ${JSON.stringify(path)}`;
  const skipped = file.skipped.find((s) => s.name === name);
  if (skipped) throw typeError(`${field}.${name}`, 'a numeric or logical array', undefined, `a ${skipped.reason}`);
  const names = Object.keys(file.variables);
  throw rangeError(`${field}`, `a variable named ${JSON.stringify(name)}`, undefined, names.length ? `a file with ${names.map((n) => JSON.stringify(n)).join(', ')}` : 'a file without numeric variables');
}

function corrupt(field: string, expected: string, received: string): RangeError {
  return rangeError(field, expected, undefined, received);
}

/** A bounds-checked little/big-endian view over a byte range. */
class Bytes {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly little: boolean,
    readonly field: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.length) {
      throw corrupt(this.field, `${length} bytes of ${what} at byte ${offset}`, `data ending at byte ${this.bytes.length} (the file is truncated or corrupt)`);
    }
  }
  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, this.little);
  }
}

interface Tag {
  type: number;
  /** Bytes of data. */
  length: number;
  /** Offset of the data. */
  data: number;
  /** Offset just past this element (data padded to 8 bytes; not padded for miCOMPRESSED). */
  next: number;
}

function readTag(b: Bytes, offset: number, end: number, what: string): Tag {
  const first = b.u32(offset, `${what} tag`);
  if (first >>> 16 !== 0) {
    // Small data element: byte count in the upper 16 bits, type in the lower, data in 4 bytes.
    const length = first >>> 16;
    const type = first & 0xffff;
    if (length > 4) throw corrupt(b.field, `a small ${what} element of at most 4 bytes`, `${length} bytes at byte ${offset}`);
    b.need(offset, 8, what);
    return { type, length, data: offset + 4, next: offset + 8 };
  }
  const type = first;
  const length = b.u32(offset + 4, `${what} tag`);
  const data = offset + 8;
  if (data + length > end) {
    throw corrupt(b.field, `a ${what} element of ${length} bytes at byte ${offset}`, `data ending at byte ${end} (the file is truncated or corrupt)`);
  }
  const padded = type === MI.COMPRESSED ? length : Math.ceil(length / 8) * 8;
  return { type, length, data, next: Math.min(data + padded, end) };
}

/** Parses the bytes of a MAT-file (see {@link readMat}). */
export function parseMat(bytes: Uint8Array, options: ReadMatOptions = {}): MatFile {
  const field = options.field ?? 'mat';
  if (!(bytes instanceof Uint8Array)) throw typeError(field, 'a Uint8Array of file contents', bytes);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const hdf5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  const isHdf5At = (offset: number): boolean => bytes.length >= offset + 8 && hdf5.every((v, k) => bytes[offset + k] === v);
  if (isHdf5At(0) || isHdf5At(512) || isHdf5At(1024)) throw corrupt(field, V73_HELP, 'an HDF5 file');
  if (bytes.length < 128) throw corrupt(field, 'a MATLAB MAT-file (at least a 128-byte header)', `${bytes.length} bytes`);
  const description = new TextDecoder('latin1').decode(bytes.subarray(0, 116)).replace(/[\s\0]+$/, '');
  const indicator = String.fromCharCode(bytes[126]!, bytes[127]!);
  if (indicator !== 'IM' && indicator !== 'MI') {
    const v4 = !description.startsWith('MATLAB');
    throw corrupt(field, v4 ? 'a MATLAB v5/v7 MAT-file (MATLAB v4 files are not supported; re-save with save -v7 or scipy.io.savemat)' : 'a MATLAB v5/v7 MAT-file (endian indicator "IM" or "MI" at byte 126)', v4 ? 'a file without a MAT-file header' : `the indicator ${JSON.stringify(indicator)}`);
  }
  const little = indicator === 'IM';
  const b = new Bytes(bytes, little, field);
  const version = b.view.getUint16(124, little);
  if (version === 0x0200 || /MATLAB 7\.3/.test(description)) throw corrupt(field, V73_HELP, 'a v7.3 header');
  if (version !== 0x0100) throw corrupt(field, 'MAT-file version 0x0100', `0x${version.toString(16).padStart(4, '0')}`);

  const variables: Record<string, NdArray> = Object.create(null) as Record<string, NdArray>;
  const skipped: { name: string; reason: string }[] = [];
  let offset = 128;
  while (offset + 8 <= bytes.length) {
    const tag = readTag(b, offset, bytes.length, 'variable');
    if (tag.next <= offset) throw corrupt(field, 'a data element that advances', `a loop at byte ${offset}`);
    if (tag.type === MI.COMPRESSED) {
      const inflated = inflate(bytes.subarray(tag.data, tag.data + tag.length), maxBytes, `${field} (compressed variable at byte ${offset})`);
      const inner = new Bytes(inflated, little, `${field} (compressed variable at byte ${offset})`);
      const innerTag = readTag(inner, 0, inflated.length, 'variable');
      if (innerTag.type !== MI.MATRIX) throw corrupt(inner.field, 'an miMATRIX element inside miCOMPRESSED', `element type ${innerTag.type}`);
      readMatrix(inner, innerTag, variables, skipped);
    } else if (tag.type === MI.MATRIX) {
      readMatrix(b, tag, variables, skipped);
    } else {
      throw corrupt(field, 'a variable (miMATRIX or miCOMPRESSED element)', `element type ${tag.type} at byte ${offset}`);
    }
    offset = tag.next;
  }
  if (offset !== bytes.length) {
    throw corrupt(field, 'data elements up to the end of the file', `${bytes.length - offset} stray bytes at byte ${offset} (the file is truncated or corrupt)`);
  }
  return { description, variables, skipped };
}

function inflate(data: Uint8Array, maxBytes: number, field: string): Uint8Array {
  try {
    // Sync flush: a stream without its final checksum still inflates; missing data then shows up
    // as an element that does not fit, with a clear message.
    return inflateSync(data, { maxOutputLength: maxBytes, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw corrupt(field, `a variable of at most ${maxBytes} bytes once decompressed (raise options.maxBytes)`, 'a larger one');
    throw corrupt(field, 'valid zlib-compressed data', `${e.message} (the file is corrupt)`);
  }
}

/** Reads one miMATRIX element; numeric arrays go into `variables`, others into `skipped`. */
function readMatrix(b: Bytes, tag: Tag, variables: Record<string, NdArray>, skipped: { name: string; reason: string }[]): void {
  const end = tag.data + tag.length;
  if (tag.length === 0) return; // an empty placeholder element
  const flagsTag = readTag(b, tag.data, end, 'array flags');
  if (flagsTag.type !== MI.UINT32 || flagsTag.length !== 8) throw corrupt(b.field, 'array flags (miUINT32, 8 bytes)', `type ${flagsTag.type}, ${flagsTag.length} bytes`);
  const flags = b.u32(flagsTag.data, 'array flags');
  const mxClass = flags & 0xff;
  const complex = (flags & 0x0800) !== 0;
  const logical = (flags & 0x0200) !== 0;

  const dimsTag = readTag(b, flagsTag.next, end, 'dimensions');
  if (dimsTag.type !== MI.INT32 || dimsTag.length % 4 !== 0 || dimsTag.length < 8) {
    throw corrupt(b.field, 'dimensions (miINT32, at least two)', `type ${dimsTag.type}, ${dimsTag.length} bytes`);
  }
  const shape: number[] = [];
  for (let k = 0; k < dimsTag.length / 4; k++) {
    const d = b.view.getInt32(dimsTag.data + 4 * k, b.little);
    if (d < 0) throw corrupt(b.field, 'non-negative dimensions', String(d));
    shape.push(d);
  }
  const nameTag = readTag(b, dimsTag.next, end, 'array name');
  if (nameTag.type !== MI.INT8 && nameTag.type !== MI.UINT8 && nameTag.type !== MI.UTF8) throw corrupt(b.field, 'an array name (miINT8)', `type ${nameTag.type}`);
  const name = new TextDecoder('utf-8').decode(b.bytes.subarray(nameTag.data, nameTag.data + nameTag.length));
  if (name === '') return; // MATLAB's subsystem data (objects' internals) has no name
  const dtype = MX_NUMERIC[mxClass];
  if (!dtype) {
    skipped.push({ name, reason: MX_OTHER[mxClass] ?? `array of class ${mxClass}` });
    return;
  }
  if (complex) {
    skipped.push({ name, reason: 'complex array' });
    return;
  }
  const count = shapeSize(shape);
  const field = `${b.field}.${name}`;
  const realTag = readTag(b, nameTag.next, end, `${name} data`);
  const size = MI_SIZE[realTag.type];
  if (size === undefined) throw corrupt(field, 'numeric data (miINT8 ... miUINT64, miSINGLE, miDOUBLE)', `element type ${realTag.type}`);
  if (realTag.length !== count * size) {
    throw corrupt(field, `${count} elements for dimensions ${shape.join(' x ')} (${count * size} bytes)`, `${realTag.length} bytes`);
  }
  const columnMajor = decode(b, realTag.data, count, realTag.type, dtype === 'float32', field);
  const rowMajor = columnMajor instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
  variables[name] = {
    shape,
    data: columnMajorToRowMajor(columnMajor, shape, rowMajor),
    dtype: logical ? 'bool' : dtype,
  };
}

function decode(b: Bytes, offset: number, count: number, type: number, single: boolean, field: string): Float32Array | Float64Array {
  const out = single ? new Float32Array(count) : new Float64Array(count);
  const v = b.view;
  const le = b.little;
  switch (type) {
    case MI.DOUBLE:
      for (let k = 0; k < count; k++) out[k] = v.getFloat64(offset + 8 * k, le);
      break;
    case MI.SINGLE:
      for (let k = 0; k < count; k++) out[k] = v.getFloat32(offset + 4 * k, le);
      break;
    case MI.INT8:
      for (let k = 0; k < count; k++) out[k] = v.getInt8(offset + k);
      break;
    case MI.UINT8:
      for (let k = 0; k < count; k++) out[k] = v.getUint8(offset + k);
      break;
    case MI.INT16:
      for (let k = 0; k < count; k++) out[k] = v.getInt16(offset + 2 * k, le);
      break;
    case MI.UINT16:
      for (let k = 0; k < count; k++) out[k] = v.getUint16(offset + 2 * k, le);
      break;
    case MI.INT32:
      for (let k = 0; k < count; k++) out[k] = v.getInt32(offset + 4 * k, le);
      break;
    case MI.UINT32:
      for (let k = 0; k < count; k++) out[k] = v.getUint32(offset + 4 * k, le);
      break;
    case MI.INT64:
    case MI.UINT64:
      for (let k = 0; k < count; k++) {
        const big = type === MI.INT64 ? v.getBigInt64(offset + 8 * k, le) : v.getBigUint64(offset + 8 * k, le);
        const n = Number(big);
        if (!Number.isSafeInteger(n)) throw corrupt(`${field}[${k}]`, 'a 64-bit integer within +-2^53 (exactly representable as float64)', String(big));
        out[k] = n;
      }
      break;
    default:
      throw corrupt(field, 'numeric data', `element type ${type}`);
  }
  return out;
}
