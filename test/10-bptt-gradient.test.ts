// BPTT against central finite differences (float64), for every activation and both losses,
// with masks; and against an independent float64 reference (PyTorch autograd) when installed.
import test from 'tape';
import { ACTIVATIONS, PARAM_NAMES, computeGradient, modelToJSON, trialsToJSON } from '../ts/index.js';
import { finiteDifferenceGradient, randomModel, randomTrials, relativeError, runPython, smallConfig, torchAvailable, worstRelativeError } from './helpers.js';

for (const activation of ACTIVATIONS) {
  for (const loss of ['mse', 'ce'] as const) {
    test(`bptt equals finite differences: ${activation}, ${loss}, masked`, (t) => {
      const model = randomModel(smallConfig(activation), 11, 1.3);
      const trials = randomTrials(model, 7, 3, loss, 12);
      const { grads } = computeGradient(model, trials);
      const fd = finiteDifferenceGradient(model, trials);
      const worst = worstRelativeError(grads, fd, PARAM_NAMES);
      t.ok(worst.error < 1e-6, `max relative error ${worst.error.toExponential(2)} (worst: ${worst.name}) < 1e-6`);
      t.end();
    });
  }
}

test('bptt with alpha = 0 (vanilla RNN) and without a mask equals finite differences', (t) => {
  const model = randomModel(smallConfig('tanh', { alpha: 0 }), 3);
  const trials = randomTrials(model, 6, 2, 'mse', 4, false);
  const worst = worstRelativeError(computeGradient(model, trials).grads, finiteDifferenceGradient(model, trials), PARAM_NAMES);
  t.ok(worst.error < 1e-6, `max relative error ${worst.error.toExponential(2)} < 1e-6`);
  t.end();
});

test('bptt with no inputs (nIn = 0) and one step', (t) => {
  const model = randomModel(smallConfig('retanh', { nIn: 0 }), 5);
  const trials = randomTrials(model, 1, 2, 'mse', 6);
  const worst = worstRelativeError(computeGradient(model, trials).grads, finiteDifferenceGradient(model, trials), PARAM_NAMES);
  t.ok(worst.error < 1e-6, `max relative error ${worst.error.toExponential(2)} < 1e-6`);
  t.end();
});

const TORCH_REFERENCE = `
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
    h = a * h + (1 - a) * (f(h) @ P['Wh'].T + x[t] @ P['Wx'].T + P['b'])
    ys.append(f(h) @ P['Wout'].T + P['bOut'])
y = torch.stack(ys)
mask = torch.tensor(tr['mask']) if 'mask' in tr else torch.ones(T, B)
if tr['loss'] == 'mse':
    tgt = torch.tensor(tr['targets'])
    loss = (mask[..., None] * (y - tgt) ** 2).sum() / (y.shape[2] * mask.sum())
else:
    tgt = torch.tensor(tr['targets']).long()
    nll = -torch.log_softmax(y, dim=2).gather(2, tgt[..., None])[..., 0]
    loss = (mask * nll).sum() / mask.sum()
loss.backward()
print(json.dumps({'loss': loss.item(), 'grads': {k: v.grad.flatten().tolist() for k, v in P.items()}}))
`;

test('bptt equals PyTorch float64 autograd (optional independent reference)', { skip: !torchAvailable() }, (t) => {
  for (const [activation, loss] of [['tanh', 'mse'], ['relu', 'ce'], ['retanh', 'mse']] as const) {
    const model = randomModel(smallConfig(activation, { nHidden: 8 }), 21, 1.5);
    const trials = randomTrials(model, 12, 4, loss, 22);
    const ours = computeGradient(model, trials);
    const ref = runPython(TORCH_REFERENCE, { model: modelToJSON(model), trials: trialsToJSON(trials) }) as { loss: number; grads: Record<string, number[]> };
    t.ok(Math.abs(ours.loss - ref.loss) < 1e-12 * Math.max(1, Math.abs(ref.loss)), `${activation}/${loss}: loss ${ours.loss} equals torch ${ref.loss}`);
    let worst = 0;
    for (const name of PARAM_NAMES) worst = Math.max(worst, relativeError(ours.grads.get(name), ref.grads[name]!));
    t.ok(worst < 1e-10, `${activation}/${loss}: gradients equal torch's to ${worst.toExponential(2)} (< 1e-10)`);
  }
  t.end();
});
