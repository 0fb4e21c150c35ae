/**
 * The trials file (DESIGN.md): { "inputs": [T][B][nIn], "targets": [T][B][nOut] (mse) or
 * [T][B] class indices (ce), "mask": [T][B] (optional), "loss": "mse" | "ce" }.
 * When "loss" is absent it is inferred from the depth of "targets".
 * @module
 */
import { LOSSES, checkTrials } from '../trials.js';
import type { LossKind, Trials } from '../trials.js';
import { expectKnownKeys, expectObject, expectOneOf, nestedShape, rangeError, readNestedArray, toNested, typeError } from '../validate.js';
import { readJsonFile, writeJsonFile } from './files.js';

export interface TrialsReadOptions {
  /** Number of classes, for ce targets (default: largest class index + 1). */
  nOut?: number;
  field?: string;
}

/** Builds {@link Trials} from the JSON of a trials file, validating shapes and values. */
export function trialsFromJSON(json: unknown, options: TrialsReadOptions = {}): Trials {
  const field = options.field ?? 'trials';
  const obj = expectObject(json, field);
  expectKnownKeys(obj, ['inputs', 'targets', 'mask', 'loss'], field);
  const shape = nestedShape(obj.inputs, 3);
  if (!Array.isArray(obj.inputs)) throw typeError(`${field}.inputs`, 'an array [T][B][nIn]', obj.inputs);
  if (shape.length !== 3) throw rangeError(`${field}.inputs`, 'a nested array [T][B][nIn] of depth 3', obj.inputs, `depth ${shape.length}`);
  const [T, B, nIn] = shape as [number, number, number];
  if (T < 1 || B < 1) throw rangeError(`${field}.inputs`, 'at least one step and one trial', obj.inputs, `shape [${shape.join('][')}]`);
  const inputs = readNestedArray(obj.inputs, `${field}.inputs`, [T, B, nIn]);

  const targetDepth = nestedShape(obj.targets, 3).length;
  let loss: LossKind;
  if (obj.loss !== undefined) loss = expectOneOf(obj.loss, `${field}.loss`, LOSSES);
  else if (targetDepth === 2 || targetDepth === 3) loss = targetDepth === 2 ? 'ce' : 'mse';
  else throw typeError(`${field}.targets`, 'an array [T][B][nOut] (mse) or [T][B] (ce)', obj.targets);

  let targets: Float64Array;
  let nOut: number;
  if (loss === 'mse') {
    const tShape = nestedShape(obj.targets, 3);
    if (tShape.length !== 3) throw rangeError(`${field}.targets`, `a nested array [${T}][${B}][nOut] for loss "mse"`, obj.targets, `depth ${tShape.length}`);
    nOut = tShape[2]!;
    targets = readNestedArray(obj.targets, `${field}.targets`, [T, B, nOut]);
  } else {
    targets = readNestedArray(obj.targets, `${field}.targets`, [T, B]);
    nOut = options.nOut ?? targets.reduce((a, c) => Math.max(a, c), 0) + 1;
  }
  const mask = obj.mask === undefined || obj.mask === null ? null : readNestedArray(obj.mask, `${field}.mask`, [T, B]);
  const trials: Trials = { T, B, nIn, nOut, loss, inputs, targets, mask };
  checkTrials(trials, undefined, field);
  return trials;
}

/** Reads a trials file (see {@link trialsFromJSON}). */
export function readTrialsFile(path: string, options: TrialsReadOptions = {}): Trials {
  const field = options.field ?? 'trials';
  return trialsFromJSON(readJsonFile(path, field), { ...options, field: `${field} (${path})` });
}

/** The JSON object of a trials file. */
export function trialsToJSON(trials: Trials): Record<string, unknown> {
  const { T, B, nIn, nOut } = trials;
  const out: Record<string, unknown> = {
    inputs: toNested(trials.inputs, [T, B, nIn]),
    targets: toNested(trials.targets, trials.loss === 'ce' ? [T, B] : [T, B, nOut]),
    loss: trials.loss,
  };
  if (trials.mask) out.mask = toNested(trials.mask, [T, B]);
  return out;
}

/** Writes a trials file atomically; refuses to replace an existing file unless `overwrite`. */
export function writeTrialsFile(path: string, trials: Trials, options: { overwrite?: boolean } = {}): void {
  writeJsonFile(path, trialsToJSON(trials), options);
}
