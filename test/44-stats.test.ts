// Welch's t-test and Student's t tail against closed forms (df 1 and 2), textbook critical values,
// an independent numerical integration, and a published Welch example. (scipy is not installed
// here, so the reference values are hard-coded or computed another way.)
import test from 'tape';
import { incompleteBeta, logGamma, mean, pearson, sampleStd, studentTCdf, studentTTwoSided, welchTTest } from '../ts/index.js';

/**
 * P(|T| >= t) by Simpson's rule after the substitution x = sqrt(df) tan(theta): the tail is
 * int_{theta0}^{pi/2} cos^(df-1) / int_0^{pi/2} cos^(df-1), theta0 = atan(t / sqrt(df)).
 */
function tailByIntegration(t: number, df: number, n = 20000): number {
  const simpson = (a: number, b: number): number => {
    const h = (b - a) / n;
    let s = 0;
    for (let k = 0; k <= n; k++) {
      const w = k === 0 || k === n ? 1 : k % 2 === 1 ? 4 : 2;
      s += w * Math.cos(a + k * h) ** (df - 1);
    }
    return (s * h) / 3;
  };
  const theta0 = Math.atan(Math.abs(t) / Math.sqrt(df));
  return simpson(theta0, Math.PI / 2) / simpson(0, Math.PI / 2);
}

test('Student t tail: closed forms for df 1 and 2, integration for others, critical values', (t) => {
  let worst = 0;
  for (const x of [0, 0.3, 1, 2.5, 7, 40]) {
    worst = Math.max(worst, Math.abs(studentTTwoSided(x, 1) - (1 - (2 / Math.PI) * Math.atan(x))));
    worst = Math.max(worst, Math.abs(studentTTwoSided(-x, 2) - (1 - x / Math.sqrt(2 + x * x))));
  }
  t.ok(worst < 1e-13, `df 1 (Cauchy) and df 2 closed forms to ${worst.toExponential(1)}`);
  let worstInt = 0;
  for (const df of [3, 4.7, 10, 28.3, 100]) for (const x of [0.1, 0.9, 2.1, 4.4]) worstInt = Math.max(worstInt, Math.abs(studentTTwoSided(x, df) - tailByIntegration(x, df)));
  t.ok(worstInt < 1e-10, `against numerical integration for non-integer and integer df: ${worstInt.toExponential(1)}`);
  // df 1.5: the integrand cos^0.5 has an infinite slope at pi/2, so Simpson's rule converges slowly.
  const low = Math.max(...[0.1, 0.9, 2.1, 4.4].map((x) => Math.abs(studentTTwoSided(x, 1.5) - tailByIntegration(x, 1.5, 200000))));
  t.ok(low < 1e-8, `df 1.5 against a finer integration: ${low.toExponential(1)}`);
  // Textbook two-sided critical values (t_{1 - p/2, df}).
  const table: [number, number, number][] = [
    [2.228138851986, 10, 0.05],
    [4.032142983557, 5, 0.01],
    [2.042272456301, 30, 0.05],
    [2.353363434802, 3, 0.1],
    [12.70620473617, 1, 0.05],
  ];
  for (const [x, df, p] of table) t.ok(Math.abs(studentTTwoSided(x, df) - p) < 1e-9, `t = ${x}, df = ${df}: p = ${p}`);
  t.ok(Math.abs(studentTCdf(2.228138851986, 10) - 0.975) < 1e-9 && Math.abs(studentTCdf(-2.228138851986, 10) - 0.025) < 1e-9, 'cdf both sides');
  t.equal(studentTTwoSided(Infinity, 3), 0);
  t.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-14 && Math.abs(logGamma(10) - Math.log(362880)) < 1e-12, 'log-gamma at 1/2 and 10');
  t.ok(Math.abs(incompleteBeta(0.3, 2, 3) - (1 - 0.7 ** 4 - 4 * 0.3 * 0.7 ** 3)) < 1e-14, 'I_x(2, 3) closed form');
  t.end();
});

test("Welch's t-test: a published example, the formula, edge cases, errors", (t) => {
  // Wikipedia, "Welch's t-test", example 1: t = -2.46, df = 24.99 (25.0), p = 0.021.
  const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
  const r = welchTTest(a, b);
  t.ok(Math.abs(r.t + 2.46) < 0.005 && Math.abs(r.df - 25.0) < 0.05 && Math.abs(r.p - 0.021) < 0.0005, `t = ${r.t.toFixed(4)}, df = ${r.df.toFixed(3)}, p = ${r.p.toFixed(5)}`);
  // The same from the definitions, with the tail integrated numerically.
  const va = sampleStd(a) ** 2 / a.length;
  const vb = sampleStd(b) ** 2 / b.length;
  const tt = (mean(a) - mean(b)) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  t.ok(Math.abs(r.t - tt) < 1e-12 && Math.abs(r.df - df) < 1e-10 && Math.abs(r.p - tailByIntegration(tt, df)) < 1e-10, 'equals the formula and the integrated tail');
  t.ok(Math.abs(welchTTest(b, a).t + r.t) < 1e-15 && welchTTest(b, a).p === r.p, 'antisymmetric in t, symmetric in p');
  t.deepEqual([welchTTest([1, 1], [2, 2]).p, welchTTest([1, 1], [1, 1]).p, welchTTest([3, 3], [1, 1]).t], [0, 1, Infinity], 'zero variances');
  t.ok(Math.abs(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]) - Math.sqrt(32 / 7)) < 1e-15, 'sample std (ddof 1)');
  t.ok(Math.abs(pearson([1, 2, 3, 4], [2, 4, 6, 8.5]) - 10.75 / Math.sqrt(5 * 23.1875)) < 1e-15 && Number.isNaN(pearson([1, 1], [1, 2])), 'pearson');
  t.throws(() => welchTTest([1], [1, 2]), /a: expected at least 2 values, received 1 value/);
  t.throws(() => welchTTest([1, NaN], [1, 2]), /b?a\[1\]: expected a finite number, received NaN/);
  t.throws(() => studentTTwoSided(1, 0), /df: expected a finite number > 0, received 0/);
  t.end();
});
