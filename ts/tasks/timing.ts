/**
 * Period durations as neurogym specifies them (core.py `TrialEnv.sample_time` at neurogym
 * 8136bc7 / v2.2.0), with rnnlab's stricter checks.
 *
 * A timing spec gives one period's duration in milliseconds:
 * - a number: that duration;
 * - a non-empty list of numbers: one of them, uniformly;
 * - `["uniform", [lo, hi]]`: uniform in [lo, hi);
 * - `["choice", [a, b, ...]]`: one of them, uniformly;
 * - `["truncated_exponential", [mean, min, max]]`: Exponential(mean) redrawn until
 *   min <= x < max (all three required: neurogym's optional max would leave the longest trial
 *   unknown; min = max gives max, as in neurogym);
 * - `["constant", v]`: v.
 *
 * As in neurogym, a sampled duration is floored to a multiple of dt, so a period lasts
 * floor(duration / dt) steps. rnnlab rejects what neurogym would silently change:
 * - a fixed duration (number or constant) that is not a multiple of dt is an error (neurogym
 *   would floor 750 ms at dt 100 to 700 ms; write 700 if that is what you mean);
 * - durations must be finite and >= 0, uniform needs lo <= hi, truncated_exponential needs
 *   mean > 0, min <= max and a finite max (the longest trial must be known);
 * - sampled specs (lists, uniform, choice, truncated_exponential) are floored as neurogym does.
 * neurogym's `"until"` spec is not supported.
 * @module
 */
import { expectRng } from '../rng.js';
import type { Rng } from '../rng.js';
import { describeValue, expectObject, rangeError, typeError } from '../validate.js';
import { stepsIn } from './task.js';

/** One period's duration (milliseconds, or the task's time unit); see the module comment. */
export type TimingSpec =
  | number
  | number[]
  | ['uniform', [number, number]]
  | ['choice', number[]]
  | ['truncated_exponential', [number, number, number]]
  | ['constant', number];

/** A validated spec in one normal form (durations in the task's time unit, usually ms). */
export type ResolvedTiming =
  | {
      /** A fixed duration. */
      kind: 'fixed';
      /** The duration. */
      value: number;
    }
  | {
      /** One of several durations, uniformly. */
      kind: 'choice';
      /** The durations to choose from (non-empty). */
      values: number[];
    }
  | {
      /** Uniform in [lo, hi). */
      kind: 'uniform';
      /** Lower bound (inclusive). */
      lo: number;
      /** Upper bound (exclusive; equal to lo for a fixed value). */
      hi: number;
    }
  | {
      /** Exponential with `mean`, redrawn until min <= x < max. */
      kind: 'truncexp';
      /** Mean of the exponential before truncation, > 0. */
      mean: number;
      /** Smallest duration (inclusive). */
      min: number;
      /** Largest duration (exclusive; min = max gives max). */
      max: number;
    };

const SPEC_HELP =
  'a duration >= 0, a non-empty list of durations, ["uniform", [lo, hi]], ["choice", [...]], ["truncated_exponential", [mean, min, max]] or ["constant", v]';

function duration(value: unknown, field: string): number {
  if (typeof value !== 'number') throw typeError(field, 'a duration (a finite number >= 0)', value);
  if (!Number.isFinite(value) || value < 0) throw rangeError(field, 'a duration (a finite number >= 0)', value);
  return value;
}

function durations(value: unknown, field: string): number[] {
  if (!Array.isArray(value)) throw typeError(field, 'a non-empty list of durations', value);
  if (value.length === 0) throw rangeError(field, 'a non-empty list of durations', value);
  return value.map((v, k) => duration(v, `${field}[${k}]`));
}

/**
 * Validates one timing spec (not yet against dt) and returns it in normal form.
 * @param value a {@link TimingSpec}
 * @param field name of the spec in error messages (e.g. "pdm options.timing.delay")
 * @throws TypeError for a value that is not a number or one of the spec forms
 * @throws RangeError for negative or non-finite durations, an empty list, an unknown
 *   distribution name, uniform bounds with hi < lo, or a truncated exponential without three
 *   values, with mean <= 0 or max < min
 */
export function parseTimingSpec(value: unknown, field: string): ResolvedTiming {
  if (typeof value === 'number') return { kind: 'fixed', value: duration(value, field) };
  if (!Array.isArray(value)) throw typeError(field, SPEC_HELP, value);
  if (value.length === 0) throw rangeError(field, SPEC_HELP, value);
  if (typeof value[0] === 'number') return { kind: 'choice', values: durations(value, field) };
  if (typeof value[0] !== 'string' || value.length !== 2) throw typeError(field, SPEC_HELP, value);
  const [dist, args] = value as [string, unknown];
  switch (dist) {
    case 'constant':
      return { kind: 'fixed', value: duration(args, `${field}[1]`) };
    case 'choice':
      return { kind: 'choice', values: durations(args, `${field}[1]`) };
    case 'uniform': {
      const [lo, hi] = durations(args, `${field}[1]`);
      if (!Array.isArray(args) || args.length !== 2) throw rangeError(`${field}[1]`, 'two numbers [lo, hi]', args);
      if (hi! < lo!) throw rangeError(`${field}[1][1]`, `an upper bound >= lo (${lo})`, hi);
      return { kind: 'uniform', lo: lo!, hi: hi! };
    }
    case 'truncated_exponential': {
      const a = durations(args, `${field}[1]`);
      if (a.length !== 3) throw rangeError(`${field}[1]`, 'three numbers [mean, min, max] (rnnlab needs a finite max to know the longest trial)', args);
      const [mean, min, max] = a as [number, number, number];
      if (!(mean > 0)) throw rangeError(`${field}[1][0]`, 'a mean > 0', mean);
      if (max < min) throw rangeError(`${field}[1][2]`, `a max >= min (${min})`, max);
      return { kind: 'truncexp', mean, min, max };
    }
    default:
      throw rangeError(`${field}[0]`, 'one of "uniform", "choice", "truncated_exponential", "constant"', dist);
  }
}

/** True when `value` is a whole number of steps of `dt` (to rounding). @internal */
export function isMultipleOf(value: number, dt: number): boolean {
  const r = value / dt;
  return Math.abs(r - Math.round(r)) <= 1e-9 * Math.max(1, Math.abs(r));
}

/**
 * Checks a resolved spec against dt: fixed durations must be whole numbers of steps, and
 * (when `minOneStep`) the period must last at least one step whatever is sampled.
 * @internal
 */
export function checkTimingAgainstDt(spec: ResolvedTiming, dt: number, field: string, unit: string, minOneStep: boolean, defaulted: boolean): void {
  if (spec.kind === 'fixed' && !isMultipleOf(spec.value, dt)) {
    const floored = stepsIn(spec.value, dt) * dt;
    const why = defaulted
      ? `${spec.value} is this period's default; set it to a duration that dt divides, e.g. ${floored}`
      : `neurogym would floor ${spec.value} to ${floored}; write ${floored} if that is meant`;
    throw rangeError(field, `a multiple of dt = ${dt} ${unit} (${why})`, spec.value);
  }
  if (minOneStep && minTimingSteps(spec, dt) < 1) {
    throw rangeError(field, `a duration of at least one step (dt = ${dt} ${unit}) for every trial`, undefined, describeSpec(spec));
  }
}

/** A short text form of a spec, for messages and listings. @internal */
export function describeSpec(spec: ResolvedTiming): string {
  switch (spec.kind) {
    case 'fixed':
      return String(spec.value);
    case 'choice':
      return `one of ${spec.values.join(', ')}`;
    case 'uniform':
      return `uniform in [${spec.lo}, ${spec.hi})`;
    case 'truncexp':
      return `truncated exponential (mean ${spec.mean}, in [${spec.min}, ${spec.max}))`;
  }
}

/** Back to the user-facing form (JSON-friendly). @internal */
export function specToJSON(spec: ResolvedTiming): TimingSpec {
  switch (spec.kind) {
    case 'fixed':
      return spec.value;
    case 'choice':
      return ['choice', [...spec.values]];
    case 'uniform':
      return ['uniform', [spec.lo, spec.hi]];
    case 'truncexp':
      return ['truncated_exponential', [spec.mean, spec.min, spec.max]];
  }
}

/**
 * Samples one duration (before flooring to a multiple of dt), as neurogym does, in the spec's unit.
 * @param spec a spec from {@link parseTimingSpec}
 * @throws TypeError when `spec` is not a resolved spec or `rng` is not an Rng
 */
export function sampleDuration(spec: ResolvedTiming, rng: Rng): number {
  const kind = expectObject(spec, 'spec').kind;
  if (kind !== 'fixed' && kind !== 'choice' && kind !== 'uniform' && kind !== 'truncexp') {
    throw typeError('spec', 'a resolved timing spec (see parseTimingSpec)', spec);
  }
  expectRng(rng, 'rng');
  switch (spec.kind) {
    case 'fixed':
      return spec.value;
    case 'choice':
      return rng.choice(spec.values);
    case 'uniform':
      return spec.lo === spec.hi ? spec.lo : rng.uniformRange(spec.lo, spec.hi);
    case 'truncexp': {
      if (spec.min >= spec.max) return spec.max;
      // Rejection sampling of Exponential(mean) until min <= x < max (neurogym ngym_random.trunc_exp).
      for (;;) {
        let u = rng.uniform();
        while (u === 0) u = rng.uniform();
        const x = -spec.mean * Math.log(u);
        if (x >= spec.min && x < spec.max) return x;
      }
    }
  }
}

/** Samples a period length in steps: the duration floored to a multiple of dt. @internal */
export function sampleSteps(spec: ResolvedTiming, dt: number, rng: Rng): number {
  return stepsIn(sampleDuration(spec, rng), dt);
}

/** Steps in an exclusive upper bound `hi`: the largest floor(x / dt) with x < hi. */
function stepsBelow(hi: number, dt: number): number {
  return isMultipleOf(hi, dt) ? Math.round(hi / dt) - 1 : stepsIn(hi, dt);
}

/** The fewest steps the period can last. @internal */
export function minTimingSteps(spec: ResolvedTiming, dt: number): number {
  switch (spec.kind) {
    case 'fixed':
      return stepsIn(spec.value, dt);
    case 'choice':
      return Math.min(...spec.values.map((v) => stepsIn(v, dt)));
    case 'uniform':
      return stepsIn(spec.lo, dt);
    case 'truncexp':
      return spec.min >= spec.max ? stepsIn(spec.max, dt) : stepsIn(spec.min, dt);
  }
}

/** The most steps the period can last. @internal */
export function maxTimingSteps(spec: ResolvedTiming, dt: number): number {
  switch (spec.kind) {
    case 'fixed':
      return stepsIn(spec.value, dt);
    case 'choice':
      return Math.max(...spec.values.map((v) => stepsIn(v, dt)));
    case 'uniform':
      return spec.lo === spec.hi ? stepsIn(spec.lo, dt) : Math.max(stepsIn(spec.lo, dt), stepsBelow(spec.hi, dt));
    case 'truncexp':
      return spec.min >= spec.max ? stepsIn(spec.max, dt) : Math.max(stepsIn(spec.min, dt), stepsBelow(spec.max, dt));
  }
}

/** A task's full timing table, validated against dt. @internal */
export interface Timing {
  /** Period names in order. */
  periods: string[];
  specs: Record<string, ResolvedTiming>;
  dt: number;
}

/**
 * Resolves a timing table: defaults overridden by `given` (only known period names; the
 * caller's zod schema already rejected unknown keys), each spec validated, fixed durations
 * checked against dt, and the periods in `atLeastOneStep` required to last a step.
 * @internal
 */
export function resolveTiming(
  periods: readonly string[],
  defaults: Record<string, TimingSpec>,
  given: Record<string, unknown> | undefined,
  dt: number,
  field: string,
  options: { unit?: string; atLeastOneStep?: readonly string[] } = {},
): Timing {
  const unit = options.unit ?? 'ms';
  const specs: Record<string, ResolvedTiming> = {};
  for (const name of periods) {
    const raw = given?.[name] ?? defaults[name];
    const f = `${field}.${name}`;
    const spec = parseTimingSpec(raw, f);
    checkTimingAgainstDt(spec, dt, f, unit, options.atLeastOneStep?.includes(name) ?? false, given?.[name] === undefined);
    specs[name] = spec;
  }
  return { periods: [...periods], specs, dt };
}

/** Samples the length in steps of every period of one trial. @internal */
export function sampleTimingSteps(timing: Timing, rng: Rng): [name: string, steps: number][] {
  return timing.periods.map((name) => [name, sampleSteps(timing.specs[name]!, timing.dt, rng)]);
}

/** Shortest and longest trial of a timing table, in steps. @internal */
export function timingStepRange(timing: Timing): { minSteps: number; maxSteps: number } {
  let minSteps = 0;
  let maxSteps = 0;
  for (const name of timing.periods) {
    minSteps += minTimingSteps(timing.specs[name]!, timing.dt);
    maxSteps += maxTimingSteps(timing.specs[name]!, timing.dt);
  }
  return { minSteps, maxSteps };
}

/** The timing table in the user-facing form (JSON-friendly), for settings and listings. @internal */
export function timingToJSON(timing: Timing): Record<string, TimingSpec> {
  return Object.fromEntries(timing.periods.map((name) => [name, specToJSON(timing.specs[name]!)]));
}
