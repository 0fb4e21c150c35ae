// e-prop (alias rflo): the online C++ sweep against an independent reverse pass over the graph
// with the recurrent drive detached (float64, 1e-10), against finite differences of that
// detached surrogate, against BPTT when Wh = 0, with random feedback (feedback alignment), and
// its memory, which must not grow with T.
import test from 'tape';
import { ACTIVATIONS, PARAM_NAMES, Rng, Workspace, computeGradient, createEprop, getRule, modelToJSON, trialsToJSON } from '../ts/index.js';
import type { LeakyRNN, ParamSet, Trials } from '../ts/index.js';
import { randomModel, randomTrials, relativeError, runPython, smallConfig, torchAvailable, worstRelativeError } from './helpers.js';
import { referenceForward, referenceReverse, surrogateFiniteDifferences } from './rule-references.js';

const everyEdgeCut = () => true;

/** The reference e-prop: reverse pass with every recurrent edge cut (only the leak remains). */
function referenceEprop(model: LeakyRNN, trials: Trials, noise: Float64Array | null = null, readoutBack?: ArrayLike<number>): ParamSet {
  const traj = referenceForward(model, trials, noise);
  return referenceReverse(model, trials, traj, readoutBack ? { cutInto: everyEdgeCut, readoutBack } : { cutInto: everyEdgeCut });
}

for (const activation of ACTIVATIONS) {
  for (const loss of ['mse', 'ce'] as const) {
    test(`e-prop equals the detached-graph reverse pass: ${activation}, ${loss}, masked, h0 != 0`, (t) => {
      const model = randomModel(smallConfig(activation), 41, 1.4);
      const trials = randomTrials(model, 9, 3, loss, 42);
      const ours = computeGradient(model, trials, { rule: 'eprop' });
      const ref = referenceEprop(model, trials);
      const worst = worstRelativeError(ours.grads, ref, PARAM_NAMES);
      t.ok(worst.error < 1e-10, `max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-10`);
      const exact = computeGradient(model, trials, { rule: 'bptt' });
      t.ok(Math.abs(ours.loss - exact.loss) < 1e-13, 'same loss as the forward pass');
      const diff = worstRelativeError(ours.grads, exact.grads, ['Wh', 'Wx', 'b']);
      t.ok(diff.error > 1e-3, `and it is not BPTT (differs by ${diff.error.toExponential(2)} in ${diff.name}), so the check has teeth`);
      t.end();
    });
  }
}

test('e-prop with state noise, alpha = 0, no inputs, one step', (t) => {
  const cases: [string, LeakyRNN, number][] = [
    ['state noise', randomModel(smallConfig('tanh', { noiseStd: 0.3 }), 5), 8],
    ['alpha = 0', randomModel(smallConfig('retanh', { alpha: 0 }), 6), 6],
    ['nIn = 0', randomModel(smallConfig('relu', { nIn: 0 }), 7), 6],
    ['T = 1', randomModel(smallConfig('tanh'), 8), 1],
  ];
  for (const [label, model, T] of cases) {
    const trials = randomTrials(model, T, 2, 'mse', 9);
    const noise = model.config.noiseStd > 0 ? new Float64Array(T * 2 * model.N) : null;
    if (noise) new Rng(3).fillNormal(noise, model.config.noiseStd);
    const ours = computeGradient(model, trials, { rule: 'eprop', rng: new Rng(3) });
    const worst = worstRelativeError(ours.grads, referenceEprop(model, trials, noise), PARAM_NAMES);
    t.ok(worst.error < 1e-10, `${label}: max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-10`);
  }
  t.end();
});

test('e-prop equals central finite differences of the detached surrogate graph', (t) => {
  for (const [activation, loss] of [['tanh', 'mse'], ['retanh', 'ce']] as const) {
    const model = randomModel(smallConfig(activation), 51, 1.3);
    const trials = randomTrials(model, 7, 2, loss, 52);
    const ours = computeGradient(model, trials, { rule: 'eprop' });
    const fd = surrogateFiniteDifferences(model, trials, null, everyEdgeCut);
    const worst = worstRelativeError(ours.grads, fd, PARAM_NAMES);
    t.ok(worst.error < 1e-7, `${activation}/${loss}: max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-7`);
  }
  t.end();
});

test('with Wh = 0 there is no recurrent path to truncate: e-prop equals BPTT', (t) => {
  for (const activation of ['tanh', 'relu'] as const) {
    const model = randomModel(smallConfig(activation), 61);
    model.params.Wh.fill(0);
    const trials = randomTrials(model, 10, 3, 'mse', 62);
    const e = computeGradient(model, trials, { rule: 'eprop' });
    const b = computeGradient(model, trials, { rule: 'bptt' });
    const worst = worstRelativeError(e.grads, b.grads, PARAM_NAMES);
    t.ok(worst.error < 1e-12, `${activation}: max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-12, h0 included`);
  }
  t.end();
});

test('rflo is an alias of eprop', (t) => {
  const model = randomModel(smallConfig('tanh'), 71);
  const trials = randomTrials(model, 6, 2, 'ce', 72);
  const a = computeGradient(model, trials, { rule: 'eprop' });
  const b = computeGradient(model, trials, { rule: 'rflo' });
  t.deepEqual(Array.from(b.grads.flat), Array.from(a.grads.flat), 'identical gradients');
  t.equal(getRule('rflo').name, 'rflo');
  t.end();
});

test('feedback alignment: a fixed random matrix U(-1/sqrt(N), 1/sqrt(N)) replaces Wout in the learning signal', (t) => {
  const model = randomModel(smallConfig('tanh', { nHidden: 16 }), 81);
  const trials = randomTrials(model, 8, 3, 'mse', 82);
  const rule = createEprop({ feedback: 'random', rng: new Rng(5) });
  const ours = computeGradient(model, trials, { rule });
  const again = computeGradient(model, trials, { rule });
  t.deepEqual(Array.from(again.grads.flat), Array.from(ours.grads.flat), 'the matrix is fixed: the same rule gives the same estimate twice');
  const sameSeed = computeGradient(model, trials, { rule: 'eprop', ruleOptions: { feedback: 'random', rng: new Rng(5) } });
  t.deepEqual(Array.from(sameSeed.grads.flat), Array.from(ours.grads.flat), 'the same seed gives the same matrix');
  const otherSeed = computeGradient(model, trials, { rule: 'eprop', ruleOptions: { feedback: 'random', rng: new Rng(6) } });
  t.notDeepEqual(Array.from(otherSeed.grads.Wh), Array.from(ours.grads.Wh), 'another seed gives another matrix');

  // The matrix the rule uses, drawn as documented, gives the reference's reverse pass.
  const matrix = new Float64Array(3 * 16);
  new Rng(5).fork('feedback').fork('3x16').fillUniform(matrix, -0.25, 0.25);
  const worst = worstRelativeError(ours.grads, referenceEprop(model, trials, null, matrix), PARAM_NAMES);
  t.ok(worst.error < 1e-10, `equals the detached reverse pass with that matrix (${worst.error.toExponential(2)})`);
  const exact = computeGradient(model, trials, { rule: 'bptt' });
  t.ok(relativeError(ours.grads.Wout, exact.grads.Wout) < 1e-14, 'readout gradient is still exact');
  t.throws(() => createEprop({ feedback: 'random' }), /options\.rng: expected an Rng to draw the fixed random feedback matrix, received undefined/, 'random feedback needs a generator');
  t.throws(() => createEprop({ feedback: 'mirror' as never }), /options\.feedback: expected one of "exact", "random"/, 'unknown feedback mode');
  t.end();
});

test('e-prop memory does not grow with T (no trajectory is stored)', (t) => {
  const model = randomModel(smallConfig('relu', { nHidden: 16 }), 91);
  const sizes: number[] = [];
  for (const T of [10, 100, 2000]) {
    const ws = new Workspace();
    const trials = randomTrials(model, T, 4, 'mse', 92);
    getRule('eprop').gradient(model, trials, model.params.clone(), { workspace: ws });
    sizes.push(ws.bytes);
  }
  t.deepEqual(sizes, [sizes[0], sizes[0], sizes[0]], `workspace bytes at T = 10, 100, 2000: ${sizes.join(', ')} (float64 inputs are used in place)`);
  const bpttWs = new Workspace();
  getRule('bptt').gradient(model, randomTrials(model, 2000, 4, 'mse', 92), model.params.clone(), { workspace: bpttWs });
  t.ok(bpttWs.bytes > 2 * 2001 * 4 * 16 * 8, `BPTT stores the trajectory (${bpttWs.bytes} bytes at T = 2000)`);
  t.end();
});

test('e-prop in float32 agrees with float64', (t) => {
  const model = randomModel(smallConfig('retanh', { nHidden: 24 }), 95);
  const trials = randomTrials(model, 30, 8, 'mse', 96);
  const g64 = computeGradient(model, trials, { rule: 'eprop' });
  const g32 = computeGradient(model.clone('float32'), trials, { rule: 'eprop' });
  const worst = worstRelativeError(g32.grads, g64.grads, PARAM_NAMES);
  t.ok(worst.error < 1e-4, `max relative difference ${worst.error.toExponential(2)} < 1e-4`);
  t.end();
});

const TORCH_DETACH = `
import json, sys, torch
torch.set_default_dtype(torch.float64)
d = json.load(sys.stdin)
m, tr = d['model'], d['trials']
c = m['config']
P = {k: torch.tensor(v, requires_grad=True) for k, v in m['params'].items()}
x = torch.tensor(tr['inputs'])
a = c['alpha']
f = {'relu': torch.relu, 'tanh': torch.tanh, 'linear': lambda z: z,
     'retanh': lambda z: torch.clamp(torch.tanh(z), min=0)}[c['activation']]
T, B = x.shape[0], x.shape[1]
h = P['h0'].expand(B, -1)
ys = []
for t in range(T):
    h = a * h + (1 - a) * (f(h).detach() @ P['Wh'].T + x[t] @ P['Wx'].T + P['b'])
    ys.append(f(h) @ P['Wout'].T + P['bOut'])
y = torch.stack(ys)
mask = torch.tensor(tr['mask']) if 'mask' in tr else torch.ones(T, B)
tgt = torch.tensor(tr['targets'])
loss = (mask[..., None] * (y - tgt) ** 2).sum() / (y.shape[2] * mask.sum())
loss.backward()
print(json.dumps({'grads': {k: v.grad.flatten().tolist() for k, v in P.items()}}))
`;

test('e-prop equals PyTorch autograd with f(h).detach() in the recurrent drive (optional)', { skip: !torchAvailable() }, (t) => {
  const model = randomModel(smallConfig('retanh', { nHidden: 8 }), 97, 1.5);
  const trials = randomTrials(model, 12, 3, 'mse', 98);
  const ours = computeGradient(model, trials, { rule: 'eprop' });
  const ref = runPython(TORCH_DETACH, { model: modelToJSON(model), trials: trialsToJSON(trials) }) as { grads: Record<string, number[]> };
  let worst = 0;
  for (const name of PARAM_NAMES) worst = Math.max(worst, relativeError(ours.grads.get(name), ref.grads[name]!));
  t.ok(worst < 1e-10, `gradients equal torch's to ${worst.toExponential(2)} (< 1e-10)`);
  t.end();
});
