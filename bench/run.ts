// `npm run bench`: rnnlab against PyTorch and against the FLOP limit, on this machine, in one run.
//
//   npm run bench                       every workload of issue 9 (bench/workloads.ts)
//   npm run bench -- --only 1,4-bptt    some of them
//   npm run bench -- --quick            fewer rounds, shorter rounds, 8 peer runs in the sweep
//   npm run bench -- --no-peers         our side only
//   options: --rounds N (default 5), --seconds S per side per round (default 0.6),
//            --sweep-rounds N (default 1; each round trains the 64 runs on every side, minutes),
//            --peer-runs N (sweep runs each peer style trains; default all), --out FILE
//
// Method: rounds alternate between our side and each peer (benchmark.js samples for ours; the
// peer's per-iteration times), and each round also times the workload's GEMM shapes natively
// (OpenBLAS and our kernel). Reported: medians over all rounds, ratios of medians (peer / ours),
// the roofline limit (the workload's FLOPs at the best measured GEMM throughput for its shapes)
// and our share of it. Output: a table on stdout, JSON in bench/results/ (latest.json and a dated
// copy). Progress goes to stderr. The machine is shared: quote medians.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import Benchmark from 'benchmark';
import { VERSION, adam, blasInfo, evaluate, getRule, ParamSet, PARAM_NAMES, Workspace } from '../ts/index.js';
import { native } from '../ts/native.js';
import type { SweepSpec } from '../ts/experiment/sweep-spec.js';
import type { runSweep as RunSweep } from '../ts/experiment/sweep.js';
import { productFlops } from './flops.js';
import type { FlopModel, GemmProduct } from './flops.js';
import { PeerProcess, peerOnce, torchInfo } from './peer.js';
import type { TorchInfo } from './peer.js';
import { WORKLOADS, flopModel, iterationData, lyapunovSpectrum, pendingReason, spectrumModel } from './workloads.js';
import type { IterationWorkload, MemoryWorkload, SpectrumWorkload, Style, SweepWorkload, Target, Workload } from './workloads.js';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  only: string[] | null;
  rounds: number;
  seconds: number;
  peers: boolean;
  peerRuns: number | null;
  sweepRounds: number;
  out: string | null;
  quick: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { only: null, rounds: 5, seconds: 0.6, peers: true, peerRuns: null, sweepRounds: 1, out: null, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new RangeError(`${arg}: expected a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!(n > 0)) throw new RangeError(`${arg}: expected a positive number, received ${v}`);
      return n;
    };
    if (arg === '--only') o.only = value().split(',');
    else if (arg === '--rounds') o.rounds = Math.round(positive(value()));
    else if (arg === '--seconds') o.seconds = positive(value());
    else if (arg === '--peer-runs') o.peerRuns = Math.round(positive(value()));
    else if (arg === '--sweep-rounds') o.sweepRounds = Math.round(positive(value()));
    else if (arg === '--no-peers') o.peers = false;
    else if (arg === '--out') o.out = value();
    else if (arg === '--quick') {
      o.quick = true;
      o.rounds = 3;
      o.seconds = 0.3;
      o.peerRuns ??= 8;
    } else throw new RangeError(`unknown option ${arg} (see the comment at the top of bench/run.ts)`);
  }
  if (o.only) {
    const known = WORKLOADS.map((w) => w.id);
    for (const id of o.only) if (!known.includes(id) && !known.some((k) => k.startsWith(`${id}-`))) throw new RangeError(`--only: unknown workload "${id}" (known: ${known.join(', ')})`);
  }
  return o;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Results

interface Measured {
  /** Median of the samples, in `unit`. */
  median: number;
  samples: number;
  /** Per-round medians, in `unit`. */
  rounds: number[];
}

interface RooflineRow extends GemmProduct {
  /** Median seconds per call over rounds: OpenBLAS, our kernel, and which gemm() dispatches to. */
  blasSeconds: number;
  ownSeconds: number;
  dispatch: 'own' | 'blas';
  bestGflops: number;
}

interface Roofline {
  flops: number;
  products: RooflineRow[];
  /** Cores running the products at once (the limit is divided by it). */
  parallel: number;
  /** Time of the workload's FLOPs at the best measured throughput for its shapes. */
  limitSeconds: number;
}

interface WorkloadResult {
  id: string;
  issue: number;
  title: string;
  kind: Workload['kind'];
  unit: 'ms' | 'runs/min' | 'MB';
  higherIsBetter: boolean;
  ours: Measured | null;
  pending: string | null;
  peers: Partial<Record<Style, Measured>>;
  /** Peer / ours for times, ours / peer for rates: > 1 means we are faster. */
  speedup: Partial<Record<Style, number>>;
  roofline: Roofline | null;
  /** limit / ours, in [0, 1]. */
  fractionOfLimit: number | null;
  targets: (Target & { met: boolean | null })[];
  /** Agreement checks between our side and the peers (same model, same loss). */
  checks: Record<string, number | string>;
  details?: unknown;
}

function speedups(w: { higherIsBetter: boolean }, ours: Measured | null, peers: Partial<Record<Style, Measured>>): Partial<Record<Style, number>> {
  const out: Partial<Record<Style, number>> = {};
  if (!ours) return out;
  for (const [style, m] of Object.entries(peers) as [Style, Measured][]) out[style] = w.higherIsBetter ? ours.median / m.median : m.median / ours.median;
  return out;
}

function judge(targets: Target[], speedup: Partial<Record<Style, number>>, fraction: number | null): WorkloadResult['targets'] {
  return targets.map((t) => {
    const value = t.against === 'limit' ? fraction : speedup[t.against];
    return { ...t, met: value === undefined || value === null ? null : value >= t.atLeast };
  });
}

// ---------------------------------------------------------------------------------------------
// Roofline: the workload's GEMM shapes timed natively, OpenBLAS and ours

const KERNEL_BLAS = 1;
const KERNEL_OWN = 2;

type GemmSamples = Map<GemmProduct, { blas: number[]; own: number[] }>;

function timeProducts(model: FlopModel, samples: GemmSamples): void {
  for (const p of model.products) {
    const entry = samples.get(p) ?? { blas: [], own: [] };
    const isDouble = p.dtype === 'float64' ? 1 : 0;
    const args = [Number(p.transA), Number(p.transB), p.M, p.N, p.K, p.beta, isDouble, 0.06, 3] as const;
    entry.blas.push(native.gemmTiming(KERNEL_BLAS, ...args).medianSeconds);
    entry.own.push(native.gemmTiming(KERNEL_OWN, ...args).medianSeconds);
    samples.set(p, entry);
  }
}

function roofline(model: FlopModel, samples: GemmSamples): Roofline {
  const products: RooflineRow[] = model.products.map((p) => {
    const s = samples.get(p)!;
    const blasSeconds = median(s.blas);
    const ownSeconds = median(s.own);
    const best = Math.min(blasSeconds, ownSeconds);
    const dispatch = native.gemmPreferred(Number(p.transA), Number(p.transB), p.M, p.N, p.K, p.dtype === 'float64' ? 1 : 0) ? 'own' : 'blas';
    return { ...p, blasSeconds, ownSeconds, dispatch, bestGflops: (2 * p.M * p.N * p.K) / best / 1e9 };
  });
  // Per core: its products at the measured rate, plus its share of the thin products.
  const parallel = model.parallel ?? 1;
  let limitSeconds = products.reduce((sum, p) => sum + p.count * Math.min(p.blasSeconds, p.ownSeconds), 0);
  const thin = model.flops - parallel * productFlops(model.products);
  if (thin > 0 && products[0]) limitSeconds += thin / parallel / (products[0].bestGflops * 1e9);
  return { flops: model.flops, products, parallel, limitSeconds };
}

// ---------------------------------------------------------------------------------------------
// Iteration workloads

function benchmarkSamples(fn: () => void, seconds: number): number[] {
  const bench = new Benchmark(fn, { maxTime: seconds, minSamples: 5, initCount: 1 });
  bench.run({ async: false });
  if (bench.error) throw bench.error as Error;
  return bench.stats.sample as number[];
}

async function measureIteration(w: IterationWorkload, o: Options, torch: TorchInfo): Promise<WorkloadResult> {
  const pending = pendingReason(w);
  const { model, batch } = iterationData(w);
  const initialLoss = evaluate(model, batch).loss;
  const checks: Record<string, number | string> = { initialLoss };

  let fn: (() => void) | null = null;
  if (!pending) {
    const rule = getRule(w.rule);
    const grads = new ParamSet(model.params.dims, model.dtype);
    const optimizer = adam({ lr: 1e-3 });
    const state = optimizer.init(model.params);
    const ctx = { workspace: new Workspace(), threads: w.threads };
    const trainable = model.config.trainable;
    fn = () => {
      rule.gradient(model, batch, grads, ctx);
      optimizer.update(state, model.params, grads, trainable);
    };
  }

  const peers = new Map<Style, PeerProcess>();
  if (o.peers && torch.available) {
    const params = Object.fromEntries(PARAM_NAMES.map((name) => [name, Array.from(model.params.get(name))]));
    for (const style of w.peers) {
      const peer = new PeerProcess(['serve']);
      const reply = await peer.request<{ loss0: number }>({
        cmd: 'setup', kind: 'iteration', style, rule: w.rule, dtype: w.dtype, N: w.N, B: batch.B, T: batch.T, nIn: w.nIn, nOut: w.nOut,
        alpha: model.config.alpha, activation: model.config.activation, lr: 1e-3, params,
        batch: { inputs: Array.from(batch.inputs), targets: Array.from(batch.targets), mask: Array.from(batch.mask ?? new Float64Array(batch.T * batch.B).fill(1)) },
      });
      checks[`${style}InitialLossRelativeDifference`] = Math.abs(reply.loss0 - initialLoss) / Math.abs(initialLoss);
      peers.set(style, peer);
    }
  }

  const flops = flopModel(w)!;
  const gemm: GemmSamples = new Map();
  const ourSamples: number[] = [];
  const ourRounds: number[] = [];
  const peerSamples = new Map<Style, number[]>();
  const peerRounds = new Map<Style, number[]>();
  const estimate = new Map<Style, number>();

  // Warm-up: a few iterations on every side (caches, lazy allocation, PyTorch's first-call costs).
  if (fn) for (let i = 0; i < 10; i++) fn();
  for (const [style, peer] of peers) {
    const { times } = await peer.request<{ times: number[] }>({ cmd: 'run', iters: 3 });
    estimate.set(style, median(times));
  }

  for (let r = 0; r < o.rounds; r++) {
    if (fn) {
      const s = benchmarkSamples(fn, o.seconds);
      ourSamples.push(...s);
      ourRounds.push(median(s) * 1e3);
    }
    for (const [style, peer] of peers) {
      const iters = Math.max(3, Math.min(2000, Math.round(o.seconds / estimate.get(style)!)));
      const { times } = await peer.request<{ times: number[] }>({ cmd: 'run', iters });
      estimate.set(style, median(times));
      peerSamples.set(style, [...(peerSamples.get(style) ?? []), ...times]);
      peerRounds.set(style, [...(peerRounds.get(style) ?? []), median(times) * 1e3]);
    }
    timeProducts(flops, gemm);
    const parts = [fn ? `ours ${ourRounds.at(-1)!.toFixed(3)} ms` : 'ours pending', ...[...peers.keys()].map((s) => `${s} ${peerRounds.get(s)!.at(-1)!.toFixed(3)} ms`)];
    log(`  [${w.id}] round ${r + 1}/${o.rounds}: ${parts.join(', ')}`);
  }
  for (const peer of peers.values()) await peer.close();

  const ours = fn ? { median: median(ourSamples) * 1e3, samples: ourSamples.length, rounds: ourRounds } : null;
  const peerResults: Partial<Record<Style, Measured>> = {};
  for (const [style, s] of peerSamples) peerResults[style] = { median: median(s) * 1e3, samples: s.length, rounds: peerRounds.get(style)! };
  const roof = roofline(flops, gemm);
  const fraction = ours ? (roof.limitSeconds * 1e3) / ours.median : null;
  const speedup = speedups({ higherIsBetter: false }, ours, peerResults);
  return {
    id: w.id, issue: w.issue, title: w.title, kind: w.kind, unit: 'ms', higherIsBetter: false,
    ours, pending, peers: peerResults, speedup, roofline: roof, fractionOfLimit: fraction,
    targets: judge(w.targets, speedup, fraction), checks,
    details: { N: w.N, B: batch.B, T: batch.T, nIn: w.nIn, nOut: w.nOut, dtype: w.dtype, rule: w.rule, threads: w.threads, task: w.task, gflops: ours ? flops.flops / (ours.median / 1e3) / 1e9 : null },
  };
}

// ---------------------------------------------------------------------------------------------
// Sweep throughput

async function peerSweep(style: Style, runs: { gain: number; lr: number; seed: number }[], settings: Record<string, unknown>): Promise<number> {
  const shares = [runs.filter((_, i) => i % 2 === 0), runs.filter((_, i) => i % 2 === 1)];
  const procs = shares.map(() => new PeerProcess(['sweep', style]));
  procs.forEach((p, i) => p.send({ runs: shares[i], settings }));
  await Promise.all(procs.map((p) => p.receive<{ ready: boolean }>()));
  const start = performance.now();
  procs.forEach((p) => p.send('go'));
  await Promise.all(procs.map((p) => p.receive<{ runs: number }>()));
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(procs.map((p) => p.close()));
  return seconds;
}

/**
 * runSweep as users get it: from the compiled package (dist/, built by `npm run bench`), whose
 * worker threads load plain JavaScript; from the TypeScript sources (workers then compile
 * through tsx at start-up, about a second more) only when dist/ is missing.
 */
async function loadRunSweep(): Promise<{ runSweep: typeof RunSweep; from: string }> {
  const compiled = join(import.meta.dirname, '..', 'dist', 'experiment', 'sweep.js');
  if (existsSync(compiled)) return { runSweep: ((await import(pathToFileURL(compiled).href)) as { runSweep: typeof RunSweep }).runSweep, from: 'dist' };
  return { runSweep: ((await import('../ts/experiment/sweep.js')) as { runSweep: typeof RunSweep }).runSweep, from: 'ts (tsx)' };
}

async function measureSweep(w: SweepWorkload, o: Options, torch: TorchInfo): Promise<WorkloadResult> {
  const { runSweep, from } = await loadRunSweep();
  const pending = pendingReason(w);
  const axes = { gain: [0.5, 1, 1.5, 2], lr: [1e-4, 3e-4, 1e-3, 3e-3], seed: [1, 2, 3, 4] };
  // The same work as the peers: held-out scoring before and after training only (no accuracy
  // tracked at every log point, no weight eigenvalues; both are on by default in a run).
  const fixed = { task: 'romo', rule: w.rule, iters: w.iters, hidden: 64, batch: 32, logEvery: 10, evalBatch: 256, dtype: 'float32', trackAccuracy: false, eigenvalues: false };
  const spec: SweepSpec = { name: `bench-${w.id}`, fixed, axes };
  const grid = axes.gain.flatMap((gain) => axes.lr.flatMap((lr) => axes.seed.map((seed) => ({ gain, lr, seed }))));
  const settings = { hidden: 64, batch: 32, iters: w.iters, logEvery: 10, evalBatch: 256, alpha: 0.5, activation: 'relu', dtype: 'float32', rule: w.rule };
  const peerRuns = Math.min(grid.length, o.peerRuns ?? grid.length);
  const rounds = o.sweepRounds;
  const ourRounds: number[] = [];
  const peerRounds = new Map<Style, number[]>();
  let failed = 0;
  for (let r = 0; r < rounds; r++) {
    if (!pending) {
      const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bench-sweep-'));
      try {
        const summary = await runSweep(spec, dir, { workers: 2 });
        failed += summary.failed;
        ourRounds.push(summary.ranNow / (summary.seconds / 60));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (o.peers && torch.available) {
      for (const style of w.peers) {
        const seconds = await peerSweep(style, grid.slice(0, peerRuns), settings);
        peerRounds.set(style, [...(peerRounds.get(style) ?? []), peerRuns / (seconds / 60)]);
      }
    }
    const parts = [ourRounds.length ? `ours ${ourRounds.at(-1)!.toFixed(1)} runs/min` : 'ours pending', ...[...peerRounds].map(([s, v]) => `${s} ${v.at(-1)!.toFixed(2)} runs/min`)];
    log(`  [${w.id}] round ${r + 1}/${rounds}: ${parts.join(', ')}`);
  }
  const ours = ourRounds.length ? { median: median(ourRounds), samples: ourRounds.length, rounds: ourRounds } : null;
  const peers: Partial<Record<Style, Measured>> = {};
  for (const [style, v] of peerRounds) peers[style] = { median: median(v), samples: v.length, rounds: v };
  const speedup = speedups({ higherIsBetter: true }, ours, peers);
  return {
    id: w.id, issue: w.issue, title: w.title, kind: w.kind, unit: 'runs/min', higherIsBetter: true,
    ours, pending, peers, speedup, roofline: null, fractionOfLimit: null, targets: judge(w.targets, speedup, null),
    checks: { ourFailedRuns: failed },
    details: { runs: grid.length, peerRuns, sweepCodeFrom: from, iters: w.iters, workers: 2, peerProcesses: 2, axes, note: peerRuns < grid.length ? `peers trained the first ${peerRuns} runs of the grid; runs/min is their rate` : 'all runs on every side' },
  };
}

// ---------------------------------------------------------------------------------------------
// Lyapunov spectrum

async function measureSpectrum(w: SpectrumWorkload, o: Options, torch: TorchInfo): Promise<WorkloadResult> {
  const pending = pendingReason(w);
  const model = spectrumModel(w);
  const flops = flopModel(w)!;
  const gemm: GemmSamples = new Map();
  const peerRounds: number[] = [];
  const samples: number[] = [];
  const ourRounds: number[] = [];
  const ourSamples: number[] = [];
  const checks: Record<string, number | string> = {};
  const fn = !pending && lyapunovSpectrum ? lyapunovSpectrum(model, w) : null;
  const ours = fn ? Array.from(fn()) : null;
  let peer: PeerProcess | null = null;
  if (o.peers && torch.available) {
    peer = new PeerProcess(['serve']);
    const params = Object.fromEntries(PARAM_NAMES.map((name) => [name, Array.from(model.params.get(name))]));
    const reply = await peer.request<{ exponents: number[] }>({ cmd: 'setup', kind: 'lyapunov', N: w.N, nIn: 1, nOut: 1, k: w.k, steps: w.steps, alpha: model.config.alpha, activation: w.activation, params });
    checks.peerLargestExponent = reply.exponents[0]!;
    checks.peerExponentSum = reply.exponents.reduce((a, b) => a + b, 0);
    if (ours) checks.maxExponentDifference = Math.max(...ours.map((v, i) => Math.abs(v - reply.exponents[i]!)));
  }
  for (let r = 0; r < o.rounds; r++) {
    if (fn) {
      const s = benchmarkSamples(() => void fn(), o.seconds);
      ourSamples.push(...s);
      ourRounds.push(median(s) * 1e3);
    }
    if (peer) {
      const { times } = await peer.request<{ times: number[] }>({ cmd: 'run', iters: o.quick ? 1 : 2 });
      samples.push(...times);
      peerRounds.push(median(times) * 1e3);
    }
    timeProducts(flops, gemm);
    log(`  [${w.id}] round ${r + 1}/${o.rounds}: ${fn ? `ours ${ourRounds.at(-1)!.toFixed(1)} ms` : 'ours pending'}${peer ? `, tuned ${peerRounds.at(-1)!.toFixed(1)} ms` : ''}`);
  }
  if (peer) await peer.close();
  const peers: Partial<Record<Style, Measured>> = samples.length ? { tuned: { median: median(samples) * 1e3, samples: samples.length, rounds: peerRounds } } : {};
  const oursMeasured = fn ? { median: median(ourSamples) * 1e3, samples: ourSamples.length, rounds: ourRounds } : null;
  const speedup = speedups({ higherIsBetter: false }, oursMeasured, peers);
  const roof = roofline(flops, gemm);
  const fraction = oursMeasured ? (roof.limitSeconds * 1e3) / oursMeasured.median : null;
  return {
    id: w.id, issue: w.issue, title: w.title, kind: w.kind, unit: 'ms', higherIsBetter: false,
    ours: oursMeasured, pending, peers, speedup, roofline: roof, fractionOfLimit: fraction,
    targets: judge(w.targets, speedup, fraction), checks,
    details: { N: w.N, k: w.k, steps: w.steps, activation: w.activation, gain: w.gain, alpha: model.config.alpha, input: 'none (autonomous)', Q0: 'first k columns of I', warmup: 0, log: 'natural' },
  };
}

// ---------------------------------------------------------------------------------------------
// Peak memory against T

function ourMemory(w: MemoryWorkload, T: number): { baselineKB: number; peakKB: number } {
  const child = join(import.meta.dirname, 'memory-child.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, JSON.stringify({ rule: w.rule, N: w.N, B: w.B, T })], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { baselineKB: number; peakKB: number };
}

async function measureMemory(w: MemoryWorkload, o: Options, torch: TorchInfo): Promise<WorkloadResult> {
  const pending = pendingReason(w);
  const ours: Record<number, number> = {};
  const peer: Record<number, number> = {};
  for (const T of w.Ts) {
    if (!pending) {
      const m = ourMemory(w, T);
      ours[T] = (m.peakKB - m.baselineKB) / 1024;
    }
    if (o.peers && torch.available) {
      const m = peerOnce<{ baselineKB: number; peakKB: number }>(['memory', JSON.stringify({ style: 'tuned', rule: w.rule, dtype: 'float32', N: w.N, B: w.B, T, nIn: 1, nOut: 2, alpha: 0.5, activation: 'relu', lr: 1e-3 })]);
      peer[T] = (m.peakKB - m.baselineKB) / 1024;
    }
    log(`  [${w.id}] T = ${T}: ours ${pending ? 'pending' : `+${ours[T]!.toFixed(1)} MB`}${peer[T] !== undefined ? `, tuned +${peer[T]!.toFixed(1)} MB` : ''}`);
  }
  const last = w.Ts.at(-1)!;
  const asMeasured = (m: Record<number, number>): Measured => ({ median: m[last]!, samples: 1, rounds: w.Ts.map((T) => m[T]!) });
  const peers: Partial<Record<Style, Measured>> = peer[last] !== undefined ? { tuned: asMeasured(peer) } : {};
  return {
    id: w.id, issue: w.issue, title: w.title, kind: w.kind, unit: 'MB', higherIsBetter: false,
    ours: pending ? null : asMeasured(ours), pending, peers, speedup: {}, roofline: null, fractionOfLimit: null, targets: [], checks: {},
    details: { Ts: w.Ts, oursMB: ours, tunedMB: peer, measure: 'peak resident set (ru_maxrss) during one iteration minus before it, MB; the median column is the value at the largest T, rounds lists every T' },
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function fmt(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (unit === 'ms') return value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(3)} ms`;
  if (unit === 'runs/min') return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)}/min`;
  return `+${value.toFixed(1)} MB`;
}

function table(results: WorkloadResult[]): string {
  const header = ['#', 'workload', 'ours', 'tuned', 'x tuned', 'paper', 'x paper', 'limit', '% limit', 'target'];
  const rows = results.map((r) => {
    const target = r.targets.map((t) => `${t.against === 'limit' ? `>=${(t.atLeast * 100).toFixed(0)}% limit` : `>=${t.atLeast}x ${t.against}`} ${t.met === null ? '?' : t.met ? 'met' : 'MISSED'}`).join('; ');
    const memo = r.kind === 'memory' ? ` (T=${(r.details as { Ts: number[] }).Ts.join('/')})` : '';
    const series = (m: Measured | null | undefined) => (r.kind === 'memory' && m ? m.rounds.map((v) => fmt(v, 'MB')).join(' / ') : fmt(m?.median, r.unit));
    return [
      r.id,
      r.title + memo,
      r.ours ? series(r.ours) : 'pending',
      series(r.peers.tuned),
      r.speedup.tuned ? `${r.speedup.tuned.toFixed(1)}x` : '-',
      series(r.peers.paper),
      r.speedup.paper ? `${r.speedup.paper.toFixed(1)}x` : '-',
      r.roofline ? fmt(r.roofline.limitSeconds * 1e3, 'ms') : '-',
      r.fractionOfLimit !== null ? `${(r.fractionOfLimit * 100).toFixed(0)}%` : '-',
      target || '-',
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return all.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

/** The same table in Markdown (written next to the JSON, for the README). */
function markdown(results: WorkloadResult[], title: string): string {
  const cell = (r: WorkloadResult, m: Measured | null | undefined) => (r.kind === 'memory' && m ? m.rounds.map((v) => fmt(v, 'MB')).join(' / ') : fmt(m?.median, r.unit));
  const lines = [
    `${title}`,
    '',
    '| # | workload | ours | tuned PyTorch | x tuned | paper PyTorch | x paper | limit | % of limit | target |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const target = r.targets.map((t) => `${t.against === 'limit' ? `>= ${(t.atLeast * 100).toFixed(0)}% of limit` : `>= ${t.atLeast}x ${t.against}`}: ${t.met === null ? 'n/a' : t.met ? 'met' : '**missed**'}`).join('; ');
    lines.push(`| ${r.id} | ${r.title}${r.kind === 'memory' ? ' (T = 100 / 1000 / 10000)' : ''} | ${r.ours ? cell(r, r.ours) : `pending (${r.pending})`} | ${cell(r, r.peers.tuned)} | ${r.speedup.tuned ? `${r.speedup.tuned.toFixed(1)}x` : '-'} | ${cell(r, r.peers.paper)} | ${r.speedup.paper ? `${r.speedup.paper.toFixed(1)}x` : '-'} | ${r.roofline ? fmt(r.roofline.limitSeconds * 1e3, 'ms') : '-'} | ${r.fractionOfLimit !== null ? `${(r.fractionOfLimit * 100).toFixed(0)}%` : '-'} | ${target || '-'} |`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const selected = WORKLOADS.filter((w) => !o.only || o.only.some((id) => w.id === id || w.id.startsWith(`${id}-`)));
  const blas = blasInfo();
  const gemmIsa = native.gemmInfo().isa;
  log(`rnnlab ${VERSION} benchmark: ${selected.length} workload(s), ${o.rounds} round(s) of ${o.seconds} s per side`);
  const peak = {
    fp32: { 512: native.fmaPeak(0, 512, 0.2), 256: native.fmaPeak(0, 256, 0.2) },
    fp64: { 512: native.fmaPeak(1, 512, 0.2), 256: native.fmaPeak(1, 256, 0.2) },
  };
  const torch: TorchInfo = o.peers ? torchInfo() : { available: false, reason: 'disabled with --no-peers' };
  if (!torch.available) log(`PyTorch peer: not available (${torch.reason}); printing our side alone`);

  const results: WorkloadResult[] = [];
  for (const w of selected) {
    log(`${w.id}: ${w.title}${pendingReason(w) ? ` (our side pending: ${pendingReason(w)})` : ''}`);
    if (w.kind === 'iteration') results.push(await measureIteration(w, o, torch));
    else if (w.kind === 'sweep') results.push(await measureSweep(w, o, torch));
    else if (w.kind === 'spectrum') results.push(await measureSpectrum(w, o, torch));
    else results.push(await measureMemory(w, o, torch));
  }

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    hostname: hostname(),
    node: process.version,
    blas,
    gemmIsa,
    fmaPeakGflops: peak,
  };
  const title = `rnnlab ${VERSION} on ${machine.cpu} (${machine.cores} cores; OpenBLAS ${blas.corename} kernels, ${blas.threads} thread; own GEMM ${gemmIsa}); ` +
    `1-core FMA peak fp32 ${peak.fp32[512] > 0 ? `${peak.fp32[512].toFixed(0)} (512-bit) / ` : ''}${peak.fp32[256].toFixed(0)} (256-bit) GFLOP/s; ` +
    (torch.available ? `PyTorch ${torch.torch}, ${torch.threads} thread` : `no PyTorch peer (${torch.reason})`);
  console.log(title);
  console.log(table(results));
  console.log('ours/peers: medians over all rounds; x = peer / ours (runs/min: ours / peer); limit = FLOPs at the best measured GEMM rate for the same shapes.');

  const report = { format: 'rnnlab.bench/1', version: VERSION, date: new Date().toISOString(), machine, torch, options: o, results };
  const outDir = join(import.meta.dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  const text = `${JSON.stringify(report, null, 1)}\n`;
  const dated = join(outDir, `${report.date.slice(0, 19).replace(/[:T]/g, '-')}-${hostname()}.json`);
  for (const path of o.out ? [o.out] : [join(outDir, 'latest.json'), dated]) writeFileSync(path, text);
  const md = o.out ? o.out.replace(/\.json$/, '') + '.md' : join(outDir, 'latest.md');
  writeFileSync(md, markdown(results, title));
  log(`wrote ${o.out ?? `${join(outDir, 'latest.json')} and ${dated}`}, ${md}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
