/**
 * What the neurogym-style tasks (pdm, dms, context, delaycomparison) share: options for dt,
 * timing and input noise, named timing presets, and the conventions of neurogym's supervised
 * recipe (neurogym 8136bc7 / v2.2.0, reference/specs.md section 4.1):
 *
 * - time is in milliseconds, default dt = 100 ms;
 * - each period's duration is sampled from its timing spec and floored to a multiple of dt
 *   (see timing.ts; fixed durations that dt does not divide are rejected instead);
 * - observation noise N(0, (sigma / sqrt(dt))^2) per channel per step, so sigma = 1 gives std
 *   0.1 at dt = 100 ms;
 * - targets are class indices per step: 0 = fixate outside the decision period, the correct
 *   choice (1..n) during it; loss = cross-entropy on every step of the trial (mask 1), with
 *   padding rows (when trials differ in length) masked out;
 * - tau = 100 ms, the time constant of the nn-brain CTRNN the papers built on (Yang & Wang
 *   2020; BioRNN_RichLazy), so alpha = 1 - dt / tau = 0 at dt = 100 ms.
 *
 * Unlike neurogym's `Dataset`, which concatenates trials back to back and cuts windows of
 * seq_len steps, every batch column here holds exactly one trial from its first step.
 * @module
 */
import { z } from 'zod';
import { rangeError } from '../validate.js';
import { resolveTiming, timingStepRange, timingToJSON } from './timing.js';
import type { Timing, TimingSpec } from './timing.js';
import type { TaskInfo } from './task.js';

/** The time constant the references use for the neurogym tasks, in ms. */
export const NEUROGYM_TAU = 100;
/** neurogym's default step, in ms. */
export const NEUROGYM_DT = 100;

/**
 * Which steps the fixation input is on. neurogym changed this in v2.1.0 (2025) for
 * PerceptualDecisionMaking and ContextDecisionMaking:
 * - `until-decision`: 1 in every period before the decision period (neurogym <= v2.0.0, the
 *   versions the papers' code ran with; DelayMatchSample and DelayComparison in every version);
 * - `fixation-only`: 1 in the fixation period only (neurogym >= v2.1.0).
 * The decision period has fixation 0 in both. rnnlab's default is `until-decision`.
 */
export const FIXATION_INPUTS = ['until-decision', 'fixation-only'] as const;
/** One of {@link FIXATION_INPUTS}. */
export type FixationInput = (typeof FIXATION_INPUTS)[number];
/** rnnlab's default fixation input: `until-decision` (the papers' neurogym versions). */
export const DEFAULT_FIXATION_INPUT: FixationInput = 'until-decision';

/** A named set of timing (and dt) overrides. */
export interface TimingPreset {
  /** Where the preset comes from and what it gives (e.g. "8 steps at dt 100 ms"). */
  description: string;
  /** Step size in ms (absent: the task's default). */
  dt?: number;
  /** Duration of each period, in ms (see {@link TimingSpec}). */
  timing: Record<string, TimingSpec>;
}

/**
 * Options every neurogym-style task (pdm, dms, context, delaycomparison) takes. Later settings
 * win: neurogym's defaults, then the preset, then `dt` and `timing`.
 * @typeParam Period the task's period names
 * @typeParam Preset the task's named presets besides "neurogym"
 */
export interface NeurogymOptions<Period extends string, Preset extends string = never> {
  /** Step size in ms, > 0 (default 100, or the preset's). */
  dt?: number | undefined;
  /**
   * Duration overrides by period name, in ms (see {@link TimingSpec}). A fixed duration must be a
   * multiple of dt; sampled ones are floored to a multiple of dt.
   */
  timing?: Partial<Record<Period, TimingSpec>> | undefined;
  /** Input noise scale >= 0: each noisy channel gets N(0, (sigma / sqrt(dt))^2) per step (default 1). */
  sigma?: number | undefined;
  /** A named timing preset, applied before `dt` and `timing` (default "neurogym": no change). */
  preset?: 'neurogym' | Preset | undefined;
}

/**
 * Compile-time check that a documented options interface has exactly the keys of its zod schema's
 * input type (and that every value it allows, the schema accepts at the type level).
 * @internal
 */
export type OptionsMatchSchema<Documented, SchemaInput> = [Exclude<keyof Documented, keyof SchemaInput>, Exclude<keyof SchemaInput, keyof Documented>] extends [never, never]
  ? Documented extends SchemaInput
    ? true
    : 'a documented option type the schema rejects'
  : 'keys differ between the documented options and the schema';

/** zod shape of the options every neurogym task takes. @internal */
export function commonShape(periods: readonly string[], presets: readonly string[]) {
  const timing = z.strictObject(Object.fromEntries(periods.map((p) => [p, z.unknown().optional()])) as Record<string, z.ZodOptional<z.ZodUnknown>>);
  return {
    /** Step size in ms. */
    dt: z.number().positive().optional(),
    /** Timing overrides by period name (see timing.ts). */
    timing: timing.optional(),
    /** Noise scale: the per-step std is sigma / sqrt(dt). */
    sigma: z.number().min(0).optional(),
    /** A named timing preset, applied under `timing` and `dt`. */
    preset: z.enum(['neurogym', ...presets] as [string, ...string[]]).optional(),
  };
}

/** @internal */
export interface CommonSettings {
  dt: number;
  sigma: number;
  /** Per-step noise std: sigma / sqrt(dt). */
  noiseStd: number;
  preset: string;
  timing: Timing;
  minSteps: number;
  maxSteps: number;
}

/**
 * Resolves dt, timing and noise of a neurogym task: neurogym defaults, then the preset, then
 * explicit `dt` and `timing` overrides.
 * @internal
 */
export function resolveCommon(
  task: string,
  periods: readonly string[],
  defaults: Record<string, TimingSpec>,
  presets: Record<string, TimingPreset>,
  given: { dt?: number | undefined; timing?: Record<string, unknown> | undefined; sigma?: number | undefined; preset?: string | undefined },
  options: { atLeastOneStep?: readonly string[] } = {},
): CommonSettings {
  const preset = given.preset ?? 'neurogym';
  const p = preset === 'neurogym' ? undefined : presets[preset];
  const dt = given.dt ?? p?.dt ?? NEUROGYM_DT;
  const base = { ...defaults, ...(p?.timing ?? {}) };
  const timing = resolveTiming(periods, base, given.timing, dt, `${task} options.timing`, { unit: 'ms', atLeastOneStep: options.atLeastOneStep ?? ['decision'] });
  const sigma = given.sigma ?? 1;
  const { minSteps, maxSteps } = timingStepRange(timing);
  if (maxSteps < 1) throw rangeError(`${task} options.timing`, 'periods that add up to at least one step', undefined, JSON.stringify(timingToJSON(timing)));
  return { dt, sigma, noiseStd: sigma / Math.sqrt(dt), preset, timing, minSteps, maxSteps };
}

/** Settings in a JSON-friendly form (for `task.settings` and `rnnlab tasks`). @internal */
export function commonSettingsToJSON(c: CommonSettings): Record<string, unknown> {
  return { dt: c.dt, sigma: c.sigma, noiseStd: c.noiseStd, preset: c.preset, timing: timingToJSON(c.timing) };
}

/** What every neurogym task's TaskInfo says alike, given what it says of itself. @internal */
export type NeurogymOwnInfo = Pick<TaskInfo, 'name' | 'description' | 'source' | 'inputs' | 'outputs' | 'conditions'>;

/**
 * The TaskInfo of a neurogym task: its own name, description, source, channels and conditions,
 * plus what they share (dt in ms from `common`, tau, cross-entropy over the output classes, the
 * periods, the step range, a two-choice decision period).
 * @internal
 */
export function neurogymInfo(own: NeurogymOwnInfo, common: CommonSettings, periods: readonly string[]): TaskInfo {
  return {
    ...own,
    dt: common.dt,
    timeUnit: 'ms',
    tau: NEUROGYM_TAU,
    loss: 'ce',
    periods: [...periods],
    minSteps: common.minSteps,
    maxSteps: common.maxSteps,
    decisionPeriod: 'decision',
    choices: 2,
  };
}

/** Throws unless a forced condition value is one of `allowed`. @internal */
export function expectChoice(value: number, allowed: readonly number[], field: string): number {
  if (!allowed.includes(value)) throw rangeError(field, `one of ${allowed.join(', ')}`, value);
  return value;
}
