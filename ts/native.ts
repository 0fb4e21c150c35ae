/**
 * The only file that loads the C++ addon. It pins OpenBLAS to one thread unless the user chose
 * otherwise (OpenBLAS reads OPENBLAS_NUM_THREADS when it loads, so this must happen first), and
 * turns a load failure into one error that says what to do.
 * @module
 * @internal
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type FloatArray = Float32Array | Float64Array;

/** Sizes and settings of one model and batch, as the kernels read them. */
export interface NativeSpec {
  N: number;
  nIn: number;
  nOut: number;
  T: number;
  B: number;
  alpha: number;
  /** 0 relu, 1 tanh, 2 retanh, 3 linear */
  activation: number;
}

/**
 * Protocol of a Lyapunov computation as the kernels read it (native/lyapunov.hpp): k exponents,
 * warmupState state-only steps, warmupQ transient QR steps, steps accumulation steps,
 * QR every qrEvery accumulation steps; qrMethod 0 = Householder (LAPACK), 1 = CholeskyQR2.
 */
export interface NativeLyapunovSettings {
  k: number;
  warmupState: number;
  warmupQ: number;
  steps: number;
  qrEvery: number;
  qrMethod: number;
}

/** The BLAS the addon is linked against (OpenBLAS's own report). */
export interface BlasInfo {
  /** openblas_get_config(): version and build options. */
  config: string;
  /** The CPU kernel family OpenBLAS selected (e.g. "Haswell"). */
  corename: string;
  /** OpenBLAS threads in use (1 unless setBlasThreads changed it). */
  threads: number;
}

/** The addon's functions. Arrays are borrowed for the call; outputs are written in place. */
export interface NativeAddon {
  forward(spec: NativeSpec, params: FloatArray, x: FloatArray, noise: FloatArray | null, H: FloatArray, rate: FloatArray, Y: FloatArray): void;
  lossGrad(spec: NativeSpec, kind: number, Y: FloatArray, targets: FloatArray, mask: FloatArray | null, dY: FloatArray): number;
  bpttBackward(spec: NativeSpec, params: FloatArray, x: FloatArray, H: FloatArray, rate: FloatArray, dY: FloatArray, grads: FloatArray): void;
  /** Adam on elements [start, end) of the flat arrays (optim.hpp). */
  adamStep(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, start: number, end: number, step: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): void;
  /** SGD on elements [start, end) of the flat arrays (optim.hpp). */
  sgdStep(p: FloatArray, g: FloatArray, buf: FloatArray | null, start: number, end: number, step: number, lr: number, momentum: number, weightDecay: number): void;
  sumSquares(a: FloatArray): number;
  scaleInPlace(a: FloatArray, s: number): void;
  setBlasThreads(n: number): void;
  blasInfo(): BlasInfo;

  // Similarity metrics (native/similarity.hpp), float64 only. Each returns a status code:
  // 0 ok, 1 zero norm, 2 LAPACK failed, 3 rank too large, 4 rank zero, 5 singular regression,
  // 6 too few Hankel rows for several trials, 7 fewer than two embedded time points.
  /** X [m][p], Y [m][q] row-major; out = [distance in radians, cosine]. */
  shapeMetric(m: number, p: number, q: number, X: Float64Array, Y: Float64Array, alpha: number, out: Float64Array): number;
  /** X [m][p], Y [m][q] row-major; out = [linear CKA]. */
  linearCka(m: number, p: number, q: number, X: Float64Array, Y: Float64Array, out: Float64Array): number;
  /** data [K][T][N]; Av [k*k] (r x r row-major written first), S [k], rank [1]; k = min(K (T - (D-1) tau), N D). */
  havokDmd(K: number, T: number, N: number, data: Float64Array, nDelays: number, delayInterval: number, rankRule: number, rankValue: number, lambda: number, Av: Float64Array, S: Float64Array, rank: Float64Array): number;
  /** A, B [r][r]; gaussians [nG][r][r]; C [r][r] out; stats [8] out (see similarity.hpp). */
  dsaAlign(r: number, A: Float64Array, B: Float64Array, gaussians: Float64Array, nGaussians: number, special: number, maxIter: number, gradTol: number, C: Float64Array, stats: Float64Array): number;
  // Dynamics (issue 5). spec.T = warmupState + warmupQ + steps, spec.B = trajectories.
  /** exponents [B][k] per step; q0 is Q0 transposed [k][N]; stats [7] (seconds and counters, see native/lyapunov.hpp). */
  lyapunovSpectrum(spec: NativeSpec, settings: NativeLyapunovSettings, params: FloatArray, x: FloatArray, noise: FloatArray | null, q0: FloatArray | null, exponents: FloatArray, stats: FloatArray | null): void;
  /** mode 0 full, 1 hdetached, 2 local; writes exponents [B][k] and grads (flat layout); returns the flossing loss. */
  flossingGradient(spec: NativeSpec, settings: NativeLyapunovSettings, mode: number, target: number, params: FloatArray, x: FloatArray, noise: FloatArray | null, q0: FloatArray | null, exponents: FloatArray, grads: FloatArray, stats: FloatArray | null): number;
  /** Thin QR with positive diagonal of Z (N x k) given as Zt [k][N]; Zt becomes Qt, R [k][k]. Returns the number of zero R_ii. */
  thinQR(N: number, k: number, qrMethod: number, Zt: FloatArray, R: FloatArray): number;
  /** Eigenvalues of A [n][n] (LAPACK geev); returns LAPACK info. */
  eigenvalues(n: number, A: FloatArray, re: FloatArray, im: FloatArray): number;
  // Learning rules (issue 3). kind: 0 mse, 1 ce. Flags are 0/1 numbers. Seeds are two uint32 words.
  // The loss kernels take two optional trailing arguments (issue 7, part 2; native/regularizer.hpp):
  // activityL2 = lambda >= 0 of the activity regulariser lambda mean_{t>=1,b,i} f(h)^2 (0 = off),
  // and terms = Float64Array [2] receiving [task loss, regulariser]; the returned loss is their sum.
  /** Online e-prop sweep (native/eprop.hpp); feedback [nOut][N] replaces Wout in the learning signal. Returns the loss. */
  epropGradient(spec: NativeSpec, params: FloatArray, x: FloatArray, noise: FloatArray | null, kind: number, targets: FloatArray, mask: FloatArray | null, feedback: FloatArray | null, grads: FloatArray, activityL2?: number, terms?: Float64Array | null): number;
  /** Online node-perturbation sweep (native/eprop.hpp). Returns the loss. */
  nodePerturbationGradient(spec: NativeSpec, params: FloatArray, x: FloatArray, noise: FloatArray | null, kind: number, targets: FloatArray, mask: FloatArray | null, sigma: number, seedLo: number, seedHi: number, grads: FloatArray, activityL2?: number, terms?: Float64Array | null): number;
  /** Exact forward-mode gradient (native/rtrl.hpp). Returns the loss. */
  rtrlGradient(spec: NativeSpec, params: FloatArray, x: FloatArray, noise: FloatArray | null, kind: number, targets: FloatArray, mask: FloatArray | null, grads: FloatArray, activityL2?: number, terms?: Float64Array | null): number;
  /** BPTT with a truncation schedule / replaced backward matrices (native/bptt.hpp BackwardVariant). */
  bpttBackwardVariant(spec: NativeSpec, params: FloatArray, x: FloatArray, H: FloatArray, rate: FloatArray, dY: FloatArray, grads: FloatArray, truncation: number, recurrentFeedback: FloatArray | null, constantDerivative: number, mu: number, readoutFeedback: FloatArray | null, activityL2?: number): void;
  /** Evolution strategies (native/es.hpp). Returns the unperturbed loss. */
  esGradient(spec: NativeSpec, params: FloatArray, perturbable: FloatArray, multiplier: FloatArray | null, absolute: number, x: FloatArray, noise: FloatArray | null, kind: number, targets: FloatArray, mask: FloatArray | null, samples: number, sigma: number, antithetic: number, baseline: number, seedLo: number, seedHi: number, grads: FloatArray, activityL2?: number, terms?: Float64Array | null): number;
  /** Fills out with the standard normal stream np and es draw from (native/random.hpp), seeded by two uint32 words. */
  normalSamples(out: FloatArray, seedLo: number, seedHi: number): void;
  /** out = (absolute ? |W| : W) * M elementwise (native/constraints.hpp). */
  constrainWeights(W: FloatArray, M: FloatArray, absolute: number, out: FloatArray): void;
  /** gW *= M * (absolute ? sign(W) : 1), in place. */
  constrainGradient(W: FloatArray, M: FloatArray, absolute: number, gW: FloatArray): void;

  // Performance (issue 9). Kernel codes: 0 auto (the dispatch rule), 1 OpenBLAS, 2 our best
  // compiled kernel, 3 portable, 4 AVX2, 5 AVX-512. Flags are 0/1.
  /** C = alpha op(A) op(B) + beta C (row-major); false when the kernel is not compiled in. */
  gemm(kernel: number, transA: number, transB: number, M: number, N: number, K: number, alpha: number, A: FloatArray, lda: number, B: FloatArray, ldb: number, beta: number, C: FloatArray, ldc: number): boolean;
  /** The best own GEMM kernel compiled in, and which kernels exist in this build. */
  gemmInfo(): { isa: 'avx512' | 'avx2' | 'portable'; kernels: Record<'auto' | 'blas' | 'own' | 'portable' | 'avx2' | 'avx512', boolean> };
  /** Whether rnnlab's gemm runs this product on our own kernel (else OpenBLAS). */
  gemmPreferred(transA: number, transB: number, M: number, N: number, K: number, isDouble: number): boolean;
  /** Native timing of one GEMM shape (operands in cache); seconds per call. */
  gemmTiming(kernel: number, transA: number, transB: number, M: number, N: number, K: number, beta: number, isDouble: number, seconds: number, rounds: number): { medianSeconds: number; bestSeconds: number; callsPerRound: number };
  /** GFLOP/s of one core from independent register FMAs at the given vector width (0 = scalar). */
  fmaPeak(isDouble: number, widthBits: number, seconds: number): number;
  // Split-batch driver (issue 9). rule: 0 bptt, 1 eprop; kind: 0 mse, 1 ce.
  /** Elements of scratch gradientSplit needs. */
  splitScratchLength(spec: NativeSpec, rule: number, kind: number, hasNoise: number, threads: number): number;
  /**
   * Loss and gradient (BPTT or e-prop) of the batch on `threads` threads, which share its trials
   * out in shares (native/split.hpp); feedback [nOut][N] replaces Wout on the readout path;
   * activityL2 / terms as for the loss kernels. Returns the loss.
   */
  gradientSplit(spec: NativeSpec, rule: number, params: FloatArray, x: FloatArray, noise: FloatArray | null, kind: number, targets: FloatArray, mask: FloatArray | null, feedback: FloatArray | null, grads: FloatArray, threads: number, scratch: FloatArray, activityL2?: number, terms?: Float64Array | null): number;
}

if (process.env.OPENBLAS_NUM_THREADS === undefined) process.env.OPENBLAS_NUM_THREADS = '1';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..');

function loadAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  const candidates = [
    process.env.RNNLAB_NATIVE_PATH,
    join(packageRoot, 'build', 'Release', 'rnnlab.node'),
    join(packageRoot, 'build', 'Debug', 'rnnlab.node'),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const failures: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    try {
      return require(path) as NativeAddon;
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    [
      'rnnlab: the native addon could not be loaded.',
      ...failures.map((f) => `  ${f}`),
      `  (Node ${process.version}, ${process.platform}-${process.arch})`,
      'Possible solutions:',
      '  - build it: run `npm run build` in the rnnlab folder (npm install does this);',
      '  - install the system libraries: sudo apt-get install -y libopenblas-dev liblapacke-dev cmake g++;',
      '  - if libopenblas is installed elsewhere, add its folder to LD_LIBRARY_PATH;',
      '  - or point RNNLAB_NATIVE_PATH at a built rnnlab.node.',
    ].join('\n'),
  );
}

/** The loaded addon (loaded once, on first import). */
export const native: NativeAddon = loadAddon();

/** Sets the number of OpenBLAS threads for the whole process (1 by default). */
export function setBlasThreads(threads: number): void {
  native.setBlasThreads(threads);
}

/** OpenBLAS build configuration, selected core and current thread count. */
export function blasInfo(): BlasInfo {
  return native.blasInfo();
}
