/**
 * Shared pieces of the command line: option parsers that report through the one error
 * formatter, JSON output, run folders that are never silently reused.
 * @module
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { expectNumber, rangeError } from '../validate.js';
import type { NumberRule } from '../validate.js';

/** A commander parser for a number option obeying `rule`. */
export function numberOption(flag: string, rule: NumberRule = {}): (value: string) => number {
  return (value: string) => {
    const parsed = value.trim() === '' ? NaN : Number(value);
    try {
      return expectNumber(Number.isNaN(parsed) ? value : parsed, flag, rule);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** A commander parser for an integer option >= min. */
export function integerOption(flag: string, min = 0): (value: string) => number {
  return numberOption(flag, { integer: true, min });
}

/** Collects repeated `key=value` options into an object; values are parsed as JSON when they can be. */
export function keyValueOption(flag: string): (value: string, previous: Record<string, unknown> | undefined) => Record<string, unknown> {
  return (value, previous) => {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`${flag}: expected key=value, received ${JSON.stringify(value)}`);
    const key = value.slice(0, eq);
    const raw = value.slice(eq + 1);
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = raw;
    }
    return { ...(previous ?? {}), [key]: parsed };
  };
}

/** Prints one JSON object on stdout (the only thing a --json command prints there). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * Creates the output folder of a run. An existing non-empty folder is refused unless `force`
 * (then only the files the command writes are replaced).
 */
export function prepareOutputDir(dir: string, force: boolean): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !force) {
      throw rangeError('--out', 'a new or empty folder (add --force to replace the files rnnlab writes there)', dir, `${JSON.stringify(dir)}, which already holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
    }
  } else {
    mkdirSync(dir, { recursive: true });
  }
}
