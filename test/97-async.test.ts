// The asynchronous API: training off the main thread keeps the event loop responsive, reports
// progress, can be aborted, runs several models at once, and equals the synchronous result.
import test from 'tape';
import { LeakyRNN, Rng, adam, createTask, defineTask, lyapunovAsync, lyapunovSpectrum, runAsync, train, trainAsync } from '../ts/index.js';
import { runOne } from '../ts/experiment/run.js';

const config = { nIn: 1, nHidden: 24, nOut: 2, alpha: 0.5, activation: 'relu' } as const;
const makeModel = (seed: number) => LeakyRNN.create(config, { rng: new Rng(seed), gain: 1 });

test('trainAsync equals train bit for bit, and the event loop keeps running meanwhile', async (t) => {
  const task = createTask('romo');
  const syncModel = makeModel(1);
  const syncResult = train(syncModel, { task, rule: 'bptt', optimizer: adam({ lr: 2e-3 }), iters: 300, batchSize: 16, rng: new Rng(2), logEvery: 50 });
  const asyncModel = makeModel(1);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const progress: number[] = [];
  const asyncResult = await trainAsync(asyncModel, { task, rule: 'bptt', optimizer: adam({ lr: 2e-3 }), iters: 300, batchSize: 16, rng: new Rng(2), logEvery: 50, onProgress: (p) => progress.push(p.iter) });
  clearInterval(timer);
  t.deepEqual(asyncResult.lossCurve, syncResult.lossCurve, 'same loss curve');
  t.deepEqual(Array.from(asyncModel.params.flat), Array.from(syncModel.params.flat), 'same trained parameters, written back into the model');
  t.deepEqual(progress, [50, 100, 150, 200, 250, 300], 'progress reported at every logged point');
  t.ok(ticks >= 10, `a 5 ms timer fired ${ticks} times during ${asyncResult.seconds.toFixed(2)} s of training`);
  t.end();
});

test('several models train concurrently, each deterministic for its seed', async (t) => {
  const task = createTask('romo');
  const seeds = [3, 4, 5];
  const models = seeds.map(makeModel);
  const results = await Promise.all(models.map((m, k) => trainAsync(m, { task, rule: 'bptt', optimizer: adam(), iters: 60, batchSize: 8, rng: new Rng(seeds[k]!), logEvery: 20 })));
  for (const [k, seed] of seeds.entries()) {
    const reference = makeModel(seed);
    const r = train(reference, { task, rule: 'bptt', optimizer: adam(), iters: 60, batchSize: 8, rng: new Rng(seed), logEvery: 20 });
    t.deepEqual(results[k]!.lossCurve, r.lossCurve, `model ${k} (seed ${seed}) equals its synchronous run`);
  }
  t.end();
});

test('aborting rejects with an AbortError and leaves the model unchanged', async (t) => {
  const model = makeModel(6);
  const before = Array.from(model.params.flat);
  const controller = new AbortController();
  const pending = trainAsync(model, { task: createTask('romo'), rule: 'bptt', optimizer: adam(), iters: 100000, batchSize: 16, rng: new Rng(1), logEvery: 10, signal: controller.signal, onProgress: () => controller.abort() });
  await pending.then(
    () => t.fail('should have been aborted'),
    (error: Error) => t.equal(error.name, 'AbortError', 'rejected with an AbortError'),
  );
  t.deepEqual(Array.from(model.params.flat), before, 'the model is unchanged');
  const already = new AbortController();
  already.abort();
  await trainAsync(model, { task: createTask('romo'), rule: 'bptt', optimizer: adam(), iters: 1, batchSize: 1, rng: new Rng(1), signal: already.signal }).catch((e: Error) => t.equal(e.name, 'AbortError', 'an already-aborted signal rejects at once'));
  t.end();
});

test('trainAsync refuses what cannot cross threads, with clear errors', (t) => {
  const custom = defineTask({ ...createTask('romo'), plan: () => ({ conditions: {}, periods: [['x', 1]] }), write: () => {} } as never);
  t.throws(() => trainAsync(makeModel(1), { task: custom, rule: 'bptt', optimizer: adam(), iters: 1, batchSize: 1, rng: new Rng(1) }), /options\.task: expected a task made by createTask/, 'custom task');
  t.throws(() => trainAsync(makeModel(1), { task: createTask('romo'), rule: 'bptt', optimizer: { name: 'mine', init: () => ({}), update: () => {} } as never, iters: 1, batchSize: 1, rng: new Rng(1) }), /options\.optimizer: expected an optimiser made by adam\(\) or sgd\(\)/, 'custom optimiser');
  t.throws(() => trainAsync(makeModel(1), { task: createTask('romo'), rule: 'backprop', optimizer: adam(), iters: 1, batchSize: 1, rng: new Rng(1) }), /options\.rule: expected one of "bptt"/, 'unknown rule');
  t.throws(() => trainAsync(makeModel(1), { task: createTask('romo'), rule: 'bptt', optimizer: adam(), iters: 1, batchSize: 1, rng: 1 as never }), /options\.rng: expected an Rng/, 'seed instead of an Rng');
  t.end();
});

test('runAsync gives the record runOne gives', async (t) => {
  const config = { task: 'romo', rule: 'bptt', iters: 40, hidden: 8, batch: 4, evalBatch: 8, seed: 9 };
  const a = await runAsync(config);
  const b = runOne(config);
  t.deepEqual(a.curve, b.curve, 'same curve');
  t.deepEqual(a.eval, b.eval, 'same held-out scores');
  t.throws(() => runAsync({ ...config, gain: -1 }), /run\.gain: expected a number >= 0, received -1/, 'bad settings throw at once, as Node core APIs do');
  t.end();
});

test('trainAsync keeps a sparse Dale model\'s fixed mask; lyapunovAsync equals lyapunovSpectrum', async (t) => {
  const sparse = LeakyRNN.create({ ...config, dale: true, connectivity: 0.5 }, { rng: new Rng(8), gain: 1 });
  const twin = sparse.clone();
  const task = createTask('romo');
  const a = await trainAsync(sparse, { task, rule: 'eprop', optimizer: adam(), iters: 30, batchSize: 8, rng: new Rng(9), logEvery: 10 });
  const b = train(twin, { task, rule: 'eprop', optimizer: adam(), iters: 30, batchSize: 8, rng: new Rng(9), logEvery: 10 });
  t.deepEqual(a.lossCurve, b.lossCurve, 'same curve as the synchronous run, mask included');
  const inputs = new Float64Array(60);
  new Rng(10).fillNormal(inputs);
  const options = { inputs, warmupQ: 10, steps: 50, q0: 'random' as const, rng: new Rng(11) };
  const viaWorker = await lyapunovAsync(sparse, options);
  t.deepEqual(viaWorker.exponents, lyapunovSpectrum(sparse, options).exponents, 'lyapunovAsync: same spectrum as lyapunovSpectrum');
  await lyapunovAsync(sparse, { steps: 5, k: 99 }).then(
    () => t.fail('k > N must reject'),
    (e: Error) => t.match(e.message, /options\.k: expected an integer in \[1, 24\]/, `invalid options reject: ${e.message}`),
  );
  t.end();
});
