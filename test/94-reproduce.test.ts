// `rnnlab reproduce initial-connectivity` machinery at a tiny scale: the sweep, verdicts with
// their numbers, figures and report, resuming, and the command's errors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { initialConnectivitySpec, runInitialConnectivity } from '../ts/experiment/reproduce/initial-connectivity.js';
import type { Scale } from '../ts/experiment/reproduce/initial-connectivity.js';
import { expandSweep } from '../ts/experiment/sweep-spec.js';

const TINY: Scale = { gains: [0.2, 1.0], lrs: [3e-3], seeds: [1, 2], iters: 20, logEvery: 10, curvesFrom: 0, flossCurvesFrom: 0 };

test('the presets: the paper\'s grid (full) and a smaller one (quick)', (t) => {
  const full = expandSweep(initialConnectivitySpec(false));
  const quick = expandSweep(initialConnectivitySpec(true));
  t.equal(full.length, 3 * (2 * 7 * 4 * 5 + 7 * 4 * 5), 'full: 3 tasks x (2 rules + e-prop with flossing) x 7 gains x 4 rates x 5 seeds');
  t.equal(quick.length, 3 * (2 * 4 * 2 * 3 + 4 * 2 * 3), 'quick: 3 tasks x 3 variants x 4 gains x 2 rates x 3 seeds');
  const romo = full.filter((r) => r.config.task === 'romo');
  t.ok(romo.every((r) => r.config.hidden === 64 && r.config.batch === 32 && r.config.activation === 'relu' && r.config.lyapunov), 'Romo: 64 ReLU units, batch 32, max LE recorded');
  t.deepEqual([...new Set(full.map((r) => r.config.lr))].sort(), [1e-4, 3e-4, 1e-3, 3e-3].sort(), 'the learning-rate grid [1e-4, 3e-4, 1e-3, 3e-3]');
  t.ok(full.filter((r) => r.config.flossPretrain === 100).every((r) => r.config.rule === 'eprop' && r.config.flossMode === 'local'), 'flossing: e-prop after 100 local iterations');
  t.deepEqual([...new Set(full.map((r) => r.config.gain))].sort((a, b) => a - b), [0.2, 0.3, 0.5, 0.7, 1, 1.2, 1.5], 'gains 0.2 to 1.5 with intermediate values (Figure 5)');
  t.end();
});

test('a tiny reproduction: verdicts with numbers, figures, report, and a resume that runs nothing', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'rnnlab-repro-')), 'out');
  const logs: string[] = [];
  const result = await runInitialConnectivity({ quick: true, out, workers: 2, log: (l) => logs.push(l) }, TINY);
  t.equal(result.verdicts.length, 5, 'five claims checked');
  for (const v of result.verdicts) t.ok(typeof v.holds === 'boolean' && v.evidence.length > 40 && /\d/.test(v.evidence), `verdict with numbers: ${v.claim.slice(0, 60)}...`);
  t.ok(existsSync(result.report), 'report.html written');
  const pngs = readdirSync(join(out, 'figures')).filter((f) => f.endsWith('.png')).sort();
  t.deepEqual(pngs, ['curves-dms.png', 'curves-pdm.png', 'curves-romo.png', 'flossing-dms.png', 'flossing-pdm.png', 'flossing-romo.png', 'lyapunov-romo.png'], 'learning curves and flossing for every task, max LE for Romo');
  t.equal(result.figures.length, 7);
  const table = result.tables['results per setting (best learning rate)']!;
  t.equal(table.length, 1 + 3 * (2 * 2 + 2), 'one row per task, rule (or flossing) and gain');
  const again = await runInitialConnectivity({ quick: true, out, workers: 2, log: () => {} }, TINY);
  t.deepEqual(again.verdicts, result.verdicts, 'running again resumes: nothing new to run, the same verdicts');
  t.end();
});

test('rnnlab reproduce: unknown paper and missing --out are clear errors', (t) => {
  const bin = join(import.meta.dirname, '..', 'bin', 'rnnlab.js');
  const unknown = spawnSync(process.execPath, [bin, 'reproduce', 'initial-conectivity', '--out', '/tmp/x'], { encoding: 'utf8' });
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /paper: expected one of "initial-connectivity".*did you mean "initial-connectivity"/, unknown.stderr.trim());
  const noOut = spawnSync(process.execPath, [bin, 'reproduce', 'initial-connectivity'], { encoding: 'utf8' });
  t.equal(noOut.status, 2);
  t.match(noOut.stderr, /required option '--out <dir>' not specified/, noOut.stderr.trim());
  t.end();
});
