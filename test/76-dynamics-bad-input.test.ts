// Bad input to the dynamics API: a TypeError or RangeError naming the field, what was expected
// and what was received; the native layer re-checks sizes and settings itself.
import test from 'tape';
import { LeakyRNN, ParamSet, flossingGradient, lyapunovSpectrum } from '../ts/index.js';
import { native } from '../ts/native.js';
import { randomModel } from './helpers.js';

const model = randomModel({ nIn: 2, nHidden: 4, nOut: 1, alpha: 0.5, activation: 'tanh' }, 76);

test('lyapunovSpectrum: protocol and inputs', (t) => {
  t.throws(() => lyapunovSpectrum(model, { k: 5, steps: 3 }), /^RangeError: options\.k: expected an integer in \[1, 4\] \(k <= N, the number of hidden units\), received 5$/, 'k > N');
  t.throws(() => lyapunovSpectrum(model, { k: 0, steps: 3 }), /options\.k: expected an integer >= 1, received 0/, 'k = 0');
  t.throws(() => lyapunovSpectrum(model, { steps: -1 }), /^RangeError: options\.steps: expected an integer >= 1, received -1$/, 'negative steps');
  t.throws(() => lyapunovSpectrum(model, {} as never), /^TypeError: options\.steps: expected an integer >= 1 \(required\), received nothing$/, 'missing steps');
  t.throws(() => lyapunovSpectrum(model, { steps: 2, warmupQ: -2 }), /options\.warmupQ: expected an integer >= 0, received -2/, 'negative warm-up');
  t.throws(() => lyapunovSpectrum(model, { steps: 2.5 }), /options\.steps: expected an integer >= 1, received 2\.5/, 'fractional steps');
  t.throws(() => lyapunovSpectrum(model, { steps: 3, qrEvery: 0 }), /options\.qrEvery: expected an integer >= 1, received 0/, 'qrEvery 0');
  t.throws(() => lyapunovSpectrum(model, { steps: 3, qrMethod: 'givens' as never }), /options\.qrMethod: expected one of "choleskyqr2", "householder"/, 'unknown QR method');
  t.throws(() => lyapunovSpectrum(model, { steps: 3, warmupQ: 2, inputs: new Float64Array(9) }), /^RangeError: options\.inputs: expected 10 values: 5 rows \(warmupState 0 \+ warmupQ 2 \+ steps 3\) x 1 trajectory x 2 inputs, received Float64Array of length 9$/, 'wrong input rows');
  const x = new Float64Array(10);
  x[7] = NaN;
  t.throws(() => lyapunovSpectrum(model, { steps: 5, inputs: x }), /^RangeError: options\.inputs\[3\]\[0\]\[1\]: expected a finite number, received NaN$/, 'NaN input named by index');
  t.throws(() => lyapunovSpectrum(model, { steps: 5, inputs: [1, 2] as never }), /^TypeError: options\.inputs: expected a Float64Array \[5\]\[1\]\[2\]/, 'plain array');
  t.throws(() => lyapunovSpectrum(model, { steps: 3, q0: new Float64Array(3) }), /options\.q0: expected a Float64Array \[4\]\[4\]/, 'q0 of the wrong shape');
  t.throws(() => lyapunovSpectrum(model, { steps: 3, stepz: 3 } as never), /options\.stepz: expected one of the keys .*did you mean "steps"/, 'unknown key');
  t.throws(() => lyapunovSpectrum(model, { steps: 3, dt: 0 }), /options\.dt: expected a finite number > 0, received 0/, 'dt 0');
  t.end();
});

test('dynamics that overflow are an error, not a silent NaN', (t) => {
  // Weights near the largest double: the tangent vectors overflow within a few steps.
  const config = { nIn: 0, nHidden: 3, nOut: 1, alpha: 0, activation: 'tanh' as const };
  const params = new ParamSet(config, 'float64');
  params.Wh.set([1, -1, 1, 1, 1, -1, -1, 1, 1].map((s) => s * 1.7e308));
  params.h0.set([1, -0.5, 0.3]);
  const exploding = new LeakyRNN(config, params);
  t.throws(() => lyapunovSpectrum(exploding, { steps: 6 }), /^RangeError: exponents: expected finite values .*received (Infinity|NaN) \(the state overflowed/, 'overflow reported');
  t.end();
});

test('flossingGradient: mode and target', (t) => {
  t.throws(() => flossingGradient(model, { steps: 3 } as never), /^TypeError: options\.mode: expected one of "full", "hdetached", "local" \(required\), received nothing$/, 'missing mode');
  t.throws(() => flossingGradient(model, { steps: 3, mode: 'Full' as never }), /options\.mode: expected one of "full", "hdetached", "local" \(did you mean "full"\?\), received "Full"/, 'misspelt mode');
  t.throws(() => flossingGradient(model, { steps: 3, mode: 'full', target: NaN }), /options\.target: expected a finite number, received NaN/, 'NaN target');
  const wide = randomModel({ nIn: 0, nHidden: 256, nOut: 1, alpha: 0.5, activation: 'tanh' }, 1);
  t.throws(() => flossingGradient(wide, { k: 256, steps: 5000, mode: 'full' }), /options\.steps: expected a window whose stored history fits in 2 GB \(mode "full" keeps every frame: 5\.3 GB here\); use mode "local" or fewer steps, received 5000/, 'history too large for the reverse pass');
  t.end();
});

test('the native layer re-checks settings and lengths', (t) => {
  const spec = model.nativeSpec(5, 1);
  const settings = { k: 2, warmupState: 0, warmupQ: 2, steps: 3, qrEvery: 1, qrMethod: 1 };
  const n = (len: number) => new Float64Array(len);
  const p = model.params.flat;
  t.throws(() => native.lyapunovSpectrum(spec, { ...settings, k: 5 }, p, n(10), null, null, n(5), null), /rnnlab native lyapunovSpectrum: settings\.k must be <= N/, 'k > N');
  t.throws(() => native.lyapunovSpectrum(spec, { ...settings, steps: 4 }, p, n(10), null, null, n(2), null), /spec\.T must equal warmupState \+ warmupQ \+ steps/, 'T mismatch');
  t.throws(() => native.lyapunovSpectrum(spec, { ...settings, steps: -1 }, p, n(10), null, null, n(2), null), /settings\.steps must be an integer >= 1/, 'negative steps');
  t.throws(() => native.lyapunovSpectrum(spec, settings, p, n(9), null, null, n(2), null), /x has length 9, expected 10/, 'short inputs');
  t.throws(() => native.lyapunovSpectrum(spec, settings, p, n(10), null, n(3), n(2), null), /q0 has length 3, expected 8/, 'short q0');
  t.throws(() => native.lyapunovSpectrum(spec, { ...settings, qrMethod: 2 }, p, n(10), null, null, n(2), null), /settings\.qrMethod must be 0/, 'unknown QR method');
  t.throws(() => native.flossingGradient(spec, settings, 3, 0, p, n(10), null, null, n(2), n(p.length), null), /mode must be 0 \(full\), 1 \(hdetached\) or 2 \(local\)/, 'unknown mode');
  t.throws(() => native.flossingGradient(spec, settings, 0, 0, p, n(10), null, null, n(2), n(3), null), /grads has length 3/, 'short grads');
  t.throws(() => native.eigenvalues(3, n(8), n(3), n(3)), /A has length 8, expected 9/, 'eigenvalues: short A');
  t.end();
});
