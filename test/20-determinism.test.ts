// Same seed, same result: bit-identical loss curves and weights; another seed differs.
import test from 'tape';
import { LeakyRNN, Rng, adam, createTask, train } from '../ts/index.js';

function run(seed: number, noiseStd = 0): { curve: number[]; weights: number[] } {
  const task = createTask('romo');
  const rng = new Rng(seed);
  const model = LeakyRNN.create({ nIn: 1, nHidden: 16, nOut: 2, alpha: 0.5, activation: 'relu', noiseStd }, { rng: rng.fork('init'), gain: 1.2 });
  const result = train(model, { task, rule: 'bptt', optimizer: adam({ lr: 3e-3 }), iters: 40, batchSize: 8, rng: rng.fork('train'), logEvery: 5 });
  return { curve: result.lossCurve.map((p) => p.loss), weights: Array.from(model.params.flat) };
}

test('the same seed gives bit-identical loss curves and weights', (t) => {
  const a = run(7);
  const b = run(7);
  t.deepEqual(a.curve, b.curve, 'loss curves identical');
  t.deepEqual(a.weights, b.weights, 'final weights identical');
  t.notDeepEqual(run(8).curve, a.curve, 'another seed gives another curve');
  t.end();
});

test('state noise is drawn from the seeded generator too', (t) => {
  const a = run(3, 0.05);
  const b = run(3, 0.05);
  t.deepEqual(a.curve, b.curve, 'noisy runs with one seed are identical');
  t.notDeepEqual(a.curve, run(3, 0).curve, 'noise changes the run');
  t.end();
});

test('Rng: fork does not advance the parent and labels give independent streams', (t) => {
  const a = new Rng(5);
  const b = new Rng(5);
  a.fork('x');
  t.equal(a.nextU32(), b.nextU32(), 'forking leaves the parent stream unchanged');
  t.notEqual(new Rng(5).fork('x').nextU32(), new Rng(5).fork('y').nextU32(), 'different labels differ');
  t.equal(new Rng('abc').uniform(), new Rng('abc').uniform(), 'string seeds are deterministic');
  const r = new Rng(9);
  let sum = 0;
  let sumSq = 0;
  const n = 20000;
  for (let k = 0; k < n; k++) {
    const z = r.normal();
    sum += z;
    sumSq += z * z;
  }
  t.ok(Math.abs(sum / n) < 0.03 && Math.abs(sumSq / n - 1) < 0.03, `normal(): mean ${(sum / n).toFixed(3)}, variance ${(sumSq / n).toFixed(3)}`);
  t.end();
});
