// The workloads of the side-by-side benchmark (issue 9), as data. Each entry says what runs on our
// side, which PyTorch peers run the same thing, how many FLOPs it is and which GEMM products bound
// it, and the issue's target. Our side is found through the public registries (a learning rule by
// name, ...): an entry whose rule or kernel is not in this build is reported as pending, with its
// peers still measured, and starts running as soon as the rule is registered.
import { LeakyRNN, Rng, createTask, getRule, lyapunovSpectrum as ourSpectrum, ruleNames } from '../ts/index.js';
import type { DType, Trials } from '../ts/index.js';
import { bpttFlops, epropFlops, lyapunovFlops, splitAcross } from './flops.js';
import type { FlopModel } from './flops.js';

export type Style = 'tuned' | 'paper';

export interface Target {
  /** What the ratio is taken against: a peer style, or the roofline limit. */
  against: Style | 'limit';
  /** Minimum speed-up over the peer (or fraction of the limit). */
  atLeast: number;
}

interface Base {
  /** Short id used by --only, e.g. "1", "4-bptt". */
  id: string;
  /** The workload number in issue 9. */
  issue: number;
  title: string;
  targets: Target[];
}

/** Model and batch of an iteration workload (the same values go to the peers). */
export interface IterationShape {
  rule: string;
  N: number;
  B: number;
  /** Steps; ignored for the Romo task (56 steps). */
  T: number;
  nIn: number;
  nOut: number;
  task: 'romo' | 'random';
  dtype: DType;
  /** Threads for our side (the peers always use one). */
  threads: 1 | 2;
}

/** One training iteration (forward, gradient, Adam), timed per iteration. */
export interface IterationWorkload extends Base, IterationShape {
  kind: 'iteration';
  peers: Style[];
}

/** Runs per minute of a mini sweep with 2 workers (ours) against 2 peer processes. */
export interface SweepWorkload extends Base {
  kind: 'sweep';
  rule: string;
  runs: number;
  iters: number;
  peers: Style[];
}

/** Lyapunov spectrum by QR every step, float64. */
export interface SpectrumWorkload extends Base {
  kind: 'spectrum';
  N: number;
  k: number;
  steps: number;
  activation: 'tanh';
  gain: number;
}

/** Peak memory of one iteration against the sequence length. */
export interface MemoryWorkload extends Base {
  kind: 'memory';
  rule: string;
  N: number;
  B: number;
  Ts: number[];
  peers: Style[];
}

export type Workload = IterationWorkload | SweepWorkload | SpectrumWorkload | MemoryWorkload;

const romoScale = { N: 64, B: 32, T: 56, nIn: 1, nOut: 2, task: 'romo', dtype: 'float32' } as const;
const large = { N: 256, B: 64, T: 100, nIn: 4, nOut: 2, task: 'random', dtype: 'float32' } as const;

/** Every workload of issue 9, in the order of the issue. */
export const WORKLOADS: Workload[] = [
  { id: '1', issue: 1, kind: 'iteration', title: 'BPTT + Adam, Romo N=64 B=32 T=56, 1 thread', rule: 'bptt', ...romoScale, threads: 1, peers: ['tuned', 'paper'], targets: [{ against: 'tuned', atLeast: 10 }, { against: 'paper', atLeast: 20 }] },
  { id: '2', issue: 2, kind: 'iteration', title: 'e-prop + Adam, Romo N=64 B=32 T=56, 1 thread', rule: 'eprop', ...romoScale, threads: 1, peers: ['tuned', 'paper'], targets: [{ against: 'tuned', atLeast: 13 }, { against: 'paper', atLeast: 20 }] },
  { id: '3-bptt', issue: 3, kind: 'iteration', title: 'BPTT + Adam, one run on 2 threads (split batch)', rule: 'bptt', ...romoScale, threads: 2, peers: ['tuned'], targets: [{ against: 'tuned', atLeast: 17 }] },
  { id: '3-eprop', issue: 3, kind: 'iteration', title: 'e-prop + Adam, one run on 2 threads (split batch)', rule: 'eprop', ...romoScale, threads: 2, peers: ['tuned'], targets: [{ against: 'tuned', atLeast: 22 }] },
  { id: '4-bptt', issue: 4, kind: 'iteration', title: 'BPTT + Adam, N=256 B=64 T=100, 1 thread', rule: 'bptt', ...large, threads: 1, peers: ['tuned'], targets: [{ against: 'limit', atLeast: 0.85 }] },
  { id: '4-eprop', issue: 4, kind: 'iteration', title: 'e-prop + Adam, N=256 B=64 T=100, 1 thread', rule: 'eprop', ...large, threads: 1, peers: ['tuned'], targets: [{ against: 'limit', atLeast: 0.85 }] },
  { id: '5', issue: 5, kind: 'spectrum', title: 'Lyapunov spectrum N=64 k=64, 1000 steps, QR every step, float64', N: 64, k: 64, steps: 1000, activation: 'tanh', gain: 1.5, targets: [{ against: 'tuned', atLeast: 4 }] },
  { id: '6', issue: 6, kind: 'sweep', title: 'mini sweep: 64 Romo runs x 500 iterations, 2 workers', rule: 'bptt', runs: 64, iters: 500, peers: ['tuned', 'paper'], targets: [{ against: 'tuned', atLeast: 10 }, { against: 'paper', atLeast: 20 }] },
  { id: '7', issue: 7, kind: 'memory', title: 'peak memory of one e-prop iteration, N=64 B=32, T = 100, 1000, 10000', rule: 'eprop', N: 64, B: 32, Ts: [100, 1000, 10000], peers: ['tuned'], targets: [] },
];

/** The FLOP model of a workload (iteration and spectrum workloads), or null. */
export function flopModel(w: Workload): FlopModel | null {
  if (w.kind === 'iteration') {
    const T = w.task === 'romo' ? 56 : w.T;
    const model = (B: number) => (w.rule === 'eprop' ? epropFlops(w.N, B, T, w.nIn, w.nOut, w.dtype) : bpttFlops(w.N, B, T, w.nIn, w.nOut, w.dtype));
    return w.threads > 1 ? splitAcross(model, w.B, w.threads) : model(w.B);
  }
  if (w.kind === 'spectrum') return lyapunovFlops(w.N, w.k, w.steps);
  return null;
}

/**
 * Our Lyapunov spectrum for workload 5 (issue 5's kernel): the k exponents per step, natural log,
 * QR every step (CholeskyQR2, falling back to Householder), Q0 = first k columns of I,
 * autonomous, no warm-up, as the peer computes them. The row compares our exponents with the
 * peer's.
 */
export const lyapunovSpectrum: ((model: LeakyRNN, w: SpectrumWorkload) => () => ArrayLike<number>) | null = (model, w) => () =>
  ourSpectrum(model, { k: w.k, steps: w.steps, qrEvery: 1, q0: 'identity', warmupState: 0, warmupQ: 0, noise: false }).exponents;

/**
 * Why our side of a workload cannot run in this build, or null when it can. Plugging a new
 * kernel in means making this return null for it (a registered rule does so by itself).
 */
export function pendingReason(w: Workload): string | null {
  const rule = 'rule' in w ? w.rule : null;
  if (rule !== null && !ruleNames().includes(rule)) return `learning rule "${rule}" is not in this build (issue 3)`;
  if (w.kind === 'iteration' && w.threads > 1 && !getRule(w.rule).splitsBatch) return `the ${w.rule} rule does not split the batch across threads in this build`;
  if (w.kind === 'spectrum' && !lyapunovSpectrum) return 'the Lyapunov kernel is not in this build (issue 5)';
  return null;
}

/** The model and batch of an iteration workload, from fixed seeds (the peers get the same values). */
export function iterationData(w: IterationShape, seed = 1): { model: LeakyRNN; batch: Trials } {
  const rng = new Rng(seed);
  const model = LeakyRNN.create(
    { nIn: w.nIn, nHidden: w.N, nOut: w.nOut, alpha: 0.5, activation: 'relu' },
    { rng: rng.fork('init'), gain: 1, dtype: w.dtype },
  );
  if (w.task === 'romo') return { model, batch: createTask('romo').sample(rng.fork('data'), w.B) };
  const data = rng.fork('data');
  const { T, B, nIn, nOut } = w;
  const inputs = new Float64Array(T * B * nIn);
  const targets = new Float64Array(T * B * nOut);
  data.fillNormal(inputs);
  data.fillNormal(targets, 0.5);
  return { model, batch: { T, B, nIn, nOut, loss: 'mse', inputs, targets, mask: new Float64Array(T * B).fill(1) } };
}

/** Model for the spectrum workload: tanh, gain g, random h0, autonomous. */
export function spectrumModel(w: SpectrumWorkload, seed = 1): LeakyRNN {
  const rng = new Rng(seed);
  const model = LeakyRNN.create({ nIn: 1, nHidden: w.N, nOut: 1, alpha: 0.5, activation: w.activation }, { rng: rng.fork('init'), gain: w.gain, dtype: 'float64' });
  rng.fork('h0').fillNormal(model.params.get('h0'));
  return model;
}
