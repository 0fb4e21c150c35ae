// Baselines: the neuron-split noise floor on the real Hatsopoulos data (against the paper's
// number), the normalised distance, the cross-condition-average baseline, determinism, and the
// wiring of the splits checked by hand on a small example.
import test from 'tape';
import {
  Rng,
  crossConditionAverage,
  crossConditionAverageBaseline,
  loadHatsopoulos2007,
  noiseFloor,
  normalizeWithData,
  normalizedDistance,
  procrustesDistance,
  representationDistance,
  selectUnits,
  summarize,
  toSampleMatrix,
} from '../ts/index.js';
import type { UnitsTimeConditions } from '../ts/index.js';

function randomActivity(units: number, steps: number, conditions: number, seed: string): UnitsTimeConditions {
  const data = new Float64Array(units * steps * conditions);
  new Rng(seed).fillNormal(data);
  return { data, units, steps, conditions };
}

test('Hatsopoulos noise floor (100 splits of 70 + 70 neurons) is close to the paper: 0.401 +- 0.024', (t) => {
  const data = loadHatsopoulos2007().firingRate;
  const noise = randomActivity(100, 121, 8, 'noise-model');
  const floor = noiseFloor(data, { rng: new Rng(0), models: [data, noise] });
  t.equal(floor.splits, 100);
  t.equal(floor.nSample, 70, 'floor(141 / 2)');
  const d1 = floor.dataToData;
  t.ok(Math.abs(d1.mean - 0.401) < 0.02 && d1.std > 0.01 && d1.std < 0.05, `noise floor ${d1.mean.toFixed(3)} +- ${d1.std.toFixed(3)} (paper 0.401 +- 0.024)`);
  const cca = floor.crossConditionAverage;
  t.ok(cca.normalized.mean > 0.1, `cross-condition average is further than other neurons: normalised ${cca.normalized.mean.toFixed(3)} +- ${cca.normalized.std.toFixed(3)}`);
  const [self, random] = floor.models;
  // Its sampled units overlap the first half (35 of 70 on average), so it beats the disjoint floor.
  t.ok(self!.normalized.mean < 0, `the data themselves as a model: normalised ${self!.normalized.mean.toFixed(3)} < 0`);
  t.ok(random!.normalized.mean > cca.normalized.mean, `a random-noise model is further still: ${random!.normalized.mean.toFixed(3)}`);
  for (let s = 0; s < floor.splits; s++) {
    const want = (random!.distance.values[s]! - d1.values[s]!) / (1 - d1.values[s]!);
    if (Math.abs(random!.normalized.values[s]! - want) > 1e-15) {
      t.fail(`split ${s}: normalised = (d2 - d1) / (1 - d1)`);
      break;
    }
  }
  t.pass('per split: normalised = (d2 - d1) / (1 - d1)');
  t.end();
});

test('the splits, by hand: disjoint halves from rng.fork("splits"), model units from rng.fork("model-0")', (t) => {
  const data = randomActivity(9, 6, 3, 'small-data');
  const model = randomActivity(7, 6, 3, 'small-model');
  const floor = noiseFloor(data, { rng: new Rng(5), splits: 4, models: [model] });
  t.equal(floor.nSample, 4);
  const splitRng = new Rng(5).fork('splits');
  const modelRng = new Rng(5).fork('model-0');
  for (let s = 0; s < 4; s++) {
    const i1 = splitRng.permutation(9).slice(0, 4);
    const rest = Array.from({ length: 9 }, (_, u) => u).filter((u) => !i1.includes(u));
    const i2 = splitRng.permutation(rest.length).slice(0, 4).map((k) => rest[k]!);
    t.equal(new Set([...i1, ...i2]).size, 8, `split ${s}: halves are disjoint`);
    const units = modelRng.permutation(7).slice(0, 4);
    const half1 = toSampleMatrix(selectUnits(data, i1));
    const d1 = normalizedDistance(procrustesDistance(half1, toSampleMatrix(selectUnits(data, i2))));
    const d2 = normalizedDistance(procrustesDistance(half1, toSampleMatrix(selectUnits(model, units))));
    const d3 = normalizedDistance(procrustesDistance(half1, toSampleMatrix(selectUnits(crossConditionAverage(data), i2))));
    t.equal(floor.dataToData.values[s], d1, `split ${s}: d1`);
    t.equal(floor.models[0]!.distance.values[s], d2, `split ${s}: d2`);
    t.equal(floor.crossConditionAverage.distance.values[s], d3, `split ${s}: d3`);
  }
  t.end();
});

test('determinism: the same seed gives the same numbers, and adding a model changes no other number', (t) => {
  const data = randomActivity(12, 10, 4, 'det-data');
  const m1 = randomActivity(8, 10, 4, 'det-m1');
  const m2 = randomActivity(5, 10, 4, 'det-m2');
  const a = noiseFloor(data, { rng: new Rng(9), splits: 5, models: [m1] });
  const b = noiseFloor(data, { rng: new Rng(9), splits: 5, models: [m1, m2] });
  t.deepEqual(Array.from(a.dataToData.values), Array.from(b.dataToData.values), 'noise floor unchanged');
  t.deepEqual(Array.from(a.models[0]!.distance.values), Array.from(b.models[0]!.distance.values), 'model 0 unchanged');
  const c = noiseFloor(data, { rng: new Rng(10), splits: 5 });
  t.notDeepEqual(Array.from(c.dataToData.values), Array.from(a.dataToData.values), 'another seed, other splits');
  const cka = noiseFloor(data, { rng: new Rng(9), splits: 5, metric: { metric: 'cka' } });
  t.ok(cka.dataToData.values.every((v, s) => v !== a.dataToData.values[s]), 'the metric option is used');
  t.end();
});

test('the cross-condition-average baseline, representationDistance and normalizeWithData', (t) => {
  const data = loadHatsopoulos2007().firingRate;
  const base = crossConditionAverageBaseline(data);
  const direct = normalizedDistance(procrustesDistance(toSampleMatrix(crossConditionAverage(data)), toSampleMatrix(data)));
  t.equal(base, direct, `cross-condition-average baseline ${base.toFixed(4)} = d(tiled condition means, data) / (pi/2)`);
  const small = selectUnits(data, Array.from({ length: 12 }, (_, k) => k * 11));
  const dsa = representationDistance(small, selectUnits(data, Array.from({ length: 12 }, (_, k) => k * 11 + 1)), { metric: 'dsa', dsa: { nDelays: 2, rank: 10 } });
  t.ok(dsa > 0 && dsa < Math.PI, `DSA between two sets of 12 neurons (conditions as trials): ${dsa.toFixed(4)} rad`);
  t.equal(normalizeWithData(0.5, 0.4), (0.5 - 0.4) / 0.6, '(d - d1) / (1 - d1)');
  t.throws(() => normalizeWithData(0.5, 1), /dData: expected a finite number < 1, received 1/, 'd1 = 1 is refused');
  const s = summarize(new Float64Array([1, 2, 3, 4]));
  t.deepEqual([s.mean, s.std], [2.5, Math.sqrt(1.25)], 'std with ddof 0');
  t.end();
});

test('bad baseline input: clear errors', (t) => {
  const data = randomActivity(6, 5, 3, 'bad');
  t.throws(() => noiseFloor(data, {} as never), /^TypeError: options\.rng: expected/, 'rng is required');
  t.throws(() => noiseFloor(data, { rng: new Rng(1), nSample: 4 }), /options\.nSample: expected at most 3 \(half the 6 neurons/, 'halves would overlap');
  t.throws(() => noiseFloor(data, { rng: new Rng(1), models: [randomActivity(4, 6, 3, 'm')] }), /options\.models\[0\]: expected 5 steps x 3 conditions, as in the data, received 6 steps x 3 conditions/, 'model with other steps');
  t.throws(() => noiseFloor(data, { rng: new Rng(1), metric: { metric: 'shape' } }), /options\.metric\.alpha: expected a number in \[0, 1\] \(required for the shape metric\)/, 'shape without alpha');
  t.throws(() => noiseFloor(data, { rng: new Rng(1), split: 3 } as never), /^TypeError: options\.split: expected one of the keys/, 'unknown option');
  t.throws(() => crossConditionAverageBaseline({ ...data, conditions: 1, data: data.data.subarray(0, 30) }), /data\.conditions: expected at least 2 conditions/, 'one condition');
  t.end();
});
