// Our own small-matrix GEMM (native/smallgemm.cpp) against OpenBLAS: every kernel compiled into
// this build (AVX-512, AVX2, portable, and the dispatch rule), float and double, all four
// transposition cases, odd sizes (masked tails), padded leading dimensions, alpha/beta values,
// and the BLAS conventions (beta = 0 does not read C; alpha = 0 or K = 0 does not read A, B).
import test from 'tape';
import { Rng } from '../ts/index.js';
import { native } from '../ts/native.js';
import type { FloatArray } from '../ts/native.js';

const KERNELS = { auto: 0, blas: 1, own: 2, portable: 3, avx2: 4, avx512: 5 } as const;
type KernelName = keyof typeof KERNELS;
const info = native.gemmInfo();
const compiled = (['own', 'portable', 'avx2', 'avx512', 'auto'] as const).filter((k) => info.kernels[k]);
const DTYPES = ['float32', 'float64'] as const;
type DType = (typeof DTYPES)[number];
const EPS: Record<DType, number> = { float32: 2 ** -24, float64: 2 ** -53 };

function alloc(dtype: DType, n: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

interface Case {
  tA: number;
  tB: number;
  M: number;
  N: number;
  K: number;
  alpha: number;
  beta: number;
  /** Extra columns of padding in each leading dimension. */
  pad: number;
}

/** Operands for one case, with NaN in every padding slot (a kernel reading it would show). */
function operands(c: Case, dtype: DType, rng: Rng) {
  const aRows = c.tA ? c.K : c.M, aCols = c.tA ? c.M : c.K;
  const bRows = c.tB ? c.N : c.K, bCols = c.tB ? c.K : c.N;
  const lda = aCols + c.pad, ldb = bCols + c.pad, ldc = c.N + c.pad;
  const fill = (rows: number, cols: number, ld: number) => {
    const m = alloc(dtype, Math.max(1, rows * ld));
    m.fill(NaN);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m[i * ld + j] = rng.normal();
    return m;
  };
  const A = fill(aRows, aCols, lda);
  const B = fill(bRows, bCols, ldb);
  const C0 = fill(c.M, c.N, ldc);
  // C's padding gets a sentinel instead of NaN: it must come back unchanged.
  for (let i = 0; i < c.M; i++) for (let j = c.N; j < ldc; j++) C0[i * ldc + j] = 12345;
  return { A, B, C0, lda, ldb, ldc };
}

function abs(m: FloatArray): FloatArray {
  return m.map((v) => (Number.isNaN(v) ? v : Math.abs(v))) as FloatArray;
}

/**
 * Runs one case with `kernel` and with OpenBLAS; returns the largest error relative to the
 * rounding bound |alpha| sum_k |a_ik b_kj| + |beta c_ij| (per element), and whether C's padding
 * and finiteness held.
 */
function check(kernel: KernelName, c: Case, dtype: DType, rng: Rng) {
  const { A, B, C0, lda, ldb, ldc } = operands(c, dtype, rng);
  const C = C0.slice();
  const ref = C0.slice();
  const ran = native.gemm(KERNELS[kernel], c.tA, c.tB, c.M, c.N, c.K, c.alpha, A, lda, B, ldb, c.beta, C, ldc);
  native.gemm(KERNELS.blas, c.tA, c.tB, c.M, c.N, c.K, c.alpha, A, lda, B, ldb, c.beta, ref, ldc);
  const bound = alloc(dtype, C0.length);
  native.gemm(KERNELS.blas, c.tA, c.tB, c.M, c.N, c.K, Math.abs(c.alpha), abs(A), lda, abs(B), ldb, 0, bound, ldc);
  let worst = 0;
  let paddingKept = true;
  let finite = true;
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < ldc; j++) {
      const k = i * ldc + j;
      if (j >= c.N) {
        paddingKept &&= C[k] === 12345;
        continue;
      }
      finite &&= Number.isFinite(C[k]!);
      const scale = bound[k]! + Math.abs(c.beta * C0[k]!) + Number.MIN_VALUE;
      worst = Math.max(worst, Math.abs(C[k]! - ref[k]!) / scale);
    }
  }
  // In units of K eps: a sum of K products rounds to within about K eps of the exact value.
  return { ran, worst: worst / (Math.max(c.K, 1) * EPS[dtype]), paddingKept, finite };
}

const SIZES = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65, 100, 129];
const ALPHAS = [1, -0.5, 2.5, 1];
const BETAS = [0, 1, -1.5, 0.3, 1];

function cases(rng: Rng, count: number): Case[] {
  const out: Case[] = [];
  for (let n = 0; n < count; n++) {
    out.push({
      tA: n & 1,
      tB: (n >> 1) & 1,
      M: rng.choice(SIZES),
      N: rng.choice(SIZES),
      K: rng.choice(SIZES),
      alpha: ALPHAS[n % ALPHAS.length]!,
      beta: BETAS[n % BETAS.length]!,
      pad: n % 3 === 0 ? 0 : rng.int(5),
    });
  }
  // The per-time-step shapes of the kernels (workloads 1 and 4), exactly.
  for (const [M, N, K] of [[32, 64, 64], [64, 64, 32], [64, 256, 256], [256, 256, 64]] as const)
    for (let t = 0; t < 4; t++) out.push({ tA: t & 1, tB: (t >> 1) & 1, M, N, K, alpha: 1, beta: t === 1 ? 1 : 0, pad: 0 });
  return out;
}

test(`gemm kernels in this build: ${info.isa} (${compiled.join(', ')})`, (t) => {
  t.ok(info.kernels.own && info.kernels.portable && info.kernels.blas && info.kernels.auto, 'own, portable, blas and auto always exist');
  if (info.isa === 'avx512') t.ok(info.kernels.avx2, 'an AVX-512 build also has the AVX2 kernels');
  t.end();
});

for (const kernel of compiled) {
  for (const dtype of DTYPES) {
    test(`gemm ${kernel} ${dtype} equals OpenBLAS on 160 shapes, all transposition cases, odd sizes, padding, alpha/beta`, (t) => {
      const rng = new Rng(`gemm-${kernel}-${dtype}`);
      let worst = 0;
      let failures = 0;
      const list = cases(rng, 144);
      for (const c of list) {
        const r = check(kernel, c, dtype, rng);
        worst = Math.max(worst, r.worst);
        if (!r.ran || !r.paddingKept || !r.finite || r.worst > 2) {
          failures++;
          if (failures <= 3) t.fail(`${JSON.stringify(c)}: ran ${r.ran}, padding kept ${r.paddingKept}, finite ${r.finite}, error ${r.worst.toFixed(3)} K eps`);
        }
      }
      t.equal(failures, 0, `${list.length} cases within 2 K eps of OpenBLAS (worst ${worst.toFixed(3)} K eps), C padding untouched, NaN padding of A and B never read`);
      t.end();
    });
  }
}

test('gemm: BLAS conventions for beta = 0, alpha = 0, K = 0 and empty shapes', (t) => {
  for (const kernel of compiled) {
    for (const dtype of DTYPES) {
      const M = 5, N = 19, K = 7;
      const rng = new Rng(7);
      const A = alloc(dtype, M * K), B = alloc(dtype, K * N);
      rng.fillNormal(A);
      rng.fillNormal(B);
      const C = alloc(dtype, M * N).fill(NaN);
      native.gemm(KERNELS[kernel], 0, 0, M, N, K, 1, A, K, B, N, 0, C, N);
      const ref = alloc(dtype, M * N);
      native.gemm(KERNELS.blas, 0, 0, M, N, K, 1, A, K, B, N, 0, ref, N);
      t.ok(C.every((v, k) => Math.abs(v - ref[k]!) <= 1e-5 * (1 + Math.abs(ref[k]!))), `${kernel} ${dtype}: beta = 0 ignores NaN in C`);

      const nanA = alloc(dtype, M * K).fill(NaN), nanB = alloc(dtype, K * N).fill(NaN);
      const C2 = alloc(dtype, M * N).fill(2);
      native.gemm(KERNELS[kernel], 0, 0, M, N, K, 0, nanA, K, nanB, N, 1.5, C2, N);
      t.ok(C2.every((v) => v === 3), `${kernel} ${dtype}: alpha = 0 gives beta C without reading A, B`);
      const C3 = alloc(dtype, M * N).fill(2);
      native.gemm(KERNELS[kernel], 0, 0, M, N, 0, 1, nanA, 1, nanB, N, 0.5, C3, N);
      t.ok(C3.every((v) => v === 1), `${kernel} ${dtype}: K = 0 gives beta C`);
      const C4 = alloc(dtype, M * N).fill(NaN);
      native.gemm(KERNELS[kernel], 0, 0, M, N, 0, 1, nanA, 1, nanB, N, 0, C4, N);
      t.ok(C4.every((v) => v === 0), `${kernel} ${dtype}: K = 0, beta = 0 gives zeros`);
      const empty = alloc(dtype, 1).fill(9);
      t.ok(native.gemm(KERNELS[kernel], 0, 0, 0, 4, 3, 1, empty, 3, B, 4, 0, empty, 4) && empty[0] === 9, `${kernel} ${dtype}: M = 0 is a no-op`);
    }
  }
  t.end();
});

test('gemm: transposed right operand with K beyond one packed slice (K = 600)', (t) => {
  for (const kernel of compiled) {
    for (const dtype of DTYPES) {
      const rng = new Rng(11);
      for (const [tA, beta] of [[0, 0], [1, 0.5]] as const) {
        const r = check(kernel, { tA, tB: 1, M: 13, N: 37, K: 600, alpha: 0.75, beta, pad: 1 }, dtype, rng);
        t.ok(r.ran && r.finite && r.paddingKept && r.worst <= 2, `${kernel} ${dtype} transA=${tA}: error ${r.worst.toFixed(3)} K eps`);
      }
    }
  }
  t.end();
});

test('gemm: own kernels are deterministic and independent of how the rows are split', (t) => {
  for (const kernel of compiled.filter((k) => k !== 'auto')) {
    for (const dtype of DTYPES) {
      for (const [tA, tB] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const M = 37, N = 70, K = 45;
        const rng = new Rng(`split-${kernel}-${dtype}-${tA}${tB}`);
        const A = alloc(dtype, M * K), B = alloc(dtype, K * N);
        rng.fillNormal(A);
        rng.fillNormal(B);
        const lda = tA ? M : K, ldb = tB ? K : N;
        const whole = alloc(dtype, M * N), again = alloc(dtype, M * N), split = alloc(dtype, M * N);
        native.gemm(KERNELS[kernel], tA, tB, M, N, K, 1, A, lda, B, ldb, 0, whole, N);
        native.gemm(KERNELS[kernel], tA, tB, M, N, K, 1, A, lda, B, ldb, 0, again, N);
        // Rows [0, 13) and [13, M) in two calls (A offset by 13 rows, or 13 columns when transposed).
        const m1 = 13;
        native.gemm(KERNELS[kernel], tA, tB, m1, N, K, 1, A, lda, B, ldb, 0, split, N);
        const rest = tA ? A.subarray(m1) : A.subarray(m1 * K);
        native.gemm(KERNELS[kernel], tA, tB, M - m1, N, K, 1, rest, lda, B, ldb, 0, split.subarray(m1 * N), N);
        t.ok(whole.every((v, k) => Object.is(v, again[k])), `${kernel} ${dtype} ${tA}${tB}: bit-identical run to run`);
        t.ok(whole.every((v, k) => Object.is(v, split[k])), `${kernel} ${dtype} ${tA}${tB}: bit-identical when split by rows`);
      }
    }
  }
  t.end();
});

test('gemm binding re-checks sizes and kernel codes', (t) => {
  const a = new Float32Array(12), b = new Float32Array(12), c = new Float32Array(9);
  t.throws(() => native.gemm(0, 0, 0, 3, 3, 4, 1, a, 3, b, 3, 0, c, 3), /RangeError: rnnlab native gemm: lda must be >= the columns of A/, 'lda too small');
  t.throws(() => native.gemm(0, 0, 0, 3, 3, 5, 1, a, 5, b, 3, 0, c, 3), /A is too short/, 'A too short');
  t.throws(() => native.gemm(0, 0, 0, 3, 4, 4, 1, a, 4, b, 4, 0, c, 4), /B is too short|C is too short/, 'B or C too short');
  t.throws(() => native.gemm(9, 0, 0, 3, 3, 4, 1, a, 4, b, 3, 0, c, 3), /kernel must be 0\.\.5/, 'unknown kernel');
  t.throws(() => native.gemm(0, 0, 0, 3, 3, 4, 1, a, 4, new Float64Array(12), 3, 0, c, 3), /TypeError: .*B must be a Float32Array/, 'mixed element types');
  t.end();
});
