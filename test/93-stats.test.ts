// Welch's t-test and the Student t distribution against textbook values.
import test from 'tape';
import { incompleteBeta, logGamma, studentTwoSidedP, welchTTest } from '../ts/analysis/stats.js';

test('log gamma, incomplete beta and Student t p-values', (t) => {
  t.ok(Math.abs(logGamma(5) - Math.log(24)) < 1e-13, 'ln Γ(5) = ln 24');
  t.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-13, 'ln Γ(1/2) = ln √π');
  t.ok(Math.abs(incompleteBeta(0.5, 2, 2) - 0.5) < 1e-14, 'I_0.5(2, 2) = 0.5 by symmetry');
  t.ok(Math.abs(incompleteBeta(0.3, 1, 1) - 0.3) < 1e-14, 'I_x(1, 1) = x');
  // For integers, I_x(a, b) = P(Binomial(a + b - 1, x) >= a): 1 - 0.8^4 - 4 (0.2) 0.8^3 = 0.1808.
  t.ok(Math.abs(incompleteBeta(0.2, 2, 3) - 0.1808) < 1e-14, 'I_0.2(2, 3) = 0.1808');
  // Critical values of Student's t table: two-sided p = 0.05.
  for (const [df, tc] of [[1, 12.706204736], [2, 4.302652730], [5, 2.570581836], [10, 2.228138852], [30, 2.042272456]] as const) {
    t.ok(Math.abs(studentTwoSidedP(tc, df) - 0.05) < 1e-8, `df ${df}: P(|T| > ${tc}) = 0.05`);
  }
  t.ok(Math.abs(studentTwoSidedP(0, 7) - 1) < 1e-15, 't = 0 gives p = 1');
  t.end();
});

test('Welch t-test', (t) => {
  // Hand-computed: a = [1,2,3,4,5] (mean 3, var 2.5), b = [2,4,6,8,10] (mean 6, var 10).
  // se^2 = 2.5/5 + 10/5 = 2.5; t = -3/sqrt(2.5) = -1.897366596; df = 2.5^2/(0.5^2/4 + 2^2/4) = 5.882352941.
  const r = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
  t.ok(Math.abs(r.t + 1.897366596) < 1e-9, `t = ${r.t}`);
  t.ok(Math.abs(r.df - 5.882352941) < 1e-9, `df = ${r.df}`);
  t.ok(r.p > 0.1 && r.p < 0.12, `p = ${r.p.toFixed(4)} (about 0.108)`);
  t.equal(welchTTest([1, 1], [1, 1]).p, NaN, 'no variance and equal means: NaN');
  t.equal(welchTTest([1, 1], [2, 2]).p, 0, 'no variance and different means: p = 0');
  t.throws(() => welchTTest([1], [1, 2]), /at least 2 values in each sample/, 'a sample of one is an error');
  t.end();
});
