// The thin QR behind the Lyapunov kernels: CholeskyQR2 (ours) against LAPACK Householder and an
// independent JS Householder; positive diagonal, orthonormality, reconstruction; ill-conditioned
// and rank-deficient matrices (where CholeskyQR2 must fall back).
import test from 'tape';
import { Rng } from '../ts/index.js';
import { native } from '../ts/native.js';
import { householderQR } from './dynamics-reference.js';

const HOUSEHOLDER = 0;
const CHOLESKY_QR2 = 1;

/** Runs native thinQR on a copy of Zt [k][N]; returns Qt, R and the zero-pivot count. */
function qr(Zt: Float64Array | Float32Array, N: number, k: number, method: number): { Qt: Float64Array | Float32Array; R: Float64Array | Float32Array; zeros: number } {
  const Qt = Zt.slice();
  const R = Zt instanceof Float64Array ? new Float64Array(k * k) : new Float32Array(k * k);
  const zeros = native.thinQR(N, k, method, Qt, R);
  return { Qt, R, zeros };
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** max |Q^T Q - I| and max |Q R - Z| / max |Z| for Qt [k][N], R [k][k], Zt [k][N]. */
function checks(Qt: ArrayLike<number>, R: ArrayLike<number>, Zt: ArrayLike<number>, N: number, k: number): { orth: number; recon: number; minDiag: number; lower: number } {
  let orth = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let n = 0; n < N; n++) dot += Qt[i * N + n]! * Qt[j * N + n]!;
      orth = Math.max(orth, Math.abs(dot - (i === j ? 1 : 0)));
    }
  let recon = 0;
  let zmax = 0;
  for (let m = 0; m < k; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let p = 0; p <= m; p++) acc += Qt[p * N + n]! * R[p * k + m]!;
      recon = Math.max(recon, Math.abs(acc - Zt[m * N + n]!));
      zmax = Math.max(zmax, Math.abs(Zt[m * N + n]!));
    }
  let minDiag = Infinity;
  let lower = 0;
  for (let i = 0; i < k; i++) {
    minDiag = Math.min(minDiag, R[i * k + i]!);
    for (let j = 0; j < i; j++) lower = Math.max(lower, Math.abs(R[i * k + j]!));
  }
  return { orth, recon: recon / zmax, minDiag, lower };
}

test('CholeskyQR2 equals LAPACK Householder and a JS Householder (positive diagonal)', (t) => {
  const rng = new Rng(70);
  for (const [N, k] of [[6, 6], [10, 4], [64, 64], [50, 7], [256, 32]] as const) {
    const Zt = new Float64Array(N * k);
    rng.fillNormal(Zt);
    const hh = qr(Zt, N, k, HOUSEHOLDER);
    const cq = qr(Zt, N, k, CHOLESKY_QR2);
    for (const [name, r] of [['householder', hh], ['choleskyqr2', cq]] as const) {
      const c = checks(r.Qt, r.R, Zt, N, k);
      t.ok(c.orth < 1e-13 && c.recon < 1e-13 && c.minDiag > 0 && c.lower === 0, `${N}x${k} ${name}: |QtQ - I| ${c.orth.toExponential(1)}, |QR - Z|/|Z| ${c.recon.toExponential(1)}, min R_ii ${c.minDiag.toFixed(3)} > 0, lower triangle 0`);
    }
    const dq = maxAbs(hh.Qt, cq.Qt);
    const dr = maxAbs(hh.R, cq.R);
    t.ok(dq < 1e-12 && dr < 1e-12 * Math.sqrt(N), `${N}x${k}: the two methods agree (Q ${dq.toExponential(1)}, R ${dr.toExponential(1)})`);
    if (N <= 64) {
      const columns = Array.from({ length: k }, (_, m) => Zt.slice(m * N, (m + 1) * N));
      const js = householderQR(columns);
      const dj = Math.max(maxAbs(js.Q.flatMap((c) => Array.from(c)), cq.Qt), maxAbs(js.R.flat(), cq.R));
      t.ok(dj < 1e-12, `${N}x${k}: equals the JS Householder to ${dj.toExponential(1)}`);
    }
  }
  t.end();
});

test('ill-conditioned Z (cond 1e12): CholeskyQR2 falls back and stays exact', (t) => {
  const N = 40;
  const k = 12;
  const rng = new Rng(71);
  // Z = U diag(s) V^T with orthonormal U (N x k), V (k x k) and singular values 1 .. 1e-12.
  const U = qr(Float64Array.from({ length: N * k }, () => rng.normal()), N, k, HOUSEHOLDER).Qt;
  const V = qr(Float64Array.from({ length: k * k }, () => rng.normal()), k, k, HOUSEHOLDER).Qt;
  const Zt = new Float64Array(N * k);
  for (let m = 0; m < k; m++)
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += U[p * N + n]! * 10 ** (-12 * (p / (k - 1))) * V[p * k + m]!;
      Zt[m * N + n] = acc;
    }
  const cq = qr(Zt, N, k, CHOLESKY_QR2);
  const c = checks(cq.Qt, cq.R, Zt, N, k);
  t.ok(c.orth < 1e-13, `orthonormal to ${c.orth.toExponential(1)} (one Cholesky-QR pass alone would lose orthogonality completely)`);
  t.ok(c.recon < 1e-14, `QR = Z to ${c.recon.toExponential(1)} relative`);
  t.ok(c.minDiag > 0, 'positive diagonal');
  t.end();
});

test('rank-deficient Z: exact zero pivots are reported, Q stays orthonormal', (t) => {
  const N = 8;
  const k = 4;
  const rng = new Rng(72);
  const Zt = new Float64Array(N * k);
  rng.fillNormal(Zt);
  Zt.fill(0, 2 * N, 3 * N); // column 2 is zero
  for (const method of [HOUSEHOLDER, CHOLESKY_QR2]) {
    const r = qr(Zt, N, k, method);
    t.equal(r.zeros, 1, `method ${method}: one zero pivot`);
    t.equal(r.R[2 * k + 2], 0, 'R_22 = 0');
    const c = checks(r.Qt, r.R, Zt, N, k);
    t.ok(c.orth < 1e-14 && c.recon < 1e-14, `orthonormal Q (${c.orth.toExponential(1)}) and QR = Z (${c.recon.toExponential(1)})`);
  }
  t.end();
});

test('float32 QR agrees with float64', (t) => {
  const N = 32;
  const k = 8;
  const rng = new Rng(73);
  const Z64 = new Float64Array(N * k);
  rng.fillNormal(Z64);
  const Z32 = Float32Array.from(Z64);
  for (const method of [HOUSEHOLDER, CHOLESKY_QR2]) {
    const r32 = qr(Z32, N, k, method);
    const r64 = qr(Z64, N, k, method);
    t.ok(maxAbs(r32.R, r64.R) < 1e-4 && maxAbs(r32.Qt, r64.Qt) < 1e-5, `method ${method}: float32 within 1e-4 of float64`);
  }
  t.end();
});

test('thinQR re-checks its arguments natively', (t) => {
  t.throws(() => native.thinQR(3, 4, 1, new Float64Array(12), new Float64Array(16)), /rnnlab native thinQR: k must be <= N/, 'k > N');
  t.throws(() => native.thinQR(4, 2, 1, new Float64Array(7), new Float64Array(4)), /Zt has length 7, expected 8/, 'short Zt');
  t.throws(() => native.thinQR(4, 2, 2, new Float64Array(8), new Float64Array(4)), /qrMethod must be 0 or 1/, 'unknown method');
  t.end();
});
