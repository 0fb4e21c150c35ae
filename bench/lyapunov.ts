// Workload: the Lyapunov spectrum (QR every step, float64, one BLAS thread) of a leaky tanh RNN
// (alpha 0.5, gain 1, h0 = 0.1), autonomous, 1000 accumulation steps, at N = 64, k = 64 and
// N = 256, k = 32. `npm run bench` times it with benchmark.js (bench/run.ts); run this file
// directly (`npx tsx bench/lyapunov.ts`) for the phase breakdown (share of time in QR, from the
// kernel's own timers) and a comparison with eager PyTorch (float64, torch.linalg.qr) when
// /usr/bin/python3 has torch. Rounds alternate between the implementations, and the report gives
// medians, because the machine is shared.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LeakyRNN, Rng, VERSION, blasInfo, lyapunovSpectrum } from '../ts/index.js';
import type { QrMethod } from '../ts/index.js';
import { lyapunovFlops } from './flops.js';
import type { StepWorkload } from './train-step.js';

export const LYAPUNOV_CASES = [
  { N: 64, k: 64, steps: 1000 },
  { N: 256, k: 32, steps: 1000 },
] as const;

function benchModel(N: number): LeakyRNN {
  const model = LeakyRNN.create({ nIn: 1, nHidden: N, nOut: 1, alpha: 0.5, activation: 'tanh' }, { rng: new Rng(1), gain: 1, dtype: 'float64' });
  model.params.h0.fill(0.1);
  return model;
}

/** benchmark.js workloads (one per case and QR method). */
export function lyapunovWorkloads(methods: readonly QrMethod[] = ['choleskyqr2']): StepWorkload[] {
  return LYAPUNOV_CASES.flatMap(({ N, k, steps }) =>
    methods.map((qrMethod) => {
      const model = benchModel(N);
      return {
        name: `lyapunov ${qrMethod}, N=${N} k=${k} ${steps} steps, float64`,
        fn: () => {
          lyapunovSpectrum(model, { k, steps, qrMethod });
        },
        flops: lyapunovFlops(N, k, steps).flops,
      };
    }),
  );
}

const TORCH_PEER = `
import json, sys, time, torch
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
N, k, steps, reps = (int(v) for v in sys.argv[1:5])
g = torch.Generator().manual_seed(1)
Wh = torch.randn(N, N, generator=g) / N ** 0.5
a = 0.5
times = []
with torch.no_grad():
    for _ in range(reps):
        t0 = time.perf_counter()
        h = torch.full((N,), 0.1)
        Q = torch.eye(N)[:, :k].clone()
        acc = torch.zeros(k)
        for _ in range(steps):
            d = 1 - torch.tanh(h) ** 2
            Z = a * Q + (1 - a) * (Wh @ (d[:, None] * Q))
            h = a * h + (1 - a) * (Wh @ torch.tanh(h))
            Q, R = torch.linalg.qr(Z)
            acc += torch.log(torch.abs(torch.diagonal(R)))
        times.append(time.perf_counter() - t0)
print(json.dumps(times))
`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function torchTimes(N: number, k: number, steps: number, reps: number): number[] | null {
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH_PEER, String(N), String(k), String(steps), String(reps)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout) as number[];
}

/** The detailed report: medians over alternating rounds, phase shares, PyTorch ratio. */
export function lyapunovReport(rounds = 5, repsPerRound = 3): unknown[] {
  const rows: unknown[] = [];
  for (const { N, k, steps } of LYAPUNOV_CASES) {
    const model = benchModel(N);
    const ours: Record<QrMethod, number[]> = { choleskyqr2: [], householder: [] };
    const shares: Record<QrMethod, number[]> = { choleskyqr2: [], householder: [] };
    const torch: number[] = [];
    let torchAvailable = true;
    for (let round = 0; round < rounds; round++) {
      for (const qrMethod of ['choleskyqr2', 'householder'] as const) {
        for (let rep = 0; rep < repsPerRound; rep++) {
          const t0 = performance.now();
          const r = lyapunovSpectrum(model, { k, steps, qrMethod, timing: true });
          ours[qrMethod].push((performance.now() - t0) / 1000);
          shares[qrMethod].push(r.timing!.qrShare);
        }
      }
      if (torchAvailable) {
        const t = torchTimes(N, k, steps, repsPerRound);
        if (t === null) torchAvailable = false;
        else torch.push(...t);
      }
    }
    const row = {
      N,
      k,
      steps,
      choleskyqr2Ms: median(ours.choleskyqr2) * 1e3,
      choleskyqr2QrShare: median(shares.choleskyqr2),
      householderMs: median(ours.householder) * 1e3,
      householderQrShare: median(shares.householder),
      torchMs: torchAvailable ? median(torch) * 1e3 : null,
      speedupVsTorch: torchAvailable ? median(torch) / median(ours.choleskyqr2) : null,
      gflops: lyapunovFlops(N, k, steps).flops / median(ours.choleskyqr2) / 1e9,
    };
    rows.push(row);
    console.log(
      `N=${N} k=${k} ${steps} steps: choleskyqr2 ${row.choleskyqr2Ms.toFixed(1)} ms (QR ${(100 * row.choleskyqr2QrShare).toFixed(0)}%, ${row.gflops.toFixed(1)} GFLOP/s), ` +
        `householder ${row.householderMs.toFixed(1)} ms (QR ${(100 * row.householderQrShare).toFixed(0)}%)` +
        (row.torchMs !== null ? `, PyTorch ${row.torchMs.toFixed(1)} ms: ${row.speedupVsTorch!.toFixed(2)}x` : ', PyTorch not available'),
    );
  }
  return rows;
}

if (process.argv[1]?.endsWith('lyapunov.ts')) {
  process.stderr.write(`rnnlab ${VERSION} Lyapunov benchmark (${blasInfo().corename}, ${blasInfo().threads} BLAS thread(s)); medians of alternating rounds\n`);
  const rows = lyapunovReport();
  const outDir = join(import.meta.dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'lyapunov.json'), `${JSON.stringify({ version: VERSION, date: new Date().toISOString(), blas: blasInfo(), rows }, null, 1)}\n`);
}
