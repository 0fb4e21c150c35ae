// Dale's law and fixed sparsity masks: the effective weights, their initialisation, the chain rule
// back to the raw weights for every rule (against finite differences), the model file, and the
// unconstrained path, which must stay copy-free.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { LeakyRNN, PARAM_NAMES, ParamSet, Rng, Workspace, adam, computeGradient, createTask, effectiveParamSet, modelFromJSON, modelToJSON, readModelFile, train, writeModelFile } from '../ts/index.js';
import { effectiveParams } from '../ts/model/constraints.js';
import { finiteDifferenceGradient, randomModel, randomTrials, smallConfig, worstRelativeError } from './helpers.js';
import { referenceEffectiveWh, referenceForward, referenceReverse, surrogateFiniteDifferences } from './rule-references.js';

const daleConfig = (overrides = {}) => smallConfig('relu', { nHidden: 10, dale: true, ...overrides });

test("Dale's law: sign by presynaptic column, no autapses, Wh_eff = |Wh| * S", (t) => {
  const model = randomModel(daleConfig(), 201);
  const N = 10;
  t.equal(model.nExcitatory, 8, '80% excitatory by default');
  const eff = effectiveParamSet(model);
  let ok = true;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const w = eff.Wh[i * N + j]!;
      const expected = i === j ? 0 : (j < 8 ? 1 : -1) * Math.abs(model.params.Wh[i * N + j]!);
      if (w !== expected) ok = false;
    }
  }
  t.ok(ok, 'every effective weight is |raw| with the sign of its presynaptic unit, 0 on the diagonal');
  t.deepEqual(Array.from(eff.Wx), Array.from(model.params.Wx), 'other parameters untouched');
  const custom = randomModel(smallConfig('relu', { nHidden: 10, dale: true, excitatoryFraction: 0.5 }), 202);
  t.equal(custom.nExcitatory, 5, 'excitatoryFraction sets the split');
  t.end();
});

test('initialisation: E columns divided by N_E / N_I; sparse Wh scaled by 1/sqrt(p); mask ~ Bernoulli(p)', (t) => {
  const config = { nIn: 1, nHidden: 50, nOut: 1, alpha: 0.5, activation: 'relu' as const };
  const plain = LeakyRNN.create(config, { rng: new Rng(7), dtype: 'float64' });
  const dale = LeakyRNN.create({ ...config, dale: true }, { rng: new Rng(7), dtype: 'float64' });
  const N = 50;
  let ratioOk = true;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const expected = plain.params.Wh[i * N + j]! / (j < 40 ? 4 : 1);
      if (Math.abs(dale.params.Wh[i * N + j]! - expected) > 1e-15) ratioOk = false;
    }
  }
  t.ok(ratioOk, 'excitatory columns divided by 40/10 = 4, inhibitory columns unchanged');
  const sparse = LeakyRNN.create({ ...config, nHidden: 200, connectivity: 0.25 }, { rng: new Rng(8), dtype: 'float64' });
  const dense = LeakyRNN.create({ ...config, nHidden: 200 }, { rng: new Rng(8), dtype: 'float64' });
  t.ok(Math.abs(sparse.params.Wh[17]! - 2 * dense.params.Wh[17]!) < 1e-15, 'raw Wh scaled by 1/sqrt(0.25) = 2');
  const kept = sparse.whMask!.reduce((s, v) => s + v, 0) / sparse.whMask!.length;
  t.ok(Math.abs(kept - 0.25) < 0.01, `fraction of connections kept ${kept.toFixed(4)} ~ 0.25 (40000 draws)`);
  t.end();
});

const constrained = [
  ['Dale', daleConfig()],
  ['sparsity 0.5', smallConfig('tanh', { nHidden: 8, connectivity: 0.5 })],
  ['Dale + sparsity 0.6', daleConfig({ connectivity: 0.6 })],
] as const;

for (const [label, config] of constrained) {
  test(`${label}: BPTT gradient of the raw parameters equals finite differences`, (t) => {
    const model = randomModel(config, 211, 1.5);
    const trials = randomTrials(model, 8, 2, 'mse', 212);
    const worst = worstRelativeError(computeGradient(model, trials).grads, finiteDifferenceGradient(model, trials, 1e-6), PARAM_NAMES);
    t.ok(worst.error < 1e-6, `max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-6`);
    t.end();
  });

  test(`${label}: e-prop and tbptt map their gradients through the constraint (surrogate finite differences)`, (t) => {
    const model = randomModel(config, 221, 1.5);
    const T = 9;
    const trials = randomTrials(model, T, 2, 'ce', 222);
    const e = computeGradient(model, trials, { rule: 'eprop' });
    const eFd = surrogateFiniteDifferences(model, trials, null, () => true);
    const we = worstRelativeError(e.grads, eFd, PARAM_NAMES);
    t.ok(we.error < 1e-6, `eprop: max relative error ${we.error.toExponential(2)} (worst ${we.name}) < 1e-6`);
    const k = computeGradient(model, trials, { rule: 'tbptt:4' });
    const kRef = referenceReverse(model, trials, referenceForward(model, trials, null), { cutInto: (s) => (T - s + 1) % 4 === 0 });
    const wk = worstRelativeError(k.grads, kRef, PARAM_NAMES);
    t.ok(wk.error < 1e-10, `tbptt:4: max relative error ${wk.error.toExponential(2)} against the reference reverse pass`);
    t.end();
  });
}

test('masked-out and autapse entries get exactly zero gradient, so training never changes them', (t) => {
  const rng = new Rng(231);
  const model = LeakyRNN.create({ nIn: 1, nHidden: 12, nOut: 2, alpha: 0.5, activation: 'relu', dale: true, connectivity: 0.5 }, { rng: rng.fork('init'), dtype: 'float64' });
  const before = model.params.Wh.slice();
  const mask = model.whMask!;
  for (const rule of ['bptt', 'eprop', 'tbptt:3', 'es'] as const) {
    const trials = createTask('romo').sample(rng.fork(rule), 4);
    const { grads } = computeGradient(model, trials, { rule, rng: new Rng(1) });
    let zero = true;
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) if ((i === j || mask[i * 12 + j] === 0) && grads.Wh[i * 12 + j] !== 0) zero = false;
    t.ok(zero, `${rule}: zero gradient on the diagonal and on masked entries`);
  }
  train(model, { task: createTask('romo'), rule: 'eprop', optimizer: adam({ lr: 1e-2 }), iters: 20, batchSize: 4, rng: rng.fork('train') });
  let unchanged = true;
  let changed = 0;
  for (let k = 0; k < 144; k++) {
    const dead = Math.floor(k / 12) === k % 12 || mask[k] === 0;
    if (dead && model.params.Wh[k] !== before[k]) unchanged = false;
    if (!dead && model.params.Wh[k] !== before[k]) changed++;
  }
  t.ok(unchanged, 'after 20 e-prop/Adam steps the dead entries are untouched');
  t.ok(changed > 0, `while ${changed} live entries changed`);
  const eff = effectiveParamSet(model);
  let signs = true;
  for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) if (eff.Wh[i * 12 + j]! * (j < 9 ? 1 : -1) < 0) signs = false;
  t.ok(signs, "Dale's signs hold after training");
  t.end();
});

test('the sparsity mask is saved with the model, and a saved model reproduces its gradient', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-constraints-'));
  const model = randomModel(daleConfig({ connectivity: 0.4 }), 241);
  const trials = randomTrials(model, 6, 2, 'mse', 242);
  const path = join(dir, 'm.json');
  writeModelFile(path, model);
  const back = readModelFile(path);
  t.deepEqual(Array.from(back.whMask!), Array.from(model.whMask!), 'mask identical');
  t.deepEqual(back.config, model.config, 'config identical (dale, excitatoryFraction, connectivity)');
  t.deepEqual(Array.from(computeGradient(back, trials).grads.flat), Array.from(computeGradient(model, trials).grads.flat), 'identical gradients');
  const json = modelToJSON(model);
  delete json.masks;
  t.throws(() => modelFromJSON(json), /^TypeError: model\.masks\.Wh: expected the 0\/1 sparsity mask \[10\]\[10\] \(config\.connectivity is 0\.4\), received nothing$/, 'a sparse model without its mask is refused');
  const bad = modelToJSON(model) as unknown as { masks: { Wh: number[][] } };
  bad.masks.Wh[2]![3] = 0.5;
  t.throws(() => modelFromJSON(bad), /model\.masks\.Wh\[2\]\[3\]: expected 0 or 1, received 0\.5/, 'a mask entry that is not 0/1');
  t.end();
});

test('constraint config errors', (t) => {
  const rng = new Rng(1);
  const base = { nIn: 1, nHidden: 4, nOut: 1, alpha: 0.5, activation: 'relu' as const };
  t.throws(() => LeakyRNN.create({ ...base, excitatoryFraction: 0.5 }, { rng }), /config\.excitatoryFraction: expected no excitatory fraction unless dale is true, received 0\.5/, 'fraction without Dale');
  t.throws(() => LeakyRNN.create({ ...base, nHidden: 1, dale: true }, { rng }), /config\.excitatoryFraction: expected a fraction that leaves at least one excitatory and one inhibitory unit among nHidden = 1/, 'one unit cannot obey Dale');
  t.throws(() => LeakyRNN.create({ ...base, connectivity: 0 }, { rng }), /config\.connectivity: expected a number > 0, received 0/, 'connectivity 0');
  t.throws(() => LeakyRNN.create({ ...base, connectivity: 1.5 }, { rng }), /config\.connectivity: expected a number <= 1, received 1\.5/, 'connectivity > 1');
  t.throws(() => new LeakyRNN({ ...base, connectivity: 0.5 }, new ParamSet(base, 'float64')), /masks\.Wh: expected the 0\/1 sparsity mask \[4\]\[4\]/, 'constructor without the mask');
  t.throws(() => new LeakyRNN(base, new ParamSet(base, 'float64'), { Wh: new Float64Array(3) }), /masks\.Wh: expected length 16/, 'misshapen mask');
  const userMask = new LeakyRNN(base, new ParamSet(base, 'float64'), { Wh: Float64Array.from({ length: 16 }, (_, k) => (k % 5 === 0 ? 0 : 1)) });
  t.ok(userMask.constraint !== null, 'a user mask is accepted with connectivity 1');
  t.end();
});

test('an unconstrained model runs on its own parameter array (no copy, no extra work)', (t) => {
  const model = randomModel(smallConfig('tanh'), 251);
  t.equal(model.constraint, null, 'no constraint');
  t.equal(effectiveParams(model, new Workspace()), model.params.flat, 'effective parameters are the parameters themselves');
  const dale = randomModel(daleConfig(), 252);
  const ws = new Workspace();
  const eff = effectiveParams(dale, ws);
  t.notEqual(eff, dale.params.flat, 'a constrained model runs on a workspace copy');
  t.deepEqual(Array.from(eff.subarray(0, 100)), Array.from(referenceEffectiveWh(dale, dale.params.flat)), 'holding the effective weights');
  t.end();
});
