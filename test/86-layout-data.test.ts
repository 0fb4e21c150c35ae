// Layout helpers (units x time x conditions <-> samples x units, windows, averages) and the
// loaders of the shipped recordings.
import test from 'tape';
import {
  AXIS_ORDERS,
  crossConditionAverage,
  loadChurchland2012,
  loadHatsopoulos2007,
  meanOverAxis,
  readNpy,
  selectUnits,
  timeWindow,
  toSampleMatrix,
  toTrialTensor,
  toUnitsTimeConditions,
  trialAverage,
  windowIndices,
} from '../ts/index.js';
import { join } from 'node:path';

/** A 3-D array whose value encodes its (unit, time, condition) indices. */
function coded(units: number, steps: number, conditions: number): { data: Float64Array; units: number; steps: number; conditions: number } {
  const data = new Float64Array(units * steps * conditions);
  for (let u = 0; u < units; u++) for (let t = 0; t < steps; t++) for (let c = 0; c < conditions; c++) data[(u * steps + t) * conditions + c] = 100 * u + 10 * t + c;
  return { data, units, steps, conditions };
}

test('toSampleMatrix: time fastest within each condition (Liu et al. Fortran-order reshape)', (t) => {
  const x = coded(3, 4, 2);
  const m = toSampleMatrix(x);
  t.deepEqual([m.samples, m.units], [8, 3], '4 steps x 2 conditions = 8 samples, 3 units');
  // Row c * steps + t holds (unit, t, c) for every unit.
  let ok = true;
  for (let c = 0; c < 2; c++) for (let s = 0; s < 4; s++) for (let u = 0; u < 3; u++) ok &&= m.data[(c * 4 + s) * 3 + u] === 100 * u + 10 * s + c;
  t.ok(ok, 'sample (c, t) at row c * steps + t');
  t.deepEqual(Array.from(m.data.subarray(0, 6)), [0, 100, 200, 10, 110, 210], 'rows 0 and 1: condition 0, times 0 and 1');
  const tt = toTrialTensor(x);
  t.deepEqual([tt.trials, tt.steps, tt.units], [2, 4, 3], 'DSA layout: conditions as trials');
  t.deepEqual(Array.from(tt.data), Array.from(m.data), 'the same order as the sample matrix');
  t.end();
});

test('toUnitsTimeConditions reads every axis order', (t) => {
  const ref = coded(2, 3, 4);
  const size: Record<string, number> = { u: 2, t: 3, c: 4 };
  for (const order of AXIS_ORDERS) {
    const shape = order.split('').map((a) => size[a]!);
    const data = new Float64Array(24);
    const idx = { u: 0, t: 0, c: 0 } as Record<string, number>;
    let k = 0;
    for (let i = 0; i < shape[0]!; i++)
      for (let j = 0; j < shape[1]!; j++)
        for (let l = 0; l < shape[2]!; l++) {
          idx[order[0]!] = i;
          idx[order[1]!] = j;
          idx[order[2]!] = l;
          data[k++] = 100 * idx.u! + 10 * idx.t! + idx.c!;
        }
    const x = toUnitsTimeConditions({ shape, data }, order);
    t.deepEqual([x.units, x.steps, x.conditions], [2, 3, 4], `${order}: sizes`);
    t.deepEqual(Array.from(x.data), Array.from(ref.data), `${order}: values`);
  }
  t.throws(() => toUnitsTimeConditions({ shape: [2, 3], data: new Float64Array(6) }), /^RangeError: array\.shape: expected a 3-D array \(units x time x conditions\), received 2 x 3$/, '2-D refused');
  t.throws(() => toUnitsTimeConditions({ shape: [2, 3, 4], data: new Float64Array(24) }, 'xyz' as never), /order: expected one of "utc"/, 'bad order');
  t.end();
});

test('windows, unit selection, cross-condition average, trial and axis means', (t) => {
  const x = coded(3, 5, 2);
  const w = timeWindow(x, 1, 4);
  t.equal(w.steps, 3, 'steps [1, 4)');
  t.equal(w.data[(2 * 3 + 0) * 2 + 1], 200 + 10 + 1, 'unit 2, first window step = step 1, condition 1');
  t.throws(() => timeWindow(x, 3, 3), /stop: expected an integer in \[4, 5\], received 3/, 'empty window');
  t.deepEqual(windowIndices([-20, -10, 0, 10, 20], -10, 10), { start: 1, stop: 4 }, 'inclusive window by time');
  t.throws(() => windowIndices([0, 10, 5], 0, 10), /time\[2\]: expected an increasing time axis/, 'unsorted time');
  t.throws(() => windowIndices([0, 10], 50, 60), /window: expected a window that contains time points/, 'empty time window');
  const s = selectUnits(x, [2, 0]);
  t.deepEqual([s.units, s.data[0], s.data[10]], [2, 200, 0], 'units 2 then 0');
  t.throws(() => selectUnits(x, [3]), /indices\[0\]: expected a unit index in \[0, 3\), received 3/, 'unit out of range');
  const avg = crossConditionAverage(x);
  t.deepEqual([avg.data[0], avg.data[1]], [0.5, 0.5], 'mean over conditions 0 and 1, tiled');
  // Trial averaging: [trial][unit][step][condition].
  const trials = new Float64Array(2 * x.data.length);
  trials.set(x.data);
  trials.set(x.data.map((v) => v + 2), x.data.length);
  const ta = trialAverage({ shape: [2, 3, 5, 2], data: trials });
  t.deepEqual(Array.from(ta.data), Array.from(x.data.map((v) => v + 1)), 'trial average');
  const m = meanOverAxis({ shape: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) }, 1);
  t.deepEqual([m.shape, Array.from(m.data)], [[2], [2, 5]], 'mean over the last axis');
  t.end();
});

test('loadHatsopoulos2007: 141 neurons x 121 bins x 8 reaches, time axis, kinematics', (t) => {
  const h = loadHatsopoulos2007();
  const r = h.firingRate;
  t.deepEqual([r.units, r.steps, r.conditions], [141, 121, 8]);
  const raw = readNpy(join(import.meta.dirname, '..', 'data', 'hatsopoulos2007', 'firing_rate.npy'));
  t.deepEqual(Array.from(r.data.subarray(0, 50)), Array.from(raw.data.subarray(0, 50)), 'already in [unit][step][condition] order');
  t.deepEqual([h.timeMs[0], h.timeMs[80], h.timeMs[120]], [-800, 0, 400], '-800 .. 400 ms, movement onset at index 80');
  t.deepEqual(windowIndices(h.timeMs, -800, 400), { start: 0, stop: 121 }, "Liu et al.'s window is the whole recording");
  t.deepEqual(h.kinematics.shoulderAngle.shape, [8, 121], 'kinematics conditions x time');
  // Reaches end at the target of their direction (SOURCE.md: condition 0 at x ~ 1, condition 4 at x ~ -0.92).
  const xEnd = (c: number): number => h.kinematics.xHandPosition.data[c * 121 + 120]!;
  t.ok(xEnd(0) > 0.9 && xEnd(4) < -0.85, `condition 0 ends right (${xEnd(0).toFixed(2)}), condition 4 left (${xEnd(4).toFixed(2)})`);
  t.deepEqual(Array.from(h.reachAngleDeg), [0, 45, 90, 135, 180, 225, 270, 315]);
  t.equal(h.movementDurationMs.mean.length, 8);
  t.throws(() => loadHatsopoulos2007('/nonexistent'), /^RangeError: dir: expected a folder holding firing_rate\.npy, received "\/nonexistent" \(no firing_rate\.npy\)$/, 'missing folder');
  t.end();
});

test('loadChurchland2012: the .mat gives 50 units x 61 steps x 10 conditions', (t) => {
  const c = loadChurchland2012();
  t.deepEqual([c.activity.units, c.activity.steps, c.activity.conditions], [50, 61, 10]);
  const npy = readNpy(join(import.meta.dirname, '..', 'data', 'churchland2012', 'dataTensor_TxNxC.npy'));
  const fromNpy = toUnitsTimeConditions(npy, 'tuc');
  t.deepEqual(Array.from(c.activity.data), Array.from(fromNpy.data), 'same as the .npy copy');
  t.deepEqual([c.timeMs[0], c.timeMs[60]], [-50, 550], 'time axis in ms');
  t.end();
});
