/**
 * Comparing a model with neural recordings along training, as Liu, Yang & Cueva 2025 (paper 2)
 * do (LearningRuleSimilarities main_analyze_models.py; reference/reference-code.md 1.4, 1.6):
 *
 * - at each checkpoint the model runs, without noise, one analysis trial per recorded condition
 *   (for `hatsopoulos2007`: reach8 with `test: true`, the 8 directions in the data's order);
 * - its rates f(h) on the rows of the data window ({@link REACH8_DATA_WINDOW}, rows 105..225)
 *   form the model's units x steps x conditions activity, which is compared with the recording
 *   (141 neurons x 121 bins x 8 reaches) by angular Procrustes (netrep LinearMetric alpha 1, per-unit
 *   centring, zero padding; samples = steps x conditions with time fastest within a condition),
 *   reported as d / (pi/2) in [0, 1];
 * - the normalised accuracy is scored on the same analysis trials (the authors' choice);
 * - the model's distance is its minimum over checkpoints (the authors' "RNN parameters at min
 *   train distance"), and at that checkpoint and before training the noise floor
 *   (ts/analysis/baselines.ts: 100 random splits of the neurons into halves) places the model
 *   against other neurons: d1 (half vs half), d2 (half vs as many model units) and
 *   (d2 - d1) / (1 - d1).
 *
 * Row convention: rnnlab's row s of a batch is the input of step s + 1 and the target of its
 * output, so the authors' activity index t (after input t) is rnnlab's rate f(h_{t+1}).
 * @module
 */
import { noiseFloor } from '../analysis/baselines.js';
import type { NoiseFloorResult, Summary } from '../analysis/baselines.js';
import { toSampleMatrix } from '../analysis/layout.js';
import type { UnitsTimeConditions } from '../analysis/layout.js';
import { normalizedDistance, procrustesDistance } from '../analysis/similarity.js';
import type { SampleMatrix } from '../analysis/similarity.js';
import { loadHatsopoulos2007 } from '../data/datasets.js';
import { LeakyRNN } from '../model/leaky-rnn.js';
import type { DType, FloatArray } from '../model/params.js';
import { DTYPES, ParamSet, checkDims, paramLayout } from '../model/params.js';
import { checkBatchShape } from '../trials.js';
import { Rng } from '../rng.js';
import { lossAndOutputGrad, runForward } from '../rules/forward.js';
import { Workspace } from '../rules/workspace.js';
import { createTask } from '../tasks/index.js';
import { REACH8_CONDITIONS, REACH8_DATA_WINDOW } from '../tasks/reach8.js';
import type { Task, TaskBatch } from '../tasks/task.js';
import { expectInteger, expectObject, expectOneOf, expectString, rangeError, typeError } from '../validate.js';
import { normalizedAccuracy } from './score.js';

/** Recordings a run can be compared with. */
export const NEURAL_DATASETS = ['hatsopoulos2007'] as const;
/** One of {@link NEURAL_DATASETS}. */
export type NeuralDataset = (typeof NEURAL_DATASETS)[number];

/** What a comparison needs: the recording, the analysis trials and the rows that match it. */
export interface DataComparison {
  /** Which recording. */
  dataset: NeuralDataset;
  /** The recording, units x steps x conditions (Hz). */
  data: UnitsTimeConditions;
  /** The recording as samples x units (time fastest within a condition). */
  dataSamples: SampleMatrix;
  /** The task of the analysis trials. */
  task: Task;
  /** One noise-free analysis trial per recorded condition, in the recording's condition order. */
  batch: TaskBatch;
  /** [start, end) rows of the analysis trials compared with the recording's steps. */
  window: [number, number];
}

/**
 * The comparison of a run on `taskName` (with `taskOptions`) with `dataset`. For
 * `hatsopoulos2007` the task must be reach8; the analysis trials keep its `outputOffset` and
 * `dataDir` and take the authors' test timing.
 * @throws RangeError for an unknown dataset (field `neuralData`, with a hint) or a task other
 *   than reach8; the errors of {@link loadHatsopoulos2007} for a bad `dataDir`
 */
export function dataComparison(dataset: string, taskName: string, taskOptions: Record<string, unknown> = {}): DataComparison {
  const which = expectOneOf(dataset, 'neuralData', NEURAL_DATASETS);
  if (taskName !== 'reach8') throw rangeError('task', `"reach8" for neuralData "${which}" (the task whose trials the recording matches)`, taskName);
  const keep: Record<string, unknown> = {};
  for (const key of ['outputOffset', 'dataDir']) if (taskOptions[key] !== undefined) keep[key] = taskOptions[key];
  const task = createTask('reach8', { ...keep, test: true });
  const recording = typeof taskOptions.dataDir === 'string' ? loadHatsopoulos2007(taskOptions.dataDir) : loadHatsopoulos2007();
  const batch = task.sample(new Rng('analysis'), REACH8_CONDITIONS, { conditions: Array.from({ length: REACH8_CONDITIONS }, (_, c) => ({ condition: c })) });
  const window: [number, number] = [REACH8_DATA_WINDOW[0], REACH8_DATA_WINDOW[1]];
  if (window[1] - window[0] !== recording.firingRate.steps) throw rangeError('window', `${recording.firingRate.steps} rows, one per recorded bin`, window);
  return { dataset: which, data: recording.firingRate, dataSamples: toSampleMatrix(recording.firingRate), task, batch, window };
}

/** A model scored against the recording at one moment. */
export interface CheckpointScore {
  /** Angular Procrustes distance / (pi/2), in [0, 1]; NaN when every model unit is constant. */
  distance: number;
  /** Paper 2's normalised accuracy on the analysis trials. */
  normalizedAccuracy: number;
  /** The task loss on the analysis trials. */
  loss: number;
  /** The model's rates on the window, units x steps x conditions. */
  activity: UnitsTimeConditions;
}

/** Whether some unit of an activity varies (otherwise no angle is defined). */
function varies(x: UnitsTimeConditions): boolean {
  const n = x.steps * x.conditions;
  for (let u = 0; u < x.units; u++) {
    const first = x.data[u * n]!;
    for (let k = 1; k < n; k++) if (x.data[u * n + k] !== first) return true;
  }
  return false;
}

/**
 * Runs the analysis trials (noise-free: the model's state noise is not used) and scores the
 * model: distance to the recording, normalised accuracy, loss, and the window activity.
 * @param ws scratch buffers, reused across calls
 * @throws TypeError when `model` is not a LeakyRNN; RangeError when its nIn or nOut does not
 *   match the analysis trials (field `cmp.batch`)
 */
export function scoreAgainstData(model: LeakyRNN, cmp: DataComparison, ws: Workspace = new Workspace()): CheckpointScore {
  checkBatchShape(model, cmp.batch, 'cmp.batch');
  const quiet = model.config.noiseStd > 0 ? new LeakyRNN({ ...model.config, noiseStd: 0 }, model.params, model.masks) : model;
  const traj = runForward(quiet, cmp.batch, ws);
  const { loss } = lossAndOutputGrad(quiet, cmp.batch, traj, ws);
  const N = model.N;
  const B = cmp.batch.B;
  const [start, end] = cmp.window;
  const steps = end - start;
  const data = new Float64Array(N * steps * B);
  // Row s of the trials is the rate f(h_{s+1}), index s + 1 of the [T+1][B][N] rates.
  for (let s = 0; s < steps; s++) {
    const base = (start + s + 1) * B * N;
    for (let c = 0; c < B; c++) for (let u = 0; u < N; u++) data[(u * steps + s) * B + c] = traj.rate[base + c * N + u]!;
  }
  const activity: UnitsTimeConditions = { data, units: N, steps, conditions: B };
  const distance = varies(activity) ? normalizedDistance(procrustesDistance(toSampleMatrix(activity), cmp.dataSamples)) : NaN;
  return { distance, normalizedAccuracy: normalizedAccuracy(cmp.batch, traj.Y, loss), loss, activity };
}

/**
 * Paper 2's checkpoint schedule for n updates (main_train_model.py `pset_saveparameters`):
 * {0..5} u {50, 100, 150, 200} u round(linspace(25, 150, 20)) u round(linspace(0, n, 20)) u
 * round(linspace(200, min(700, n), 40)) u round(linspace(700, min(1500, n), 30)), keeping values
 * <= n, sorted (numpy rounds halves to even; so does this). 115 checkpoints for n = 1000.
 */
export function liu2025Checkpoints(n: number): number[] {
  expectInteger(n, 'iters', 0);
  const roundHalfEven = (v: number): number => {
    const f = Math.floor(v);
    const d = v - f;
    if (Math.abs(d - 0.5) < 1e-9) return f % 2 === 0 ? f : f + 1;
    return Math.round(v);
  };
  const linspace = (a: number, b: number, k: number): number[] => Array.from({ length: k }, (_, i) => roundHalfEven(a + ((b - a) * i) / (k - 1)));
  const all = [0, 1, 2, 3, 4, 5, 50, 100, 150, 200, ...linspace(25, 150, 20), ...linspace(0, n, 20), ...linspace(200, Math.min(700, n), 40), ...linspace(700, Math.min(1500, n), 30)];
  return [...new Set(all)].filter((p) => p <= n).sort((a, b) => a - b);
}

/** Parameters in a record: the flat array (layout of ts/model/params.ts) as base64. */
export interface EncodedParams {
  /** Element type of the flat array. */
  dtype: DType;
  /** The flat array's bytes (platform byte order, little-endian in practice), base64. */
  base64: string;
}

/**
 * Encodes a flat parameter array (e.g. `model.params.flat`) for a JSON record.
 * @throws TypeError unless `flat` is a Float64Array or Float32Array
 */
export function encodeParams(flat: FloatArray): EncodedParams {
  if (!(flat instanceof Float64Array || flat instanceof Float32Array)) throw typeError('flat', 'a Float64Array or Float32Array (a ParamSet.flat)', flat);
  return { dtype: flat instanceof Float32Array ? 'float32' : 'float64', base64: Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength).toString('base64') };
}

/**
 * The ParamSet of an encoded parameter array for a model of `dims` (a copy).
 * @throws TypeError / RangeError for an `encoded` that is not { dtype, base64 } with dtype
 *   float64 or float32, or whose byte count does not match dims
 */
export function decodeParams(encoded: EncodedParams, dims: ParamSet['dims']): ParamSet {
  const e = expectObject(encoded, 'encoded');
  const dtype = expectOneOf(e.dtype, 'encoded.dtype', DTYPES);
  expectString(e.base64, 'encoded.base64');
  const layout = paramLayout(checkDims(dims));
  const bytes = Buffer.from(encoded.base64, 'base64');
  const expectedBytes = layout.total * (dtype === 'float32' ? 4 : 8);
  if (bytes.length !== expectedBytes) {
    throw rangeError('encoded.base64', `${expectedBytes} bytes (${layout.total} ${dtype} parameters for these dims)`, undefined, `${bytes.length} bytes`);
  }
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const flat = encoded.dtype === 'float32' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  return new ParamSet(dims, encoded.dtype, flat);
}

/** A summary without its values (or with them, for statistics across runs). */
export interface SummaryRecord {
  /** Mean of the values. */
  mean: number;
  /** Population standard deviation (ddof 0). */
  std: number;
  /** The values, one per split. */
  values: number[];
}

function summaryRecord(s: Summary): SummaryRecord {
  return { mean: s.mean, std: s.std, values: Array.from(s.values) };
}

/** What a run compared with a recording leaves in its record (rnnlab.run/1 `neural`). */
export interface NeuralRecord {
  /** The recording compared with. */
  dataset: NeuralDataset;
  /** The distance used: angular Procrustes. */
  metric: 'procrustes';
  /** Rows of the analysis trials compared with the recording. */
  window: [number, number];
  /** Every checkpoint: distance / (pi/2), normalised accuracy and loss on the analysis trials. */
  checkpoints: {
    /** Training updates done at each checkpoint. */
    iter: number[];
    /** Distance / (pi/2) in [0, 1] (NaN when every model unit was constant). */
    distance: number[];
    /** Paper 2's normalised accuracy. */
    normalizedAccuracy: number[];
    /** Task loss. */
    loss: number[];
  };
  /** The checkpoint of minimum distance, with its parameters (null if no distance was defined). */
  best: {
    /** Training updates done at that checkpoint. */
    iter: number;
    /** Its distance / (pi/2). */
    distance: number;
    /** Its normalised accuracy. */
    normalizedAccuracy: number;
    /** Its parameters (see {@link decodeParams}). */
    params: EncodedParams;
  } | null;
  /**
   * The noise floor on `splits` random halves of the neurons (drawn from the generator given to
   * finish; runs use Rng('noise-floor').fork(seed), so runs with the same seed share their
   * splits, as the authors seed the splits per model), with the model before training and at
   * `best`: d1 = dataToData, d2 = distance, (d2 - d1) / (1 - d1) = normalized; all / (pi/2).
   */
  noiseFloor: {
    /** Number of random splits. */
    splits: number;
    /** Neurons per half (and model units drawn). */
    nSample: number;
    /** d1, the noise floor. */
    dataToData: SummaryRecord;
    /** The cross-condition-average baseline: d3 and (d3 - d1) / (1 - d1). */
    crossConditionAverage: {
      /** d3 per split. */
      distance: SummaryRecord;
      /** (d3 - d1) / (1 - d1) per split. */
      normalized: SummaryRecord;
    };
    /** The model at iteration 0 (null when 0 was not a checkpoint or had no distance). */
    untrained: {
      /** d2 per split. */
      distance: SummaryRecord;
      /** (d2 - d1) / (1 - d1) per split. */
      normalized: SummaryRecord;
    } | null;
    /** The model at `best` (null without one). */
    best: {
      /** d2 per split. */
      distance: SummaryRecord;
      /** (d2 - d1) / (1 - d1) per split. */
      normalized: SummaryRecord;
    } | null;
  };
}

/**
 * Follows one run: give it the model at each checkpoint ({@link NeuralTracker.observe}), then
 * {@link NeuralTracker.finish} computes the noise floor and returns the record. It keeps the
 * activity of the first checkpoint (the untrained model when 0 is a checkpoint) and of the best.
 */
export class NeuralTracker {
  /** The comparison every checkpoint is scored with. */
  readonly cmp: DataComparison;
  private readonly ws = new Workspace();
  private readonly iters: number[] = [];
  private readonly distances: number[] = [];
  private readonly accuracies: number[] = [];
  private readonly losses: number[] = [];
  private untrained: UnitsTimeConditions | null = null;
  private best: { iter: number; distance: number; normalizedAccuracy: number; params: EncodedParams; activity: UnitsTimeConditions } | null = null;

  /** @param cmp the comparison, from {@link dataComparison} */
  constructor(cmp: DataComparison) {
    this.cmp = cmp;
  }

  /**
   * Scores the model at checkpoint `iter` (training updates done) and keeps the best.
   * @throws the errors of {@link scoreAgainstData}
   */
  observe(iter: number, model: LeakyRNN): CheckpointScore {
    const score = scoreAgainstData(model, this.cmp, this.ws);
    this.iters.push(iter);
    this.distances.push(score.distance);
    this.accuracies.push(score.normalizedAccuracy);
    this.losses.push(score.loss);
    if (iter === 0 && this.untrained === null && Number.isFinite(score.distance)) this.untrained = score.activity;
    if (Number.isFinite(score.distance) && (this.best === null || score.distance < this.best.distance)) {
      this.best = { iter, distance: score.distance, normalizedAccuracy: score.normalizedAccuracy, params: encodeParams(model.params.flat), activity: score.activity };
    }
    return score;
  }

  /**
   * The noise floor (with the untrained and the best model) and the record. The splits come from
   * `rng` (default Rng('noise-floor')).
   */
  finish(options: { splits?: number; rng?: Rng } = {}): NeuralRecord {
    const splits = options.splits ?? 100;
    const models = [this.untrained, this.best?.activity ?? null];
    const present = models.filter((m): m is UnitsTimeConditions => m !== null);
    const floor: NoiseFloorResult = noiseFloor(this.cmp.data, { rng: options.rng ?? new Rng('noise-floor'), splits, models: present });
    let k = 0;
    const next = (m: UnitsTimeConditions | null) => (m === null ? null : floor.models[k++]!);
    const [untrained, best] = models.map(next);
    const asRecord = (r: { distance: Summary; normalized: Summary } | null | undefined) => (r ? { distance: summaryRecord(r.distance), normalized: summaryRecord(r.normalized) } : null);
    return {
      dataset: this.cmp.dataset,
      metric: 'procrustes',
      window: this.cmp.window,
      checkpoints: { iter: [...this.iters], distance: [...this.distances], normalizedAccuracy: [...this.accuracies], loss: [...this.losses] },
      best: this.best ? { iter: this.best.iter, distance: this.best.distance, normalizedAccuracy: this.best.normalizedAccuracy, params: this.best.params } : null,
      noiseFloor: {
        splits: floor.splits,
        nSample: floor.nSample,
        dataToData: summaryRecord(floor.dataToData),
        crossConditionAverage: { distance: summaryRecord(floor.crossConditionAverage.distance), normalized: summaryRecord(floor.crossConditionAverage.normalized) },
        untrained: asRecord(untrained),
        best: asRecord(best),
      },
    };
  }
}
