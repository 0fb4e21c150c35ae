// Node perturbation (paper 2, eq. 10) and evolution strategies (eq. 11): forward-only estimates.
// Statistical tests with fixed seeds: over K independent estimates on a small problem, the mean
// cosine with the exact gradient must exceed 0 by more than 4 standard errors, and the average
// estimate must point where the rule's expectation says (e-prop for np, the gradient for es).
import test from 'tape';
import { ParamSet, Rng, computeGradient, createEs, createNodePerturbation, getRule } from '../ts/index.js';
import type { ParamName } from '../ts/index.js';
import { native } from '../ts/native.js';
import { randomModel, randomTrials, relativeError, smallConfig } from './helpers.js';

const TRAINABLE: ParamName[] = ['Wh', 'Wx', 'b', 'Wout', 'bOut'];
const RECURRENT: ParamName[] = ['Wh', 'Wx', 'b'];

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

/** K estimates from independent streams: the mean and standard error of cos(estimate, target), and the mean estimate. */
function sample(rule: string, options: Record<string, unknown>, K: number, target: ParamSet, names: readonly ParamName[]) {
  const model = problem();
  const trials = batch(model);
  const rng = new Rng(2024);
  const mean = new ParamSet(model.params.dims, 'float64');
  const cos: number[] = [];
  for (let k = 0; k < K; k++) {
    const { grads } = computeGradient(model, trials, { rule, ruleOptions: options, rng: rng.fork(k) });
    cos.push(cosine(grads, target, names));
    for (let i = 0; i < grads.flat.length; i++) mean.flat[i] = mean.flat[i]! + grads.flat[i]! / K;
  }
  const m = cos.reduce((s, c) => s + c, 0) / K;
  const sd = Math.sqrt(cos.reduce((s, c) => s + (c - m) ** 2, 0) / (K - 1));
  return { meanCos: m, se: sd / Math.sqrt(K), mean };
}

// The small problem: 8 tanh units, 10 steps, 4 trials, mse; e-prop aligns well with BPTT here.
const problem = () => randomModel(smallConfig('tanh', { nHidden: 8, trainable: TRAINABLE }), 401, 0.9);
const batch = (model: ReturnType<typeof problem>) => randomTrials(model, 10, 4, 'mse', 402);

test('np: positive expected alignment with the exact gradient; its mean is the e-prop update', (t) => {
  const model = problem();
  const trials = batch(model);
  const exact = computeGradient(model, trials).grads;
  const eprop = computeGradient(model, trials, { rule: 'eprop' }).grads;
  const K = 200;
  const s = sample('np', {}, K, exact, RECURRENT);
  t.ok(s.meanCos - 4 * s.se > 0, `mean cos(np, bptt) over Wh, Wx, b = ${s.meanCos.toFixed(3)} ± ${s.se.toFixed(3)} (K = ${K}): above 0 by more than 4 standard errors`);
  t.ok(s.meanCos > 0.5, 'and above the stated margin 0.5 (measured 0.71)');
  const toEprop = cosine(s.mean, eprop, RECURRENT);
  t.ok(toEprop > 0.99, `cos(mean of ${K} np estimates, e-prop) = ${toEprop.toFixed(4)} > 0.99: np estimates e-prop's learning signal`);
  const one = computeGradient(model, trials, { rule: 'np', rng: new Rng(1) });
  t.ok(relativeError(one.grads.Wout, exact.Wout) < 1e-14 && relativeError(one.grads.bOut, exact.bOut) < 1e-14, 'readout gradient exact');
  t.equal(one.loss, computeGradient(model, trials).loss, 'the loss is the unperturbed loss');
  t.end();
});

test('es: positive expected alignment with the exact gradient (S = 50, baseline; and antithetic)', (t) => {
  const model = problem();
  const exact = computeGradient(model, batch(model)).grads;
  const K = 200;
  const s = sample('es', {}, K, exact, TRAINABLE);
  t.ok(s.meanCos - 4 * s.se > 0, `mean cos(es, bptt) = ${s.meanCos.toFixed(3)} ± ${s.se.toFixed(3)} (K = ${K}): above 0 by more than 4 standard errors`);
  t.ok(s.meanCos > 0.3, 'and above the stated margin 0.3 (measured 0.54)');
  const avg = cosine(s.mean, exact, TRAINABLE);
  t.ok(avg > 0.9, `cos(mean of ${K} es estimates, bptt) = ${avg.toFixed(4)} > 0.9: unbiased for the (smoothed) gradient`);
  const r = sample('es', {}, K, exact, RECURRENT);
  t.ok(r.meanCos - 4 * r.se > 0, `over Wh, Wx, b alone: mean cos = ${r.meanCos.toFixed(3)} ± ${r.se.toFixed(3)}, above 0 by more than 4 standard errors`);
  const a = sample('es', { antithetic: true }, K, exact, TRAINABLE);
  t.ok(a.meanCos - 4 * a.se > 0, `antithetic: mean cos = ${a.meanCos.toFixed(3)} ± ${a.se.toFixed(3)}`);
  t.end();
});

test('stochastic rules are reproducible from the Rng and need one', (t) => {
  const model = problem();
  const trials = batch(model);
  for (const rule of ['np', 'es']) {
    const a = computeGradient(model, trials, { rule, rng: new Rng(5) });
    const b = computeGradient(model, trials, { rule, rng: new Rng(5) });
    const c = computeGradient(model, trials, { rule, rng: new Rng(6) });
    t.deepEqual(Array.from(a.grads.flat), Array.from(b.grads.flat), `${rule}: same seed, same estimate`);
    t.notDeepEqual(Array.from(c.grads.Wh), Array.from(a.grads.Wh), `${rule}: another seed, another estimate`);
    t.throws(() => computeGradient(model, trials, { rule }), new RegExp(`^TypeError: rng: expected an Rng \\(the ${rule} rule draws random perturbations\\), received undefined$`), `${rule}: no generator`);
  }
  const noisy = randomModel(smallConfig('tanh', { nHidden: 8, noiseStd: 0.1 }), 403);
  const g = computeGradient(noisy, randomTrials(noisy, 6, 2, 'mse', 404), { rule: 'es', rng: new Rng(1) });
  t.ok(Number.isFinite(g.loss) && g.grads.flat.every(Number.isFinite), 'es with state noise (one noise draw shared by all samples)');
  t.end();
});

test('es perturbs only the trainable parameters; options are checked', (t) => {
  const model = randomModel(smallConfig('tanh', { nHidden: 6, trainable: ['Wh', 'b'] }), 411);
  const { grads } = computeGradient(model, randomTrials(model, 5, 2, 'mse', 412), { rule: 'es', rng: new Rng(1) });
  t.ok(['Wx', 'Wout', 'bOut', 'h0'].every((n) => grads.get(n as ParamName).every((v) => v === 0)), 'untrained parameters get exactly 0');
  t.ok(grads.Wh.some((v) => v !== 0) && grads.b.some((v) => v !== 0), 'trained ones get an estimate');
  t.throws(() => createEs({ antithetic: true, samples: 5 }), /options\.samples: expected an even number with antithetic sampling \(S\/2 mirrored pairs\), received 5/);
  t.throws(() => createEs({ sigma: 0 }), /options\.sigma: expected a finite number >= 1e-100, received 0/);
  t.throws(() => createEs({ samples: 0 }), /options\.samples: expected an integer >= 1, received 0/);
  t.throws(() => createEs({ antithetic: 'yes' } as never), /^TypeError: options\.antithetic: expected true or false, received "yes"$/);
  t.throws(() => createNodePerturbation({ sigma: -1 }), /options\.sigma: expected a finite number >= 1e-100, received -1/);
  t.throws(() => getRule('es', { population: 10 }), /rule options\.population: expected one of the keys samples, sigma, antithetic, baseline/);
  t.equal(getRule('es').description.includes('S = 50'), true, 'S = 50 by default');
  t.end();
});

test('the native perturbation stream is standard normal (ziggurat) and reproducible', (t) => {
  const n = 1_000_000;
  const z = new Float64Array(n);
  native.normalSamples(z, 12345, 678);
  let m1 = 0;
  let m2 = 0;
  let m4 = 0;
  let tail = 0;
  for (const v of z) {
    m1 += v;
    m2 += v * v;
    m4 += v ** 4;
    if (Math.abs(v) > 3) tail++;
  }
  // Standard errors for n = 1e6: mean 0.001, variance 0.0014, fourth moment 0.01, P(|z| > 3) 2.3e-5.
  t.ok(Math.abs(m1 / n) < 0.005, `mean ${(m1 / n).toExponential(2)}`);
  t.ok(Math.abs(m2 / n - 1) < 0.007, `variance ${(m2 / n).toFixed(4)}`);
  t.ok(Math.abs(m4 / n - 3) < 0.05, `fourth moment ${(m4 / n).toFixed(3)} (3 for a normal)`);
  t.ok(Math.abs(tail / n - 0.0026998) < 0.00012, `P(|z| > 3) = ${(tail / n).toExponential(3)} (0.0027 for a normal)`);
  const again = new Float64Array(10);
  native.normalSamples(again, 12345, 678);
  t.deepEqual(Array.from(again), Array.from(z.subarray(0, 10)), 'same seed, same stream');
  t.end();
});
