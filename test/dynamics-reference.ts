// An independent plain-JS reference of the Lyapunov protocol (reference/specs.md 1.2) and of the
// frozen surrogates that define the `hdetached` and `local` flossing gradients (specs.md 2.3),
// for tests on small networks. One trajectory, no state noise; Householder QR with the signs
// fixed so that R has a positive diagonal.
import type { LeakyRNN } from '../ts/index.js';

export interface Weights {
  Wh: Float64Array;
  Wx: Float64Array;
  b: Float64Array;
  h0: Float64Array;
}

export interface Protocol {
  k: number;
  warmupState: number;
  warmupQ: number;
  steps: number;
  qrEvery: number;
}

/** f and f' of an activation (relu'(0) = 0). */
export function activation(name: string): { f: (h: number) => number; df: (h: number) => number } {
  switch (name) {
    case 'relu':
      return { f: (h) => (h > 0 ? h : 0), df: (h) => (h > 0 ? 1 : 0) };
    case 'tanh':
      return { f: Math.tanh, df: (h) => 1 - Math.tanh(h) ** 2 };
    case 'retanh':
      return { f: (h) => (h > 0 ? Math.tanh(h) : 0), df: (h) => (h > 0 ? 1 - Math.tanh(h) ** 2 : 0) };
    default:
      return { f: (h) => h, df: () => 1 };
  }
}

/** Copies of the model's Wh, Wx, b, h0 (float64). */
export function weightsOf(model: LeakyRNN): Weights {
  const p = model.params;
  return { Wh: Float64Array.from(p.Wh), Wx: Float64Array.from(p.Wx), b: Float64Array.from(p.b), h0: Float64Array.from(p.h0) };
}

/**
 * Householder thin QR of Z, given as its k columns (each of length N). Returns the columns of Q
 * and R [k][k] (upper triangular, R_ii >= 0).
 */
export function householderQR(columns: Float64Array[]): { Q: Float64Array[]; R: number[][] } {
  const k = columns.length;
  const N = columns[0]!.length;
  const A = columns.map((c) => Float64Array.from(c));
  const vs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(N);
    let norm = 0;
    for (let i = j; i < N; i++) norm += A[j]![i]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = A[j]![j]!;
    const alpha = x0 >= 0 ? -norm : norm;
    for (let i = j; i < N; i++) v[i] = A[j]![i]!;
    v[j] = x0 - alpha;
    let vv = 0;
    for (let i = j; i < N; i++) vv += v[i]! ** 2;
    vs.push(v);
    if (vv === 0) continue;
    for (let c = j; c < k; c++) {
      let dot = 0;
      for (let i = j; i < N; i++) dot += v[i]! * A[c]![i]!;
      const s = (2 * dot) / vv;
      for (let i = j; i < N; i++) A[c]![i] = A[c]![i]! - s * v[i]!;
    }
  }
  const R = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (j >= i ? A[j]![i]! : 0)));
  const Q: Float64Array[] = [];
  for (let m = 0; m < k; m++) {
    const q = new Float64Array(N);
    q[m] = 1;
    for (let j = k - 1; j >= 0; j--) {
      const v = vs[j]!;
      let vv = 0;
      let dot = 0;
      for (let i = j; i < N; i++) {
        vv += v[i]! ** 2;
        dot += v[i]! * q[i]!;
      }
      if (vv === 0) continue;
      const s = (2 * dot) / vv;
      for (let i = j; i < N; i++) q[i] = q[i]! - s * v[i]!;
    }
    Q.push(q);
  }
  for (let i = 0; i < k; i++) {
    if (R[i]![i]! < 0) {
      for (let j = i; j < k; j++) R[i]![j] = -R[i]![j]!;
      for (let n = 0; n < N; n++) Q[i]![n] = -Q[i]![n]!;
    }
  }
  return { Q, R };
}

/** States h_0..h_T of one trajectory driven by rows inputs [T][nIn]. */
export function states(model: LeakyRNN, w: Weights, inputs: Float64Array, T: number): Float64Array[] {
  const { nIn, alpha } = model.config;
  const N = model.N;
  const act = activation(model.config.activation);
  const H = [Float64Array.from(w.h0)];
  for (let t = 1; t <= T; t++) {
    const hp = H[t - 1]!;
    const h = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let drive = w.b[i]!;
      for (let j = 0; j < N; j++) drive += w.Wh[i * N + j]! * act.f(hp[j]!);
      for (let j = 0; j < nIn; j++) drive += w.Wx[i * nIn + j]! * inputs[(t - 1) * nIn + j]!;
      h[i] = alpha * hp[i]! + (1 - alpha) * drive;
    }
    H.push(h);
  }
  return H;
}

export interface SpectrumRun {
  exponents: number[];
  /** States h_0..h_T used for the Jacobians. */
  states: Float64Array[];
  /** Incoming frame (k columns) of every tangent step, in order. */
  frames: Float64Array[][];
}

/**
 * The exponents of one trajectory by the protocol of specs.md 1.2, with the weights `w`.
 * `frozenStates` replaces the trajectory in the Jacobians (hdetached and local surrogates);
 * `frozenFrames` replaces the incoming frame of every tangent step (local surrogate).
 */
export function spectrum(model: LeakyRNN, w: Weights, inputs: Float64Array, p: Protocol, frozen: { states?: Float64Array[]; frames?: Float64Array[][] } = {}): SpectrumRun {
  const N = model.N;
  const { alpha } = model.config;
  const act = activation(model.config.activation);
  const T = p.warmupState + p.warmupQ + p.steps;
  const H = frozen.states ?? states(model, w, inputs, T);
  let F: Float64Array[] = Array.from({ length: p.k }, (_, m) => {
    const e = new Float64Array(N);
    e[m] = 1;
    return e;
  });
  const sums = new Array<number>(p.k).fill(0);
  const frames: Float64Array[][] = [];
  for (let t = p.warmupState + 1; t <= T; t++) {
    const j = t - p.warmupState;
    const incoming = frozen.frames ? frozen.frames[j - 1]! : F;
    frames.push(incoming.map((c) => Float64Array.from(c)));
    const hp = H[t - 1]!;
    const Z = incoming.map((col) => {
      const z = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        let acc = 0;
        for (let l = 0; l < N; l++) acc += w.Wh[i * N + l]! * act.df(hp[l]!) * col[l]!;
        z[i] = alpha * col[i]! + (1 - alpha) * acc;
      }
      return z;
    });
    const n = j - p.warmupQ;
    if (n <= 0 || n % p.qrEvery === 0 || n === p.steps) {
      const { Q, R } = householderQR(Z);
      if (n > 0) for (let i = 0; i < p.k; i++) sums[i]! += Math.log(R[i]![i]!);
      F = Q;
    } else {
      F = Z;
    }
  }
  return { exponents: sums.map((s) => s / p.steps), states: H, frames };
}

/** mean_i (lambda_i - target)^2. */
export function flossLoss(exponents: number[], target = 0): number {
  return exponents.reduce((s, v) => s + (v - target) ** 2, 0) / exponents.length;
}

/** log |det J_t| for J_t = alpha I + (1 - alpha) Wh diag(f'(h)), by LU with partial pivoting. */
export function logAbsDetJacobian(model: LeakyRNN, Wh: Float64Array, h: Float64Array): number {
  const N = model.N;
  const { alpha } = model.config;
  const act = activation(model.config.activation);
  const A = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => (i === j ? alpha : 0) + (1 - alpha) * Wh[i * N + j]! * act.df(h[j]!)));
  let logDet = 0;
  for (let c = 0; c < N; c++) {
    let piv = c;
    for (let r = c + 1; r < N; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    const d = A[c]![c]!;
    logDet += Math.log(Math.abs(d));
    for (let r = c + 1; r < N; r++) {
      const f = A[r]![c]! / d;
      for (let j = c; j < N; j++) A[r]![j] = A[r]![j]! - f * A[c]![j]!;
    }
  }
  return logDet;
}
