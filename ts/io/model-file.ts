/**
 * The model file, `rnnlab.model/1` (DESIGN.md):
 *   { "format": "rnnlab.model/1", "config": {...}, "params": { "Wh": [[...]], "Wx": [[...]],
 *     "b": [...], "Wout": [[...]], "bOut": [...], "h0": [...] } }
 * b, bOut and h0 may be absent (zeros). Matrices are nested row-major arrays, row = postsynaptic.
 * A model with a fixed sparsity mask (config.connectivity < 1, or a user mask) also carries
 *   "masks": { "Wh": [[0, 1, ...], ...] }
 * so that the saved model reproduces exactly; Dale's signs follow from the config.
 * @module
 */
import { LeakyRNN, resolveConfig } from '../model/leaky-rnn.js';
import type { ModelMasks } from '../model/leaky-rnn.js';
import { PARAM_NAMES, ParamSet } from '../model/params.js';
import type { DType, ParamName } from '../model/params.js';
import { RnnlabRangeError, expectKnownKeys, expectObject, rangeError, readNestedArray, toNested, typeError } from '../validate.js';
import { readJsonFile, writeJsonFile } from './files.js';

export const MODEL_FORMAT = 'rnnlab.model/1';

const OPTIONAL_PARAMS: readonly ParamName[] = ['b', 'bOut', 'h0'];

/** The JSON object of a model file. */
export function modelToJSON(model: LeakyRNN): { format: string; config: Record<string, unknown>; params: Record<string, unknown>; masks?: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  for (const name of PARAM_NAMES) params[name] = toNested(model.params.get(name), model.params.shape(name));
  const json: { format: string; config: Record<string, unknown>; params: Record<string, unknown>; masks?: Record<string, unknown> } = { format: MODEL_FORMAT, config: { ...model.config }, params };
  if (model.whMask) json.masks = { Wh: toNested(model.whMask, [model.N, model.N]) };
  return json;
}

/** Builds a model from the JSON of a model file, validating every field. */
export function modelFromJSON(json: unknown, options: { dtype?: DType; field?: string } = {}): LeakyRNN {
  const field = options.field ?? 'model';
  const obj = expectObject(json, field);
  expectKnownKeys(obj, ['format', 'config', 'params', 'masks'], field);
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
  const masks: ModelMasks = {};
  if (obj.masks !== undefined) {
    const masksJson = expectObject(obj.masks, `${field}.masks`);
    expectKnownKeys(masksJson, ['Wh'], `${field}.masks`);
    if (masksJson.Wh !== undefined) masks.Wh = readNestedArray(masksJson.Wh, `${field}.masks.Wh`, [config.nHidden, config.nHidden]);
  }
  if (config.connectivity < 1 && masks.Wh === undefined) {
    throw typeError(`${field}.masks.Wh`, `the 0/1 sparsity mask [${config.nHidden}][${config.nHidden}] (config.connectivity is ${config.connectivity})`, undefined, 'nothing');
  }
  try {
    return new LeakyRNN(config, params, masks);
  } catch (error) {
    // Name the file's field in mask errors (the constructor calls it masks.Wh).
    if (error instanceof RnnlabRangeError && error.field.startsWith('masks.')) throw rangeError(`${field}.${error.field}`, error.expected, undefined, error.received);
    throw error;
  }
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
