/**
 * NumPy `.npy` files: a reader (format versions 1.0, 2.0 and 3.0; little- and big-endian;
 * C and Fortran order; float64, float32, float16, signed and unsigned integers, bool) and an
 * atomic writer (float64 / float32, C order, version 1.0, or 2.0 when the header needs it).
 *
 * The format (numpy.lib.format): the magic string `\x93NUMPY`, one byte major and one byte minor
 * version, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), then the
 * header, a Python dict literal `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`
 * (latin-1 in 1.0 and 2.0, UTF-8 in 3.0) padded with spaces and a final newline, then the raw
 * elements. Object arrays (pickles) and structured, string, complex and datetime dtypes are
 * refused with a message that says so.
 *
 * Every structural problem (not a .npy file, truncated, corrupt header, size mismatch) is a
 * RangeError through ts/validate.ts; a dtype we cannot represent is a TypeError.
 * @module
 */
import type { FloatArray } from '../native.js';
import { rangeError, typeError } from '../validate.js';
import { readFileBytes, writeFileAtomic } from './files.js';
import { columnMajorToRowMajor, formatShape, shapeSize } from './ndarray.js';
import type { NdArray, NumericDType } from './ndarray.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Largest array the reader allocates (elements); protects against absurd shapes in corrupt headers. */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** Options of {@link readNpy} and {@link parseNpy}. */
export interface ReadNpyOptions {
  /** Name used in error messages (default "npy"). */
  field?: string;
}

/** Reads a .npy file into a row-major {@link NdArray}. */
export function readNpy(path: string, options: ReadNpyOptions = {}): NdArray {
  const field = options.field ?? 'npy';
  const bytes: Uint8Array = readFileBytes(path, field, 'a readable .npy file');
  return parseNpy(bytes, { field: `${field} ${JSON.stringify(path)}` });
}

interface DTypeInfo {
  dtype: NumericDType;
  size: number;
  little: boolean;
}

function corrupt(field: string, expected: string, received: string): RangeError {
  return rangeError(field, expected, undefined, received);
}

/** Parses the bytes of a .npy file (see {@link readNpy}). */
export function parseNpy(bytes: Uint8Array, options: ReadNpyOptions = {}): NdArray {
  const field = options.field ?? 'npy';
  if (!(bytes instanceof Uint8Array)) throw typeError(field, 'a Uint8Array of file contents', bytes);
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw corrupt(field, 'a NumPy .npy file (starting with "\\x93NUMPY")', bytes.length < 10 ? `${bytes.length} bytes` : 'a file without the .npy magic string');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3) throw corrupt(field, '.npy format version 1.0, 2.0 or 3.0', `version ${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw corrupt(field, 'a complete .npy header', `a file truncated after ${bytes.length} bytes`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) {
    throw corrupt(field, `a header of ${headerLength} bytes`, `a file truncated after ${bytes.length} bytes`);
  }
  const headerBytes = bytes.subarray(8 + lengthBytes, dataStart);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw corrupt(field, 'a UTF-8 header (format 3.0)', 'invalid UTF-8');
  }
  const header = parseHeader(text, field);
  const info = parseDescr(header.descr, field);
  const count = shapeSize(header.shape);
  if (count > MAX_ELEMENTS) throw corrupt(`${field} shape`, `at most ${MAX_ELEMENTS} elements`, `(${header.shape.join(', ')})`);
  const available = bytes.length - dataStart;
  const needed = count * info.size;
  if (available !== needed) {
    throw corrupt(
      field,
      `${needed} bytes of ${info.dtype} data for shape (${header.shape.join(', ')})`,
      available < needed ? `${available} bytes (the file is truncated)` : `${available} bytes (${available - needed} unexpected trailing bytes)`,
    );
  }
  const raw = decodeElements(bytes, dataStart, count, info, field);
  if (!header.fortranOrder || header.shape.length <= 1) return { shape: header.shape, data: raw, dtype: info.dtype };
  const out = raw instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
  return { shape: header.shape, data: columnMajorToRowMajor(raw, header.shape, out), dtype: info.dtype };
}

function decodeElements(bytes: Uint8Array, start: number, count: number, info: DTypeInfo, field: string): FloatArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * info.size);
  const le = info.little;
  switch (info.dtype) {
    case 'float64': {
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) out[k] = view.getFloat64(8 * k, le);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let k = 0; k < count; k++) out[k] = view.getFloat32(4 * k, le);
      return out;
    }
    case 'float16': {
      const out = new Float32Array(count);
      for (let k = 0; k < count; k++) out[k] = halfToFloat(view.getUint16(2 * k, le));
      return out;
    }
    case 'int8':
      return Float64Array.from({ length: count }, (_, k) => view.getInt8(k));
    case 'uint8':
      return Float64Array.from({ length: count }, (_, k) => view.getUint8(k));
    case 'bool': {
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) {
        const v = view.getUint8(k);
        if (v > 1) throw corrupt(`${field}[${k}]`, 'a bool byte (0 or 1)', String(v));
        out[k] = v;
      }
      return out;
    }
    case 'int16':
      return Float64Array.from({ length: count }, (_, k) => view.getInt16(2 * k, le));
    case 'uint16':
      return Float64Array.from({ length: count }, (_, k) => view.getUint16(2 * k, le));
    case 'int32':
      return Float64Array.from({ length: count }, (_, k) => view.getInt32(4 * k, le));
    case 'uint32':
      return Float64Array.from({ length: count }, (_, k) => view.getUint32(4 * k, le));
    case 'int64':
    case 'uint64': {
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) {
        const v = info.dtype === 'int64' ? view.getBigInt64(8 * k, le) : view.getBigUint64(8 * k, le);
        const n = Number(v);
        if (!Number.isSafeInteger(n)) throw corrupt(`${field}[${k}]`, `an ${info.dtype} value within +-2^53 (exactly representable as float64)`, String(v));
        out[k] = n;
      }
      return out;
    }
  }
}

/** IEEE 754 binary16 to a JS number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function parseDescr(descr: unknown, field: string): DTypeInfo {
  if (typeof descr !== 'string') {
    throw typeError(`${field} dtype`, 'a plain numeric dtype such as "<f8" (structured arrays are not supported)', undefined, 'a structured dtype');
  }
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!m) throw typeError(`${field} dtype`, 'a numeric dtype such as "<f8" or "<f4"', undefined, JSON.stringify(descr));
  const [, order, kind, sizeText] = m as unknown as [string, string, string, string];
  const size = sizeText === '' ? 0 : Number(sizeText);
  if (kind === 'O') {
    throw typeError(
      `${field} dtype`,
      'a numeric array (this file holds pickled Python objects, which rnnlab never unpickles; in Python, save each array on its own: np.save(path, np.asarray(x, dtype=np.float64)))',
      undefined,
      '"|O" (object)',
    );
  }
  const table: Record<string, Partial<Record<number, NumericDType>>> = {
    f: { 2: 'float16', 4: 'float32', 8: 'float64' },
    i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
    u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
    b: { 1: 'bool' },
  };
  const dtype = table[kind]?.[size];
  if (!dtype) {
    const what = kind === 'c' ? 'complex' : kind === 'U' || kind === 'S' ? 'string' : kind === 'M' || kind === 'm' ? 'datetime' : 'unsupported';
    throw typeError(`${field} dtype`, 'a real numeric dtype: float16/32/64, (u)int8/16/32/64 or bool', undefined, `${JSON.stringify(descr)} (${what})`);
  }
  // '=' is native order; every platform Node runs on for rnnlab is little-endian.
  return { dtype, size, little: order !== '>' };
}

interface NpyHeader {
  descr: unknown;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, field: string): NpyHeader {
  const value = new LiteralParser(text, `${field} header`).parseAll();
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof PyTuple) {
    throw corrupt(`${field} header`, "a dict {'descr', 'fortran_order', 'shape'}", text.slice(0, 60));
  }
  const dict = value as Record<string, unknown>;
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!(key in dict)) throw corrupt(`${field} header`, `the key '${key}'`, text.trim().slice(0, 80));
  }
  const fortran = dict.fortran_order;
  if (typeof fortran !== 'boolean') throw corrupt(`${field} header.fortran_order`, 'True or False', String(fortran));
  const shape = dict.shape;
  if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw corrupt(`${field} header.shape`, 'a tuple of non-negative integers', text.trim().slice(0, 80));
  }
  return { descr: dict.descr, fortranOrder: fortran, shape: shape.items as number[] };
}

class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/**
 * A strict parser for the Python literals a .npy header may hold: dicts, tuples, lists,
 * strings, integers (with an optional Python 2 `L`), True, False and None. It never evaluates
 * anything and always advances, so a corrupt header cannot make it loop.
 */
class LiteralParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly field: string,
  ) {}

  parseAll(): unknown {
    const value = this.value(0);
    this.space();
    if (this.pos !== this.text.length) this.fail('the end of the header');
    return value;
  }

  private fail(expected: string): never {
    const near = this.pos >= this.text.length ? 'the end of the header' : `${JSON.stringify(this.text.slice(this.pos, this.pos + 20))} at character ${this.pos}`;
    throw corrupt(this.field, `a valid Python literal (${expected})`, near);
  }

  private space(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private value(depth: number): unknown {
    if (depth > 16) this.fail('less nesting');
    this.space();
    const c = this.text[this.pos];
    if (c === '{') return this.dict(depth);
    if (c === '(') return new PyTuple(this.sequence(')', depth));
    if (c === '[') return this.sequence(']', depth);
    if (c === "'" || c === '"') return this.string();
    if (c !== undefined && /[-+0-9]/.test(c)) return this.integer();
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail('a dict, tuple, list, string, integer, True, False or None');
  }

  private dict(depth: number): Record<string, unknown> {
    this.pos++; // {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (;;) {
      this.space();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const key = this.value(depth + 1);
      if (typeof key !== 'string') this.fail('a string key');
      this.space();
      if (this.text[this.pos] !== ':') this.fail("':'");
      this.pos++;
      out[key] = this.value(depth + 1);
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail("',' or '}'");
    }
  }

  private sequence(close: string, depth: number): unknown[] {
    this.pos++; // ( or [
    const items: unknown[] = [];
    for (;;) {
      this.space();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value(depth + 1));
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`',' or '${close}'`);
    }
  }

  private string(): string {
    const quote = this.text[this.pos]!;
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('a closing quote');
    const s = this.text.slice(this.pos + 1, end);
    if (s.includes('\\')) this.fail('a string without escapes');
    this.pos = end + 1;
    return s;
  }

  private integer(): number {
    const m = /^[-+]?\d+L?/.exec(this.text.slice(this.pos, this.pos + 40));
    if (!m) this.fail('an integer');
    this.pos += m[0].length;
    const n = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(n)) this.fail('an integer below 2^53');
    return n;
  }
}

// ------------------------------------------------------------------------------------------
// Writer

/** Options of {@link writeNpy}. */
export interface WriteNpyOptions {
  /** Replace an existing file (default false: rnnlab never overwrites a file unasked). */
  overwrite?: boolean;
}

/**
 * Encodes a float64 or float32 array as .npy bytes: little-endian (`<f8` / `<f4`), C order,
 * format 1.0 (2.0 if the header would not fit in 65535 bytes), header padded to 64 bytes.
 */
export function encodeNpy(array: { shape: readonly number[]; data: FloatArray }, field = 'array'): Uint8Array {
  if (array === null || typeof array !== 'object') throw typeError(field, 'an array object { shape, data }', array);
  const { shape, data } = array;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw typeError(`${field}.shape`, 'an array of non-negative integers', shape);
  }
  if (!(data instanceof Float64Array || data instanceof Float32Array)) throw typeError(`${field}.data`, 'a Float64Array or Float32Array', data);
  const count = shapeSize(shape);
  if (data.length !== count) throw rangeError(`${field}.data`, `${count} elements (shape ${formatShape(shape)})`, data);
  const descr = data instanceof Float64Array ? '<f8' : '<f4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let major = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 65535) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const headerLength = total - prefix;
  const header = `${dict}${' '.repeat(headerLength - dict.length - 1)}\n`;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let k = 0; k < header.length; k++) out[prefix + k] = header.charCodeAt(k);
  const body = new DataView(out.buffer, total);
  if (data instanceof Float64Array) for (let k = 0; k < count; k++) body.setFloat64(8 * k, data[k]!, true);
  else for (let k = 0; k < count; k++) body.setFloat32(4 * k, data[k]!, true);
  return out;
}

/**
 * Writes a float64 / float32 array to a .npy file atomically (temporary file, fsync, rename).
 * Refuses to replace an existing file unless `overwrite`.
 */
export function writeNpy(path: string, array: { shape: readonly number[]; data: FloatArray }, options: WriteNpyOptions = {}): void {
  if (typeof path !== 'string' || path === '') throw typeError('path', 'a file path (non-empty string)', path);
  writeFileAtomic(path, encodeNpy(array), { overwrite: options.overwrite ?? false });
}
