/**
 * The model file, `rnnlab.model/1` (DESIGN.md):
 *   { "format": "rnnlab.model/1", "config": {...}, "params": { "Wh": [[...]], "Wx": [[...]],
 *     "b": [...], "Wout": [[...]], "bOut": [...], "h0": [...] } }
 * b, bOut and h0 may be absent (zeros). Matrices are nested row-major arrays, row = postsynaptic.
 * @module
 */
import { LeakyRNN, resolveConfig } from '../model/leaky-rnn.js';
import { PARAM_NAMES, ParamSet } from '../model/params.js';
import type { DType, ParamName } from '../model/params.js';
import { expectKnownKeys, expectObject, rangeError, readNestedArray, toNested, typeError } from '../validate.js';
import { readJsonFile, writeJsonFile } from './files.js';

export const MODEL_FORMAT = 'rnnlab.model/1';

const OPTIONAL_PARAMS: readonly ParamName[] = ['b', 'bOut', 'h0'];

/** The JSON object of a model file. */
export function modelToJSON(model: LeakyRNN): { format: string; config: Record<string, unknown>; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  for (const name of PARAM_NAMES) params[name] = toNested(model.params.get(name), model.params.shape(name));
  return { format: MODEL_FORMAT, config: { ...model.config }, params };
}

/** Builds a model from the JSON of a model file, validating every field. */
export function modelFromJSON(json: unknown, options: { dtype?: DType; field?: string } = {}): LeakyRNN {
  const field = options.field ?? 'model';
  const obj = expectObject(json, field);
  expectKnownKeys(obj, ['format', 'config', 'params'], field);
  if (obj.format !== MODEL_FORMAT) {
    if (typeof obj.format !== 'string') throw typeError(`${field}.format`, `"${MODEL_FORMAT}"`, obj.format);
    throw rangeError(`${field}.format`, `"${MODEL_FORMAT}"`, obj.format);
  }
  const config = resolveConfig(obj.config, `${field}.config`);
  const paramsJson = expectObject(obj.params, `${field}.params`);
  expectKnownKeys(paramsJson, PARAM_NAMES, `${field}.params`);
  const params = new ParamSet(config, options.dtype ?? 'float64');
  for (const name of PARAM_NAMES) {
    const value = paramsJson[name];
    if (value === undefined && OPTIONAL_PARAMS.includes(name)) continue;
    if (value === undefined) throw typeError(`${field}.params.${name}`, `an array of shape ${params.shape(name).join(' x ')} (required)`, value, 'nothing');
    params.get(name).set(readNestedArray(value, `${field}.params.${name}`, params.shape(name)));
  }
  return new LeakyRNN(config, params);
}

/** Reads a model file (see {@link modelFromJSON}). */
export function readModelFile(path: string, options: { dtype?: DType; field?: string } = {}): LeakyRNN {
  const field = options.field ?? 'model';
  return modelFromJSON(readJsonFile(path, field), { ...options, field: `${field} (${path})` });
}

/** Writes a model file atomically; refuses to replace an existing file unless `overwrite`. */
export function writeModelFile(path: string, model: LeakyRNN, options: { overwrite?: boolean } = {}): void {
  writeJsonFile(path, modelToJSON(model), options);
}
