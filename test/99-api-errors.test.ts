// Mistakes a program embedding rnnlab commonly makes, through the public API only: each must
// raise an RnnlabTypeError or RnnlabRangeError whose message names the field, says what was
// expected and describes what was received (`<field>: expected <what>, received <what>`), rather
// than crash inside the library, hang, or return NaN.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import type { Test } from 'tape';
import {
  LeakyRNN,
  ParamSet,
  Rng,
  RnnlabRangeError,
  RnnlabTypeError,
  adam,
  atAccuracy,
  compareRepresentations,
  computeGradient,
  createOptimizer,
  createTask,
  decodeParams,
  dsaDistance,
  evaluate,
  getRule,
  lyapunovSpectrum,
  maxLyapunov,
  modelFromJSON,
  modelToJSON,
  noiseFloor,
  predict,
  readModelFile,
  readNpy,
  representationDistance,
  sgd,
  summarize,
  toUnitsTimeConditions,
  train,
  trialsFromJSON,
  writeModelFile,
} from '../ts/index.js';
import type { UnitsTimeConditions } from '../ts/index.js';
import { parseSweepSpec } from '../ts/experiment/sweep-spec.js';

type ErrorClass = typeof RnnlabTypeError | typeof RnnlabRangeError;

/**
 * Runs `fn` and checks that it throws `kind` with `field` as its field and a message of the
 * formatter's shape matching `expected` and `received`.
 */
function expectError(t: Test, name: string, fn: () => unknown, kind: ErrorClass, field: string, expected: RegExp, received: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof kind)) {
    t.fail(`${name}: expected a ${kind.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return;
  }
  const e = error as RnnlabTypeError | RnnlabRangeError;
  const shape = new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected (.*), received (.*)$`, 's');
  const m = shape.exec(e.message);
  t.ok(m && e.field === field && expected.test(m[1]!) && received.test(m[2]!), `${name}: ${e.message}`);
}

const rng = new Rng(99);
const romo = createTask('romo');
const romoConfig = { nIn: romo.info.inputs.length, nHidden: 8, nOut: romo.info.outputs.length, alpha: 0.8, activation: 'tanh' } as const;
const model = LeakyRNN.create(romoConfig, { rng: rng.fork('model') });
const batch = romo.sample(rng.fork('batch'), 2);

function activity(units: number, steps: number, conditions: number, seed: number): UnitsTimeConditions {
  const data = new Float64Array(units * steps * conditions);
  new Rng(seed).fillNormal(data);
  return { data, units, steps, conditions };
}

test('api errors: building a model', (t) => {
  expectError(t, 'missing rng', () => LeakyRNN.create(romoConfig, {} as never), RnnlabTypeError, 'options.rng', /^an Rng/, /^nothing$/);
  expectError(t, 'gain NaN', () => LeakyRNN.create(romoConfig, { rng, gain: NaN }), RnnlabRangeError, 'options.gain', /finite number >= 0/, /^NaN$/);
  expectError(t, 'gain Infinity', () => LeakyRNN.create(romoConfig, { rng, gain: Infinity }), RnnlabRangeError, 'options.gain', /finite number >= 0/, /^Infinity$/);
  expectError(t, 'misspelt config key', () => LeakyRNN.create({ ...romoConfig, hiden: 4 } as never, { rng }), RnnlabTypeError, 'config.hiden', /one of the keys .*nHidden/, /unknown key "hiden"/);
  expectError(t, 'unsupported dtype', () => LeakyRNN.create(romoConfig, { rng, dtype: 'float16' as never }), RnnlabRangeError, 'options.dtype', /"float32", "float64"/, /^"float16"$/);
  expectError(t, 'negative size', () => new ParamSet({ nIn: 2, nHidden: -1, nOut: 1 }, 'float64'), RnnlabRangeError, 'dims.nHidden', /integer >= 1/, /^-1$/);
  t.end();
});

test('api errors: tasks, rules and optimisers by name', (t) => {
  expectError(t, 'unknown task', () => createTask('romoo'), RnnlabRangeError, 'task', /"romo", .*\(did you mean "romo"\?\)/, /^"romoo"$/);
  expectError(t, 'misspelt task option', () => createTask('romo', { dtt: 1 } as never), RnnlabTypeError, 'romo options.dtt', /one of the keys dt, .*\(did you mean "dt"\?\)/, /unknown key "dtt"/);
  expectError(t, 'unknown rule', () => getRule('bpt'), RnnlabRangeError, 'rule', /"bptt", .*\(did you mean "bptt"\?\)/, /^"bpt"$/);
  expectError(t, 'unknown optimiser', () => createOptimizer('adamw' as never, {}), RnnlabRangeError, 'optimizer', /"adam", "sgd"/, /^"adamw"$/);
  expectError(t, 'negative learning rate', () => adam({ lr: -1e-3 }), RnnlabRangeError, 'adam options.lr', />= 0/, /^-0\.001$/);
  expectError(t, 'NaN learning rate', () => sgd({ lr: NaN }), RnnlabRangeError, 'sgd options.lr', /finite number >= 0/, /^NaN$/);
  expectError(t, 'learning rate as a string', () => adam({ lr: '1e-3' as never }), RnnlabTypeError, 'adam options.lr', /number/, /^"1e-3"$/);
  expectError(t, 'misspelt optimiser option', () => adam({ lr: 1e-3, beta: 0.9 } as never), RnnlabTypeError, 'adam options.beta', /did you mean "beta1"/, /unknown key "beta"/);
  expectError(t, 'sampling without an rng', () => romo.sample(undefined as never, 2), RnnlabTypeError, 'rng', /^an Rng/, /^nothing$/);
  expectError(t, 'empty batch', () => romo.sample(rng, 0), RnnlabRangeError, 'batchSize', /integer >= 1/, /^0$/);
  t.end();
});

test('api errors: batches that do not fit the model', (t) => {
  expectError(t, 'float32 inputs', () => computeGradient(model, { ...batch, inputs: Float32Array.from(batch.inputs) as never }), RnnlabTypeError, 'trials.inputs', /Float64Array \[\d+\]\[2\]\[1\]/, /Float32Array of length/);
  expectError(t, 'inputs one short', () => computeGradient(model, { ...batch, inputs: batch.inputs.subarray(1) }), RnnlabRangeError, 'trials.inputs', new RegExp(`length ${batch.inputs.length}`), new RegExp(`length ${batch.inputs.length - 1}$`));
  expectError(t, 'plain array inputs', () => predict(model, { ...batch, inputs: Array.from(batch.inputs) as never }), RnnlabTypeError, 'trials.inputs', /Float64Array/, /an array of length/);
  const wide = LeakyRNN.create({ ...romoConfig, nIn: 3 }, { rng });
  expectError(t, 'model nIn differs from the batch', () => evaluate(wide, batch), RnnlabRangeError, 'trials.nIn', /3 \(the model's nIn\)/, /^1$/);
  expectError(t, 'model nIn differs from the task in train', () => train(wide, { task: romo, rule: getRule('bptt'), optimizer: adam(), iters: 1, batchSize: 2, rng }), RnnlabRangeError, 'task batch.nIn', /3 \(the model's nIn\)/, /^1$/);
  expectError(t, 'misspelt train option', () => train(model, { task: romo, rule: getRule('bptt'), optimizer: adam(), iters: 1, batchSize: 2, rng, iter: 5 } as never), RnnlabTypeError, 'options.iter', /did you mean "iters"/, /unknown key "iter"/);
  expectError(t, 'negative iteration count', () => train(model, { task: romo, rule: getRule('bptt'), optimizer: adam(), iters: -1, batchSize: 2, rng }), RnnlabRangeError, 'options.iters', /integer >= 0/, /^-1$/);
  expectError(t, 'train without a generator', () => train(model, { task: romo, rule: getRule('bptt'), optimizer: adam(), iters: 1, batchSize: 2 } as never), RnnlabTypeError, 'options.rng', /required/, /^nothing$/);
  expectError(t, 'train with a seed number instead of a generator', () => train(model, { task: romo, rule: getRule('bptt'), optimizer: adam(), iters: 1, batchSize: 2, rng: 7 as never }), RnnlabTypeError, 'options.rng', /an Rng \(batches and state noise/, /7/);
  expectError(t, 'train without a batch size', () => train(model, { task: romo, rule: getRule('bptt'), optimizer: adam(), iters: 1, rng } as never), RnnlabTypeError, 'options.batchSize', /batchSize is required/, /^nothing$/);
  expectError(t, 'train on something that is not a model', () => train({} as never, { task: romo, rule: getRule('bptt'), optimizer: adam(), iters: 1, batchSize: 2, rng }), RnnlabTypeError, 'model', /a LeakyRNN/, /an empty object/);
  expectError(t, 'misspelt evaluate option', () => evaluate(model, batch, { tsk: romo } as never), RnnlabTypeError, 'options.tsk', /did you mean "task"/, /unknown key "tsk"/);
  expectError(t, 'workspace of the wrong type', () => predict(model, batch, { workspace: {} as never }), RnnlabTypeError, 'options.workspace', /a Workspace/, /an empty object/);
  expectError(t, 'ragged trials file', () => trialsFromJSON({ inputs: [[[1]], [[1, 2]]], targets: [[[0]], [[0]]], loss: 'mse' }), RnnlabRangeError, 'trials.inputs[1][0]', /length 1 \(shape 2 x 1 x 1\)/, /length 2/);
  t.end();
});

test('api errors: model files and data files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-api-errors-'));
  try {
    expectError(t, 'missing model file', () => readModelFile(join(dir, 'nope.json')), RnnlabRangeError, 'model', /a readable JSON file/, /nope\.json" \(no such file\)/);
    // A number is a file descriptor to fs: 0 would block reading stdin.
    expectError(t, 'file descriptor instead of a path', () => readModelFile(0 as never), RnnlabTypeError, 'model', /file path \(non-empty string\)/, /^0$/);
    expectError(t, 'folder instead of a file', () => readModelFile(dir), RnnlabRangeError, 'model', /a readable JSON file/, /EISDIR/);
    expectError(t, 'writing into a missing folder', () => writeModelFile(join(dir, 'no', 'such', 'm.json'), model), RnnlabRangeError, 'path', /an existing, writable folder/, /the folder does not exist/);
    writeModelFile(join(dir, 'm.json'), model);
    expectError(t, 'overwriting a model file', () => writeModelFile(join(dir, 'm.json'), model), RnnlabRangeError, 'path', /does not exist yet/, /\(exists\)/);
    const json = modelToJSON(model);
    expectError(t, 'newer model format', () => modelFromJSON({ ...json, format: 'rnnlab.model/2' }), RnnlabRangeError, 'model.format', /"rnnlab\.model\/1"/, /"rnnlab\.model\/2"/);
    const short = { ...json, params: { ...json.params, Wh: (json.params.Wh as number[][]).slice(1) } };
    expectError(t, 'Wh with a row missing', () => modelFromJSON(short), RnnlabRangeError, 'model.params.Wh', /length 8 \(shape 8 x 8\)/, /length 7/);
    expectError(t, 'missing .npy file', () => readNpy(join(dir, 'x.npy')), RnnlabRangeError, 'npy', /a readable \.npy file/, /no such file/);
    expectError(t, 'truncated parameter record', () => decodeParams({ dtype: 'float64', base64: 'AAAA' }, { nIn: 1, nHidden: 2, nOut: 1 }), RnnlabRangeError, 'encoded.base64', /104 bytes/, /3 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  t.end();
});

test('api errors: comparing representations and dynamics', (t) => {
  const X = { data: new Float64Array(12).map((_, k) => Math.sin(k)), samples: 4, units: 3 };
  const Y5 = { data: new Float64Array(10).map((_, k) => Math.cos(k)), samples: 5, units: 2 };
  expectError(t, 'sample counts differ', () => compareRepresentations(X, Y5, { metric: 'procrustes' }), RnnlabRangeError, 'Y.samples', /4 samples, the same as X/, /^5$/);
  expectError(t, 'misspelt metric', () => compareRepresentations(X, X, { metric: 'procustes' as never }), RnnlabRangeError, 'metric.metric', /did you mean "procrustes"/, /^"procustes"$/);
  expectError(t, 'plain array data', () => compareRepresentations({ ...X, data: Array.from(X.data) as never }, X, { metric: 'cka' }), RnnlabTypeError, 'X.data', /Float64Array or Float32Array/, /an array of length 12/);
  expectError(t, 'shape metric without alpha', () => compareRepresentations(X, X, { metric: 'shape' }), RnnlabTypeError, 'metric.alpha', /\[0, 1\] \(required for the shape metric\)/, /^nothing$/);
  expectError(t, 'condition counts differ', () => representationDistance(activity(4, 3, 8, 1), activity(4, 3, 6, 2)), RnnlabRangeError, 'b', /3 steps x 8 conditions, as in a/, /3 steps x 6 conditions/);
  expectError(t, 'model with other conditions than the data', () => noiseFloor(activity(6, 3, 8, 1), { rng, models: [activity(5, 3, 7, 2)] }), RnnlabRangeError, 'options.models[0]', /8 conditions, as in the data/, /7 conditions/);
  expectError(t, 'noise floor without an rng', () => noiseFloor(activity(6, 3, 8, 1), {} as never), RnnlabTypeError, 'options.rng', /^an Rng/, /^nothing$/);
  expectError(t, 'DSA ranks differ', () => dsaDistance(X, { data: new Float64Array(8).map((_, k) => Math.cos(k * k)), samples: 4, units: 2 }), RnnlabRangeError, 'options.rank', /the same DMD rank/, /rank 3 for X and 2 for Y/);
  expectError(t, 'summary of nothing', () => summarize(new Float64Array(0)), RnnlabRangeError, 'values', /at least 1 value/, /Float64Array of length 0/);
  expectError(t, 'null instead of an array', () => toUnitsTimeConditions(null as never), RnnlabTypeError, 'array', /\{ shape, data \}/, /^null$/);
  const record = { id: 'r1', config: { rule: 'bptt', gain: 1, seed: 1 } };
  expectError(t, 'run without a neural comparison', () => atAccuracy(record as never, 0.8), RnnlabRangeError, 'record.neural', /a run compared with a recording/, /run r1 without a comparison/);
  expectError(t, 'Lyapunov without steps', () => lyapunovSpectrum(model, {} as never), RnnlabTypeError, 'options.steps', /integer >= 1 \(required\)/, /^nothing$/);
  expectError(t, 'more exponents than units', () => lyapunovSpectrum(model, { steps: 5, k: 9 }), RnnlabRangeError, 'options.k', /\[1, 8\]/, /^9$/);
  expectError(t, 'seed number instead of an Rng', () => maxLyapunov(model, romo, { rng: 5 as never }), RnnlabTypeError, 'options.rng', /^an Rng/, /^5$/);
  expectError(t, 'not a model', () => maxLyapunov({} as never, romo), RnnlabTypeError, 'model', /a LeakyRNN/, /an empty object/);
  t.end();
});

test('api errors: sweep specs', (t) => {
  expectError(t, 'empty axis', () => parseSweepSpec({ axes: { gain: [] } }), RnnlabRangeError, 'sweep.axes.gain', /length >= 1/, /an array of length 0/);
  expectError(t, 'axis that is not a list', () => parseSweepSpec({ axes: { gain: 1 } }), RnnlabTypeError, 'sweep.axes.gain', /an array/, /^1$/);
  expectError(t, 'misspelt top-level key', () => parseSweepSpec({ axis: { gain: [1] } }), RnnlabTypeError, 'sweep.axis', /did you mean "axes"/, /unknown key "axis"/);
  expectError(t, 'axes and grids together', () => parseSweepSpec({ axes: { gain: [1] }, grids: [{ axes: { seed: [1] } }] }), RnnlabRangeError, 'sweep.grids', /either "axes" or "grids"/, /"both"/);
  t.end();
});
