// Flossing gradients (reference/specs.md 2.1-2.4): `full` and `hdetached` against central finite
// differences (float64) of the loss they differentiate; `local` against the finite-difference
// derivative of its frozen-trajectory, frozen-frame surrogate; the special cases where modes
// must coincide.
import test from 'tape';
import { Rng, flossingGradient, lyapunovSpectrum } from '../ts/index.js';
import type { Activation, FlossMode, LeakyRNN, ParamName } from '../ts/index.js';
import { activation as activationOf, flossLoss, householderQR, spectrum, weightsOf } from './dynamics-reference.js';
import type { Protocol } from './dynamics-reference.js';
import { randomModel, relativeError } from './helpers.js';

const EPS = 1e-6;

function setup(activation: Activation, seed: number, T: number, B = 1, N = 5): { model: LeakyRNN; inputs: Float64Array } {
  const model = randomModel({ nIn: 2, nHidden: N, nOut: 1, alpha: 0.6, activation }, seed, 1.5);
  const inputs = new Float64Array(T * B * 2);
  new Rng(seed + 100).fillNormal(inputs);
  return { model, inputs };
}

/** Central differences of `loss` with respect to every entry of the named parameters. */
function finiteDifferences(model: LeakyRNN, names: readonly ParamName[], loss: () => number): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const name of names) {
    const view = model.params.get(name);
    const fd = new Float64Array(view.length);
    for (let i = 0; i < view.length; i++) {
      const saved = view[i]!;
      view[i] = saved + EPS;
      const plus = loss();
      view[i] = saved - EPS;
      const minus = loss();
      view[i] = saved;
      fd[i] = (plus - minus) / (2 * EPS);
    }
    out[name] = fd;
  }
  return out;
}

/** Surrogate loss of one trajectory with the model's current weights (JS reference). */
function surrogateLoss(model: LeakyRNN, inputs: Float64Array, p: Protocol, frozen: { states?: Float64Array[]; frames?: Float64Array[][] }, target: number): number {
  return flossLoss(spectrum(model, weightsOf(model), inputs, p, frozen).exponents, target);
}

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

test('full: equals central finite differences of the flossing loss (all activations, warm-ups, batch, qrEvery)', (t) => {
  for (const activation of ['tanh', 'retanh', 'relu', 'linear'] as const) {
    for (const qrEvery of [1, 3]) {
      const A = 2;
      const Bq = 3;
      const S = 10;
      const B = 2;
      const { model, inputs } = setup(activation, 21, A + Bq + S, B);
      const options = { mode: 'full' as const, k: 3, warmupState: A, warmupQ: Bq, steps: S, inputs, batch: B, qrEvery, target: 0.1 };
      const r = flossingGradient(model, options);
      const fd = finiteDifferences(model, ['Wh', 'Wx', 'b'], () => flossingGradient(model, options).loss);
      const worst = Math.max(...(['Wh', 'Wx', 'b'] as const).map((n) => relativeError(r.grads.get(n), fd[n]!)));
      t.ok(worst < 1e-6, `${activation}, qrEvery ${qrEvery}: relative error ${worst.toExponential(2)} < 1e-6 (|dWh| ${norm(r.grads.Wh).toExponential(2)}, |dWx| ${norm(r.grads.Wx).toExponential(2)})`);
    }
  }
  t.end();
});

test('hdetached: equals finite differences of the frozen-state surrogate (JS reference)', (t) => {
  for (const activation of ['tanh', 'retanh', 'relu'] as const) {
    const p = { k: 3, warmupState: 2, warmupQ: 4, steps: 12, qrEvery: 1 };
    const { model, inputs } = setup(activation, 22, 18);
    const r = flossingGradient(model, { ...p, mode: 'hdetached', inputs, target: -0.05 });
    const H = spectrum(model, weightsOf(model), inputs, p).states;
    const fd = finiteDifferences(model, ['Wh'], () => surrogateLoss(model, inputs, p, { states: H }, -0.05));
    const err = relativeError(r.grads.Wh, fd.Wh!);
    t.ok(err < 1e-6, `${activation}: relative error ${err.toExponential(2)} < 1e-6`);
    t.ok(norm(r.grads.Wx) === 0 && norm(r.grads.b) === 0, 'Wx and b get no gradient (they act only through the frozen states)');
  }
  t.end();
});

test('local: equals finite differences of the frozen-state, frozen-frame surrogate', (t) => {
  for (const [activation, qrEvery] of [['tanh', 1], ['retanh', 1], ['relu', 1], ['tanh', 2]] as const) {
    const p = { k: 3, warmupState: 1, warmupQ: 3, steps: 12, qrEvery };
    const { model, inputs } = setup(activation, 23, 16);
    const r = flossingGradient(model, { ...p, mode: 'local', inputs, target: 0.02 });
    const base = spectrum(model, weightsOf(model), inputs, p);
    const fd = finiteDifferences(model, ['Wh'], () => surrogateLoss(model, inputs, p, { states: base.states, frames: base.frames }, 0.02));
    const err = relativeError(r.grads.Wh, fd.Wh!);
    t.ok(err < 1e-8, `${activation}, qrEvery ${qrEvery}: relative error ${err.toExponential(2)} < 1e-8`);
    t.ok(norm(r.grads.Wx) === 0 && norm(r.grads.b) === 0, 'Wx and b get no gradient');
  }
  t.end();
});

test('special cases: one QR step (Qbar = 0, Abar = Q diag(c) R^-T); linear and relu units', (t) => {
  // One accumulation step from h0, no warm-up: no chain and no trajectory dependence, so all
  // three modes reduce to the special case of the QR adjoint.
  const { model, inputs } = setup('tanh', 24, 1);
  const one = { k: 4, steps: 1, inputs };
  const full = flossingGradient(model, { ...one, mode: 'full' });
  const hd = flossingGradient(model, { ...one, mode: 'hdetached' });
  const local = flossingGradient(model, { ...one, mode: 'local' });
  t.ok(relativeError(hd.grads.Wh, local.grads.Wh) < 1e-13 && relativeError(full.grads.Wh, local.grads.Wh) < 1e-13, 'one step: full = hdetached = local');
  t.ok(norm(full.grads.Wx) === 0 && norm(full.grads.b) === 0, 'one step: h0 is fixed, so Wx and b get nothing');
  // Explicitly: Z = J Q0 = Q R, lambda_i = log R_ii, c_i = 2 lambda_i / k, and
  // dL/dWh = (1 - alpha) Q diag(c) R^-T (D Q0)^T with Q0 = I[:, :k] and D = diag(f'(h0)).
  const N = model.N;
  const k = 4;
  const a = model.config.alpha;
  const df = activationOf('tanh').df;
  const w = weightsOf(model);
  const Z = Array.from({ length: k }, (_, m) => Float64Array.from({ length: N }, (_, i) => (i === m ? a : 0) + (1 - a) * w.Wh[i * N + m]! * df(w.h0[m]!)));
  const { Q, R } = householderQR(Z);
  const c = R.map((row, i) => (2 * Math.log(row[i]!)) / k);
  // G = Q diag(c) R^-T solves G R^T = Q diag(c): column m is sum_{p >= m} R[m][p] G_p, so
  // back substitution from the last column.
  const G: Float64Array[] = new Array(k);
  for (let m = k - 1; m >= 0; m--) {
    const g = Float64Array.from(Q[m]!, (v) => v * c[m]!);
    for (let p = m + 1; p < k; p++) for (let i = 0; i < N; i++) g[i] = g[i]! - R[m]![p]! * G[p]![i]!;
    for (let i = 0; i < N; i++) g[i] = g[i]! / R[m]![m]!;
    G[m] = g;
  }
  const explicit = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let m = 0; m < k; m++) explicit[i * N + m] = (1 - a) * G[m]![i]! * df(w.h0[m]!);
  t.ok(relativeError(full.grads.Wh, explicit) < 1e-13, `one step: dWh = (1 - alpha) Q diag(c) R^-T (D Q0)^T (${relativeError(full.grads.Wh, explicit).toExponential(1)})`);
  for (const activation of ['linear', 'relu'] as const) {
    const s = setup(activation, 25, 20);
    const o = { k: 3, warmupQ: 5, steps: 15, inputs: s.inputs };
    const f = flossingGradient(s.model, { ...o, mode: 'full' });
    const h = flossingGradient(s.model, { ...o, mode: 'hdetached' });
    t.ok(relativeError(f.grads.Wh, h.grads.Wh) < 1e-12, `${activation}: f'' = 0, so full = hdetached (${relativeError(f.grads.Wh, h.grads.Wh).toExponential(1)})`);
    t.ok(norm(f.grads.Wx) < 1e-14 && norm(f.grads.b) < 1e-14, `${activation}: the trajectory does not move J, so Wx and b get 0`);
  }
  t.end();
});

test('the loss is the mean of squared exponents, which equal lyapunovSpectrum', (t) => {
  const { model, inputs } = setup('tanh', 26, 30, 2);
  const o = { k: 4, warmupQ: 10, steps: 20, inputs, batch: 2 };
  const spec = lyapunovSpectrum(model, o);
  for (const mode of ['full', 'hdetached', 'local'] as const) {
    const r = flossingGradient(model, { ...o, mode, target: 0.3 });
    const expected = spec.perTrajectory.reduce((s, row) => s + flossLoss(row, 0.3), 0) / 2;
    t.ok(Math.abs(r.loss - expected) < 1e-14 && relativeError(r.exponents, spec.exponents) < 1e-14, `${mode}: loss ${r.loss.toFixed(6)} = mean over trajectories of mean_i (lambda_i - 0.3)^2`);
  }
  t.end();
});

test('cosine of the cheaper modes with full on a small leaky tanh network (specs.md 2.3)', (t) => {
  const model = randomModel({ nIn: 1, nHidden: 4, nOut: 1, alpha: 0.5, activation: 'tanh' }, 27, 1.5);
  const inputs = new Float64Array(40);
  new Rng(270).fillNormal(inputs);
  const o = { k: 2, warmupQ: 20, steps: 20, inputs };
  const grads = (mode: FlossMode) => flossingGradient(model, { ...o, mode }).grads.Wh;
  const full = grads('full');
  const cos = (a: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * full[i]!, 0) / (norm(a) * norm(full));
  const cHd = cos(grads('hdetached'));
  const cLocal = cos(grads('local'));
  t.ok(cHd > 0.5 && cLocal > 0, `descent directions: cos(full, hdetached) = ${cHd.toFixed(2)}, cos(full, local) = ${cLocal.toFixed(2)} (specs.md: about 0.95 and 0.57 on its network)`);
  t.end();
});

test('float32 flossing gradient is close to float64', (t) => {
  const { model, inputs } = setup('tanh', 28, 25);
  for (const mode of ['full', 'hdetached', 'local'] as const) {
    const o = { mode, k: 3, warmupQ: 5, steps: 20, inputs };
    const g64 = flossingGradient(model, o).grads.Wh;
    const g32 = flossingGradient(model, { ...o, dtype: 'float32' }).grads.Wh;
    t.ok(relativeError(g32, g64) < 1e-4, `${mode}: ${relativeError(g32, g64).toExponential(1)}`);
  }
  t.end();
});

