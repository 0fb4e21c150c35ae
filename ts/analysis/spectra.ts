/**
 * Eigenspectrum of the recurrent weights (LAPACK dgeev), for comparing trained networks
 * (paper 2, Appendix Figure 8).
 * @module
 */
import { effectiveParamSet } from '../model/constraints.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { native } from '../native.js';
import { expectFinite, rangeError, typeError } from '../validate.js';

/** The eigenvalues of a real square matrix, as parallel arrays of real and imaginary parts. */
export interface Eigenvalues {
  /** Real parts, sorted by decreasing modulus (ties: larger real part, then larger imaginary part first). */
  re: number[];
  /** Imaginary parts, same order. */
  im: number[];
  /** Largest modulus. */
  spectralRadius: number;
}

/**
 * Eigenvalues of a square matrix A [n][n] (row-major), computed in float64 (LAPACK dgeev).
 * @param field name of A in error messages
 * @throws RangeError for n that is not an integer >= 1, A without n x n values, a non-finite
 *   value, or a matrix dgeev cannot handle; TypeError when A is not array-like
 */
export function eigenvalues(A: ArrayLike<number>, n: number, field = 'A'): Eigenvalues {
  if (!Number.isInteger(n) || n < 1) throw rangeError(`${field}`, 'a square matrix with n >= 1', n);
  if (typeof A !== 'object' || A === null || typeof (A as { length?: unknown }).length !== 'number') throw typeError(field, `an array of ${n * n} numbers`, A);
  if (A.length !== n * n) throw rangeError(field, `${n * n} values ([${n}][${n}])`, A);
  const a = Float64Array.from(A);
  expectFinite(a, field, [n, n]);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const info = native.eigenvalues(n, a, re, im);
  if (info !== 0) throw rangeError(field, 'a matrix whose eigenvalues LAPACK dgeev can compute', A, `a matrix for which dgeev did not converge (info ${info})`);
  const order = Array.from({ length: n }, (_, i) => i);
  const mod = (i: number) => Math.hypot(re[i]!, im[i]!);
  order.sort((i, j) => mod(j) - mod(i) || re[j]! - re[i]! || im[j]! - im[i]!);
  return { re: order.map((i) => re[i]!), im: order.map((i) => im[i]!), spectralRadius: n > 0 ? mod(order[0]!) : 0 };
}

/**
 * Eigenvalues of the recurrent weight matrix of `model` as the dynamics use it: Wh, or with
 * Dale's law or a sparsity mask the effective weights |Wh| * mask.
 */
export function recurrentEigenvalues(model: LeakyRNN): Eigenvalues {
  return eigenvalues(effectiveParamSet(model).Wh, model.N, 'Wh');
}
