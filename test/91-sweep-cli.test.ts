// `rnnlab sweep run` / `results` / `report` as users run them, including a hard kill mid-sweep.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';

const bin = join(import.meta.dirname, '..', 'bin', 'rnnlab.js');
function rnnlab(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

function writeSpec(dir: string, seeds: number): string {
  const path = join(dir, 'spec.yaml');
  writeFileSync(
    path,
    ['name: kill-test', 'fixed: { task: romo, rule: bptt, iters: 300, hidden: 16, batch: 8, evalBatch: 16, logEvery: 50 }', 'axes:', '  gain: [0.5, 1.0]', `  seed: [${Array.from({ length: seeds }, (_, k) => k + 1).join(', ')}]`].join('\n'),
  );
  return path;
}

test('a sweep killed with SIGKILL resumes with nothing lost or duplicated', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-kill-'));
  const spec = writeSpec(dir, 8);
  const out = join(dir, 'out');
  const child = spawn(process.execPath, [bin, 'sweep', 'run', spec, '--out', out, '--workers', '2', '--no-progress'], { stdio: 'ignore' });
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const done = existsSync(join(out, 'runs')) ? readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json') && !f.startsWith('.')).length : 0;
      if (done >= 3) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 20);
  });
  await new Promise((resolve) => child.on('exit', resolve));
  const before = readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  t.ok(before.length >= 3 && before.length < 16, `killed with ${before.length} of 16 runs saved`);
  for (const f of before) JSON.parse(readFileSync(join(out, 'runs', f), 'utf8'));
  t.pass('every saved record is whole JSON');
  const resumed = rnnlab('sweep', 'run', spec, '--out', out, '--workers', '2', '--json', '--no-progress');
  t.equal(resumed.status, 0, `resume exit code 0 ${resumed.stderr}`);
  const summary = JSON.parse(resumed.stdout) as { done: number; ranNow: number; skipped: number };
  t.equal(summary.done, 16, 'all 16 runs finished');
  t.equal(summary.skipped, before.length, 'runs saved before the kill were not run again');
  t.equal(summary.ranNow, 16 - before.length, 'only the missing runs ran');
  const after = readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json'));
  t.equal(after.length, 16, 'exactly one record per run, no temporary files left');
  t.end();
});

test('results prints a summary and exports; a changed spec is refused without --extend', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-results-'));
  const spec = writeSpec(dir, 2);
  const out = join(dir, 'out');
  t.equal(rnnlab('sweep', 'run', spec, '--out', out, '--no-progress').status, 0, 'sweep ran');
  const res = rnnlab('results', out, '--csv', join(dir, 'runs.csv'), '--parquet', join(dir, 'runs.parquet'), '--json');
  t.equal(res.status, 0, 'results exit code 0');
  const summary = JSON.parse(res.stdout) as { finished: number; groups: unknown[] };
  t.equal(summary.finished, 4);
  t.equal(summary.groups.length, 2, 'two gains, seeds pooled');
  t.ok(existsSync(join(dir, 'runs.csv')) && existsSync(join(dir, 'runs.parquet')), 'exports written');
  writeSpec(dir, 3);
  const changed = rnnlab('sweep', 'run', spec, '--out', out, '--no-progress');
  t.equal(changed.status, 2, 'exit code 2');
  t.match(changed.stderr, /the spec has changed \(6 runs\)\. Add --extend/, changed.stderr.trim());
  const extended = rnnlab('sweep', 'run', spec, '--out', out, '--extend', '--json', '--no-progress');
  t.equal((JSON.parse(extended.stdout) as { ranNow: number }).ranNow, 2, '--extend runs only the new runs');
  t.end();
});
