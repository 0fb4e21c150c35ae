// Truncated BPTT (the authors' variant): the recurrent path into step s is cut when
// (T - s + 1) mod K == 0, the leak path never. Checked against an independent reverse pass,
// against finite differences of the truncated surrogate graph, and at its exact limits:
// K >= T + 1 is BPTT, K = T is BPTT except for h0, K = 1 is e-prop.
import test from 'tape';
import { DEFAULT_TRUNCATION, PARAM_NAMES, Rng, computeGradient, getRule } from '../ts/index.js';
import { modelToJSON, trialsToJSON } from '../ts/index.js';
import { randomModel, randomTrials, relativeError, runPython, smallConfig, torchAvailable, worstRelativeError } from './helpers.js';
import { referenceForward, referenceReverse, surrogateFiniteDifferences } from './rule-references.js';

const cutsOf = (T: number, K: number) => (s: number) => (T - s + 1) % K === 0;

test('tbptt:K equals an independent reverse pass with the documented cuts', (t) => {
  for (const [activation, loss, K] of [['tanh', 'mse', 3], ['relu', 'ce', 4], ['retanh', 'mse', 2], ['tanh', 'ce', 5]] as const) {
    const model = randomModel(smallConfig(activation), 141, 1.4);
    const T = 13;
    const trials = randomTrials(model, T, 3, loss, 142);
    const ours = computeGradient(model, trials, { rule: `tbptt:${K}` });
    const ref = referenceReverse(model, trials, referenceForward(model, trials, null), { cutInto: cutsOf(T, K) });
    const worst = worstRelativeError(ours.grads, ref, PARAM_NAMES);
    t.ok(worst.error < 1e-10, `${activation}/${loss}, K = ${K}: max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-10`);
  }
  t.end();
});

test('tbptt equals central finite differences of the truncated surrogate graph', (t) => {
  const model = randomModel(smallConfig('tanh'), 151, 1.3);
  const T = 10;
  const K = 3;
  const trials = randomTrials(model, T, 2, 'mse', 152);
  const ours = computeGradient(model, trials, { rule: `tbptt:${K}` });
  const fd = surrogateFiniteDifferences(model, trials, null, cutsOf(T, K));
  const worst = worstRelativeError(ours.grads, fd, PARAM_NAMES);
  t.ok(worst.error < 1e-7, `max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-7`);
  const exact = computeGradient(model, trials);
  t.ok(relativeError(ours.grads.Wh, exact.grads.Wh) > 1e-3, 'and tbptt:3 is not BPTT here');
  t.end();
});

test('K >= T + 1 cuts nothing: tbptt equals BPTT for every parameter', (t) => {
  const model = randomModel(smallConfig('tanh'), 161, 1.4);
  const T = 9;
  const trials = randomTrials(model, T, 3, 'mse', 162);
  const exact = computeGradient(model, trials);
  for (const K of [T + 1, T + 5, 1000]) {
    const worst = worstRelativeError(computeGradient(model, trials, { rule: `tbptt:${K}` }).grads, exact.grads, PARAM_NAMES);
    t.ok(worst.error < 1e-14, `K = ${K}: max relative error ${worst.error.toExponential(2)}`);
  }
  t.end();
});

test('K = T cuts only the recurrent path out of h0: every other parameter gets the BPTT gradient', (t) => {
  const model = randomModel(smallConfig('tanh'), 171, 1.4);
  const T = 9;
  const trials = randomTrials(model, T, 3, 'mse', 172);
  const exact = computeGradient(model, trials);
  const k = computeGradient(model, trials, { rule: `tbptt:${T}` });
  const worst = worstRelativeError(k.grads, exact.grads, ['Wh', 'Wx', 'b', 'Wout', 'bOut']);
  t.ok(worst.error < 1e-14, `all but h0: max relative error ${worst.error.toExponential(2)}`);
  t.ok(relativeError(k.grads.h0, exact.grads.h0) > 1e-3, `h0 differs (${relativeError(k.grads.h0, exact.grads.h0).toExponential(2)}): its path through Wh f(h0) is cut`);
  t.end();
});

test('K = 1 cuts every recurrent edge: tbptt:1 equals e-prop exactly', (t) => {
  // With every edge h_{s-1} -> Wh f(h_{s-1}) -> h_s cut, the reverse pass keeps only the leak:
  // g_t = f'(h_t) Wout^T dy_t + alpha g_{t+1}, and dWh = sum_t (1-alpha) g_t f(h_{t-1})^T
  // = sum_t L_t sum_{s<=t} alpha^{t-s} (1-alpha) f(h_{s-1})^T = sum_t L_t eps_t^T (swap the sums):
  // the e-prop update, for Wx, b and h0 alike.
  for (const [activation, loss] of [['tanh', 'mse'], ['relu', 'ce'], ['retanh', 'mse']] as const) {
    const model = randomModel(smallConfig(activation, { noiseStd: 0.1 }), 181, 1.4);
    const trials = randomTrials(model, 12, 3, loss, 182);
    const a = computeGradient(model, trials, { rule: 'tbptt:1', rng: new Rng(2) });
    const e = computeGradient(model, trials, { rule: 'eprop', rng: new Rng(2) });
    const worst = worstRelativeError(a.grads, e.grads, PARAM_NAMES);
    t.ok(worst.error < 1e-12, `${activation}/${loss}: max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-12`);
  }
  t.end();
});

test('tbptt names and options', (t) => {
  t.equal(getRule('tbptt').name, `tbptt:${DEFAULT_TRUNCATION}`, 'tbptt alone uses the reference window 10');
  t.equal(getRule('tbptt:25').name, 'tbptt:25');
  t.equal(getRule('tbptt', { truncation: 7 }).name, 'tbptt:7');
  t.throws(() => getRule('tbptt:0'), /^RangeError: rule: expected a rule name, or tbptt:K with K an integer >= 1 \(the truncation window\), received "tbptt:0"$/, 'K = 0');
  t.throws(() => getRule('tbptt:abc'), /tbptt:K with K an integer >= 1/, 'K not a number');
  t.throws(() => getRule('eprop:3'), /tbptt:K with K an integer >= 1/, 'suffix on another rule');
  t.throws(() => getRule('tbptt:5', { truncation: 6 }), /rule options\.truncation: expected 5 \(as in the name "tbptt:5"\) or nothing, received 6/, 'conflicting window');
  t.end();
});

// The reference's own loop (LearningRuleSimilarities CTRNN.forward, learning_mode -1), written
// with its 0-based step index t: before step t, `if (n_T - t) % trunc_window == 0: h = h.detach()`.
const TORCH_REFERENCE_TBPTT = `
import json, sys, torch
torch.set_default_dtype(torch.float64)
d = json.load(sys.stdin)
m, tr, K = d['model'], d['trials'], d['K']
c = m['config']
P = {k: torch.tensor(v, requires_grad=True) for k, v in m['params'].items()}
x = torch.tensor(tr['inputs'])
a = c['alpha']
f = torch.tanh
n_T, B = x.shape[0], x.shape[1]
ah = P['h0'].expand(B, -1)
h = f(ah)
ys = []
for t in range(n_T):
    if (n_T - t) % K == 0:
        h = h.detach()
    ah = a * ah + (1 - a) * (h @ P['Wh'].T + x[t] @ P['Wx'].T + P['b'])
    h = f(ah)
    ys.append(h @ P['Wout'].T + P['bOut'])
y = torch.stack(ys)
mask = torch.tensor(tr['mask'])
loss = (mask[..., None] * (y - torch.tensor(tr['targets'])) ** 2).sum() / (y.shape[2] * mask.sum())
loss.backward()
print(json.dumps({'grads': {k: v.grad.flatten().tolist() for k, v in P.items()}}))
`;

test("tbptt matches PyTorch running the reference's detach schedule literally (optional)", { skip: !torchAvailable() }, (t) => {
  const model = randomModel(smallConfig('tanh', { nHidden: 6 }), 191, 1.4);
  const trials = randomTrials(model, 11, 2, 'mse', 192);
  for (const K of [1, 3, 4, 11, 12]) {
    const ours = computeGradient(model, trials, { rule: `tbptt:${K}` });
    const ref = runPython(TORCH_REFERENCE_TBPTT, { model: modelToJSON(model), trials: trialsToJSON(trials), K }) as { grads: Record<string, number[]> };
    let worst = 0;
    for (const name of PARAM_NAMES) worst = Math.max(worst, relativeError(ours.grads.get(name), ref.grads[name]!));
    t.ok(worst < 1e-10, `K = ${K}: gradients equal torch's to ${worst.toExponential(2)} (< 1e-10)`);
  }
  t.end();
});

test('bptt and tbptt with random readout feedback (feedback alignment) equal the reference reverse pass with that matrix', (t) => {
  const model = randomModel(smallConfig('tanh', { nHidden: 9 }), 195, 1.3);
  const T = 10;
  const trials = randomTrials(model, T, 2, 'mse', 196);
  const matrix = new Float64Array(3 * 9);
  new Rng(8).fork('feedback').fork('3x9').fillUniform(matrix, -1 / 3, 1 / 3);
  const traj = referenceForward(model, trials, null);
  const b = computeGradient(model, trials, { rule: 'bptt', ruleOptions: { feedback: 'random', rng: new Rng(8) } });
  const wb = worstRelativeError(b.grads, referenceReverse(model, trials, traj, { readoutBack: matrix }), PARAM_NAMES);
  t.ok(wb.error < 1e-10, `bptt: max relative error ${wb.error.toExponential(2)} (worst ${wb.name})`);
  const k = computeGradient(model, trials, { rule: 'tbptt:3', ruleOptions: { feedback: 'random', rng: new Rng(8) } });
  const wk = worstRelativeError(k.grads, referenceReverse(model, trials, traj, { readoutBack: matrix, cutInto: cutsOf(T, 3) }), PARAM_NAMES);
  t.ok(wk.error < 1e-10, `tbptt:3: max relative error ${wk.error.toExponential(2)} (worst ${wk.name})`);
  t.ok(relativeError(b.grads.Wh, computeGradient(model, trials).grads.Wh) > 1e-3, 'and it is not the exact gradient');
  t.end();
});
