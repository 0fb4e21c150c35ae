// From plain arrays to dynamics and similarity: build a model from nested arrays, compute its
// Lyapunov spectrum, and compare its hidden activity with recorded activity by Procrustes
// distance. Everything here is arrays in, numbers out.
//
//   npx tsx examples/lyapunov-procrustes.ts
import { LeakyRNN, ParamSet, Rng, fromNestedArray, lyapunovSpectrum, normalizedDistance, procrustesDistance, toNestedArray } from 'rnnlab';

// A 3-unit linear network whose recurrent matrix has eigenvalues 1.2, 0.7 and 0.3: its Lyapunov
// exponents are their logs (reference/specs.md LE-3).
const Wh = fromNestedArray([
  [54, -10, 30],
  [12, 25, -12],
  [9, -18, 75],
].map((row) => row.map((v) => v / 70)));
const config = { nIn: 0, nHidden: 3, nOut: 1, alpha: 0, activation: 'linear' as const };
const params = new ParamSet(config, 'float64');
params.Wh.set(Wh.data);
const linear = new LeakyRNN(config, params);
const spectrum = lyapunovSpectrum(linear, { warmupQ: 100, steps: 1000 });
console.log(`Lyapunov exponents (per step, natural log): ${spectrum.exponents.map((v) => v.toFixed(6)).join(', ')}`);
console.log(`expected ln 1.2, ln 0.7, ln 0.3:            ${[1.2, 0.7, 0.3].map((v) => Math.log(v).toFixed(6)).join(', ')}`);

// Hidden activity of a random tanh network (samples x units) against a rotated, shifted copy:
// Procrustes distance 0, because an orthogonal map and an offset are all that separate them.
const rng = new Rng(7);
const samples = 200;
const units = 5;
const X = new Float64Array(samples * units);
rng.fillNormal(X);
const theta = 0.6;
const Y = new Float64Array(samples * units);
for (let s = 0; s < samples; s++) {
  const [a, b] = [X[s * units]!, X[s * units + 1]!];
  Y[s * units] = Math.cos(theta) * a - Math.sin(theta) * b + 3;
  Y[s * units + 1] = Math.sin(theta) * a + Math.cos(theta) * b - 1;
  for (let u = 2; u < units; u++) Y[s * units + u] = X[s * units + u]! + 0.5;
}
const same = procrustesDistance({ data: X, samples, units }, { data: Y, samples, units });
const noise = new Float64Array(samples * units);
rng.fillNormal(noise);
const other = procrustesDistance({ data: X, samples, units }, { data: noise, samples, units });
console.log(`Procrustes distance, rotated copy: ${same.toExponential(2)} rad; independent noise: ${other.toFixed(3)} rad (${normalizedDistance(other).toFixed(3)} of pi/2)`);
console.log(`first two samples of the copy as nested arrays: ${JSON.stringify(toNestedArray(Y.subarray(0, 2 * units), [2, units]).map((r) => (r as number[]).map((v) => +v.toFixed(3))))}`);
