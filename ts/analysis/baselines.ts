/**
 * Baselines that give model-to-data distances a scale (Liu, Yang & Cueva 2025, Appendix A.3;
 * LearningRuleSimilarities `computedistance_normalizedwithdata.py` and
 * `computecrossconditionaveragebaseline.py`, reference/reference-code.md 1.6):
 *
 * - the **noise floor**: split the recorded neurons at random into two disjoint halves of
 *   `nSample` neurons and measure the distance d1 between them (how far apart two samples of the
 *   same population are), many times;
 * - per model, on the same splits, the distance d2 between the first half and `nSample` random
 *   model units, and the **normalised distance** (d2 - d1) / (1 - d1) (0 = as close as other
 *   neurons, 1 = as far as can be);
 * - the **cross-condition-average baseline**: the data against a copy in which every neuron's
 *   response is replaced by its mean over conditions (d3, and (d3 - d1) / (1 - d1) per split).
 *
 * All distances here are normalised to [0, 1] by pi/2 (the radians of ./similarity.ts divided
 * by pi/2, as Liu et al. do before normalising with d1; for DSA, whose angle reaches pi, the
 * normalised value can exceed 1). Means and standard deviations are over the splits; std is the
 * population standard deviation (ddof 0, numpy's default).
 * @module
 */
import { z } from 'zod';
import { Rng } from '../rng.js';
import { expectNumber, parseWithSchema, rangeError, typeError } from '../validate.js';
import { dsaDistance } from './dsa.js';
import type { DsaOptions } from './dsa.js';
import { checkUnitsTimeConditions, crossConditionAverage, selectUnits, toSampleMatrix, toTrialTensor } from './layout.js';
import type { UnitsTimeConditions } from './layout.js';
import { LINEAR_METRICS, checkMetricSpec, compareRepresentations, normalizedDistance } from './similarity.js';
import type { MetricSpec } from './similarity.js';

/** A linear metric, or DSA with its options (conditions become DSA trials). */
export type DistanceSpec =
  | MetricSpec
  | {
      /** "dsa": Dynamical Similarity Analysis ({@link dsaDistance}), angle in radians in [0, pi]. */
      metric: 'dsa';
      /** Options passed to {@link dsaDistance} (delays, rank, alignment; default DSA settings). */
      dsa?: DsaOptions;
    };

const DistanceSpecSchema = z.union([
  z.strictObject({ metric: z.enum(LINEAR_METRICS), alpha: z.number().optional() }),
  z.strictObject({ metric: z.literal('dsa'), dsa: z.record(z.string(), z.unknown()).optional() }),
]);

/**
 * Distance in radians between two condition-averaged representations with the same steps and
 * conditions (unit counts may differ): linear metrics on samples x units (time fastest within
 * condition), DSA on conditions x steps x units.
 * @param spec the distance (default angular Procrustes)
 * @throws TypeError / RangeError for a bad spec (unknown metric or key), arrays that are not
 *   units x steps x conditions, or b with other steps or conditions than a (field `b`)
 */
export function representationDistance(a: UnitsTimeConditions, b: UnitsTimeConditions, spec: DistanceSpec = { metric: 'procrustes' }): number {
  parseWithSchema(DistanceSpecSchema, spec, 'spec');
  if (a.steps !== b.steps || a.conditions !== b.conditions) {
    throw rangeError('b', `${a.steps} steps x ${a.conditions} conditions, as in a`, undefined, `${b.steps} steps x ${b.conditions} conditions`);
  }
  if (spec.metric === 'dsa') return dsaDistance(toTrialTensor(a), toTrialTensor(b), spec.dsa ?? {}).distance;
  return compareRepresentations(toSampleMatrix(a), toSampleMatrix(b), spec).distance;
}

/**
 * (dModel - dData) / (1 - dData): 0 when the model is as close as the data are to themselves,
 * 1 at the largest distance. Both distances normalised to [0, 1] (radians / (pi/2)).
 * @throws RangeError unless both are finite and dData < 1
 */
export function normalizeWithData(dModel: number, dData: number): number {
  expectNumber(dModel, 'dModel');
  expectNumber(dData, 'dData', { max: 1, maxExclusive: true });
  return (dModel - dData) / (1 - dData);
}

/** Mean, standard deviation (ddof 0) and the values themselves. */
export interface Summary {
  /** Arithmetic mean of `values`. */
  mean: number;
  /** Population standard deviation of `values` (divides by n, numpy's ddof 0). */
  std: number;
  /** The summarised values (the array passed in, not a copy), e.g. one per split. */
  values: Float64Array;
}

/**
 * Mean and population standard deviation (ddof 0) of `values`.
 * @throws TypeError unless `values` is a Float64Array; RangeError when it is empty
 */
export function summarize(values: Float64Array): Summary {
  if (!(values instanceof Float64Array)) throw typeError('values', 'a Float64Array', values);
  if (values.length === 0) throw rangeError('values', 'at least 1 value (the mean of none is undefined)', values);
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length), values };
}

/**
 * The cross-condition-average baseline as one number: the normalised distance (radians / (pi/2))
 * between the data and each neuron's condition-mean response tiled over the conditions.
 * @param data units x steps x conditions, at least 2 conditions
 * @param spec the distance (default angular Procrustes)
 */
export function crossConditionAverageBaseline(data: UnitsTimeConditions, spec: DistanceSpec = { metric: 'procrustes' }): number {
  const x = checkUnitsTimeConditions(data, 'data');
  if (x.conditions < 2) throw rangeError('data.conditions', 'at least 2 conditions', x.conditions);
  return normalizedDistance(representationDistance(crossConditionAverage(x), x, spec));
}

/** Options of {@link noiseFloor}. */
export interface NoiseFloorOptions {
  /** Source of the random splits (required: results depend on it). */
  rng: Rng;
  /** Number of random splits (default 100). */
  splits?: number;
  /** Neurons per half and units per model sample (default floor(neurons / 2)). */
  nSample?: number;
  /** Distance (default angular Procrustes, as Liu et al.). */
  metric?: DistanceSpec;
  /** Models to place against the floor, each with the data's steps and conditions. */
  models?: UnitsTimeConditions[];
}

/**
 * The result of {@link noiseFloor}. Every distance is normalised to [0, 1] (radians / (pi/2));
 * each {@link Summary} holds one value per split.
 */
export interface NoiseFloorResult {
  /** Number of random splits done. */
  splits: number;
  /** Neurons per data half (and units drawn per model). */
  nSample: number;
  /** d1: data half vs the other data half, normalised to [0, 1]. The noise floor. */
  dataToData: Summary;
  /** d3 (first half vs the cross-condition average of the second half) and (d3 - d1) / (1 - d1). */
  crossConditionAverage: {
    /** d3 per split. */
    distance: Summary;
    /** (d3 - d1) / (1 - d1) per split. */
    normalized: Summary;
  };
  /** Per model: d2 (first data half vs nSample model units) and (d2 - d1) / (1 - d1). */
  models: {
    /** d2 per split. */
    distance: Summary;
    /** (d2 - d1) / (1 - d1) per split. */
    normalized: Summary;
  }[];
}

const NoiseFloorSchema = z.strictObject({
  rng: z.instanceof(Rng),
  splits: z.int().min(1).optional(),
  nSample: z.int().min(1).optional(),
  metric: z.unknown().optional(),
  models: z.array(z.unknown()).optional(),
});

/**
 * The neuron-split noise floor, the normalised model distances and the cross-condition-average
 * baseline, on the same random splits (Liu et al. 2025, Appendix A.3). Per split: `i1` = the
 * first nSample of a random permutation of the neurons, `i2` = the first nSample of a random
 * permutation of the rest; per model, nSample units drawn without replacement (all units when
 * the model has no more than nSample). The splits come from `rng.fork('splits')` and model k's
 * units from `rng.fork('model-k')`, so adding a model does not change the other numbers.
 *
 * Cost: (2 + models) distance computations per split.
 * @param data recorded neurons, units x steps x conditions (at least 2 neurons)
 * @throws TypeError / RangeError for a missing rng, an unknown option key, a bad metric, a model
 *   with other steps or conditions than the data, or nSample above half the neurons
 */
export function noiseFloor(data: UnitsTimeConditions, options: NoiseFloorOptions): NoiseFloorResult {
  const o = parseWithSchema(NoiseFloorSchema, options, 'options');
  const x = checkUnitsTimeConditions(data, 'data');
  const spec = (o.metric ?? { metric: 'procrustes' }) as DistanceSpec;
  parseWithSchema(DistanceSpecSchema, spec, 'options.metric');
  if (spec.metric !== 'dsa') checkMetricSpec(spec, 'options.metric');
  const models = (o.models ?? []).map((m, k) => {
    const model = checkUnitsTimeConditions(m, `options.models[${k}]`);
    if (model.steps !== x.steps || model.conditions !== x.conditions) {
      throw rangeError(`options.models[${k}]`, `${x.steps} steps x ${x.conditions} conditions, as in the data`, undefined, `${model.steps} steps x ${model.conditions} conditions`);
    }
    return model;
  });
  const maxSample = Math.floor(x.units / 2);
  if (maxSample < 1) throw rangeError('data.units', 'at least 2 neurons to split', x.units);
  const nSample = o.nSample ?? maxSample;
  if (nSample > maxSample) throw rangeError('options.nSample', `at most ${maxSample} (half the ${x.units} neurons, so the halves do not overlap)`, nSample);
  const splits = o.splits ?? 100;
  const average = crossConditionAverage(x);
  const splitRng = o.rng.fork('splits');
  const modelRngs = models.map((_, k) => o.rng.fork(`model-${k}`));
  const d1 = new Float64Array(splits);
  const d3 = new Float64Array(splits);
  const d2 = models.map(() => new Float64Array(splits));
  for (let s = 0; s < splits; s++) {
    const perm = splitRng.permutation(x.units);
    const i1 = perm.slice(0, nSample);
    const taken = new Set(i1);
    const rest = Array.from({ length: x.units }, (_, u) => u).filter((u) => !taken.has(u));
    const restPerm = splitRng.permutation(rest.length);
    const i2 = restPerm.slice(0, nSample).map((k) => rest[k]!);
    const half1 = selectUnits(x, i1);
    d1[s] = normalizedDistance(representationDistance(half1, selectUnits(x, i2), spec));
    d3[s] = normalizedDistance(representationDistance(half1, selectUnits(average, i2), spec));
    models.forEach((model, k) => {
      const units = modelRngs[k]!.permutation(model.units).slice(0, nSample);
      d2[k]![s] = normalizedDistance(representationDistance(half1, selectUnits(model, units), spec));
    });
  }
  const normalized = (d: Float64Array): Float64Array => d.map((v, s) => (v - d1[s]!) / (1 - d1[s]!));
  return {
    splits,
    nSample,
    dataToData: summarize(d1),
    crossConditionAverage: { distance: summarize(d3), normalized: summarize(normalized(d3)) },
    models: d2.map((d) => ({ distance: summarize(d), normalized: summarize(normalized(d)) })),
  };
}
