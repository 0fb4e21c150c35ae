// Lyapunov spectra: the analytic cases LE-2..LE-5 of reference/specs.md section 5, the exact
// invariants of section 1.4 (sum of exponents = mean log|det J|, prefix property, per time),
// agreement with an independent JS implementation, batches, frozen noise and both QR methods.
import test from 'tape';
import { LeakyRNN, ParamSet, Rng, createTask, lyapunovSpectrum, maxLyapunov, taskInputSequences } from '../ts/index.js';
import type { Activation, LeakyRNNConfig } from '../ts/index.js';
import { logAbsDetJacobian, spectrum, weightsOf } from './dynamics-reference.js';
import { randomModel } from './helpers.js';

function modelWith(config: LeakyRNNConfig, set: (p: ParamSet) => void): LeakyRNN {
  const params = new ParamSet(config, 'float64');
  set(params);
  return new LeakyRNN(config, params);
}

function linearMap(A: number[][]): LeakyRNN {
  return modelWith({ nIn: 0, nHidden: A.length, nOut: 1, alpha: 0, activation: 'linear' }, (p) => p.Wh.set(A.flat()));
}

const maxError = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

test('LE-2: scaled rotation, both exponents 0.5 ln 0.97 from the first step', (t) => {
  const model = linearMap([[0.9, -0.4], [0.4, 0.9]]);
  const expected = 0.5 * Math.log(0.97);
  for (const qrMethod of ['choleskyqr2', 'householder'] as const) {
    for (const steps of [1, 50]) {
      const r = lyapunovSpectrum(model, { steps, qrMethod });
      t.ok(maxError(r.exponents, [expected, expected]) < 1e-15, `${qrMethod}, ${steps} steps: [${r.exponents.map((v) => v.toFixed(12))}] = -0.015229603742`);
    }
  }
  t.end();
});

test('LE-3: non-normal linear map, convergence as in specs.md 5', (t) => {
  const model = linearMap([[54, -10, 30], [12, 25, -12], [9, -18, 75]].map((row) => row.map((v) => v / 70)));
  const expected = [Math.log(1.2), Math.log(0.7), Math.log(0.3)];
  for (const qrMethod of ['choleskyqr2', 'householder'] as const) {
    const e100 = maxError(lyapunovSpectrum(model, { steps: 100, qrMethod }).exponents, expected);
    const e1000 = maxError(lyapunovSpectrum(model, { steps: 1000, qrMethod }).exponents, expected);
    const every5 = maxError(lyapunovSpectrum(model, { steps: 1000, qrEvery: 5, qrMethod }).exponents, expected);
    const warm = maxError(lyapunovSpectrum(model, { warmupQ: 100, steps: 1000, qrMethod }).exponents, expected);
    t.ok(Math.abs(e100 - 1.6e-2) < 0.1e-2 && Math.abs(e1000 - 1.6e-3) < 0.1e-3, `${qrMethod}: no warm-up, error ${e100.toExponential(2)} (K = 100), ${e1000.toExponential(2)} (K = 1000): O(1.6/K)`);
    t.ok(Math.abs(every5 - 1.6e-3) < 0.1e-3, `${qrMethod}: qrEvery 5, K = 1000: ${every5.toExponential(2)}`);
    t.ok(warm < 1e-13, `${qrMethod}: 100 Q warm-up steps then K = 1000: ${warm.toExponential(2)} < 1e-13`);
    const k1 = lyapunovSpectrum(model, { k: 1, steps: 1000, qrMethod }).exponents[0]!;
    t.ok(Math.abs(k1 - 0.1807222202) < 1e-10, `${qrMethod}: k = 1, K = 1000 gives ${k1.toFixed(12)} (0.180722220200)`);
  }
  t.end();
});

test('LE-4: input-driven ReLU in its linear region gives log diag(J)', (t) => {
  const config = { nIn: 4, nHidden: 4, nOut: 1, alpha: 0.9, activation: 'relu' as const };
  const model = modelWith(config, (p) => {
    [2, 1, 0.5, -1].forEach((v, i) => {
      p.Wh[i * 4 + i] = v;
      p.Wx[i * 4 + i] = 1;
    });
    p.h0.fill(0.1);
  });
  const inputs = new Float64Array(300 * 4).fill(0.5);
  const r = lyapunovSpectrum(model, { steps: 300, inputs });
  const exact = [Math.log(1.1), 0, Math.log(0.95), Math.log(0.8)];
  t.ok(maxError(r.exponents, exact) < 1e-14, `[${r.exponents.map((v) => v.toFixed(12))}] = log diag(1.1, 1, 0.95, 0.8) to ${maxError(r.exponents, exact).toExponential(1)}`);
  t.ok(maxError(r.exponents, [0.095310179804, 0, -0.051293294388, -0.223143551314]) < 1e-12, 'the 12-digit values of specs.md');
  t.end();
});

test("LE-5: relu'(0) = 0, so at h = 0 every exponent is ln 0.9", (t) => {
  const config = { nIn: 1, nHidden: 3, nOut: 1, alpha: 0.9, activation: 'relu' as const };
  const model = modelWith(config, (p) => p.Wh.set([0.5, -1.2, 0.3, 0.8, 0.2, -0.6, -0.4, 0.9, 1.1]));
  const r = lyapunovSpectrum(model, { steps: 20 });
  t.ok(maxError(r.exponents, [Math.log(0.9), Math.log(0.9), Math.log(0.9)]) < 1e-15, `[${r.exponents.map((v) => v.toFixed(12))}] = -0.105360515658`);
  t.end();
});

function drivenModel(activation: Activation, N: number, seed: number, gain = 1.5): { model: LeakyRNN; inputs: (T: number, B?: number) => Float64Array } {
  const model = randomModel({ nIn: 2, nHidden: N, nOut: 1, alpha: 0.5, activation }, seed, gain);
  const inputs = (T: number, B = 1) => {
    const x = new Float64Array(T * B * 2);
    new Rng(seed + 1000).fillNormal(x);
    return x;
  };
  return { model, inputs };
}

test('sum of all N exponents = mean log|det J_t| over the window (to 1e-10)', (t) => {
  for (const activation of ['tanh', 'retanh', 'relu'] as const) {
    const { model, inputs } = drivenModel(activation, 12, 5);
    const A = 7;
    const Bq = 13;
    const S = 200;
    const x = inputs(A + Bq + S);
    const w = weightsOf(model);
    for (const [qrMethod, qrEvery] of [['choleskyqr2', 1], ['householder', 1], ['householder', 4]] as const) {
      const r = lyapunovSpectrum(model, { warmupState: A, warmupQ: Bq, steps: S, inputs: x, qrMethod, qrEvery });
      const sum = r.exponents.reduce((a, b) => a + b, 0);
      const H = spectrum(model, w, x, { k: 1, warmupState: A, warmupQ: Bq, steps: S, qrEvery: 1 }).states;
      let logDet = 0;
      for (let step = A + Bq + 1; step <= A + Bq + S; step++) logDet += logAbsDetJacobian(model, w.Wh, H[step - 1]!);
      logDet /= S;
      t.ok(Math.abs(sum - logDet) < 1e-10, `${activation}, ${qrMethod}, qrEvery ${qrEvery}: sum ${sum.toFixed(12)} vs mean log|det J| ${logDet.toFixed(12)} (diff ${Math.abs(sum - logDet).toExponential(1)})`);
    }
  }
  t.end();
});

test('prefix property: the k-partial spectrum is the first k entries of the full one', (t) => {
  const { model, inputs } = drivenModel('tanh', 16, 6);
  const x = inputs(150);
  const full = lyapunovSpectrum(model, { warmupState: 10, warmupQ: 40, steps: 100, inputs: x }).exponents;
  for (const k of [1, 3, 8]) {
    const part = lyapunovSpectrum(model, { k, warmupState: 10, warmupQ: 40, steps: 100, inputs: x }).exponents;
    t.ok(maxError(part, full.slice(0, k)) < 1e-12, `k = ${k}: equal to ${maxError(part, full.slice(0, k)).toExponential(1)}`);
  }
  t.end();
});

test('equals an independent JS implementation (nonlinear, driven, warm-ups, qrEvery)', (t) => {
  for (const activation of ['tanh', 'relu', 'retanh', 'linear'] as const) {
    const { model, inputs } = drivenModel(activation, 7, 7, activation === 'linear' ? 0.9 : 1.5);
    const p = { k: 5, warmupState: 4, warmupQ: 6, steps: 30, qrEvery: activation === 'tanh' ? 3 : 1 };
    const x = inputs(40);
    const ours = lyapunovSpectrum(model, { ...p, inputs: x }).exponents;
    const ref = spectrum(model, weightsOf(model), x, p).exponents;
    t.ok(maxError(ours, ref) < 1e-12, `${activation}: max difference ${maxError(ours, ref).toExponential(1)}`);
  }
  t.end();
});

test('per unit time = per step / dt', (t) => {
  const base = randomModel({ nIn: 0, nHidden: 6, nOut: 1, alpha: 0.8, activation: 'tanh' }, 8, 2);
  const model = new LeakyRNN({ ...base.config, dt: 0.2, tau: 1 }, base.params);
  const r = lyapunovSpectrum(model, { steps: 50, warmupQ: 20 });
  t.equal(r.dt, 0.2, "the model's dt");
  t.ok(maxError(r.exponentsPerTime!, r.exponents.map((v) => v / 0.2)) < 1e-15, 'exponentsPerTime = exponents / dt');
  const other = lyapunovSpectrum(model, { steps: 50, warmupQ: 20, dt: 0.5 });
  t.ok(maxError(other.exponentsPerTime!, r.exponents.map((v) => v / 0.5)) < 1e-15, 'an explicit dt');
  t.equal(lyapunovSpectrum(base, { steps: 5 }).exponentsPerTime, null, 'no dt: no per-time exponents');
  t.end();
});

test('a batch gives one spectrum per trajectory, equal to separate runs, plus mean and std', (t) => {
  const { model } = drivenModel('tanh', 8, 9);
  const T = 60;
  const B = 3;
  const x = new Float64Array(T * B * 2);
  new Rng(90).fillNormal(x);
  const r = lyapunovSpectrum(model, { k: 4, warmupQ: 20, steps: 40, inputs: x, batch: B });
  t.equal(r.perTrajectory.length, B);
  for (let b = 0; b < B; b++) {
    const xb = new Float64Array(T * 2);
    for (let s = 0; s < T; s++) for (let j = 0; j < 2; j++) xb[s * 2 + j] = x[(s * B + b) * 2 + j]!;
    const single = lyapunovSpectrum(model, { k: 4, warmupQ: 20, steps: 40, inputs: xb }).exponents;
    t.ok(maxError(single, r.perTrajectory[b]!) < 1e-13, `trajectory ${b} equals its own run`);
  }
  for (let i = 0; i < 4; i++) {
    const col = r.perTrajectory.map((row) => row[i]!);
    const mean = col.reduce((a, b) => a + b, 0) / B;
    const std = Math.sqrt(col.reduce((a, v) => a + (v - mean) ** 2, 0) / (B - 1));
    t.ok(Math.abs(r.exponents[i]! - mean) < 1e-15 && Math.abs(r.std[i]! - std) < 1e-15, `exponent ${i}: mean ${mean.toFixed(5)}, std ${std.toExponential(2)}`);
  }
  t.ok(r.std.some((s) => s > 1e-3), 'different inputs give different spectra');
  t.end();
});

test('state noise is frozen: same seed, same spectrum; other seed, another one', (t) => {
  const base = randomModel({ nIn: 0, nHidden: 6, nOut: 1, alpha: 0.5, activation: 'tanh' }, 10, 1.2);
  const model = new LeakyRNN({ ...base.config, noiseStd: 0.3 }, base.params);
  const a = lyapunovSpectrum(model, { steps: 50, rng: new Rng(1) }).exponents;
  const b = lyapunovSpectrum(model, { steps: 50, rng: new Rng(1) }).exponents;
  const c = lyapunovSpectrum(model, { steps: 50, rng: new Rng(2) }).exponents;
  const off = lyapunovSpectrum(model, { steps: 50, noise: false }).exponents;
  const clean = lyapunovSpectrum(base, { steps: 50 }).exponents;
  t.deepEqual(a, b, 'deterministic');
  t.ok(maxError(a, c) > 1e-6, 'another seed gives other noise');
  t.deepEqual(off, clean, 'noise: false is the noise-free model');
  t.end();
});

test('a random Q0 converges to the same exponents; float32 is close to float64', (t) => {
  const { model, inputs } = drivenModel('tanh', 10, 11);
  const x = inputs(1100);
  const identity = lyapunovSpectrum(model, { k: 3, warmupQ: 100, steps: 1000, inputs: x }).exponents;
  const random = lyapunovSpectrum(model, { k: 3, warmupQ: 100, steps: 1000, inputs: x, q0: 'random' }).exponents;
  t.ok(maxError(identity, random) < 1e-4, `identity vs random Q0 (the frame forgets Q0 during the warm-up): ${maxError(identity, random).toExponential(1)}`);
  const single = lyapunovSpectrum(model, { k: 3, warmupQ: 100, steps: 1000, inputs: x, dtype: 'float32' }).exponents;
  t.ok(maxError(identity, single) < 1e-4, `float32 vs float64: ${maxError(identity, single).toExponential(1)}`);
  t.end();
});

test('zero pivots (alpha = 0, inactive relu units) are clamped and reported', (t) => {
  const config = { nIn: 0, nHidden: 3, nOut: 1, alpha: 0, activation: 'relu' as const };
  const model = modelWith(config, (p) => p.Wh.set([0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5]));
  const r = lyapunovSpectrum(model, { steps: 4 });
  t.equal(r.zeroPivots, 12, 'J = 0 at h = 0: every R_ii is 0');
  t.ok(r.exponents.every((v) => Number.isFinite(v) && v < -700), 'clamped to log(2^-1022) per step');
  t.equal(r.warnings.length, 1, 'one warning');
  t.end();
});

test('maxLyapunov on task inputs: the documented protocol, deterministic', (t) => {
  const task = createTask('romo');
  const model = LeakyRNN.create({ nIn: 1, nHidden: 24, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: new Rng(3), gain: 0.5, dtype: 'float64' });
  const a = maxLyapunov(model, task, { batch: 4, warmup: 30, steps: 40, rng: new Rng(5) });
  const b = maxLyapunov(model, task, { batch: 4, warmup: 30, steps: 40, rng: new Rng(5) });
  t.deepEqual(a, b, 'same seed, same result');
  const x = taskInputSequences(task, new Rng(5).fork('inputs'), 4, 70);
  const direct = lyapunovSpectrum(model, { k: 1, warmupQ: 30, steps: 40, inputs: x, batch: 4, q0: 'random', rng: new Rng(5).fork('run') });
  t.ok(Math.abs(direct.exponents[0]! - a.mean) < 1e-15 && Math.abs(direct.std[0]! - a.std) < 1e-15, `equals lyapunovSpectrum on the same inputs: mean ${a.mean.toFixed(4)}, std ${a.std.toFixed(4)}`);
  t.ok(a.mean < 0 && a.mean > Math.log(0.5) - 1e-12, `gain 0.5 relu network: contracting, ${a.mean.toFixed(4)} in [ln 0.5, 0)`);
  t.end();
});
