// Eigenvalues of the recurrent weights (LAPACK dgeev): known matrices, invariants, ordering.
import test from 'tape';
import { LeakyRNN, Rng, eigenvalues, recurrentEigenvalues } from '../ts/index.js';

test('eigenvalues of known matrices', (t) => {
  const rot = eigenvalues([0.9, -0.4, 0.4, 0.9], 2);
  t.deepEqual(rot.re.map((v) => +v.toFixed(14)), [0.9, 0.9], 'scaled rotation: real parts 0.9');
  t.deepEqual(rot.im.map((v) => +v.toFixed(14)), [0.4, -0.4], 'imaginary parts +-0.4, positive first');
  t.ok(Math.abs(rot.spectralRadius - Math.sqrt(0.97)) < 1e-15, 'spectral radius sqrt(0.97)');
  const A3 = [[54, -10, 30], [12, 25, -12], [9, -18, 75]].flat().map((v) => v / 70);
  const e3 = eigenvalues(A3, 3);
  t.ok(Math.max(...e3.re.map((v, i) => Math.abs(v - [1.2, 0.7, 0.3][i]!))) < 1e-14 && e3.im.every((v) => v === 0), `non-normal A of LE-3: [${e3.re.map((v) => v.toFixed(14))}]`);
  const diag = eigenvalues([-2, 0, 0, 0, 0.5, 0, 0, 0, 1], 3);
  t.deepEqual(diag.re, [-2, 1, 0.5], 'sorted by modulus, largest first');
  t.end();
});

test('trace and determinant invariants on a random Wh; the circular law scale', (t) => {
  const N = 200;
  const model = LeakyRNN.create({ nIn: 1, nHidden: N, nOut: 1, alpha: 0.5, activation: 'tanh' }, { rng: new Rng(74), gain: 1.5, dtype: 'float64' });
  const e = recurrentEigenvalues(model);
  let trace = 0;
  for (let i = 0; i < N; i++) trace += model.params.Wh[i * N + i]!;
  const sumRe = e.re.reduce((a, b) => a + b, 0);
  const sumIm = e.im.reduce((a, b) => a + b, 0);
  t.ok(Math.abs(sumRe - trace) < 1e-10 && Math.abs(sumIm) < 1e-10, `sum of eigenvalues = trace (${sumRe.toFixed(10)} vs ${trace.toFixed(10)})`);
  t.ok(e.spectralRadius > 1.3 && e.spectralRadius < 1.7, `spectral radius ${e.spectralRadius.toFixed(3)} near the gain 1.5 (circular law)`);
  for (let i = 1; i < N; i++) {
    if (Math.hypot(e.re[i]!, e.im[i]!) > Math.hypot(e.re[i - 1]!, e.im[i - 1]!) + 1e-12) {
      t.fail(`not sorted at ${i}`);
      break;
    }
  }
  t.ok(e.re.length === N && e.im.length === N, 'N eigenvalues');
  t.end();
});

test('bad input to eigenvalues', (t) => {
  t.throws(() => eigenvalues([1, 2, 3], 2), /^RangeError: A: expected 4 values \(\[2\]\[2\]\), received an array of length 3$/, 'wrong length');
  t.throws(() => eigenvalues([1, NaN, 0, 1], 2), /A\[0\]\[1\]: expected a finite number, received NaN/, 'NaN entry');
  t.end();
});
