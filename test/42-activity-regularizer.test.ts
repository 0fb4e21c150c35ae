// The activity L2 regulariser of paper 2 (lambda * mean over t >= 1, trials, units of f(h_t)^2)
// in every rule's loss and gradient, float64: BPTT and RTRL against central finite differences of
// an independent reference loss; tBPTT and e-prop against finite differences of their surrogate
// graphs with the regulariser; e-prop against tbptt:1 (two kernels, same surrogate); ModProp in
// its exact limit; node perturbation and ES in expectation; the reported terms; the off switch.
import test from 'tape';
import { PARAM_NAMES, ParamSet, Rng, computeGradient } from '../ts/index.js';
import type { LeakyRNN, ParamName, Trials } from '../ts/index.js';
import { randomModel, randomTrials, relativeError, smallConfig, worstRelativeError } from './helpers.js';
import { referenceForward } from './rule-references.js';

const LAMBDA = 0.7;

/** The regularised loss of the reference forward pass (optionally with detached recurrent drives). */
function regularizedLoss(model: LeakyRNN, trials: Trials, lambda: number, flat: ArrayLike<number> = model.params.flat, detachInto: (s: number) => boolean = () => false, frozen: Float64Array[] | null = null): number {
  const traj = referenceForward(model, trials, null, flat, detachInto, frozen);
  let ss = 0;
  for (let t = 1; t < traj.R.length; t++) for (const r of traj.R[t]!) ss += r * r;
  return traj.loss + (lambda * ss) / (trials.T * trials.B * model.N);
}

/** Central finite differences of regularizedLoss over every parameter (surrogate when detachInto is given). */
function finiteDifferences(model: LeakyRNN, trials: Trials, lambda: number, detachInto: (s: number) => boolean = () => false, eps = 1e-6): ParamSet {
  const frozen = referenceForward(model, trials, null).R;
  const flat = Float64Array.from(model.params.flat);
  const out = new ParamSet(model.params.dims, 'float64');
  for (let k = 0; k < flat.length; k++) {
    const saved = flat[k]!;
    flat[k] = saved + eps;
    const plus = regularizedLoss(model, trials, lambda, flat, detachInto, frozen);
    flat[k] = saved - eps;
    const minus = regularizedLoss(model, trials, lambda, flat, detachInto, frozen);
    flat[k] = saved;
    out.flat[k] = (plus - minus) / (2 * eps);
  }
  return out;
}

const reg = { activityL2: LAMBDA };

for (const [activation, loss] of [['retanh', 'mse'], ['tanh', 'ce'], ['relu', 'mse']] as const) {
  test(`bptt and rtrl with the activity regulariser equal finite differences: ${activation}, ${loss}, masked, h0 trainable`, (t) => {
    const model = randomModel(smallConfig(activation), 71, 1.3);
    const trials = randomTrials(model, 8, 3, loss, 72);
    const fd = finiteDifferences(model, trials, LAMBDA);
    const bptt = computeGradient(model, trials, { rule: 'bptt', loss: reg });
    const worst = worstRelativeError(bptt.grads, fd, PARAM_NAMES);
    t.ok(worst.error < 1e-7, `bptt: max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-7`);
    t.ok(Math.abs(bptt.loss - regularizedLoss(model, trials, LAMBDA)) < 1e-13, 'bptt returns the regularised loss');
    const rtrl = computeGradient(model, trials, { rule: 'rtrl', loss: reg });
    const toBptt = worstRelativeError(rtrl.grads, bptt.grads, PARAM_NAMES);
    t.ok(toBptt.error < 1e-10, `rtrl = bptt to ${toBptt.error.toExponential(2)} (worst ${toBptt.name})`);
    t.ok(Math.abs(rtrl.loss - bptt.loss) < 1e-13, 'rtrl returns the same loss');
    const plain = computeGradient(model, trials, { rule: 'bptt' });
    t.ok(worstRelativeError(bptt.grads, plain.grads, ['Wh', 'Wx', 'b', 'h0']).error > 1e-3, 'the regulariser changes the gradient (the check has teeth)');
    t.ok(Math.abs(bptt.terms.task - plain.loss) < 1e-14 && Math.abs(rtrl.terms.task - plain.loss) < 1e-13, 'terms.task is the unregularised loss');
    t.ok(Math.abs(bptt.terms.task + bptt.terms.activityL2 - bptt.loss) < 1e-14 && bptt.terms.activityL2 > 0, 'terms add up to the loss');
    t.end();
  });
}

test('tbptt:K and e-prop with the regulariser equal finite differences of their surrogate graphs; e-prop = tbptt:1', (t) => {
  const model = randomModel(smallConfig('retanh'), 81, 1.4);
  const T = 9;
  const trials = randomTrials(model, T, 2, 'mse', 82);
  const K = 3;
  const tb = computeGradient(model, trials, { rule: `tbptt:${K}`, loss: reg });
  const tbFd = finiteDifferences(model, trials, LAMBDA, (s) => (T - s + 1) % K === 0);
  const w1 = worstRelativeError(tb.grads, tbFd, PARAM_NAMES);
  t.ok(w1.error < 1e-7, `tbptt:${K}: max relative error ${w1.error.toExponential(2)} (worst ${w1.name}) < 1e-7`);
  const ep = computeGradient(model, trials, { rule: 'eprop', loss: reg });
  const epFd = finiteDifferences(model, trials, LAMBDA, () => true);
  const w2 = worstRelativeError(ep.grads, epFd, PARAM_NAMES);
  t.ok(w2.error < 1e-7, `e-prop: max relative error ${w2.error.toExponential(2)} (worst ${w2.name}) against the detached surrogate < 1e-7`);
  const k1 = computeGradient(model, trials, { rule: 'tbptt:1', loss: reg });
  const w3 = worstRelativeError(ep.grads, k1.grads, PARAM_NAMES);
  t.ok(w3.error < 1e-10, `e-prop (online traces, eprop.cpp) = tbptt:1 (reverse pass, bptt.cpp) to ${w3.error.toExponential(2)}`);
  t.ok(Math.abs(ep.loss - tb.loss) < 1e-13 && Math.abs(ep.terms.activityL2 - tb.terms.activityL2) < 1e-15, 'same loss and terms from both kernels');
  t.end();
});

test('modprop with the regulariser: in the exact limit (one unit per type, mu = 1, all ReLUs on) it equals bptt', (t) => {
  const N = 10;
  const model = randomModel(smallConfig('relu', { nHidden: N, dale: true }), 321, 0.8);
  model.params.Wh.forEach((v, k) => (model.params.Wh[k] = 0.3 * v));
  model.params.b.fill(3);
  model.params.h0.fill(1);
  const trials = randomTrials(model, 8, 2, 'mse', 322);
  trials.inputs.forEach((v, k) => (trials.inputs[k] = 0.1 * v));
  const m = computeGradient(model, trials, { rule: 'modprop', ruleOptions: { mu: 1, excitatoryTypes: N, inhibitoryTypes: N }, loss: reg });
  const b = computeGradient(model, trials, { rule: 'bptt', loss: reg });
  const worst = worstRelativeError(m.grads, b.grads, PARAM_NAMES);
  t.ok(worst.error < 1e-12, `max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-12`);
  const plain = computeGradient(model, trials, { rule: 'modprop', ruleOptions: { mu: 1, excitatoryTypes: N, inhibitoryTypes: N } });
  t.ok(worstRelativeError(m.grads, plain.grads, ['Wh', 'b']).error > 1e-3, 'and the regulariser mattered');
  t.end();
});

function cosine(a: ParamSet, b: ParamSet, names: readonly ParamName[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (const n of names) {
    const x = a.get(n);
    const y = b.get(n);
    for (let k = 0; k < x.length; k++) {
      ab += x[k]! * y[k]!;
      aa += x[k]! * x[k]!;
      bb += y[k]! * y[k]!;
    }
  }
  return ab / Math.sqrt(aa * bb);
}

test('np and es estimate the regularised gradient: with the readout at zero, their mean follows the regulariser alone', (t) => {
  const RECURRENT: ParamName[] = ['Wh', 'Wx', 'b'];
  // Only Wh, Wx, b trainable: ES then perturbs nothing else (a perturbed readout would add the
  // large readout gradient's variance to every recurrent entry of the estimate).
  const model = randomModel(smallConfig('tanh', { nHidden: 8, trainable: RECURRENT }), 401, 0.9);
  // Wout = 0: the task error cannot reach the hidden units, so only the regulariser moves Wh, Wx, b.
  model.params.Wout.fill(0);
  const trials = randomTrials(model, 10, 4, 'mse', 402);
  const lambda = 5;
  const eprop = computeGradient(model, trials, { rule: 'eprop', loss: { activityL2: lambda } });
  const bptt = computeGradient(model, trials, { rule: 'bptt', loss: { activityL2: lambda } });
  const unregularised = computeGradient(model, trials, { rule: 'bptt' });
  t.ok(RECURRENT.every((n) => unregularised.grads.get(n).every((v) => v === 0)), 'precondition: without the regulariser the recurrent gradient is exactly 0');
  for (const [rule, ruleOptions, K, target, names, floor] of [
    ['np', {}, 100, eprop.grads, RECURRENT, 0.95],
    ['es', { samples: 1000, antithetic: true }, 20, bptt.grads, RECURRENT, 0.9],
  ] as const) {
    const mean = new ParamSet(model.params.dims, 'float64');
    const rng = new Rng(99);
    let lossOk = true;
    for (let k = 0; k < K; k++) {
      const est = computeGradient(model, trials, { rule, ruleOptions, rng: rng.fork(k), loss: { activityL2: lambda } });
      lossOk &&= Math.abs(est.loss - bptt.loss) < 1e-13 && Math.abs(est.terms.activityL2 - bptt.terms.activityL2) < 1e-13;
      for (let i = 0; i < mean.flat.length; i++) mean.flat[i] = mean.flat[i]! + est.grads.flat[i]! / K;
    }
    const c = cosine(mean, target, names);
    t.ok(c > floor, `${rule}: the mean of ${K} estimates has cosine ${c.toFixed(4)} > ${floor} with ${rule === 'np' ? 'e-prop' : 'bptt'} (regulariser only)`);
    const onWh = cosine(mean, target, ['Wh']);
    t.ok(onWh > floor, `${rule}: and on Wh alone ${onWh.toFixed(4)} > ${floor} (es once left Wh of unconstrained models unperturbed)`);
    t.ok(lossOk, `${rule} returns the regularised loss and its terms`);
  }
  t.end();
});

test('off by default: lambda 0 leaves every rule\'s gradient bit-identical; bad values are refused', (t) => {
  const model = randomModel(smallConfig('retanh'), 91, 1.2);
  const trials = randomTrials(model, 6, 2, 'mse', 92);
  for (const rule of ['bptt', 'tbptt:2', 'eprop', 'rtrl']) {
    const a = computeGradient(model, trials, { rule });
    const b = computeGradient(model, trials, { rule, loss: { activityL2: 0 } });
    t.deepEqual(Array.from(b.grads.flat), Array.from(a.grads.flat), `${rule}: lambda 0 = no regulariser`);
    t.equal(b.loss, a.loss, `${rule}: same loss`);
    t.equal(a.terms.activityL2, 0, `${rule}: regulariser term 0`);
  }
  const f32 = randomModel(smallConfig('retanh'), 91, 1.2, 'float32');
  const g32 = computeGradient(f32, trials, { rule: 'eprop', loss: reg }).grads;
  const g64 = computeGradient(model, trials, { rule: 'eprop', loss: reg }).grads;
  t.ok(relativeError(g32.flat, g64.flat) < 1e-4, 'float32 follows float64');
  t.throws(() => computeGradient(model, trials, { loss: { activityL2: -1 } }), /loss\.activityL2: expected a finite number >= 0, received -1/);
  t.throws(() => computeGradient(model, trials, { loss: { activityL3: 1 } as never }), /loss\.activityL3: expected the key activityL2/);
  t.throws(() => computeGradient(model, trials, { loss: { activityL2: NaN } }), /loss\.activityL2: expected a/);
  t.end();
});
