// Adam and SGD against the torch.optim update formulas written out in plain TS (float64), and
// against torch itself when it is installed; gradient clipping as clip_grad_norm_.
import test from 'tape';
import { ParamSet, Rng, adam, clipGradNorm, gradNorm, sgd } from '../ts/index.js';
import { relativeError, runPython, torchAvailable } from './helpers.js';

const dims = { nIn: 2, nHidden: 3, nOut: 2 };
const ALL = ['Wh', 'Wx', 'b', 'Wout', 'bOut', 'h0'] as const;

function randomSet(seed: number): ParamSet {
  const p = new ParamSet(dims, 'float64');
  new Rng(seed).fillNormal(p.flat);
  return p;
}

test('adam matches the torch.optim.Adam formula over several steps, with weight decay', (t) => {
  const params = randomSet(1);
  const ref = Float64Array.from(params.flat);
  const opt = adam({ lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 });
  const state = opt.init(params);
  const m = new Float64Array(ref.length);
  const v = new Float64Array(ref.length);
  for (let step = 1; step <= 5; step++) {
    const grads = randomSet(10 + step);
    opt.update(state, params, grads, ALL);
    for (let k = 0; k < ref.length; k++) {
      const g = grads.flat[k]! + 0.1 * ref[k]!;
      m[k] = 0.8 * m[k]! + 0.2 * g;
      v[k] = 0.99 * v[k]! + 0.01 * g * g;
      const denom = Math.sqrt(v[k]!) / Math.sqrt(1 - 0.99 ** step) + 1e-6;
      ref[k] = ref[k]! - (0.01 / (1 - 0.8 ** step)) * (m[k]! / denom);
    }
  }
  t.ok(relativeError(params.flat, ref) < 1e-14, 'parameters equal the reference formula');
  t.equal(state.step, 5, 'the state counts steps');
  t.end();
});

test('optimisers step exactly the `trainable` parameters, each once, whatever their order', (t) => {
  // Wh and Wout are not adjacent in the flat array (two runs); the duplicate must not step twice.
  const trainable = ['Wout', 'Wh', 'Wout'] as const;
  for (const make of [() => adam({ lr: 0.1 }), () => sgd({ lr: 0.1, momentum: 0.5 })]) {
    const params = randomSet(2);
    const grads = randomSet(3);
    const opt = make();
    const state = opt.init(params);
    opt.update(state as never, params, grads, trainable);
    // The reference: the same optimiser on each trained parameter alone, as a set of its own.
    for (const name of ALL) {
      const alone = randomSet(2);
      const refOpt = make();
      if (trainable.includes(name as never)) refOpt.update(refOpt.init(alone) as never, alone, grads, [name]);
      t.deepEqual(Array.from(params[name]), Array.from(alone[name]), `${opt.name}: ${name} ${trainable.includes(name as never) ? 'stepped once' : 'unchanged'}`);
    }
  }
  t.end();
});

test('sgd with momentum matches torch.optim.SGD', (t) => {
  const params = randomSet(4);
  const ref = Float64Array.from(params.flat);
  const opt = sgd({ lr: 0.05, momentum: 0.9 });
  const state = opt.init(params);
  const buf = new Float64Array(ref.length);
  for (let step = 1; step <= 4; step++) {
    const grads = randomSet(20 + step);
    opt.update(state, params, grads, ALL);
    for (let k = 0; k < ref.length; k++) {
      buf[k] = step === 1 ? grads.flat[k]! : 0.9 * buf[k]! + grads.flat[k]!;
      ref[k] = ref[k]! - 0.05 * buf[k]!;
    }
  }
  t.ok(relativeError(params.flat, ref) < 1e-14, 'parameters equal the reference formula');
  t.end();
});

test('clipGradNorm scales to the max norm and returns the norm before clipping', (t) => {
  const grads = randomSet(5);
  const before = gradNorm(grads, ALL);
  const returned = clipGradNorm(grads, ALL, before / 4);
  t.equal(returned, before, 'returns the norm before clipping');
  t.ok(Math.abs(gradNorm(grads, ALL) - before / 4) < 1e-6, 'norm after clipping is maxNorm');
  const small = randomSet(6);
  const copy = Float64Array.from(small.flat);
  clipGradNorm(small, ALL, 1e9);
  t.deepEqual(Array.from(small.flat), Array.from(copy), 'no change below the max norm');
  t.end();
});

test('adam equals torch.optim.Adam itself (optional independent reference)', { skip: !torchAvailable() }, (t) => {
  const params = randomSet(7);
  const start = Array.from(params.flat);
  const grads = [randomSet(8), randomSet(9), randomSet(10)];
  const opt = adam({ lr: 3e-3 });
  const state = opt.init(params);
  for (const g of grads) opt.update(state, params, g, ALL);
  const script = `
import json, sys, torch
d = json.load(sys.stdin)
p = torch.tensor(d['start'], dtype=torch.float64, requires_grad=True)
opt = torch.optim.Adam([p], lr=3e-3)
for g in d['grads']:
    p.grad = torch.tensor(g, dtype=torch.float64)
    opt.step()
print(json.dumps(p.detach().tolist()))`;
  const ref = runPython(script, { start, grads: grads.map((g) => Array.from(g.flat)) }) as number[];
  t.ok(relativeError(params.flat, ref) < 1e-13, `equal to torch to ${relativeError(params.flat, ref).toExponential(2)}`);
  t.end();
});
