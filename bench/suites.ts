// `npm run bench:suites`: benchmark.js suites over the engine's workloads (every learning rule,
// similarity metrics, Lyapunov spectra). Prints a table (median time per iteration and achieved
// GFLOP/s) and writes bench/results/suites.json. `npm run bench` (bench/run.ts) is the side-by-side
// benchmark against PyTorch and the FLOP limit (issue 9).
// Quote medians: the machine is shared and noisy.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import Benchmark from 'benchmark';
import { VERSION, blasInfo } from '../ts/index.js';
import { lyapunovWorkloads } from './lyapunov.js';
import { trainStepWorkload } from './train-step.js';
import type { StepWorkload } from './train-step.js';
import { similarityWorkloads } from './similarity.js';
import { memoryReport, reportEpropVsBptt, ruleStepWorkload } from './rules.js';

interface Row {
  workload: string;
  medianMs: number;
  rmePercent: number;
  samples: number;
  gflops: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function runSuite(workloads: StepWorkload[]): Row[] {
  const rows: Row[] = [];
  const suite = new Benchmark.Suite();
  for (const w of workloads) suite.add(w.name, w.fn, { minSamples: 30, maxTime: 3 });
  suite.on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as Benchmark & { name: string };
    const w = workloads.find((x) => x.name === bench.name)!;
    const medianSeconds = median(bench.stats.sample);
    rows.push({ workload: w.name, medianMs: medianSeconds * 1e3, rmePercent: bench.stats.rme, samples: bench.stats.sample.length, gflops: w.flops / medianSeconds / 1e9 });
    process.stderr.write(`  ${String(event.target)}\n`);
  });
  suite.run({ async: false });
  return rows;
}

const filter = process.argv.slice(2);
const workloads = [
  trainStepWorkload('float32'),
  trainStepWorkload('float64'),
  // Learning rules (issue 3): one iteration each at the same Romo workload (bench/rules.ts).
  ruleStepWorkload('eprop', 'float32'),
  ruleStepWorkload('eprop', 'float64'),
  ruleStepWorkload('eprop', 'float32', { label: 'eprop (random feedback)', ruleOptions: { feedback: 'random' } }),
  ruleStepWorkload('tbptt:10', 'float32'),
  ruleStepWorkload('modprop', 'float32'),
  ruleStepWorkload('np', 'float32'),
  ruleStepWorkload('es', 'float32'),
  ruleStepWorkload('rtrl', 'float64', { N: 32, B: 8 }),
  ...similarityWorkloads(),
  ...lyapunovWorkloads(),
].filter((w) => filter.length === 0 || filter.some((f) => w.name.includes(f)));
process.stderr.write(`rnnlab ${VERSION} benchmarks (${blasInfo().corename}, ${blasInfo().threads} BLAS thread(s))\n`);
const rows = runSuite(workloads);

const header = ['workload', 'median ms/iter', '±rme %', 'GFLOP/s'];
const table = [header, ...rows.map((r) => [r.workload, r.medianMs.toFixed(4), r.rmePercent.toFixed(1), r.gflops.toFixed(1)])];
const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
reportEpropVsBptt(rows);
const memory = filter.length === 0 || filter.includes('memory') ? memoryReport() : [];

const outDir = join(import.meta.dirname, 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'suites.json'),
  `${JSON.stringify({ version: VERSION, date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, blas: blasInfo(), rows, memory }, null, 1)}\n`,
);
