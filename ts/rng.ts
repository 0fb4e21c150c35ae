/**
 * Seeded random numbers. Every function in rnnlab that samples takes an {@link Rng}; nothing uses
 * `Math.random`. The generator is xoshiro128** (32-bit state words, fast in JS), seeded through
 * splitmix32. {@link Rng.fork} derives an independent child stream from a label without
 * advancing the parent, so adding a consumer never shifts the numbers another one sees.
 * @module
 */
import { rangeError, typeError } from './validate.js';

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** 32-bit FNV-1a of a string. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed: a non-negative safe integer or any string. */
export type Seed = number | string;

/** A serialisable snapshot of an {@link Rng} (see {@link Rng.state}, {@link Rng.fromState}). */
export interface RngState {
  /** The four 32-bit words of the xoshiro128** state, unsigned integers in [0, 2^32), not all 0. */
  words: [number, number, number, number];
  /** The second value of the last Box-Muller pair, returned by the next `normal()`, or null. */
  spareNormal: number | null;
}

/**
 * A seeded pseudo-random generator (xoshiro128**, 2^128 - 1 period). Every sampling function in
 * rnnlab takes one explicitly; derive independent streams with {@link Rng.fork}. Not
 * cryptographically secure.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const model = LeakyRNN.create(config, { rng: rng.fork('init') });
 * const batch = task.sample(rng.fork('data'), 32);
 * ```
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  /**
   * @param seed a non-negative safe integer (0 <= seed <= 2^53 - 1) or any string; equal seeds
   *   give equal streams on every platform
   * @throws TypeError when `seed` is neither a number nor a string
   * @throws RangeError when a numeric seed is negative, fractional or above 2^53 - 1
   */
  constructor(seed: Seed) {
    let lo: number;
    let hi: number;
    if (typeof seed === 'number') {
      if (!Number.isSafeInteger(seed) || seed < 0) throw rangeError('seed', 'a non-negative safe integer or a string', seed);
      lo = seed >>> 0;
      hi = Math.floor(seed / 4294967296) >>> 0;
    } else if (typeof seed === 'string') {
      lo = hashString(seed);
      hi = hashString(`${seed}\u0001`);
    } else {
      throw typeError('seed', 'a non-negative safe integer or a string', seed);
    }
    const st = { s: (lo ^ Math.imul(hi, 0x27d4eb2d)) | 0 };
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * Uniform in [lo, hi) (in [hi, lo) when hi < lo; exactly lo when they are equal).
   * @throws TypeError / RangeError when `lo` or `hi` is not a finite number
   */
  uniformRange(lo: number, hi: number): number {
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) checkBounds(lo, hi);
    return lo + (hi - lo) * this.uniform();
  }

  /**
   * Uniform integer in [0, n), without modulo bias (rejection sampling).
   * @throws RangeError unless `n` is an integer in [1, 2^32]
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw rangeError('n', 'an integer in [1, 2^32]', n);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /**
   * A uniformly chosen element of a non-empty array.
   * @throws TypeError when `items` is not an array; RangeError when it is empty
   */
  choice<T>(items: readonly T[]): T {
    if (!Array.isArray(items)) throw typeError('items', 'a non-empty array', items);
    if (items.length === 0) throw rangeError('items', 'a non-empty array', items);
    return items[this.int(items.length)]!;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /**
   * Fills `out` (any array or typed array, in place) with N(mean, std^2) samples, in index order.
   * @param std standard deviation >= 0 (default 1)
   * @param mean default 0
   * @throws TypeError when `out` is not an array-like; TypeError / RangeError for a `std` or
   *   `mean` that is not a finite number (or a negative `std`)
   */
  fillNormal(out: { length: number; [k: number]: number }, std = 1, mean = 0): void {
    checkFillTarget(out);
    if (!(std >= 0 && Number.isFinite(std))) throw (typeof std === 'number' ? rangeError : typeError)('std', 'a finite number >= 0', std);
    if (!Number.isFinite(mean)) throw (typeof mean === 'number' ? rangeError : typeError)('mean', 'a finite number', mean);
    for (let k = 0; k < out.length; k++) out[k] = mean + std * this.normal();
  }

  /**
   * Fills `out` (any array or typed array, in place) with U[lo, hi) samples, in index order.
   * @throws TypeError when `out` is not an array-like; TypeError / RangeError when `lo` or `hi`
   *   is not a finite number
   */
  fillUniform(out: { length: number; [k: number]: number }, lo: number, hi: number): void {
    checkFillTarget(out);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) checkBounds(lo, hi);
    for (let k = 0; k < out.length; k++) out[k] = lo + (hi - lo) * this.uniform();
  }

  /**
   * A uniformly random permutation of 0..n-1 (Fisher-Yates).
   * @throws TypeError / RangeError unless `n` is an integer >= 0
   */
  permutation(n: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0) throw (typeof n === 'number' ? rangeError : typeError)('n', 'an integer >= 0', n);
    const p = Array.from({ length: n }, (_, k) => k);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }

  /** The generator's state: four 32-bit words and a cached normal (to move it between threads). */
  state(): RngState {
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spareNormal };
  }

  /**
   * A generator continuing exactly from `state` (see {@link Rng.state}).
   * @throws RangeError unless `state.words` holds four 32-bit unsigned integers, not all zero
   */
  static fromState(state: RngState): Rng {
    const words = state?.words;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < 4294967296) || words.every((w) => w === 0)) {
      throw rangeError('state.words', 'four 32-bit unsigned integers, not all zero', words);
    }
    const rng = Object.create(Rng.prototype) as Rng;
    rng.s0 = words[0]! | 0;
    rng.s1 = words[1]! | 0;
    rng.s2 = words[2]! | 0;
    rng.s3 = words[3]! | 0;
    rng.spareNormal = typeof state.spareNormal === 'number' ? state.spareNormal : null;
    return rng;
  }

  /**
   * An independent generator derived from this one's current state and `label`. The parent is
   * not advanced, so `rng.fork('init')` gives the same stream however many other forks exist.
   * Equal labels give equal streams (`fork(1)` and `fork('1')` too).
   * @throws TypeError unless `label` is a string or a number
   */
  fork(label: string | number): Rng {
    if (typeof label !== 'string' && typeof label !== 'number') throw typeError('label', 'a string or a number', label);
    const child = Object.create(Rng.prototype) as Rng;
    const st = { s: (this.s0 ^ rotl(this.s1, 7) ^ rotl(this.s2, 13) ^ rotl(this.s3, 19) ^ hashString(String(label))) | 0 };
    child.s0 = splitmix32(st) ^ this.s0;
    child.s1 = splitmix32(st) ^ this.s1;
    child.s2 = splitmix32(st) ^ this.s2;
    child.s3 = splitmix32(st) ^ this.s3;
    if ((child.s0 | child.s1 | child.s2 | child.s3) === 0) child.s0 = 1;
    child.spareNormal = null;
    return child;
  }
}

function checkBounds(lo: unknown, hi: unknown): void {
  for (const [name, v] of [['lo', lo], ['hi', hi]] as const) {
    if (typeof v !== 'number') throw typeError(name, 'a finite number', v);
    if (!Number.isFinite(v)) throw rangeError(name, 'a finite number', v);
  }
}

function checkFillTarget(out: unknown): void {
  if (out === null || typeof out !== 'object' || typeof (out as { length?: unknown }).length !== 'number') {
    throw typeError('out', 'an array or typed array to fill', out);
  }
}

/**
 * Throws unless `value` is an {@link Rng}; `why` says what it is needed for.
 * @internal
 */
export function expectRng(value: unknown, field: string, why?: string): Rng {
  if (!(value instanceof Rng)) {
    throw typeError(field, why ? `an Rng (${why})` : 'an Rng (a seeded generator: new Rng(seed))', value, value === undefined ? 'nothing' : undefined);
  }
  return value;
}
