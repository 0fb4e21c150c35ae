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
import { LeakyRNN, expectModel, resolveConfig } from '../model/leaky-rnn.js';
import type { ModelMasks } from '../model/leaky-rnn.js';
import { PARAM_NAMES, ParamSet } from '../model/params.js';
import type { DType, ParamName } from '../model/params.js';
import { RnnlabRangeError, expectKnownKeys, expectObject, rangeError, readNestedArray, toNested, typeError } from '../validate.js';
import { readJsonFile, writeJsonFile } from './files.js';

/** The `format` string of a model file this version reads and writes. */
export const MODEL_FORMAT = 'rnnlab.model/1';

/** The JSON object of a model file (see the module description). */
export interface ModelJSON {
  /** Always {@link MODEL_FORMAT}. */
  format: string;
  /** The model's resolved config ({@link ResolvedConfig}: sizes, alpha, activation, ...). */
  config: Record<string, unknown>;
  /** Every parameter as nested row-major arrays: Wh [N][N], Wx [N][nIn], b [N], Wout [nOut][N], bOut [nOut], h0 [N]. */
  params: Record<string, unknown>;
  /** The 0/1 sparsity mask of Wh, [N][N], when the model has one. */
  masks?: Record<string, unknown>;
}

/** Options of {@link modelFromJSON} and {@link readModelFile}. */
export interface ModelReadOptions {
  /** Element type of the parameters (default "float64"). */
  dtype?: DType;
  /** Name used in error messages (default "model"). */
  field?: string;
}

const OPTIONAL_PARAMS: readonly ParamName[] = ['b', 'bOut', 'h0'];

/**
 * The JSON object of a model file (nested arrays, ready for JSON.stringify).
 * @throws TypeError when `model` is not a LeakyRNN
 */
export function modelToJSON(model: LeakyRNN): ModelJSON {
  expectModel(model, 'model');
  const params: Record<string, unknown> = {};
  for (const name of PARAM_NAMES) params[name] = toNested(model.params.get(name), model.params.shape(name));
  const json: ModelJSON = { format: MODEL_FORMAT, config: { ...model.config }, params };
  if (model.whMask) json.masks = { Wh: toNested(model.whMask, [model.N, model.N]) };
  return json;
}

/**
 * Builds a model from the JSON of a model file, validating every field.
 * @throws TypeError / RangeError naming the field (e.g. `model.params.Wh[3]`) for a wrong or
 *   missing format, an invalid config, an unknown key, a parameter of the wrong shape or with a
 *   non-finite value, or a missing or invalid sparsity mask
 */
export function modelFromJSON(json: unknown, options: ModelReadOptions = {}): LeakyRNN {
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

/**
 * Reads a model file (see {@link modelFromJSON}).
 * @throws TypeError when path is not a non-empty string; RangeError for a missing or unreadable
 *   file or invalid JSON; the errors of {@link modelFromJSON}, with the path in the field name
 */
export function readModelFile(path: string, options: ModelReadOptions = {}): LeakyRNN {
  const field = options.field ?? 'model';
  return modelFromJSON(readJsonFile(path, field), { ...options, field: `${field} (${path})` });
}

/**
 * Writes a model file atomically; refuses to replace an existing file unless `overwrite`.
 * @throws TypeError for a path that is not a non-empty string or a model that is not a
 *   LeakyRNN; RangeError for an existing file (without overwrite) or a folder that does not
 *   exist or cannot be written
 */
export function writeModelFile(path: string, model: LeakyRNN, options: { overwrite?: boolean } = {}): void {
  writeJsonFile(path, modelToJSON(model), options);
}
