// Workloads and reports for the learning rules (issue 3): one training iteration (the rule's
// gradient + Adam) per rule on a Romo batch, FLOP counts per rule, and the memory of e-prop
// against BPTT as T grows (workspace bytes and peak RSS of a fresh process per point).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LeakyRNN, ParamSet, Rng, Workspace, adam, createTask, getRule } from '../ts/index.js';
import type { DType } from '../ts/index.js';
import { bpttFlops, epropFlops } from './flops.js';
import type { StepWorkload } from './train-step.js';

/** Useful FLOPs of one gradient (multiply-add = 2; elementwise work not counted). */
export function ruleFlops(rule: string, N: number, B: number, T: number, nIn: number, nOut: number, samples = 50): number {
  const io = 2 * T * B * N;
  const forward = 2 * (T - 1) * B * N * N + io * (nIn + nOut);
  if (rule === 'eprop' || rule === 'rflo') return epropFlops(N, B, T, nIn, nOut).flops;
  if (rule === 'np') return 4 * (T - 1) * B * N * N + io * (2 * nIn + 4 * nOut);
  if (rule === 'es') return (samples + 1) * forward;
  if (rule === 'rtrl') {
    const P = N * N + N * nIn + 2 * N;
    return B * T * (2 * N * N * P + 2 * N * P) + io * (nIn + 3 * nOut);
  }
  return bpttFlops(N, B, T, nIn, nOut).flops;
}

/**
 * One iteration (gradient + Adam) of `rule` on a fixed Romo batch, leaky ReLU RNN (alpha 0.5),
 * N units, B trials, T = 56; modprop gets Dale's law (it requires it).
 */
export function ruleStepWorkload(rule: string, dtype: DType, options: { N?: number; B?: number; label?: string; ruleOptions?: Record<string, unknown> } = {}): StepWorkload {
  const N = options.N ?? 64;
  const B = options.B ?? 32;
  const task = createTask('romo');
  const rng = new Rng(1);
  const model = LeakyRNN.create({ nIn: 1, nHidden: N, nOut: 2, alpha: 0.5, activation: 'relu', dale: rule === 'modprop' }, { rng: rng.fork('init'), gain: 1, dtype });
  const batch = task.sample(rng.fork('data'), B);
  const grads = new ParamSet(model.params.dims, dtype);
  const optimizer = adam({ lr: 1e-4 });
  const state = optimizer.init(model.params);
  const ruleOptions = { ...(options.ruleOptions ?? {}) };
  if (ruleOptions.feedback === 'random') ruleOptions.rng = rng.fork('feedback');
  const learningRule = getRule(rule, ruleOptions);
  const ctx = { workspace: new Workspace(), rng: rng.fork('rule') };
  const trainable = model.config.trainable;
  return {
    name: `${options.label ?? learningRule.name} + adam, N=${N} B=${B} T=${batch.T}, ${dtype}`,
    fn: () => {
      learningRule.gradient(model, batch, grads, ctx);
      optimizer.update(state, model.params, grads, trainable);
    },
    flops: ruleFlops(rule.split(':')[0]!, N, B, batch.T, 1, 2, (options.ruleOptions?.samples as number | undefined) ?? 50),
  };
}

/** Prints e-prop's median time per iteration relative to BPTT's, for each dtype measured. */
export function reportEpropVsBptt(rows: { workload: string; medianMs: number }[]): void {
  for (const dtype of ['float32', 'float64']) {
    const find = (prefix: string) => rows.find((r) => r.workload.startsWith(`${prefix} + adam, N=64 B=32 T=56, ${dtype}`));
    const e = find('eprop');
    const b = find('bptt');
    if (e && b) console.log(`e-prop / BPTT time per iteration at N=64 B=32 T=56, ${dtype}: ${(e.medianMs / b.medianMs).toFixed(3)} (${e.medianMs.toFixed(4)} ms vs ${b.medianMs.toFixed(4)} ms)`);
  }
}

export interface MemoryPoint {
  rule: string;
  T: number;
  /** Bytes of every buffer the rule left in its TS workspace. */
  workspaceBytes: number;
  /** Of which: the float32 copies of the batch's inputs and targets ([T][B][nIn] + [T][B][nOut]), which grow with T for every rule. */
  batchDataBytes: number;
  /** Peak resident set of the process above its RSS just before the first gradient call, in MB. */
  peakExtraMB: number;
}

/** Runs in a child process: `node --import tsx bench/rules.ts --memory <rule> <T>` prints one MemoryPoint. */
function memoryChild(rule: string, T: number): void {
  const N = 64;
  const B = 32;
  const rng = new Rng(1);
  const model = LeakyRNN.create({ nIn: 1, nHidden: N, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: rng.fork('init'), dtype: 'float32' });
  const inputs = new Float64Array(T * B);
  rng.fork('x').fillNormal(inputs);
  const targets = new Float64Array(T * B * 2);
  rng.fork('y').fillNormal(targets, 0.5);
  const trials = { T, B, nIn: 1, nOut: 2, loss: 'mse' as const, inputs, targets, mask: null };
  const grads = new ParamSet(model.params.dims, 'float32');
  const ws = new Workspace();
  const learningRule = getRule(rule);
  const before = process.memoryUsage().rss;
  for (let k = 0; k < 3; k++) learningRule.gradient(model, trials, grads, { workspace: ws });
  const peak = process.resourceUsage().maxRSS * 1024;
  const point: MemoryPoint = { rule, T, workspaceBytes: ws.bytes, batchDataBytes: (inputs.length + targets.length) * 4, peakExtraMB: Math.max(0, peak - before) / 2 ** 20 };
  process.stdout.write(`${JSON.stringify(point)}\n`);
}

/** e-prop and BPTT memory at N = 64, B = 32, float32, for each T (one fresh process per point). */
export function memoryReport(Ts: readonly number[] = [100, 1000, 10000]): MemoryPoint[] {
  const points: MemoryPoint[] = [];
  for (const rule of ['eprop', 'bptt']) {
    for (const T of Ts) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'rules.ts'), '--memory', rule, String(T)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
      points.push(JSON.parse(r.stdout) as MemoryPoint);
    }
  }
  console.log('\nmemory of one gradient call, N=64 B=32 float32: TS workspace bytes, split into the float32 copy of the');
  console.log("batch's inputs and targets (data, grows with T for every rule) and everything else (the rule's own state);");
  console.log('peak = max RSS of the process above its RSS just before the first call (includes native scratch):');
  console.log('rule   T       batch data bytes   rule state bytes   peak extra MB');
  for (const p of points) console.log(`${p.rule.padEnd(5)}  ${String(p.T).padEnd(6)}  ${String(p.batchDataBytes).padStart(16)}   ${String(p.workspaceBytes - p.batchDataBytes).padStart(16)}   ${p.peakExtraMB.toFixed(1).padStart(13)}`);
  return points;
}

if (process.argv[2] === '--memory') memoryChild(process.argv[3]!, Number(process.argv[4]));
