// The examples run as users run them (importing the built package 'rnnlab'), so they cannot rot;
// and the package loads from CommonJS too.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'tape';

const root = join(import.meta.dirname, '..');
const run = (file: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'examples', file), ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

const EXPECTED: Record<string, RegExp[]> = {
  'train-loss-curve.ts': [/iter +500 +loss/, /held-out loss 0\.07\d+ -> 0\.00\d+, accuracy 0\.\d+ -> 1\.00/],
  'lyapunov-procrustes.ts': [/Lyapunov exponents \(per step, natural log\): 0\.182322, -0\.356675, -1\.203973/, /rotated copy: \d\.\d+e-1[4-7] rad/],
  'compare-rules.ts': [/^eprop +0\.9\d+/m, /^tbptt:10 +1\.0000/m],
  'eprop-1d-linear.ts': [/^eprop +0\.8 +1\.000000 .*converged to W\* = 1/m, /^eprop \(paper eq\. 14\) +2\.2 .*diverged/m],
};

test('every example runs and prints what it promises', (t) => {
  const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts')).sort();
  t.deepEqual(files, Object.keys(EXPECTED).sort(), 'each example has expectations here');
  for (const file of files) {
    const r = run(file);
    t.equal(r.status, 0, `${file} exits 0${r.status ? `: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    for (const pattern of EXPECTED[file]!) t.match(r.stdout, pattern, `${file}: ${pattern.source}`);
  }
  t.end();
});

test('require("rnnlab") works from CommonJS (Node >= 20.19 loads ES modules through require)', (t) => {
  const r = spawnSync(process.execPath, ['-e', "const r = require('rnnlab'); const m = r.LeakyRNN.create({ nIn: 1, nHidden: 4, nOut: 1, alpha: 0.5, activation: 'tanh' }, { rng: new r.Rng(1) }); console.log(typeof r.train, m.N);"], { cwd: root, encoding: 'utf8' });
  t.equal(r.status, 0, `exit 0 ${r.stderr.trim()}`);
  t.equal(r.stdout.trim(), 'function 4', 'the CommonJS consumer gets the same API');
  t.end();
});
