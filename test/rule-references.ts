// Independent float64 references for the learning-rule tests, in plain TypeScript loops (no
// native kernel, no BLAS): the forward pass, the loss, a general reverse pass over the graph
// (with cut recurrent edges, replaced backward matrices, a constant derivative, random readout
// feedback), the loss of the surrogate graph with detached recurrent drives (for finite
// differences), and the effective weights under Dale's law and sparsity masks.
import type { LeakyRNN, Trials } from '../ts/index.js';
import { ParamSet } from '../ts/index.js';

const act = {
  relu: { f: (h: number) => (h > 0 ? h : 0), df: (h: number) => (h > 0 ? 1 : 0) },
  tanh: { f: Math.tanh, df: (h: number) => 1 - Math.tanh(h) ** 2 },
  retanh: { f: (h: number) => (h > 0 ? Math.tanh(h) : 0), df: (h: number) => (h > 0 ? 1 - Math.tanh(h) ** 2 : 0) },
  linear: { f: (h: number) => h, df: () => 1 },
};

/** Dale signs x mask, computed here from the config (independently of model/constraints.ts). */
export function referenceMultiplier(model: LeakyRNN): Float64Array | null {
  const c = model.config;
  const N = model.N;
  if (!c.dale && !model.whMask) return null;
  const nE = c.dale ? Math.floor(c.excitatoryFraction! * N + 1e-9) : N;
  const m = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const sign = c.dale ? (i === j ? 0 : j < nE ? 1 : -1) : 1;
      m[i * N + j] = sign * (model.whMask ? model.whMask[i * N + j]! : 1);
    }
  }
  return m;
}

/** Effective Wh of raw parameters `flat` (a copy). */
export function referenceEffectiveWh(model: LeakyRNN, flat: ArrayLike<number>): Float64Array {
  const N = model.N;
  const W = Float64Array.from({ length: N * N }, (_, k) => flat[k]!);
  const m = referenceMultiplier(model);
  if (!m) return W;
  for (let k = 0; k < N * N; k++) W[k] = (model.config.dale ? Math.abs(W[k]!) : W[k]!) * m[k]!;
  return W;
}

/** Maps a gradient on the effective Wh (in place, [N][N]) to the raw Wh. */
export function referenceGradientToRaw(model: LeakyRNN, gWh: Float64Array): void {
  const m = referenceMultiplier(model);
  if (!m) return;
  for (let k = 0; k < gWh.length; k++) {
    const w = model.params.Wh[k]!;
    gWh[k] = gWh[k]! * m[k]! * (model.config.dale ? Math.sign(w) : 1);
  }
}

export interface ReferenceTrajectory {
  /** H[t] = [B][N] state at step t, t = 0..T. */
  H: Float64Array[];
  R: Float64Array[];
  /** Y[t-1] = [B][nOut] output of step t. */
  Y: Float64Array[];
  dY: Float64Array[];
  loss: number;
}

interface Views {
  N: number;
  nIn: number;
  nOut: number;
  Wh: Float64Array;
  Wx: ArrayLike<number>;
  b: ArrayLike<number>;
  Wout: ArrayLike<number>;
  bOut: ArrayLike<number>;
  h0: ArrayLike<number>;
}

function views(model: LeakyRNN, flat: ArrayLike<number>): Views {
  const { nIn, nOut } = model.config;
  const N = model.N;
  const p = new ParamSet(model.params.dims, 'float64', Float64Array.from(flat));
  return { N, nIn, nOut, Wh: referenceEffectiveWh(model, flat), Wx: p.Wx, b: p.b, Wout: p.Wout, bOut: p.bOut, h0: p.h0 };
}

/**
 * The loss of the graph in which the recurrent drive of step s uses `frozen[s-1]` (a fixed rate
 * array) instead of the live f(h_{s-1}) whenever detachInto(s) is true; with detachInto never true
 * this is the model's loss. `flat` are raw parameters (constraints applied here).
 */
export function referenceForward(model: LeakyRNN, trials: Trials, noise: ArrayLike<number> | null, flat: ArrayLike<number> = model.params.flat, detachInto: (s: number) => boolean = () => false, frozen: Float64Array[] | null = null): ReferenceTrajectory {
  const { N, nIn, nOut, Wh, Wx, b, Wout, bOut, h0 } = views(model, flat);
  const { T, B } = trials;
  const a = model.config.alpha;
  const F = act[model.config.activation];
  const H: Float64Array[] = [];
  const R: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const dY: Float64Array[] = [];
  const H0 = new Float64Array(B * N);
  for (let bi = 0; bi < B; bi++) for (let i = 0; i < N; i++) H0[bi * N + i] = h0[i]!;
  H.push(H0);
  R.push(H0.map(F.f));
  let maskSum = 0;
  for (let k = 0; k < T * B; k++) maskSum += trials.mask ? trials.mask[k]! : 1;
  let loss = 0;
  for (let t = 1; t <= T; t++) {
    const drive = detachInto(t) ? frozen![t - 1]! : R[t - 1]!;
    const h = new Float64Array(B * N);
    for (let bi = 0; bi < B; bi++) {
      for (let i = 0; i < N; i++) {
        let u = b[i]!;
        for (let j = 0; j < N; j++) u += Wh[i * N + j]! * drive[bi * N + j]!;
        for (let k = 0; k < nIn; k++) u += Wx[i * nIn + k]! * trials.inputs[((t - 1) * B + bi) * nIn + k]!;
        h[bi * N + i] = a * H[t - 1]![bi * N + i]! + (1 - a) * u + (noise ? noise[((t - 1) * B + bi) * N + i]! : 0);
      }
    }
    const r = h.map(F.f);
    const y = new Float64Array(B * nOut);
    const dy = new Float64Array(B * nOut);
    for (let bi = 0; bi < B; bi++) {
      for (let o = 0; o < nOut; o++) {
        let s = bOut[o]!;
        for (let i = 0; i < N; i++) s += Wout[o * N + i]! * r[bi * N + i]!;
        y[bi * nOut + o] = s;
      }
      const m = trials.mask ? trials.mask[(t - 1) * B + bi]! : 1;
      if (trials.loss === 'mse') {
        for (let o = 0; o < nOut; o++) {
          const e = y[bi * nOut + o]! - trials.targets[((t - 1) * B + bi) * nOut + o]!;
          loss += (m * e * e) / (nOut * maskSum);
          dy[bi * nOut + o] = (2 * m * e) / (nOut * maskSum);
        }
      } else {
        const c = trials.targets[(t - 1) * B + bi]!;
        const ys = Array.from(y.subarray(bi * nOut, (bi + 1) * nOut));
        const mx = Math.max(...ys);
        const lse = mx + Math.log(ys.reduce((s, v) => s + Math.exp(v - mx), 0));
        loss += (m * (lse - ys[c]!)) / maskSum;
        for (let o = 0; o < nOut; o++) dy[bi * nOut + o] = (m * (Math.exp(ys[o]! - lse) - (o === c ? 1 : 0))) / maskSum;
      }
    }
    H.push(h);
    R.push(r);
    Y.push(y);
    dY.push(dy);
  }
  return { H, R, Y, dY, loss };
}

/** How the reference reverse pass departs from exact BPTT. */
export interface ReverseSpec {
  /** The recurrent edge into step s (from h_{s-1}) carries no error back. */
  cutInto?: (s: number) => boolean;
  /** [N][N] matrix replacing the effective Wh on the backward recurrent path. */
  recurrentBack?: Float64Array;
  /** Constant replacing f'(h_{t-1}) on the backward recurrent path. */
  mu?: number;
  /** [nOut][N] matrix replacing Wout on the backward readout path. */
  readoutBack?: ArrayLike<number>;
}

/**
 * A reverse pass over the graph, written directly from the chain rule:
 *   g_t = f'(h_t) F^T dy_t + [edge into t+1 kept] D (V^T d_{t+1}) + alpha g_{t+1},  d_t = (1 - alpha) g_t
 * and the exact local weight gradients; the result is mapped to the raw parameters.
 */
export function referenceReverse(model: LeakyRNN, trials: Trials, traj: ReferenceTrajectory, spec: ReverseSpec = {}): ParamSet {
  const { N, nIn, nOut, Wh, Wout } = views(model, model.params.flat);
  const { T, B } = trials;
  const a = model.config.alpha;
  const F = act[model.config.activation];
  const V = spec.recurrentBack ?? Wh;
  const Fb = spec.readoutBack ?? Wout;
  const cut = spec.cutInto ?? (() => false);
  const out = new ParamSet(model.params.dims, 'float64');
  let g = new Float64Array(B * N);
  let dNext = new Float64Array(B * N);
  const backFrom = (d: Float64Array, hPrev: Float64Array): Float64Array => {
    const p = new Float64Array(B * N);
    for (let bi = 0; bi < B; bi++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let i = 0; i < N; i++) s += V[i * N + j]! * d[bi * N + i]!;
        p[bi * N + j] = (spec.mu ?? F.df(hPrev[bi * N + j]!)) * s;
      }
    }
    return p;
  };
  for (let t = T; t >= 1; t--) {
    const h = traj.H[t]!;
    const r = traj.R[t]!;
    const rec = t < T && !cut(t + 1) ? backFrom(dNext, h) : new Float64Array(B * N);
    const gt = new Float64Array(B * N);
    const dt = new Float64Array(B * N);
    for (let bi = 0; bi < B; bi++) {
      for (let i = 0; i < N; i++) {
        let q = 0;
        for (let o = 0; o < nOut; o++) q += Fb[o * N + i]! * traj.dY[t - 1]![bi * nOut + o]!;
        gt[bi * N + i] = F.df(h[bi * N + i]!) * q + rec[bi * N + i]! + a * g[bi * N + i]!;
        dt[bi * N + i] = (1 - a) * gt[bi * N + i]!;
      }
      for (let o = 0; o < nOut; o++) {
        const e = traj.dY[t - 1]![bi * nOut + o]!;
        out.bOut[o] = out.bOut[o]! + e;
        for (let i = 0; i < N; i++) out.Wout[o * N + i] = out.Wout[o * N + i]! + e * r[bi * N + i]!;
      }
      for (let i = 0; i < N; i++) {
        const d = dt[bi * N + i]!;
        out.b[i] = out.b[i]! + d;
        for (let j = 0; j < N; j++) out.Wh[i * N + j] = out.Wh[i * N + j]! + d * traj.R[t - 1]![bi * N + j]!;
        for (let k = 0; k < nIn; k++) out.Wx[i * nIn + k] = out.Wx[i * nIn + k]! + d * trials.inputs[((t - 1) * B + bi) * nIn + k]!;
      }
    }
    g = gt;
    dNext = dt;
  }
  const rec0 = !cut(1) ? backFrom(dNext, traj.H[0]!) : new Float64Array(B * N);
  for (let bi = 0; bi < B; bi++) for (let i = 0; i < N; i++) out.h0[i] = out.h0[i]! + a * g[bi * N + i]! + rec0[bi * N + i]!;
  referenceGradientToRaw(model, out.Wh as Float64Array);
  return out;
}

/**
 * Central finite differences of the surrogate loss (recurrent drives into the steps where
 * detachInto(s) holds are frozen at the unperturbed trajectory's rates) over every raw parameter.
 */
export function surrogateFiniteDifferences(model: LeakyRNN, trials: Trials, noise: ArrayLike<number> | null, detachInto: (s: number) => boolean, eps = 1e-6): ParamSet {
  const base = referenceForward(model, trials, noise);
  const flat = Float64Array.from(model.params.flat);
  const out = new ParamSet(model.params.dims, 'float64');
  for (let k = 0; k < flat.length; k++) {
    const saved = flat[k]!;
    flat[k] = saved + eps;
    const plus = referenceForward(model, trials, noise, flat, detachInto, base.R).loss;
    flat[k] = saved - eps;
    const minus = referenceForward(model, trials, noise, flat, detachInto, base.R).loss;
    flat[k] = saved;
    out.flat[k] = (plus - minus) / (2 * eps);
  }
  return out;
}
