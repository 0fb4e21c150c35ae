/**
 * Models as plain data, to cross to a worker thread and back.
 * @module
 * @internal
 */
import { LeakyRNN } from '../model/leaky-rnn.js';
import type { ModelMasks, ResolvedConfig } from '../model/leaky-rnn.js';
import { ParamSet } from '../model/params.js';
import type { DType, FloatArray } from '../model/params.js';

/** A model as it crosses to a worker: config, parameters and fixed masks, as plain data. */
export interface ModelTransfer {
  config: ResolvedConfig;
  dtype: DType;
  flat: FloatArray;
  masks: ModelMasks;
}

/** A copy of `model` that can be posted to a worker. */
export function modelTransfer(model: LeakyRNN): ModelTransfer {
  return { config: { ...model.config }, dtype: model.dtype, flat: model.params.flat.slice(), masks: { ...model.masks } };
}

/** The model a {@link ModelTransfer} describes. */
export function modelFromTransfer(t: ModelTransfer): LeakyRNN {
  return new LeakyRNN(t.config, new ParamSet(t.config, t.dtype, t.flat), t.masks);
}

