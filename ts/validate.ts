/**
 * The one error formatter and the small predicates every public function validates with.
 *
 * Every message has the same shape: `<field>: expected <expected>, received <received>`.
 * A wrong type raises a {@link RnnlabTypeError} (a `TypeError`); a bad value or shape raises a
 * {@link RnnlabRangeError} (a `RangeError`). Both carry `field`, `expected` and `received`.
 * @module
 */
import type { z } from 'zod';

/** Describes a received value briefly for an error message. @internal */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (ArrayBuffer.isView(value)) {
    const ctor = (value as object).constructor.name;
    const len = (value as unknown as { length?: number }).length;
    return `${ctor} of length ${len ?? (value as ArrayBufferView).byteLength}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''}`;
  }
  return typeof value;
}

function message(field: string, expected: string, received: unknown, receivedText?: string): string {
  return `${field}: expected ${expected}, received ${receivedText ?? describeValue(received)}`;
}

/**
 * A value of the wrong type (`name` "TypeError", `instanceof TypeError`). Its message is
 * `<field>: expected <expected>, received <received>`.
 */
export class RnnlabTypeError extends TypeError {
  /** Path of the offending argument, e.g. `options.rng` or `trials.inputs[3][0][1]`. */
  readonly field: string;
  /** What was expected, in words (e.g. "an Rng", "a Float64Array [T][B][nIn]"). */
  readonly expected: string;
  /** A short description of what was received (e.g. "undefined", "an array of length 6"). */
  readonly received: string;
  /**
   * @param field path of the offending argument
   * @param expected what was expected, in words
   * @param received the offending value (described with its type and size)
   * @param receivedText a description to use instead of describing `received`
   */
  constructor(field: string, expected: string, received: unknown, receivedText?: string) {
    super(message(field, expected, received, receivedText));
    this.name = 'TypeError';
    this.field = field;
    this.expected = expected;
    this.received = receivedText ?? describeValue(received);
  }
}

/**
 * A value of the right type but outside what is allowed: a range, a size or shape, an option
 * value (`name` "RangeError", `instanceof RangeError`). Same message shape and fields as
 * {@link RnnlabTypeError}.
 */
export class RnnlabRangeError extends RangeError {
  /** Path of the offending argument, e.g. `options.k` or `Y.samples`. */
  readonly field: string;
  /** What was expected, in words (e.g. "an integer in [1, 4] (k <= N, ...)"). */
  readonly expected: string;
  /** A short description of what was received. */
  readonly received: string;
  /**
   * @param field path of the offending argument
   * @param expected what was expected, in words
   * @param received the offending value (described with its type and size)
   * @param receivedText a description to use instead of describing `received`
   */
  constructor(field: string, expected: string, received: unknown, receivedText?: string) {
    super(message(field, expected, received, receivedText));
    this.name = 'RangeError';
    this.field = field;
    this.expected = expected;
    this.received = receivedText ?? describeValue(received);
  }
}

/** Builds a TypeError through the one formatter. @internal */
export function typeError(field: string, expected: string, received: unknown, receivedText?: string): RnnlabTypeError {
  return new RnnlabTypeError(field, expected, received, receivedText);
}

/** Builds a RangeError through the one formatter. @internal */
export function rangeError(field: string, expected: string, received: unknown, receivedText?: string): RnnlabRangeError {
  return new RnnlabRangeError(field, expected, received, receivedText);
}

/** Edit distance, for "did you mean" hints on misspelt keys and names. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest of `options` to `name`, if it is close enough to be a likely typo. @internal */
export function closestName(name: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = editDistance(name, option);
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 2)) ? best : undefined;
}

/** Throws unless `value` is a plain object (not null, not an array). @internal */
export function expectObject(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw typeError(field, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/** Throws on the first key of `obj` that is not in `allowed` (with a "did you mean" hint). @internal */
export function expectKnownKeys(obj: object, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const hint = closestName(key, allowed);
      const expected = hint ? `one of the keys ${allowed.join(', ')} (did you mean "${hint}"?)` : `one of the keys ${allowed.join(', ')}`;
      throw typeError(`${field}.${key}`, expected, key, `unknown key "${key}"`);
    }
  }
}

/** Bounds for {@link expectNumber}. @internal */
export interface NumberRule {
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  min?: number;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  max?: number;
  /** `min` itself is not allowed. */
  minExclusive?: boolean;
  /** `max` itself is not allowed. */
  maxExclusive?: boolean;
  /** Only integers are allowed. */
  integer?: boolean;
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.maxExclusive ? '<' : '<='} ${rule.max}`);
  if (rule.min !== undefined && rule.max !== undefined) {
    const lo = rule.minExclusive ? '(' : '[';
    const hi = rule.maxExclusive ? ')' : ']';
    return `${kind} in ${lo}${rule.min}, ${rule.max}${hi}`;
  }
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

/** Throws unless `value` is a finite number obeying `rule`. @internal */
export function expectNumber(value: unknown, field: string, rule: NumberRule = {}): number {
  if (typeof value !== 'number') throw typeError(field, describeRule(rule), value);
  const ok =
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? value < rule.max : value <= rule.max));
  if (!ok) throw rangeError(field, describeRule(rule), value);
  return value;
}

/** Throws unless `value` is an integer >= min (and <= max when given). @internal */
export function expectInteger(value: unknown, field: string, min = 0, max?: number): number {
  return expectNumber(value, field, max === undefined ? { integer: true, min } : { integer: true, min, max });
}

/** Throws unless `value` is true or false. @internal */
export function expectBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw typeError(field, 'true or false', value);
  return value;
}

/** Throws unless `value` is a string. @internal */
export function expectString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw typeError(field, 'a string', value);
  return value;
}

/** Throws unless `value` is one of `options` (with a "did you mean" hint). @internal */
export function expectOneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T {
  const expected = `one of ${options.map((o) => `"${o}"`).join(', ')}`;
  if (typeof value !== 'string') throw typeError(field, expected, value);
  if (!(options as readonly string[]).includes(value)) {
    const hint = closestName(value, options);
    throw rangeError(field, hint ? `${expected} (did you mean "${hint}"?)` : expected, value);
  }
  return value as T;
}

/** Throws unless every element of a typed array is finite, naming the first bad index. @internal */
export function expectFinite(values: ArrayLike<number>, field: string, shape?: readonly number[]): void {
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v)) {
      throw rangeError(`${field}${formatIndex(k, shape)}`, 'a finite number', v);
    }
  }
}

/** Formats flat index k as [i][j]... for a row-major shape (or [k] without one). @internal */
export function formatIndex(k: number, shape?: readonly number[]): string {
  if (!shape || shape.length <= 1) return `[${k}]`;
  const idx: number[] = [];
  let rest = k;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    idx.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return idx.map((i) => `[${i}]`).join('');
}

/**
 * Reads a nested array of numbers of exactly `shape` into a Float64Array (row-major).
 * Names the first element or row that is off: wrong length, not an array, not a finite number.
 * @internal
 */
export function readNestedArray(value: unknown, field: string, shape: readonly number[]): Float64Array {
  const total = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(total);
  let offset = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    const size = shape[depth]!;
    if (!Array.isArray(v)) {
      throw typeError(path, `an array of ${size} ${depth === shape.length - 1 ? 'numbers' : 'arrays'}`, v);
    }
    if (v.length !== size) {
      throw rangeError(path, `an array of length ${size} (shape ${shape.join(' x ')})`, v);
    }
    if (depth === shape.length - 1) {
      for (let k = 0; k < size; k++) {
        const x = v[k];
        if (typeof x !== 'number') throw typeError(`${path}[${k}]`, 'a finite number', x);
        if (!Number.isFinite(x)) throw rangeError(`${path}[${k}]`, 'a finite number', x);
        out[offset++] = x;
      }
    } else {
      for (let k = 0; k < size; k++) walk(v[k], depth + 1, `${path}[${k}]`);
    }
  };
  if (shape.length === 0) throw new Error('readNestedArray: empty shape');
  walk(value, 0, field);
  return out;
}

/** Infers the shape of a rectangular nested array from its first elements (no checks). @internal */
export function nestedShape(value: unknown, maxDepth = 4): number[] {
  const shape: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v) && shape.length < maxDepth) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/** Converts a row-major flat array to nested arrays of `shape` (for JSON output). @internal */
export function toNested(values: ArrayLike<number>, shape: readonly number[]): unknown[] {
  const build = (depth: number, offset: number): unknown[] => {
    const size = shape[depth]!;
    if (depth === shape.length - 1) return Array.from({ length: size }, (_, k) => values[offset + k]);
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: size }, (_, k) => build(depth + 1, offset + k * stride));
  };
  return build(0, 0);
}

function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/**
 * Parses `value` with a zod schema and turns the first issue into our error shape:
 * a type mismatch or unknown key gives a TypeError, anything else a RangeError. An unknown key
 * is reported before any other issue (a misspelt key usually also leaves a required one missing,
 * and the "did you mean" hint is the more useful message).
 * @internal
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  const field = formatPath(root, issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) throw typeError(field, `${article(issue.expected)} (required)`, input, 'nothing');
      throw typeError(field, article(issue.expected), input);
    case 'unrecognized_keys': {
      const key = issue.keys[0]!;
      const known = knownKeys(schema, issue.path);
      const hint = known ? closestName(key, known) : undefined;
      const expected = known ? `one of the keys ${known.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}` : 'no other keys';
      throw typeError(formatPath(field, [key]), expected, key, `unknown key "${key}"`);
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const what = issue.origin === 'array' ? `an array with length ${op} ${String(bound)}` : issue.origin === 'string' ? `a string with length ${op} ${String(bound)}` : `a number ${op} ${String(bound)}`;
      throw rangeError(field, what, input);
    }
    case 'invalid_value': {
      const expected = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      if (input === undefined) throw typeError(field, `${expected} (required)`, input, 'nothing');
      const hint = typeof input === 'string' ? closestName(input, issue.values.filter((v): v is string => typeof v === 'string')) : undefined;
      throw rangeError(field, hint ? `${expected} (did you mean "${hint}"?)` : expected, input);
    }
    default:
      throw rangeError(field, issue.message, input);
  }
}

function article(kind: string): string {
  if (kind === 'int') return 'an integer';
  // z.instanceof(Rng) reports the class name; say it as expectRng does.
  if (kind === 'Rng') return 'an Rng (a seeded generator: new Rng(seed))';
  if (kind === 'number') return 'a finite number';
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** Known keys of the object schema at `path` inside `schema`, when it can be found. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let s: unknown = schema;
  for (const p of path) {
    const shape = (s as { shape?: Record<string, unknown> }).shape;
    if (shape && typeof p === 'string') s = unwrap(shape[p]);
    else {
      const element = (s as { element?: unknown }).element;
      if (element) s = unwrap(element);
      else return undefined;
    }
  }
  const shape = (unwrap(s) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : undefined;
}

function unwrap(s: unknown): unknown {
  let cur = s as { unwrap?: () => unknown } | undefined;
  while (cur && typeof cur.unwrap === 'function') cur = cur.unwrap() as typeof cur;
  return cur;
}
