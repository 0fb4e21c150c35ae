// Bad input gives a TypeError or RangeError naming the field, what was expected and what was
// received; nothing crashes, and the native layer re-checks every length.
import test from 'tape';
import { LeakyRNN, ParamSet, Rng, computeGradient, modelFromJSON, train, adam, createTask, trialsFromJSON } from '../ts/index.js';
import { native } from '../ts/native.js';
import { randomModel, randomTrials, smallConfig } from './helpers.js';

const good = { nIn: 2, nHidden: 4, nOut: 2, alpha: 0.5, activation: 'relu' } as const;

test('model config: alpha, activation, sizes and unknown keys', (t) => {
  const rng = new Rng(1);
  t.throws(() => LeakyRNN.create({ ...good, alpha: 1 }, { rng }), /^RangeError: config\.alpha: expected a number < 1, received 1$/, 'alpha = 1');
  t.throws(() => LeakyRNN.create({ ...good, alpha: -0.1 }, { rng }), /config\.alpha: expected a number >= 0, received -0\.1/, 'alpha < 0');
  t.throws(() => LeakyRNN.create({ ...good, alpha: NaN }, { rng }), /config\.alpha: expected a finite number, received NaN/, 'alpha NaN');
  t.throws(() => LeakyRNN.create({ ...good, activation: 'sigmoid' as never }, { rng }), /config\.activation: expected one of "relu", "tanh", "retanh", "linear", received "sigmoid"/, 'unknown activation');
  t.throws(() => LeakyRNN.create({ ...good, nHidden: 2.5 }, { rng }), /^TypeError: config\.nHidden: expected an integer, received 2\.5$/, 'fractional size');
  t.throws(() => LeakyRNN.create({ ...good, hidden: 4 } as never, { rng }), /^TypeError: config\.hidden: expected one of the keys .* received unknown key "hidden"/, 'unknown config key');
  t.throws(() => LeakyRNN.create(good, { rng, gian: 1 } as never), /options\.gian/, 'unknown option key');
  t.throws(() => LeakyRNN.create(good, { rng, gain: -1 }), /gain: expected a finite number >= 0, received -1/, 'negative gain');
  t.throws(() => LeakyRNN.create({ ...good, alpha: 0.5, dt: 0.1, tau: 1 }, { rng }), /config\.alpha: expected 1 - dt\/tau = 0\.9/, 'alpha inconsistent with dt/tau');
  t.end();
});

test('NaN or Infinity in weights and inputs', (t) => {
  const params = new ParamSet(good, 'float64');
  params.Wh[5] = NaN;
  t.throws(() => new LeakyRNN(good, params), /^RangeError: params\.Wh\[1\]\[1\]: expected a finite number, received NaN$/, 'NaN weight named by index');
  params.Wh[5] = 0;
  params.Wout[1] = Infinity;
  t.throws(() => new LeakyRNN(good, params), /params\.Wout\[0\]\[1\]: expected a finite number, received Infinity/, 'Infinity weight');
  const model = randomModel(smallConfig('tanh'), 1);
  const trials = randomTrials(model, 3, 2, 'mse', 2);
  trials.inputs[4] = NaN;
  t.throws(() => computeGradient(model, trials), /trials\.inputs\[1\]\[0\]\[0\]: expected a finite number, received NaN/, 'NaN input');
  t.end();
});

test('wrong shapes of trials', (t) => {
  const model = randomModel(smallConfig('tanh'), 1);
  const trials = randomTrials(model, 3, 2, 'mse', 2);
  t.throws(() => computeGradient(model, { ...trials, inputs: trials.inputs.subarray(1) }), /^RangeError: trials\.inputs: expected length 12 \(\[3\]\[2\]\[2\]\), received Float64Array of length 11$/, 'short inputs');
  t.throws(() => computeGradient(model, { ...trials, inputs: Array.from(trials.inputs) as never }), /^TypeError: trials\.inputs: expected a Float64Array/, 'plain array');
  t.throws(() => computeGradient(model, { ...trials, nIn: 3, inputs: new Float64Array(18) }), /trials\.nIn: expected 2 \(the model's nIn\), received 3/, 'nIn mismatch');
  t.throws(() => computeGradient(model, { ...trials, mask: new Float64Array(6) }), /trials\.mask: expected at least one nonzero entry, received all zeros/, 'all-zero mask');
  const ce = randomTrials(model, 3, 2, 'ce', 3);
  ce.targets[3] = 3;
  t.throws(() => computeGradient(model, ce), /trials\.targets\[1\]\[1\]: expected a class index in 0\.\.2, received 3/, 'class index out of range');
  t.end();
});

test('the native layer re-checks lengths and types itself', (t) => {
  const model = randomModel(smallConfig('tanh'), 1);
  const spec = model.nativeSpec(3, 2);
  const n = (len: number) => new Float64Array(len);
  t.throws(() => native.forward(spec, model.params.flat, n(12), null, n(20), n(20), n(18)), /rnnlab native forward: H has length 20, expected 40/, 'short state buffer');
  t.throws(() => native.forward(spec, model.params.flat, new Float32Array(12), null, n(40), n(40), n(18)), /x must be a Float64Array/, 'mixed dtypes');
  t.throws(() => native.forward({ ...spec, T: -1 }, model.params.flat, n(12), null, n(40), n(40), n(18)), /T must be an integer >= 1/, 'negative T');
  t.throws(() => native.lossGrad(spec, 1, n(18), Float64Array.of(0, 1, 2, 7, 0, 0), null, n(18)), /targets\[3\] is not a class index/, 'bad class index in native');
  t.throws(() => native.adamStep(n(3), n(2), n(3), n(3), 0, 3, 1, 1e-3, 0.9, 0.999, 1e-8, 0), /g has length 2, expected 3/, 'adam lengths');
  t.throws(() => native.adamStep(n(3), n(3), n(3), n(3), 1, 4, 1, 1e-3, 0.9, 0.999, 1e-8, 0), /\[start, end\) = \[1, 4\) is not a range of the 3 elements/, 'adam range past the end');
  t.throws(() => native.sgdStep(n(3), n(3), null, 2, 1, 1, 1e-2, 0, 0), /\[start, end\) = \[2, 1\) is not a range/, 'sgd range backwards');
  t.end();
});

test('training options and files', (t) => {
  const model = randomModel(smallConfig('relu', { nIn: 1, nOut: 2 }), 1);
  const task = createTask('romo');
  const base = { task, rule: 'bptt', optimizer: adam(), iters: 1, batchSize: 2, rng: new Rng(1) };
  t.throws(() => train(model, { ...base, batchSize: 0 }), /options\.batchSize: expected an integer >= 1, received 0/, 'batch size 0');
  t.throws(() => train(model, { ...base, rule: 'backprop' }), /options\.rule: expected one of "bptt"/, 'unknown rule');
  t.throws(() => train(model, { ...base, lr: 1 } as never), /options\.lr: expected one of the keys/, 'unknown training option');
  t.throws(() => adam({ learningRate: 1 } as never), /adam options\.learningRate/, 'unknown optimiser option');
  t.throws(() => modelFromJSON({ format: 'rnnlab.model/1', config: good, params: { Wh: [[1]] } }), /model\.params\.Wh: expected an array of length 4 \(shape 4 x 4\), received an array of length 1/, 'wrong matrix shape');
  t.throws(() => modelFromJSON({ format: 'other', config: good, params: {} }), /model\.format: expected "rnnlab\.model\/1", received "other"/, 'wrong format');
  t.throws(() => modelFromJSON([1, 2]), /^TypeError: model: expected an object, received an array of length 2$/, 'not an object');
  t.throws(() => trialsFromJSON({ inputs: [[[1, 2]], [[1]]], targets: [[[0]], [[0]]] }), /trials\.inputs\[1\]\[0\]: expected an array of length 2/, 'ragged inputs');
  t.throws(() => trialsFromJSON({ inputs: [[[1]]], targets: [[[0]]], loss: 'l1' }), /trials\.loss: expected one of "mse", "ce", received "l1"/, 'unknown loss');
  t.end();
});

test('a diverging run is recorded as diverged, not thrown', (t) => {
  const model = randomModel(smallConfig('relu', { nIn: 1, nOut: 2, nHidden: 16 }), 2, 3);
  const result = train(model, { task: createTask('romo'), rule: 'bptt', optimizer: adam({ lr: 50 }), iters: 200, batchSize: 4, rng: new Rng(3), divergenceLoss: 1e3 });
  t.ok(result.diverged !== null, `diverged at iteration ${result.diverged?.iter}: ${result.diverged?.reason}`);
  t.ok(result.iterations < 200, 'training stopped where it diverged');
  t.end();
});
