// Scoring: loss, decision accuracy, paper 2's normalised accuracy; evaluate() with a task.
import test from 'tape';
import { LeakyRNN, Rng, createTask, decisionAccuracy, evaluate, lossOf, normalizedAccuracy, normalizedError, predict, scoreOutputs } from '../ts/index.js';
import type { TaskBatch, Trials } from '../ts/index.js';
import { randomModel, randomTrials, runPython, smallConfig, torchAvailable } from './helpers.js';

test('score: the TypeScript loss equals the engine loss (mse and ce, masked)', (t) => {
  for (const loss of ['mse', 'ce'] as const) {
    const model = randomModel(smallConfig('tanh'), 1);
    const trials = randomTrials(model, 7, 4, loss, 2);
    const engine = evaluate(model, trials).loss;
    const ours = lossOf(trials, predict(model, trials));
    t.ok(Math.abs(ours - engine) <= 1e-13 * Math.abs(engine), `${loss}: ${ours} vs engine ${engine}`);
  }
  t.end();
});

test('score: normalised error is 0 for perfect outputs, 1 for the mean, raw SSE for a constant target', (t) => {
  const model = randomModel(smallConfig('tanh'), 3);
  const trials = randomTrials(model, 6, 3, 'mse', 4);
  t.equal(normalizedError(trials, trials.targets), 0, 'outputs = targets');
  t.equal(normalizedAccuracy(trials, trials.targets), 1);
  const { T, B, nOut, mask, targets } = trials;
  const means = Array.from({ length: nOut }, (_, k) => {
    let s = 0;
    let w = 0;
    for (let r = 0; r < T * B; r++) {
      s += mask![r]! * targets[r * nOut + k]!;
      w += mask![r]!;
    }
    return s / w;
  });
  const atMean = new Float64Array(targets.length).map((_, i) => means[i % nOut]!);
  t.ok(Math.abs(normalizedError(trials, atMean) - 1) < 1e-12, 'each output at its masked target mean: error 1');
  t.equal(normalizedAccuracy(trials, atMean), 0, 'normalised accuracy 1 - 1 = 0');
  const far = new Float64Array(targets.length).map((_, i) => targets[i]! + 10);
  t.equal(normalizedAccuracy(trials, far), 0, 'clipped at 0 for errors above 1');
  // A constant target channel contributes its raw sum of squared errors (the authors' rule).
  const constant: Trials = { ...trials, targets: new Float64Array(targets).map((v, i) => (i % nOut === 0 ? 0.25 : v)) };
  const outputs = new Float64Array(constant.targets).map((v, i) => (i % nOut === 0 ? v + 0.1 : v));
  let masked = 0;
  for (let r = 0; r < T * B; r++) masked += mask![r]!;
  t.ok(Math.abs(normalizedError(constant, outputs) - (masked * 0.01) / nOut) < 1e-12, 'constant target: sum of squared errors, not normalised');
  t.throws(() => normalizedError(randomTrials(model, 2, 2, 'ce', 1), new Float64Array(2 * 2 * 3)), /trials\.loss: expected "mse"/);
  t.throws(() => normalizedError(trials, new Float64Array(3)), /outputs: expected length 54 \(\[6\]\[3\]\[3\]\)/);
  t.end();
});

test('score: normalised error equals an independent numpy version of the authors\' formula', { skip: !torchAvailable() }, (t) => {
  const model = randomModel(smallConfig('tanh'), 5);
  const trials = randomTrials(model, 9, 5, 'mse', 6);
  const outputs = predict(model, trials);
  const script = [
    'import json, sys, numpy as np',
    'o = json.load(sys.stdin)',
    'T, B, K = o["shape"]',
    'Y = np.array(o["outputs"]).reshape(T, B, K); Yt = np.array(o["targets"]).reshape(T, B, K); M = np.array(o["mask"]).reshape(T, B)',
    'e = 0.0',
    'for k in range(K):',
    '    y = Y[:, :, k][M == 1]; yt = Yt[:, :, k][M == 1]',
    '    a = y - yt; b = np.mean(yt) - yt',
    '    e += a @ a if np.all(b == 0) else (a @ a) / (b @ b)',
    'print(json.dumps(e / K))',
  ].join('\n');
  const reference = runPython(script, { shape: [trials.T, trials.B, trials.nOut], outputs: Array.from(outputs), targets: Array.from(trials.targets), mask: Array.from(trials.mask!) }) as number;
  const ours = normalizedError(trials, outputs);
  t.ok(Math.abs(ours - reference) < 1e-12 * reference, `ours ${ours}, numpy ${reference}`);
  t.end();
});

/** Outputs [T][B][nOut] filled by `logit(t, b, k)`. */
function outputsFor(batch: TaskBatch, logit: (t: number, b: number, k: number) => number): Float64Array {
  const out = new Float64Array(batch.T * batch.B * batch.nOut);
  for (let t = 0; t < batch.T; t++) for (let b = 0; b < batch.B; b++) for (let k = 0; k < batch.nOut; k++) out[(t * batch.B + b) * batch.nOut + k] = logit(t, b, k);
  return out;
}

test('score: decision accuracy is the argmax of the decision-period mean output', (t) => {
  const task = createTask('dms');
  const batch = task.sample(new Rng(1), 4, { conditions: [{ groundTruth: 1 }, { groundTruth: 2 }, { groundTruth: 1 }, { groundTruth: 2 }] });
  // Trial 0: right. Trial 1: 'match' on 5 of 9 decision steps but 'non-match' wins on average (right).
  // Trial 2: fixate wins (wrong). Trial 3: wrong choice.
  const outputs = outputsFor(batch, (row, b, k) => {
    if (row < 23) return k === 0 ? 5 : 0;
    if (b === 0) return k === 1 ? 3 : 0;
    if (b === 1) return k === 1 ? (row < 28 ? 1 : 0) : k === 2 ? (row < 28 ? 0 : 3) : 0;
    if (b === 2) return k === 0 ? 2 : k === 1 ? 1 : 0;
    return k === 1 ? 2 : 0;
  });
  const d = decisionAccuracy(task.info, batch, outputs);
  t.deepEqual(Array.from(d.expected), [1, 2, 1, 2]);
  t.deepEqual(Array.from(d.chosen), [1, 2, 0, 1], 'choices: match, non-match (on average), fixate, match');
  t.equal(d.accuracy, 0.5);
  t.equal(d.chance, 0.5);
  const score = scoreOutputs(task.info, batch, outputs);
  t.equal(score.accuracy, 0.5);
  t.equal(score.normalizedAccuracy, Math.min(1, Math.max(0, 1 - score.loss)), 'ce: 1 - cross-entropy, clipped');

  // romo (mse): the output channel with the larger mean in the decision window; one-channel variant: the sign.
  const romo = createTask('romo');
  const rb = romo.sample(new Rng(2), 2, { conditions: [{ a1: 1.4, a2: 0.6 }, { a1: 0.6, a2: 1.4 }] });
  const ro = outputsFor(rb, (row, b, k) => (row >= rb.trials[b]!.periods.decision![0] && k === 0 ? 0.4 : 0.1));
  t.deepEqual(Array.from(decisionAccuracy(romo.info, rb, ro).chosen), [0, 0], 'channel 0 larger in both trials');
  t.equal(decisionAccuracy(romo.info, rb, ro).accuracy, 0.5);
  const one = createTask('romo', { variant: 'one-channel' });
  const ob = one.sample(new Rng(3), 2, { conditions: [{ a1: 1.4, a2: 0.6 }, { a1: 0.6, a2: 1.4 }] });
  t.equal(decisionAccuracy(one.info, ob, outputsFor(ob, (_, b) => (b === 0 ? 0.3 : -0.2))).accuracy, 1, 'one channel: the sign of the mean');
  t.end();
});

test('score: evaluate() with a task adds accuracy and normalised accuracy; bad input', (t) => {
  const task = createTask('pdm', { preset: 'liu2025' });
  const model = LeakyRNN.create({ nIn: 3, nHidden: 16, nOut: 3, alpha: 0, activation: 'relu' }, { rng: new Rng(4), dtype: 'float64' });
  const batch = task.sample(new Rng(5), 64);
  const e = evaluate(model, batch, { task });
  const outputs = predict(model, batch);
  t.equal(e.loss, evaluate(model, batch).loss, 'same loss as without a task');
  t.equal(e.accuracy, decisionAccuracy(task.info, batch, outputs).accuracy, 'accuracy from the same outputs');
  t.equal(e.chance, 0.5);
  t.equal(e.normalizedAccuracy, normalizedAccuracy(batch, outputs, e.loss));
  const { trials: _records, ...bare } = batch;
  t.throws(() => evaluate(model, bare, { task }), /trials: expected a batch sampled from pdm \(decision accuracy needs its trial records\), received trials without trial records/);
  t.throws(() => evaluate(model, batch, { task: createTask('romo') }), /trials\.loss: expected "mse" \(the loss of task romo\), received "ce"/);
  t.throws(() => evaluate(model, batch, { task: 3 as never }), /options\.task: expected a task \(see createTask\) or its info/);
  t.end();
});
