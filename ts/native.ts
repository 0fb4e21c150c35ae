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

/** The addon's functions. Arrays are borrowed for the call; outputs are written in place. */
export interface NativeAddon {
  forward(spec: NativeSpec, params: FloatArray, x: FloatArray, noise: FloatArray | null, H: FloatArray, rate: FloatArray, Y: FloatArray): void;
  lossGrad(spec: NativeSpec, kind: number, Y: FloatArray, targets: FloatArray, mask: FloatArray | null, dY: FloatArray): number;
  bpttBackward(spec: NativeSpec, params: FloatArray, x: FloatArray, H: FloatArray, rate: FloatArray, dY: FloatArray, grads: FloatArray): void;
  adamStep(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, step: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): void;
  sgdStep(p: FloatArray, g: FloatArray, buf: FloatArray | null, step: number, lr: number, momentum: number, weightDecay: number): void;
  sumSquares(a: FloatArray): number;
  scaleInPlace(a: FloatArray, s: number): void;
  setBlasThreads(n: number): void;
  blasInfo(): { config: string; corename: string; threads: number };
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
  // Split-batch driver (issue 9).
  /** Elements of scratch bpttGradientSplit needs (kind 0 mse, 1 ce). */
  splitScratchLength(spec: NativeSpec, kind: number, hasNoise: number, threads: number): number;
  /** Loss and BPTT gradient of the batch on `threads` threads, which share its trials out in shares. */
  bpttGradientSplit(spec: NativeSpec, kind: number, params: FloatArray, x: FloatArray, targets: FloatArray, mask: FloatArray | null, noise: FloatArray | null, grads: FloatArray, threads: number, scratch: FloatArray): number;
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
export function blasInfo(): { config: string; corename: string; threads: number } {
  return native.blasInfo();
}
