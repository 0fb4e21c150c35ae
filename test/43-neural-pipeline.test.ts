// The checkpoint / similarity pipeline on tiny configurations: the authors' checkpoint schedule,
// train()'s checkpoint callback and adaptive regulariser, the analysis trials and the data window,
// the noise floor against the paper's Hatsopoulos value, and a run compared with the recording.
import test from 'tape';
import {
  LeakyRNN,
  ParamSet,
  REACH8_DATA_WINDOW,
  Rng,
  computeGradient,
  createTask,
  noiseFloor,
  normalizedAccuracy,
  normalizedDistance,
  predict,
  procrustesDistance,
  sgd,
  train,
} from '../ts/index.js';
import { NeuralTracker, dataComparison, decodeParams, encodeParams, liu2025Checkpoints, scoreAgainstData } from '../ts/experiment/data-comparison.js';
import { runOne } from '../ts/experiment/run.js';
import { canonicalJson, resolveRunConfig } from '../ts/experiment/run-config.js';
import { modelOfRecord } from '../ts/experiment/neural-summary.js';
import { referenceForward } from './rule-references.js';

const reachModel = (seed: number, N = 12, dtype: 'float32' | 'float64' = 'float64') =>
  LeakyRNN.create({ nIn: 3, nHidden: N, nOut: 2, alpha: 0.9, activation: 'retanh', trainable: ['Wh', 'Wx', 'b', 'Wout', 'bOut', 'h0'] }, { rng: new Rng(seed), gain: 1.5, init: 'liu2025', dtype });

test('the authors\' checkpoint schedule: 115 checkpoints for 1000 updates', (t) => {
  const p = liu2025Checkpoints(1000);
  t.equal(p.length, 115, '115 checkpoints (main_train_model.py with n = 1000)');
  t.deepEqual(p.slice(0, 8), [0, 1, 2, 3, 4, 5, 25, 32], 'starts 0..5, then round(linspace(25, 150, 20))');
  t.ok(p.includes(1000) && p.includes(700) && p.every((v, k) => k === 0 || v > p[k - 1]!), 'ends at 1000, sorted, unique');
  t.deepEqual(liu2025Checkpoints(10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'short runs: every iteration up to n');
  t.ok(liu2025Checkpoints(600).every((v) => v <= 600), 'nothing beyond n');
  t.end();
});

test('train(): the checkpoint callback sees the model after exactly k updates; bad schedules are refused', (t) => {
  const task = createTask('reach8', { steps: 60, interval1: [0, 5], interval2: [0, 10] });
  const seen = new Map<number, Float64Array>();
  const model = reachModel(1);
  train(model, { task, rule: 'bptt', optimizer: sgd({ lr: 0.05 }), iters: 5, batchSize: 4, rng: new Rng(2), checkpoints: [0, 2, 5], onCheckpoint: (iter, m) => seen.set(iter, Float64Array.from(m.params.flat)) });
  t.deepEqual([...seen.keys()], [0, 2, 5], 'called at 0, 2 and 5, in order');
  t.deepEqual(Array.from(seen.get(0)!), Array.from(reachModel(1).params.flat), 'checkpoint 0 is the untrained model');
  const two = reachModel(1);
  train(two, { task, rule: 'bptt', optimizer: sgd({ lr: 0.05 }), iters: 2, batchSize: 4, rng: new Rng(2) });
  t.deepEqual(Array.from(seen.get(2)!), Array.from(two.params.flat), 'checkpoint 2 = the model after 2 updates of the same run');
  t.deepEqual(Array.from(seen.get(5)!), Array.from(model.params.flat), 'checkpoint 5 = the final model');
  const base = { task, rule: 'bptt', optimizer: sgd({ lr: 0.05 }), iters: 3, batchSize: 2, rng: new Rng(1) };
  t.throws(() => train(reachModel(1), { ...base, checkpoints: [4], onCheckpoint: () => {} }), /options\.checkpoints\[0\]: expected an integer <= 3, received 4|options\.checkpoints\[0\]: expected an integer/, 'a checkpoint after the last update');
  t.throws(() => train(reachModel(1), { ...base, onCheckpoint: () => {} }), /options\.checkpoints: expected the iterations at which to call onCheckpoint/, 'a callback without checkpoints');
  t.throws(() => train(reachModel(1), { ...base, checkpoints: [1] }), /options\.onCheckpoint: expected a function/, 'checkpoints without a callback');
  t.end();
});

test('train(): the activity regulariser is in the step and lambda follows the authors\' adaptive rule', (t) => {
  const task = createTask('reach8', { steps: 50, interval1: [0, 5], interval2: [0, 10] });
  // One SGD step equals params - lr * (regularised BPTT gradient on the same batch).
  const model = reachModel(3);
  const expected = reachModel(3);
  const batch = task.sample(new Rng(4).fork('data'), 4);
  const g = computeGradient(expected, batch, { rule: 'bptt', loss: { activityL2: 10 } }).grads;
  for (const name of ['Wh', 'Wx', 'b', 'Wout', 'bOut', 'h0'] as const) {
    const p = expected.params.get(name);
    const d = g.get(name);
    for (let k = 0; k < p.length; k++) p[k] = p[k]! - 0.1 * d[k]!;
  }
  train(model, { task, rule: 'bptt', optimizer: sgd({ lr: 0.1 }), iters: 1, batchSize: 4, rng: new Rng(4), activityL2: { lambda: 10 } });
  const worst = Math.max(...Array.from(model.params.flat, (v, k) => Math.abs(v - expected.params.flat[k]!)));
  t.ok(worst < 1e-14, `one update = params - lr * regularised gradient (max difference ${worst.toExponential(1)})`);
  // The schedule: lambda shrinks by 2/3 after an update whose regulariser reached half the task loss.
  const r = train(reachModel(5), { task, rule: 'eprop', optimizer: sgd({ lr: 0.05 }), iters: 30, batchSize: 4, rng: new Rng(6), activityL2: { lambda: 10 }, logEvery: 1 });
  let lambda = 10;
  let ok = true;
  let shrunk = 0;
  let kept = 0;
  for (const p of r.lossCurve) {
    const reg = p.loss - p.taskLoss!;
    const next = reg >= p.taskLoss! / 2 ? lambda * (2 / 3) : lambda;
    if (next < lambda) shrunk += 1;
    else kept += 1;
    ok &&= Math.abs(p.lambda! - next) <= 1e-12 * next;
    lambda = p.lambda!;
  }
  t.ok(ok, `lambda follows the rule at all 30 updates (${shrunk} shrinks, ${kept} kept)`);
  t.ok(shrunk > 0 && kept > 0, 'both branches happen');
  t.deepEqual(r.activityL2, { initial: 10, final: r.lossCurve.at(-1)!.lambda }, 'initial and final lambda reported');
  const fixed = train(reachModel(5), { task, rule: 'eprop', optimizer: sgd({ lr: 0.05 }), iters: 5, batchSize: 4, rng: new Rng(6), activityL2: { lambda: 2, adaptive: false }, logEvery: 1 });
  t.ok(fixed.lossCurve.every((p) => p.lambda === 2), 'adaptive: false keeps lambda');
  t.throws(() => train(reachModel(5), { task, rule: 'bptt', optimizer: sgd({ lr: 0.1 }), iters: 1, batchSize: 2, rng: new Rng(1), activityL2: { lambda: -1 } }), /options\.activityL2\.lambda: expected a finite number >= 0, received -1/);
  t.end();
});

test('analysis trials and window: the model\'s rates on rows 105..225 against the recording, sample order time-fastest', (t) => {
  const cmp = dataComparison('hatsopoulos2007', 'reach8');
  t.deepEqual([cmp.batch.T, cmp.batch.B, cmp.window[0], cmp.window[1]], [250, 8, ...REACH8_DATA_WINDOW]);
  t.deepEqual([cmp.data.units, cmp.data.steps, cmp.data.conditions], [141, 121, 8]);
  const model = reachModel(7);
  const score = scoreAgainstData(model, cmp);
  // Independent path: the plain-TS reference forward pass, and the sample matrix built here.
  const ref = referenceForward(model, cmp.batch, null);
  let worst = 0;
  const X = new Float64Array(121 * 8 * model.N);
  for (let c = 0; c < 8; c++)
    for (let s = 0; s < 121; s++)
      for (let u = 0; u < model.N; u++) {
        const r = ref.R[105 + s + 1]![c * model.N + u]!;
        X[(c * 121 + s) * model.N + u] = r;
        worst = Math.max(worst, Math.abs(score.activity.data[(u * 121 + s) * 8 + c]! - r));
      }
  t.ok(worst < 1e-12, `activity = rates f(h) after input rows 105..225 (max difference ${worst.toExponential(1)})`);
  const Y = new Float64Array(121 * 8 * 141);
  for (let c = 0; c < 8; c++) for (let s = 0; s < 121; s++) for (let u = 0; u < 141; u++) Y[(c * 121 + s) * 141 + u] = cmp.data.data[(u * 121 + s) * 8 + c]!;
  const d = normalizedDistance(procrustesDistance({ data: X, samples: 968, units: model.N }, { data: Y, samples: 968, units: 141 }));
  t.ok(Math.abs(score.distance - d) < 1e-12 && d > 0 && d < 1, `distance / (pi/2) = ${d.toFixed(4)} on samples ordered (condition, time)`);
  t.ok(Math.abs(score.normalizedAccuracy - normalizedAccuracy(cmp.batch, predict(model, cmp.batch))) < 1e-12, 'normalised accuracy on the same analysis trials');
  const noisy = new LeakyRNN({ ...model.config, noiseStd: 0.5 }, model.params);
  t.ok(Math.abs(scoreAgainstData(noisy, cmp).distance - score.distance) < 1e-15, 'noise-free: the state noise is switched off for the analysis');
  t.throws(() => dataComparison('hatsopoulos2007', 'romo'), /task: expected "reach8" for neuralData "hatsopoulos2007"/);
  t.throws(() => dataComparison('mante13', 'reach8'), /neuralData: expected one of "hatsopoulos2007"/);
  t.end();
});

test('noise floor of the shipped recording equals the paper\'s Hatsopoulos value (0.401 ± 0.024)', (t) => {
  const cmp = dataComparison('hatsopoulos2007', 'reach8');
  const floor = noiseFloor(cmp.data, { rng: new Rng('noise-floor'), splits: 100 });
  t.equal(floor.nSample, 70, 'halves of 70 neurons');
  t.ok(Math.abs(floor.dataToData.mean - 0.401) < 0.005 && Math.abs(floor.dataToData.std - 0.024) < 0.004, `d1 = ${floor.dataToData.mean.toFixed(3)} ± ${floor.dataToData.std.toFixed(3)} over 100 splits`);
  t.end();
});

test('a run compared with the recording: checkpoints, best checkpoint and its parameters, noise floor; ids of other runs unchanged', (t) => {
  const config = { task: 'reach8', taskOptions: { steps: 250 }, rule: 'bptt', hidden: 10, batch: 4, iters: 6, lr: 0.01, activation: 'retanh' as const, init: 'liu2025' as const, gain: 1.5, trainable: ['Wh', 'Wx', 'b', 'Wout', 'bOut', 'h0'] as ('Wh' | 'Wx' | 'b' | 'Wout' | 'bOut' | 'h0')[], activityL2: 10, neuralData: 'hatsopoulos2007' as const, checkpoints: [0, 2, 4, 6], noiseFloorSplits: 4, evalBatch: 4, eigenvalues: false, seed: 3 };
  const record = runOne(config);
  const n = record.neural!;
  t.deepEqual(n.checkpoints.iter, [0, 2, 4, 6], 'the requested checkpoints');
  const k = n.checkpoints.distance.indexOf(Math.min(...n.checkpoints.distance));
  t.equal(n.best!.iter, n.checkpoints.iter[k], 'best = minimum distance');
  const best = modelOfRecord(record, 'best');
  t.ok(Math.abs(scoreAgainstData(best, dataComparison('hatsopoulos2007', 'reach8')).distance - n.best!.distance) < 1e-12, 'the stored parameters give the stored distance');
  const untrained = modelOfRecord(record, 'untrained');
  t.ok(Math.abs(scoreAgainstData(untrained, dataComparison('hatsopoulos2007', 'reach8')).distance - n.checkpoints.distance[0]!) < 1e-12, 'the untrained model is rebuilt from the settings');
  t.equal(n.noiseFloor.dataToData.values.length, 4, 'noise floor over 4 splits');
  t.ok(n.noiseFloor.untrained && n.noiseFloor.best, 'untrained and best models placed against the floor');
  t.ok(record.activityL2 && record.activityL2.initial === 10, 'the regulariser was on');
  const plain = resolveRunConfig({ task: 'romo', rule: 'bptt' });
  t.ok(!/activityL2|neuralData|checkpoints|noiseFloorSplits/.test(canonicalJson(plain)), 'runs without the new settings keep their canonical settings (and ids)');
  const p32 = reachModel(9, 6, 'float32').params;
  t.deepEqual(Array.from(decodeParams(encodeParams(p32.flat), p32.dims).flat), Array.from(p32.flat), 'parameters survive base64');
  t.ok(decodeParams(encodeParams(new ParamSet(p32.dims, 'float64').flat), p32.dims).flat instanceof Float64Array, 'float64 too');
  t.throws(() => runOne({ ...config, task: 'romo', taskOptions: {} }), /task: expected "reach8" for neuralData "hatsopoulos2007"/, 'a recording needs its task');
  t.throws(() => resolveRunConfig({ task: 'romo', rule: 'bptt', checkpoints: [0, 5] }), /run\.checkpoints: expected neuralData to be set as well/, 'checkpoints alone are refused');
  t.throws(() => resolveRunConfig({ task: 'romo', rule: 'bptt', activityL2Adaptive: false }), /run\.activityL2Adaptive: expected activityL2 \(lambda0\) to be set as well/, 'an adaptive flag without lambda is refused');
  t.end();
});

test('NeuralTracker: undefined distances are skipped', (t) => {
  const cmp = dataComparison('hatsopoulos2007', 'reach8');
  const tracker = new NeuralTracker(cmp);
  const dead = reachModel(1);
  dead.params.Wx.fill(0);
  dead.params.b.fill(-5);
  dead.params.h0.fill(-5);
  dead.params.Wh.fill(0);
  const s = tracker.observe(0, dead);
  t.ok(Number.isNaN(s.distance), 'every unit silent: no distance');
  const live = reachModel(2);
  tracker.observe(1, live);
  const rec = tracker.finish({ splits: 3 });
  t.equal(rec.best!.iter, 1, 'the best checkpoint is the first with a distance');
  t.equal(rec.noiseFloor.untrained, null, 'no untrained entry when it had no distance');
  t.end();
});
