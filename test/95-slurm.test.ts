// Sweeps on a real one-node Slurm cluster on localhost (scripts/slurm-localhost.sh; needs root,
// installs Debian's slurm packages): submit, wait, compare with a local run of the same spec,
// kill one array task on purpose, resume it, and check that nothing is lost or duplicated.
// When Slurm cannot start, the test fails and says why; it never skips.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { runSweep } from '../ts/experiment/sweep.js';
import { SweepStore } from '../ts/experiment/store.js';
import type { SweepStatus } from '../ts/experiment/slurm.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'rnnlab.js');
const cluster = (action: 'up' | 'down') => spawnSync('bash', [join(root, 'scripts', 'slurm-localhost.sh'), action], { encoding: 'utf8' });
const rnnlab = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function squeue(jobId: string): string[] {
  const r = spawnSync('squeue', ['-r', '-h', '-j', jobId, '-o', '%i %T'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter((l) => l.trim());
}

async function waitForJob(jobId: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (squeue(jobId).length > 0) {
    if (Date.now() - start > timeoutMs) throw new Error(`job ${jobId} still queued after ${timeoutMs} ms: ${squeue(jobId).join('; ')}`);
    await sleep(200);
  }
}

test('sweeps on a real Slurm cluster: submit, compare, kill, resume', async (t) => {
  const up = cluster('up');
  if (up.status !== 0) {
    t.fail(`Slurm did not start on localhost (scripts/slurm-localhost.sh up exited ${up.status}): ${up.stderr.trim().split('\n').slice(-12).join(' | ')}`);
    t.end();
    return;
  }
  t.teardown(() => {
    cluster('down');
  });
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-slurm-'));
  const specPath = join(dir, 'spec.json');
  const spec = { name: 'slurm-test', fixed: { task: 'romo', rule: 'bptt', iters: 400, hidden: 32, batch: 16, evalBatch: 16, logEvery: 100 }, axes: { gain: [0.5, 1.0, 1.5], seed: [1, 2, 3, 4] } };
  writeFileSync(specPath, JSON.stringify(spec));
  const local = join(dir, 'local');
  await runSweep(spec, local, { workers: 2 });

  const out = join(dir, 'slurm');
  const submitted = rnnlab('sweep', 'submit', specPath, '--out', out, '--slurm', '--runs-per-shard', '4', '--json');
  t.equal(submitted.status, 0, `sweep submit exit code 0 ${submitted.stderr.trim()}`);
  const { jobId, shardCount, runs } = JSON.parse(submitted.stdout) as { jobId: string; shardCount: number; runs: number };
  t.equal(shardCount, 3, '12 runs in 3 array tasks of 4');
  t.ok(/^\d+$/.test(jobId), `job id ${jobId}`);

  // Kill one array task while it runs.
  let killed: number | null = null;
  const start = Date.now();
  while (killed === null && Date.now() - start < 60_000) {
    for (const line of squeue(jobId)) {
      const m = /^\d+_(\d+) RUNNING$/.exec(line.trim());
      if (m) {
        killed = Number(m[1]);
        spawnSync('scancel', [`${jobId}_${killed}`]);
        break;
      }
    }
    if (killed === null) await sleep(25);
  }
  t.ok(killed !== null, `cancelled array task ${killed} while it was running`);
  await waitForJob(jobId, 120_000);

  const status = JSON.parse(rnnlab('sweep', 'status', out, '--json').stdout) as SweepStatus;
  t.equal(status.total, runs);
  t.ok(status.done < runs, `after the kill ${status.done}/${runs} runs are done`);
  t.deepEqual(status.slurm?.needResume, [killed], `status names shard ${killed} as needing a resume`);
  const partial = readdirSync(join(out, 'runs')).filter((f) => !f.startsWith('.'));
  t.doesNotThrow(() => partial.forEach((f) => JSON.parse(readFileSync(join(out, 'runs', f), 'utf8'))), `the ${partial.length} records left by the killed job are whole JSON`);

  const resumed = rnnlab('sweep', 'submit', specPath, '--out', out, '--slurm', '--resume', '--json');
  t.equal(resumed.status, 0, `resume exit code 0 ${resumed.stderr.trim()}`);
  const again = JSON.parse(resumed.stdout) as { jobId: string; shards: number[] };
  t.deepEqual(again.shards, [killed], 'only the killed shard was resubmitted');
  await waitForJob(again.jobId, 120_000);

  const final = JSON.parse(rnnlab('sweep', 'status', out, '--json').stdout) as SweepStatus;
  t.equal(final.done, runs, 'every run is done');
  t.equal(final.missing, 0, 'nothing is missing');
  t.deepEqual(final.slurm?.needResume, [], 'no shard needs a resume');
  const files = readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  t.equal(files.length, runs, 'exactly one record per run');

  const viaSlurm = new Map(SweepStore.load(out).readRecords().map((r) => [r.id, r]));
  const viaLocal = SweepStore.load(local).readRecords();
  let identical = 0;
  for (const r of viaLocal) {
    const s = viaSlurm.get(r.id);
    if (s && JSON.stringify(s.curve) === JSON.stringify(r.curve) && JSON.stringify(s.eval) === JSON.stringify(r.eval)) identical++;
  }
  t.equal(identical, runs, 'every Slurm result equals the local run of the same settings, bit for bit');
  t.end();
});
