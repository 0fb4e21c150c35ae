/**
 * Layouts of condition-averaged activity, and the reshapes the similarity metrics need.
 *
 * The working layout is {@link UnitsTimeConditions}: `[unit][step][condition]`, row-major, the
 * layout of the Hatsopoulos `firing_rate.npy` (141 x 121 x 8) and of Liu et al.'s analysis code.
 * {@link toSampleMatrix} turns it into samples x units with **time fastest within each
 * condition** (sample `c * steps + t`), exactly as Liu et al. reshape in Fortran order
 * (reference/reference-code.md 1.6): all time points of condition 0, then of condition 1, ...
 * @module
 */
import { expectNdArray, formatShape } from '../io/ndarray.js';
import type { NdArray } from '../io/ndarray.js';
import type { FloatArray } from '../native.js';
import { expectFinite, expectInteger, expectNumber, expectOneOf, rangeError, typeError } from '../validate.js';
import type { TrialTensor } from './dsa.js';
import type { SampleMatrix } from './similarity.js';

/** Condition-averaged activity, row-major `[unit][step][condition]`: `data[(u * steps + t) * conditions + c]`. */
export interface UnitsTimeConditions {
  /** The values, `[unit][step][condition]` row-major (e.g. firing rates). */
  data: Float64Array;
  /** Number of units (neurons, model units), >= 1. */
  units: number;
  /** Number of time steps, >= 1. */
  steps: number;
  /** Number of conditions (e.g. reach directions), >= 1. */
  conditions: number;
}

/**
 * Axis meanings of a 3-D array, outermost first: `u` units (neurons), `t` time steps, `c`
 * conditions. `utc` is firing_rate.npy; `tuc` is the Churchland dataTensor (time x neurons x
 * conditions); `tcu` is rnnlab's time-major model states `[T][B][N]` with one trial per condition.
 */
export const AXIS_ORDERS = ['utc', 'uct', 'tuc', 'tcu', 'cut', 'ctu'] as const;
/** One of {@link AXIS_ORDERS}: the meaning of each axis of a 3-D array, outermost first. */
export type AxisOrder = (typeof AXIS_ORDERS)[number];

/** Checks a {@link UnitsTimeConditions} value (types, sizes, finite values). @internal */
export function checkUnitsTimeConditions(value: unknown, field: string): UnitsTimeConditions {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) throw typeError(field, 'activity { data, units, steps, conditions }', value);
  const v = value as Partial<UnitsTimeConditions>;
  expectInteger(v.units, `${field}.units`, 1);
  expectInteger(v.steps, `${field}.steps`, 1);
  expectInteger(v.conditions, `${field}.conditions`, 1);
  if (!(v.data instanceof Float64Array)) throw typeError(`${field}.data`, 'a Float64Array', v.data);
  const n = v.units! * v.steps! * v.conditions!;
  if (v.data.length !== n) throw rangeError(`${field}.data`, `${n} values (units ${v.units} x steps ${v.steps} x conditions ${v.conditions})`, v.data);
  expectFinite(v.data, `${field}.data`, [v.units!, v.steps!, v.conditions!]);
  return v as UnitsTimeConditions;
}

/**
 * Reorders a 3-D array whose axes mean `order` (e.g. `tuc`) into {@link UnitsTimeConditions}.
 * Values are copied (and promoted to float64).
 * @param array a 3-D array with Float64Array or Float32Array data
 * @param order the axes' meanings, outermost first (default `utc`)
 * @param field name of the array in error messages
 * @throws TypeError when `array` is not a { shape, data } array; RangeError for an unknown
 *   order (with a hint), an array that is not 3-D, or a non-finite value
 */
export function toUnitsTimeConditions(array: { shape: readonly number[]; data: FloatArray }, order: AxisOrder = 'utc', field = 'array'): UnitsTimeConditions {
  expectOneOf(order, 'order', AXIS_ORDERS);
  expectNdArray(array, field);
  if (!Array.isArray(array.shape) || array.shape.length !== 3) {
    throw rangeError(`${field}.shape`, `a 3-D array (${order.split('').map((a) => ({ u: 'units', t: 'time', c: 'conditions' })[a]).join(' x ')})`, undefined, Array.isArray(array.shape) ? formatShape(array.shape) : String(array.shape));
  }
  const [d0, d1, d2] = array.shape as [number, number, number];
  if (array.data.length !== d0 * d1 * d2) throw rangeError(`${field}.data`, `${d0 * d1 * d2} values (shape ${formatShape(array.shape)})`, array.data);
  expectFinite(array.data, `${field}.data`, array.shape);
  const size: Record<string, number> = {};
  order.split('').forEach((axis, k) => (size[axis] = array.shape[k]!));
  const units = size.u!;
  const steps = size.t!;
  const conditions = size.c!;
  // Stride of each meaning in the source.
  const srcStride: Record<string, number> = {};
  srcStride[order[2]!] = 1;
  srcStride[order[1]!] = d2;
  srcStride[order[0]!] = d1 * d2;
  const su = srcStride.u!;
  const st = srcStride.t!;
  const sc = srcStride.c!;
  const out = new Float64Array(units * steps * conditions);
  let k = 0;
  for (let u = 0; u < units; u++)
    for (let t = 0; t < steps; t++)
      for (let c = 0; c < conditions; c++) out[k++] = array.data[u * su + t * st + c * sc]!;
  return { data: out, units, steps, conditions };
}

/**
 * Samples x units with time fastest within each condition: row `c * steps + t` holds every
 * unit's activity at step t of condition c (Liu et al.'s Fortran-order reshape, transposed).
 * Copies the values.
 * @throws TypeError / RangeError when `x` is not a valid {@link UnitsTimeConditions} (field `activity`)
 */
export function toSampleMatrix(x: UnitsTimeConditions): SampleMatrix {
  const { data, units, steps, conditions } = checkUnitsTimeConditions(x, 'activity');
  const out = new Float64Array(units * steps * conditions);
  for (let u = 0; u < units; u++)
    for (let t = 0; t < steps; t++)
      for (let c = 0; c < conditions; c++) out[(c * steps + t) * units + u] = data[(u * steps + t) * conditions + c]!;
  return { data: out, samples: steps * conditions, units };
}

/**
 * DSA's input for condition-averaged activity: one trial per condition,
 * `[condition][step][unit]` (Liu et al. transpose to conditions x time x units for DSA).
 * The result is a {@link TrialTensor}; the values are copied.
 * @throws TypeError / RangeError when `x` is not a valid {@link UnitsTimeConditions} (field `activity`)
 */
export function toTrialTensor(x: UnitsTimeConditions): TrialTensor {
  const { data, units, steps, conditions } = checkUnitsTimeConditions(x, 'activity');
  const out = new Float64Array(units * steps * conditions);
  for (let u = 0; u < units; u++)
    for (let t = 0; t < steps; t++)
      for (let c = 0; c < conditions; c++) out[(c * steps + t) * units + u] = data[(u * steps + t) * conditions + c]!;
  return { data: out, trials: conditions, steps, units };
}

/**
 * Steps `[start, stop)` of every unit and condition (a copy).
 * @throws RangeError unless 0 <= start < stop <= x.steps (integers)
 */
export function timeWindow(x: UnitsTimeConditions, start: number, stop: number): UnitsTimeConditions {
  const { data, units, steps, conditions } = checkUnitsTimeConditions(x, 'activity');
  expectInteger(start, 'start', 0, steps - 1);
  expectInteger(stop, 'stop', start + 1, steps);
  const w = stop - start;
  const out = new Float64Array(units * w * conditions);
  for (let u = 0; u < units; u++) out.set(data.subarray((u * steps + start) * conditions, (u * steps + stop) * conditions), u * w * conditions);
  return { data: out, units, steps: w, conditions };
}

/**
 * The index range `[start, stop)` of the time points with from <= time <= to (both ends
 * included, as in Liu et al.'s `-800 <= t <= 400`). `time` must be increasing; `from`, `to`
 * and the result are in the units of `time` and in indices into it respectively.
 * @throws RangeError when `time` is not increasing or no time point lies in [from, to]
 */
export function windowIndices(
  time: ArrayLike<number>,
  from: number,
  to: number,
): {
  /** Index of the first time point >= from. */
  start: number;
  /** One past the index of the last time point <= to. */
  stop: number;
} {
  if (time === null || typeof time !== 'object' || typeof (time as { length?: unknown }).length !== 'number') {
    throw typeError('time', 'an array or typed array of increasing times', time);
  }
  expectNumber(from, 'from');
  expectNumber(to, 'to', { min: from });
  let start = -1;
  let stop = -1;
  for (let k = 0; k < time.length; k++) {
    if (k > 0 && !(time[k]! > time[k - 1]!)) throw rangeError(`time[${k}]`, `an increasing time axis (> ${time[k - 1]})`, time[k]);
    if (time[k]! >= from && time[k]! <= to) {
      if (start < 0) start = k;
      stop = k + 1;
    }
  }
  if (start < 0) throw rangeError('window', `a window that contains time points (the axis spans ${time[0]} .. ${time[time.length - 1]})`, undefined, `[${from}, ${to}]`);
  return { start, stop };
}

/**
 * The units at `indices` (in that order; repeats allowed), copied.
 * @throws RangeError for an index that is not an integer in [0, x.units)
 */
export function selectUnits(x: UnitsTimeConditions, indices: readonly number[]): UnitsTimeConditions {
  if (!Array.isArray(indices)) throw typeError('indices', 'an array of unit indices', indices);
  const { data, units, steps, conditions } = x;
  const block = steps * conditions;
  const out = new Float64Array(indices.length * block);
  indices.forEach((u, k) => {
    if (!Number.isInteger(u) || u < 0 || u >= units) throw rangeError(`indices[${k}]`, `a unit index in [0, ${units})`, u);
    out.set(data.subarray(u * block, (u + 1) * block), k * block);
  });
  return { data: out, units: indices.length, steps, conditions };
}

/**
 * Each unit's mean over conditions, repeated for every condition (Liu et al.'s cross-condition
 * average: the same PSTH tiled C times). Same shape as `x`.
 * @throws TypeError / RangeError when `x` is not a valid {@link UnitsTimeConditions} (field `activity`)
 */
export function crossConditionAverage(x: UnitsTimeConditions): UnitsTimeConditions {
  const { data, units, steps, conditions } = checkUnitsTimeConditions(x, 'activity');
  const out = new Float64Array(data.length);
  for (let r = 0; r < units * steps; r++) {
    let sum = 0;
    for (let c = 0; c < conditions; c++) sum += data[r * conditions + c]!;
    out.fill(sum / conditions, r * conditions, (r + 1) * conditions);
  }
  return { data: out, units, steps, conditions };
}

/**
 * The mean over one axis of an n-d array (trial averaging: e.g. `[trial][unit][time][condition]`
 * averaged over axis 0 gives `[unit][time][condition]`). Returns float64.
 * @throws TypeError when `array` is not a { shape, data } array; RangeError for a scalar, an
 *   axis out of range or an empty axis
 */
export function meanOverAxis(array: { shape: readonly number[]; data: FloatArray }, axis: number, field = 'array'): NdArray<Float64Array> {
  expectNdArray(array, field);
  const shape = array.shape;
  expectInteger(axis, 'axis', 0, Math.max(0, shape.length - 1));
  if (shape.length === 0) throw rangeError(`${field}.shape`, 'an array with at least one axis', undefined, 'a scalar');
  const n = shape[axis]!;
  if (n === 0) throw rangeError(`${field}.shape[${axis}]`, 'a non-empty axis to average over', 0);
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  if (array.data.length !== outer * n * inner) throw rangeError(`${field}.data`, `${outer * n * inner} values (shape ${formatShape(shape)})`, array.data);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < n; k++) {
      const base = (o * n + k) * inner;
      for (let i = 0; i < inner; i++) out[o * inner + i]! += array.data[base + i]!;
    }
  for (let i = 0; i < out.length; i++) out[i]! /= n;
  return { shape: shape.filter((_, d) => d !== axis), data: out, dtype: 'float64' };
}

/**
 * Trial averaging of single-trial activity `[trial][unit][step][condition]` (row-major) into
 * condition-averaged {@link UnitsTimeConditions}.
 * @throws TypeError when `trials` is not a { shape, data } array; RangeError unless it is 4-D
 *   with at least one trial
 */
export function trialAverage(trials: { shape: readonly number[]; data: FloatArray }, field = 'trials'): UnitsTimeConditions {
  expectNdArray(trials, field);
  if (trials.shape.length !== 4) throw rangeError(`${field}.shape`, 'a 4-D array trials x units x time x conditions', undefined, formatShape(trials.shape));
  const mean = meanOverAxis(trials, 0, field);
  const [units, steps, conditions] = mean.shape as [number, number, number];
  return { data: mean.data, units, steps, conditions };
}
