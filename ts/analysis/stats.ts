/**
 * Small statistics for comparing groups of runs: means, sample standard deviations, Welch's
 * t-test with its p-value from Student's t distribution, and Pearson's correlation.
 *
 * The t distribution's tail comes from the regularised incomplete beta function,
 *   P(|T| >= |t|) = I_x(df / 2, 1 / 2),  x = df / (df + t^2),
 * evaluated with its continued fraction (modified Lentz) and a Lanczos log-gamma, both in double
 * precision (relative error around 1e-14 away from the extreme tails).
 * @module
 */
import { expectFinite, expectNumber, rangeError, typeError } from '../validate.js';

function checkSample(values: ArrayLike<number>, field: string, min: number): number[] {
  if (!values || typeof values.length !== 'number') throw typeError(field, 'an array of numbers', values);
  if (values.length < min) throw rangeError(field, `at least ${min} values`, values, `${values.length} value${values.length === 1 ? '' : 's'}`);
  expectFinite(values, field);
  return Array.from(values);
}

/** Arithmetic mean. */
export function mean(values: ArrayLike<number>): number {
  const v = checkSample(values, 'values', 1);
  return v.reduce((s, x) => s + x, 0) / v.length;
}

/** Sample standard deviation (ddof 1, as scipy and the papers' tables). */
export function sampleStd(values: ArrayLike<number>): number {
  const v = checkSample(values, 'values', 2);
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

// Lanczos approximation (g = 7, 9 terms): ln Gamma(z) for z > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Gamma(z), z > 0. */
export function logGamma(z: number): number {
  expectNumber(z, 'z', { min: 0, minExclusive: true });
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let k = 1; k < 9; k++) a += LANCZOS[k]! / (x + k);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b), x in [0, 1], a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  expectNumber(x, 'x', { min: 0, max: 1 });
  expectNumber(a, 'a', { min: 0, minExclusive: true });
  expectNumber(b, 'b', { min: 0, minExclusive: true });
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Two-sided tail P(|T| >= |t|) of Student's t distribution with df > 0 degrees of freedom. */
export function studentTTwoSided(t: number, df: number): number {
  expectNumber(df, 'df', { min: 0, minExclusive: true });
  if (Number.isNaN(t)) throw rangeError('t', 'a number', t);
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Student's t cumulative distribution P(T <= t). */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSided(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** Welch's unequal-variance t-test of two independent samples. */
export interface TTest {
  /** (mean a - mean b) / sqrt(var a / n a + var b / n b), sample variances (ddof 1). */
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** Mean of sample a. */
  meanA: number;
  /** Mean of sample b. */
  meanB: number;
  /** Sample standard deviation of a (ddof 1). */
  stdA: number;
  /** Sample standard deviation of b (ddof 1). */
  stdB: number;
  /** Number of values in a. */
  nA: number;
  /** Number of values in b. */
  nB: number;
}

/**
 * Welch's t-test (scipy.stats.ttest_ind(a, b, equal_var=False)), two-sided. Each sample needs
 * at least 2 finite values. When both samples have zero variance, t is +-Infinity (p = 0) if the
 * means differ and 0 (p = 1) if they are equal.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): TTest {
  const x = checkSample(a, 'a', 2);
  const y = checkSample(b, 'b', 2);
  const meanA = x.reduce((s, v) => s + v, 0) / x.length;
  const meanB = y.reduce((s, v) => s + v, 0) / y.length;
  const varA = x.reduce((s, v) => s + (v - meanA) ** 2, 0) / (x.length - 1);
  const varB = y.reduce((s, v) => s + (v - meanB) ** 2, 0) / (y.length - 1);
  const qa = varA / x.length;
  const qb = varB / y.length;
  const se = Math.sqrt(qa + qb);
  const base = { meanA, meanB, stdA: Math.sqrt(varA), stdB: Math.sqrt(varB), nA: x.length, nB: y.length };
  if (se === 0) {
    const equal = meanA === meanB;
    return { ...base, t: equal ? 0 : meanA > meanB ? Infinity : -Infinity, df: x.length + y.length - 2, p: equal ? 1 : 0 };
  }
  const t = (meanA - meanB) / se;
  const df = (qa + qb) ** 2 / ((qa * qa) / (x.length - 1) + (qb * qb) / (y.length - 1));
  return { ...base, t, df, p: studentTTwoSided(t, df) };
}

/** Pearson's correlation coefficient of paired samples (NaN when either is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = checkSample(a, 'a', 2);
  const y = checkSample(b, 'b', 2);
  if (x.length !== y.length) throw rangeError('b', `${x.length} values, paired with a`, b, `${y.length} values`);
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < x.length; k++) {
    sxy += (x[k]! - mx) * (y[k]! - my);
    sxx += (x[k]! - mx) ** 2;
    syy += (y[k]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}
