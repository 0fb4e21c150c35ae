// ModProp as LearningRuleSimilarities implements it: cell-type averaged effective weights W_ab and
// a constant derivative mu on the backward recurrent path, exact readout and weight outer
// products. Checked against an independent reverse pass, against an exact limit (one unit per
// cell type, mu = 1, every ReLU active: ModProp is BPTT), and optionally against PyTorch running
// the reference's custom autograd functions.
import test from 'tape';
import { DEFAULT_MODPROP_MU, PARAM_NAMES, Rng, blockAverage, cellTypeBounds, computeGradient, createModprop, modelToJSON, trialsToJSON } from '../ts/index.js';
import type { LeakyRNN, Trials } from '../ts/index.js';
import { randomModel, randomTrials, relativeError, runPython, smallConfig, torchAvailable, worstRelativeError } from './helpers.js';
import { referenceEffectiveWh, referenceForward, referenceReverse } from './rule-references.js';

const daleRelu = (N: number, overrides = {}) => smallConfig('relu', { nHidden: N, dale: true, ...overrides });

test('cell types: contiguous blocks of floor(n/k) units, remainder in the last block (the reference partition)', (t) => {
  t.deepEqual(cellTypeBounds(0, 48, 8), [0, 6, 12, 18, 24, 30, 36, 42, 48], '48 E units, 8 types of 6');
  t.deepEqual(cellTypeBounds(0, 51, 8), [0, 6, 12, 18, 24, 30, 36, 42, 51], '51 E units: the last type has 9');
  t.deepEqual(cellTypeBounds(160, 40, 8), [160, 165, 170, 175, 180, 185, 190, 195, 200], '40 I units after 160 E units');
  t.deepEqual(cellTypeBounds(0, 29, 8), [0, 3, 6, 9, 12, 15, 18, 21, 24, 29], '29 units: q = 3 gives 9 types, as the reference does');
  t.deepEqual(cellTypeBounds(8, 2, 8), [8, 9, 10], 'fewer units than types: one type per unit');
  const W = Float64Array.from({ length: 16 }, (_, k) => k);
  t.deepEqual(Array.from(blockAverage(W, 4, [0, 1, 4])), [0, 2, 2, 2, 8, 10, 10, 10, 8, 10, 10, 10, 8, 10, 10, 10], 'block means');
  t.end();
});

/** W_ab of `model`, computed here from the effective weights with the reference's 8 + 8 types. */
function referenceWab(model: LeakyRNN, eTypes = 8, iTypes = 8): Float64Array {
  const N = model.N;
  const nE = model.nExcitatory;
  const W = referenceEffectiveWh(model, model.params.flat);
  const type = new Int32Array(N);
  // The reference's rule: starts every q = floor(count/k) units, the last start dropped when k does not divide count.
  const assign = (offset: number, count: number, k: number, first: number) => {
    if (count < k) {
      for (let u = 0; u < count; u++) type[offset + u] = first + u;
      return first + count;
    }
    const q = Math.floor(count / k);
    let starts = Math.ceil(count / q);
    if (count % k !== 0) starts -= 1;
    for (let u = 0; u < count; u++) type[offset + u] = first + Math.min(Math.floor(u / q), starts - 1);
    return first + starts;
  };
  const nTypes = assign(nE, N - nE, iTypes, assign(0, nE, eTypes, 0));
  const sum = new Float64Array(nTypes * nTypes);
  const count = new Float64Array(nTypes * nTypes);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
    const block = type[i]! * nTypes + type[j]!;
    sum[block] = sum[block]! + W[i * N + j]!;
    count[block] = count[block]! + 1;
  }
  return Float64Array.from({ length: N * N }, (_, k) => sum[type[Math.floor(k / N)]! * nTypes + type[k % N]!]! / count[type[Math.floor(k / N)]! * nTypes + type[k % N]!]!);
}

function referenceModprop(model: LeakyRNN, trials: Trials, mu: number, eTypes = 8, iTypes = 8) {
  return referenceReverse(model, trials, referenceForward(model, trials, null), { recurrentBack: referenceWab(model, eTypes, iTypes), mu });
}

for (const [N, loss, connectivity] of [[40, 'mse', 1], [23, 'ce', 1], [30, 'mse', 0.5]] as const) {
  test(`modprop equals the independent reverse pass: N = ${N}, ${loss}, connectivity ${connectivity}`, (t) => {
    const model = randomModel(daleRelu(N, { connectivity }), 301 + N, 1.5);
    const trials = randomTrials(model, 10, 3, loss, 302);
    const ours = computeGradient(model, trials, { rule: 'modprop' });
    const worst = worstRelativeError(ours.grads, referenceModprop(model, trials, DEFAULT_MODPROP_MU), PARAM_NAMES);
    t.ok(worst.error < 1e-10, `max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-10`);
    const exact = computeGradient(model, trials);
    t.ok(relativeError(ours.grads.Wout, exact.grads.Wout) < 1e-14, 'readout gradient exact');
    t.ok(relativeError(ours.grads.Wh, exact.grads.Wh) > 1e-3, 'recurrent gradient approximate');
    t.end();
  });
}

test('options: mu (default 0.2, the reference code) and the numbers of cell types', (t) => {
  const model = randomModel(daleRelu(20), 311, 1.5);
  const trials = randomTrials(model, 8, 2, 'mse', 312);
  const byDefault = computeGradient(model, trials, { rule: 'modprop' });
  t.equal(DEFAULT_MODPROP_MU, 0.2);
  t.deepEqual(Array.from(computeGradient(model, trials, { rule: createModprop({ mu: 0.2 }) }).grads.flat), Array.from(byDefault.grads.flat), 'default mu is 0.2');
  const paper = computeGradient(model, trials, { rule: 'modprop', ruleOptions: { mu: 0.25 } });
  t.ok(worstRelativeError(paper.grads, referenceModprop(model, trials, 0.25), PARAM_NAMES).error < 1e-10, 'mu = 0.25 (the paper text) as the reference reverse pass');
  const types = computeGradient(model, trials, { rule: 'modprop', ruleOptions: { excitatoryTypes: 2, inhibitoryTypes: 1 } });
  t.ok(worstRelativeError(types.grads, referenceModprop(model, trials, 0.2, 2, 1), PARAM_NAMES).error < 1e-10, '2 E types and 1 I type');
  t.throws(() => createModprop({ excitatoryTypes: 0 }), /options\.excitatoryTypes: expected an integer >= 1, received 0/);
  t.throws(() => createModprop({ nu: 1 } as never), /options\.nu: expected one of the keys mu, excitatoryTypes, inhibitoryTypes/);
  t.end();
});

test('exact limit: one unit per cell type, mu = 1 and every ReLU active make ModProp equal BPTT', (t) => {
  const N = 10;
  const model = randomModel(daleRelu(N), 321, 0.8);
  model.params.Wh.forEach((v, k) => (model.params.Wh[k] = 0.3 * v));
  model.params.b.fill(3);
  model.params.h0.fill(1);
  const trials = randomTrials(model, 8, 2, 'mse', 322);
  trials.inputs.forEach((v, k) => (trials.inputs[k] = 0.1 * v));
  const traj = referenceForward(model, trials, null);
  t.ok(traj.H.every((h) => h.every((v) => v > 0)), 'precondition: every state is positive (relu\' = 1 everywhere)');
  const m = computeGradient(model, trials, { rule: 'modprop', ruleOptions: { mu: 1, excitatoryTypes: N, inhibitoryTypes: N } });
  const worst = worstRelativeError(m.grads, computeGradient(model, trials).grads, PARAM_NAMES);
  t.ok(worst.error < 1e-12, `max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-12`);
  t.end();
});

test('modprop refuses models without relu or without Dale\'s law', (t) => {
  const tanh = randomModel(smallConfig('tanh', { nHidden: 10, dale: true }), 331);
  t.throws(() => computeGradient(tanh, randomTrials(tanh, 3, 1, 'mse', 1), { rule: 'modprop' }), /^RangeError: model\.config\.activation: expected a relu model with Dale's law for modprop \(ModProp needs relu units .*\), received "tanh"$/, 'tanh refused');
  const dense = randomModel(smallConfig('relu', { nHidden: 10 }), 332);
  t.throws(() => computeGradient(dense, randomTrials(dense, 3, 1, 'mse', 1), { rule: 'modprop' }), /^RangeError: model\.config\.dale: expected a relu model with Dale's law for modprop \(ModProp needs Dale's law.*received false$/, 'no Dale refused');
  t.end();
});

// The reference's two custom autograd functions, as reference-code.md 1.3 describes them: a ReLU
// whose backward multiplies by the constant mu, and a linear map whose backward sends the error to
// the presynaptic units through W_ab while the weight gradient is the exact outer product.
const TORCH_MODPROP = `
import json, sys, torch
torch.set_default_dtype(torch.float64)
d = json.load(sys.stdin)
m, tr, mu = d['model'], d['trials'], d['mu']
c = m['config']
N = c['nHidden']
P = {k: torch.tensor(v, requires_grad=True) for k, v in m['params'].items()}
nE = int(c['excitatoryFraction'] * N + 1e-9)
S = torch.tensor([[0.0 if i == j else (1.0 if j < nE else -1.0) for j in range(N)] for i in range(N)])
class ConstDerivRelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x): return torch.relu(x)
    @staticmethod
    def backward(ctx, g): return g * mu
class LinearBackWab(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z, W, Wab):
        ctx.save_for_backward(z, Wab)
        return z @ W.T
    @staticmethod
    def backward(ctx, g):
        z, Wab = ctx.saved_tensors
        return g @ Wab, g.T @ z, None
def bounds(offset, n, k):
    q = n // k
    starts = list(range(offset, offset + n, q))
    if n % k: starts = starts[:-1]
    return starts
edges = bounds(0, nE, 8) + bounds(nE, N - nE, 8) + [N]
Weff = torch.abs(P['Wh']) * S
Wd = Weff.detach()
Wab = torch.zeros(N, N)
for a in range(len(edges) - 1):
    for b in range(len(edges) - 1):
        blk = Wd[edges[a]:edges[a+1], edges[b]:edges[b+1]]
        Wab[edges[a]:edges[a+1], edges[b]:edges[b+1]] = blk.mean()
x = torch.tensor(tr['inputs'])
al = c['alpha']
T, B = x.shape[0], x.shape[1]
ah = P['h0'].expand(B, -1)
ys = []
for t in range(T):
    r_ = ConstDerivRelu.apply(ah)
    ah = al * ah + (1 - al) * (LinearBackWab.apply(r_, Weff, Wab) + x[t] @ P['Wx'].T + P['b'])
    ys.append(torch.relu(ah) @ P['Wout'].T + P['bOut'])
y = torch.stack(ys)
mask = torch.tensor(tr['mask'])
loss = (mask[..., None] * (y - torch.tensor(tr['targets'])) ** 2).sum() / (y.shape[2] * mask.sum())
loss.backward()
print(json.dumps({'grads': {k: v.grad.flatten().tolist() for k, v in P.items()}}))
`;

test("modprop equals PyTorch running the reference's custom autograd functions (optional)", { skip: !torchAvailable() }, (t) => {
  for (const N of [40, 37]) {
    const model = randomModel(daleRelu(N), 341 + N, 1.5);
    const trials = randomTrials(model, 9, 2, 'mse', 342);
    const ours = computeGradient(model, trials, { rule: 'modprop', rng: new Rng(1) });
    const ref = runPython(TORCH_MODPROP, { model: modelToJSON(model), trials: trialsToJSON(trials), mu: DEFAULT_MODPROP_MU }) as { grads: Record<string, number[]> };
    let worst = 0;
    for (const name of PARAM_NAMES) worst = Math.max(worst, relativeError(ours.grads.get(name), ref.grads[name]!));
    t.ok(worst < 1e-10, `N = ${N}: gradients equal torch's to ${worst.toExponential(2)} (< 1e-10)`);
  }
  t.end();
});
