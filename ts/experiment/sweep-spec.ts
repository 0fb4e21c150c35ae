/**
 * Sweep files (JSON or YAML): the axes to cross and the settings to hold fixed.
 *
 *   name: gain-sweep            # optional
 *   fixed: { iters: 2000, hidden: 64, batch: 32 }
 *   axes:  { task: [romo], rule: [bptt], gain: [0.5, 1.0], lr: [1e-3, 3e-3], seed: [1, 2, 3] }
 *
 * or, for unions of grids, `grids: [ { axes: {...}, fixed: {...} }, ... ]` (each grid's `fixed`
 * overrides the top-level one). Every key is a run setting (see run-config.ts); a key may not be
 * both fixed and an axis. Runs are the Cartesian product of each grid's axes, without duplicates.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { RnnlabRangeError, RnnlabTypeError, closestName, parseWithSchema, rangeError, typeError } from '../validate.js';
import { RUN_CONFIG_KEYS, resolveRunConfig, runId } from './run-config.js';
import type { RunConfig } from './run-config.js';

const Settings = z.record(z.string(), z.unknown());
const Axes = z.record(z.string(), z.array(z.unknown()).min(1));
const GridSchema = z.strictObject({ axes: Axes, fixed: Settings.optional() });

export const SweepSpecSchema = z.strictObject({
  format: z.literal('rnnlab.sweep/1').optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  fixed: Settings.optional(),
  axes: Axes.optional(),
  grids: z.array(GridSchema).min(1).optional(),
});
/** One grid of a sweep: its axes crossed, with settings held fixed. */
export interface SweepGrid {
  /** Run setting -> the values to cross (at least one each). */
  axes: Record<string, unknown[]>;
  /** Run settings held fixed in this grid (override the sweep's `fixed`). */
  fixed?: Record<string, unknown> | undefined;
}

/** A parsed sweep file (`rnnlab.sweep/1`): either `axes` or `grids`, and optional fixed settings. */
export interface SweepSpec {
  /** "rnnlab.sweep/1" when given. */
  format?: 'rnnlab.sweep/1' | undefined;
  /** Name of the sweep (used for its folder and report). */
  name?: string | undefined;
  /** Free text describing the sweep. */
  description?: string | undefined;
  /** Run settings held fixed for every run (see the run settings of `rnnlab train`). */
  fixed?: Record<string, unknown> | undefined;
  /** Run setting -> the values to cross, for a single grid. */
  axes?: Record<string, unknown[]> | undefined;
  /** A union of grids (instead of `axes`). */
  grids?: SweepGrid[] | undefined;
}
true satisfies SpecMatchesSchema<SweepSpec, z.infer<typeof SweepSpecSchema>>;
true satisfies SpecMatchesSchema<z.infer<typeof SweepSpecSchema>, SweepSpec>;

/** true when A is assignable to B with the same keys (a compile-time check of SweepSpec). */
type SpecMatchesSchema<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? (A extends B ? true : false) : false;

/** One run of a sweep. */
export interface PlannedRun {
  /** The run's identity ({@link runId} of `config`): its record is `runs/<id>.json` in the sweep folder. */
  id: string;
  /** The run's resolved settings (every default filled in). */
  config: RunConfig;
}

/** Most runs one sweep may hold (a guard against a mistyped grid). */
export const MAX_RUNS = 1_000_000;

/**
 * Validates a parsed sweep spec (the run settings in it are checked by {@link expandSweep}).
 * @param value the parsed JSON or YAML
 * @param field name of the spec in error messages (default "sweep")
 * @throws TypeError (naming the field) for an unknown key, a value of the wrong type, or neither
 *   `axes` nor `grids`
 * @throws RangeError (naming the field) for an empty axis or grid list, a wrong `format`, or both
 *   `axes` and `grids`
 */
export function parseSweepSpec(value: unknown, field = 'sweep'): SweepSpec {
  const spec = parseWithSchema(SweepSpecSchema, value, field);
  if (!spec.axes && !spec.grids) throw typeError(`${field}.axes`, 'an object of axes (or a "grids" list)', undefined, 'nothing');
  if (spec.axes && spec.grids) throw rangeError(`${field}.grids`, 'either "axes" or "grids", not both', 'both');
  return spec;
}

/**
 * Reads a sweep file: `.json` is parsed as JSON, any other extension (`.yaml`, `.yml`) as YAML.
 * @param path the file
 * @param field name of the spec in error messages (default "sweep"; the path is added)
 * @throws RangeError for an unreadable file or invalid JSON / YAML; otherwise as {@link parseSweepSpec}
 */
export function readSweepSpec(path: string, field = 'sweep'): SweepSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw rangeError(field, 'a readable sweep file (.json, .yaml or .yml)', path, `${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let value: unknown;
  const ext = extname(path).toLowerCase();
  try {
    value = ext === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw rangeError(field, `a file of valid ${ext === '.json' ? 'JSON' : 'YAML'}`, path, `${JSON.stringify(path)} (${(error as Error).message.split('\n')[0]})`);
  }
  return parseSweepSpec(value, `${field} (${path})`);
}

function checkKeys(settings: Record<string, unknown>, field: string): void {
  for (const key of Object.keys(settings)) {
    if (!RUN_CONFIG_KEYS.includes(key)) {
      const hint = closestName(key, RUN_CONFIG_KEYS);
      throw typeError(`${field}.${key}`, `a run setting (${RUN_CONFIG_KEYS.join(', ')})${hint ? `; did you mean "${hint}"?` : ''}`, key, `unknown setting "${key}"`);
    }
  }
}

/**
 * Expands a spec into its runs, in a deterministic order (grid by grid, the last axis varying
 * fastest), validating every run's settings; runs with the same id appear once.
 * @throws TypeError for an unknown run setting in `fixed` or `axes` (with a did-you-mean hint)
 * @throws RangeError for a setting that is both fixed and an axis, or more than {@link MAX_RUNS} runs
 * @throws TypeError / RangeError as {@link resolveRunConfig} for an invalid run, naming the axis
 *   value (e.g. `sweep.axes.gain[2]`) or the fixed setting it came from
 */
export function expandSweep(spec: SweepSpec, field = 'sweep'): PlannedRun[] {
  const grids = spec.grids ?? [{ axes: spec.axes!, fixed: {} }];
  const runs: PlannedRun[] = [];
  const seen = new Set<string>();
  if (spec.fixed) checkKeys(spec.fixed, `${field}.fixed`);
  grids.forEach((grid, g) => {
    const gridField = spec.grids ? `${field}.grids[${g}]` : field;
    checkKeys(grid.axes, `${gridField}.axes`);
    if (grid.fixed) checkKeys(grid.fixed, `${gridField}.fixed`);
    const fixed = { ...(spec.fixed ?? {}), ...(grid.fixed ?? {}) };
    const names = Object.keys(grid.axes);
    for (const name of names) {
      if (name in fixed) throw rangeError(`${gridField}.axes.${name}`, 'a setting that is not also fixed', name, `"${name}" is both an axis and fixed`);
    }
    const count = names.reduce((n, name) => n * grid.axes[name]!.length, 1);
    if (runs.length + count > MAX_RUNS) throw rangeError(`${gridField}.axes`, `at most ${MAX_RUNS} runs in a sweep`, count, `${count} runs`);
    const index = names.map(() => 0);
    for (let r = 0; r < count; r++) {
      const settings: Record<string, unknown> = { ...fixed };
      names.forEach((name, a) => (settings[name] = grid.axes[name]![index[a]!]));
      let config: RunConfig;
      try {
        config = resolveRunConfig(settings, 'run');
      } catch (error) {
        throw relocate(error, (key) => (names.includes(key) ? `${gridField}.axes.${key}[${index[names.indexOf(key)]}]` : `${field}.fixed.${key}`));
      }
      const id = runId(config);
      if (!seen.has(id)) {
        seen.add(id);
        runs.push({ id, config });
      }
      for (let a = names.length - 1; a >= 0; a--) {
        index[a] = index[a]! + 1;
        if (index[a]! < grid.axes[names[a]!]!.length) break;
        index[a] = 0;
      }
    }
  });
  return runs;
}

/** Re-labels a run-config error ("run.gain") with where the value came from in the spec. */
function relocate(error: unknown, where: (key: string) => string): unknown {
  if (!(error instanceof RnnlabTypeError || error instanceof RnnlabRangeError)) return error;
  const match = /^run\.([^.[]+)(.*)$/.exec(error.field);
  if (!match) return error;
  const field = `${where(match[1]!)}${match[2]}`;
  return error instanceof RnnlabTypeError ? typeError(field, error.expected, undefined, error.received) : rangeError(field, error.expected, undefined, error.received);
}

/** A fingerprint of the set of runs (independent of the order of axes and values). */
export function sweepFingerprint(runs: readonly PlannedRun[]): string {
  return createHash('sha256').update(runs.map((r) => r.id).sort().join('\n')).digest('hex').slice(0, 16);
}
