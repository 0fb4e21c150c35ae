// Analytic operation counts of the benchmark workloads (multiply-add = 2 FLOPs; elementwise work
// such as the leak, the activation and Adam is not counted), and the GEMM products that bound each
// one: the roofline limit of a workload is the time those products take at the throughput the
// native micro-benchmark measures for their exact shapes in the same run.

/** One GEMM product of a workload: C[M][N] (+)= op(A)[M][K] op(B)[K][N], `count` times. */
export interface GemmProduct {
  /** What the product computes, e.g. "forward  R_{t-1} Wh^T". */
  label: string;
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  /** 0 for a product that overwrites C, 1 for one that accumulates into it. */
  beta: 0 | 1;
  count: number;
  dtype: 'float32' | 'float64';
}

export interface FlopModel {
  /** Total FLOPs of one unit of the workload (one iteration, one spectrum, ...). */
  flops: number;
  /**
   * The products behind the FLOPs, as one core runs them; flops not covered by them (thin
   * products) are charged at the rate of the first.
   */
  products: GemmProduct[];
  /** Cores running such products at the same time (the batch split across threads); default 1. */
  parallel?: number;
}

/**
 * The FLOP model of a workload whose batch of B trials is split across `threads` cores: the
 * same total, each core running the products of its share (ceil(B / threads) trials).
 */
export function splitAcross(model: (B: number) => FlopModel, B: number, threads: number): FlopModel {
  const share = model(Math.ceil(B / threads));
  return { flops: model(B).flops, products: share.products, parallel: threads };
}

/** FLOPs a list of products performs. */
export function productFlops(products: readonly GemmProduct[]): number {
  return products.reduce((sum, p) => sum + 2 * p.M * p.N * p.K * p.count, 0);
}

/** FLOPs of the thin products of one iteration: input projection, readout and their gradients. */
const thinFlops = (N: number, B: number, T: number, nIn: number, nOut: number) => 2 * T * B * N * (2 * nIn + 3 * nOut);

/** The per-step N x N products of an iteration (`count` = steps with a previous state). */
function squareProducts(N: number, B: number, s: number, dtype: 'float32' | 'float64', backward: boolean): GemmProduct[] {
  const forward: GemmProduct = { label: 'forward  R_{t-1} Wh^T', transA: false, transB: false, M: B, N, K: N, beta: 0, count: s, dtype };
  const back: GemmProduct = { label: 'backward D_{t+1} Wh', transA: false, transB: false, M: B, N, K: N, beta: 0, count: s, dtype };
  const dWh: GemmProduct = { label: backward ? 'dWh += D_t^T R_{t-1}' : 'dWh += E_t^T R_{t-1}', transA: true, transB: false, M: N, N, K: B, beta: 1, count: s, dtype };
  return backward ? [forward, back, dWh] : [forward, dWh];
}

/**
 * BPTT training iteration (performance.md): 6 (T-1) B N^2 for the three N x N products of each
 * step (forward R_{t-1} Wh^T, backward D_{t+1} Wh, dWh += D_t^T R_{t-1}; those at t = 1 vanish
 * because f(h_0) = 0 when h_0 = 0), plus 2 T B N (2 nIn + 3 nOut) for the input projection, the
 * readout, and their gradients (dWx, dWout, Wout^T dy).
 */
export function bpttFlops(N: number, B: number, T: number, nIn: number, nOut: number, dtype: 'float32' | 'float64' = 'float32'): FlopModel {
  return { flops: 6 * (T - 1) * B * N * N + thinFlops(N, B, T, nIn, nOut), products: squareProducts(N, B, T - 1, dtype, true) };
}

/**
 * e-prop training iteration (performance.md): 4 (T-1) B N^2 (forward product and the dWh
 * accumulation; there is no backward N x N product) plus the same thin products as BPTT.
 */
export function epropFlops(N: number, B: number, T: number, nIn: number, nOut: number, dtype: 'float32' | 'float64' = 'float32'): FlopModel {
  return { flops: 4 * (T - 1) * B * N * N + thinFlops(N, B, T, nIn, nOut), products: squareProducts(N, B, T - 1, dtype, false) };
}

/**
 * Lyapunov spectrum by QR every step: per step the tangent product Wh (D Q) (2 N^2 k) and a
 * Householder QR of the N x k matrix with Q formed explicitly (2 N k^2 - 2k^3/3 for R, the same
 * again for Q). The limit charges all of it at the dgemm rate of the N x k x N product, which is
 * optimistic for the QR part (no small QR runs at GEMM speed).
 */
export function lyapunovFlops(N: number, k: number, steps: number): FlopModel {
  const qr = 2 * (2 * N * k * k - (2 * k * k * k) / 3);
  return {
    flops: steps * (2 * N * N * k + qr),
    products: [{ label: 'tangent  Wh (D Q)', transA: false, transB: false, M: N, N: k, K: N, beta: 0, count: steps, dtype: 'float64' }],
  };
}
