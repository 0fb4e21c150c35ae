// `rnnlab lyapunov` (the DESIGN.md contract and its extra options) and the dynamics that
// `rnnlab train` records, as users run them: `node bin/rnnlab.js` over the compiled dist/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { LeakyRNN, Rng, createTask, flossingGradient, lyapunovSpectrum, taskInputSequences, writeModelFile } from '../ts/index.js';
import { randomModel, relativeError } from './helpers.js';

function rnnlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'rnnlab.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-lyap-'));
const model = randomModel({ nIn: 2, nHidden: 5, nOut: 1, alpha: 0.6, activation: 'tanh' }, 75, 1.4);
const modelPath = join(dir, 'M.json');
writeModelFile(modelPath, model);
const rows = Array.from({ length: 15 }, (_, t) => [Math.sin(t), Math.cos(0.3 * t)]);
const inputsPath = join(dir, 'X.json');
writeFileSync(inputsPath, JSON.stringify(rows));
const flatInputs = Float64Array.from(rows.flat());
const protocol = ['--k', '3', '--warmup-state', '2', '--warmup-q', '3', '--steps', '10'];

test('lyapunov --json prints exactly { exponents } (contract), equal to the API', (t) => {
  const r = rnnlab('lyapunov', '--model', modelPath, '--inputs', inputsPath, ...protocol, '--json');
  t.equal(r.status, 0, `exit code 0 ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { exponents: number[] };
  t.deepEqual(Object.keys(out), ['exponents'], 'one object with the key exponents');
  const api = lyapunovSpectrum(model, { k: 3, warmupState: 2, warmupQ: 3, steps: 10, inputs: flatInputs });
  t.deepEqual(out.exponents, api.exponents, 'same exponents as lyapunovSpectrum');
  const wrapped = join(dir, 'X-wrapped.json');
  writeFileSync(wrapped, JSON.stringify({ inputs: rows }));
  t.deepEqual(JSON.parse(rnnlab('lyapunov', '--model', modelPath, '--inputs', wrapped, ...protocol, '--json').stdout), out, '{ "inputs": [...] } is read the same');
  const autonomous = JSON.parse(rnnlab('lyapunov', '--model', modelPath, ...protocol, '--json').stdout) as { exponents: number[] };
  t.deepEqual(autonomous.exponents, lyapunovSpectrum(model, { k: 3, warmupState: 2, warmupQ: 3, steps: 10 }).exponents, 'no --inputs: zeros');
  const human = rnnlab('lyapunov', '--model', modelPath, ...protocol);
  t.equal(human.status, 0);
  t.match(human.stdout, /lambda_1/, 'a readable table without --json');
  t.end();
});

test('lyapunov --task --batch: one spectrum per trial, mean and std; --per-time, --timing', (t) => {
  const romoModel = LeakyRNN.create({ nIn: 1, nHidden: 8, nOut: 2, alpha: 0.5, activation: 'relu', dt: 0.5, tau: 1 }, { rng: new Rng(2), gain: 1.2, dtype: 'float64' });
  const path = join(dir, 'romo.json');
  writeModelFile(path, romoModel);
  const r = rnnlab('lyapunov', '--model', path, '--task', 'romo', '--batch', '3', '--seed', '4', '--k', '2', '--warmup-q', '20', '--steps', '30', '--per-time', '--timing', '--json');
  t.equal(r.status, 0, `exit code 0 ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { exponents: number[]; std: number[]; perTrajectory: number[][]; batch: number; exponentsPerTime: number[]; dt: number; timing: { qrShare: number; totalSeconds: number } };
  t.equal(out.batch, 3);
  t.equal(out.perTrajectory.length, 3, 'three spectra');
  t.ok(out.std.length === 2 && out.std.every((s) => s >= 0), 'std per exponent');
  t.ok(relativeError(out.exponentsPerTime, out.exponents.map((v) => v / 0.5)) < 1e-15 && out.dt === 0.5, "per time = per step / the model's dt");
  t.ok(out.timing.totalSeconds > 0 && out.timing.qrShare > 0 && out.timing.qrShare < 1, `timing reported (QR share ${out.timing.qrShare.toFixed(2)})`);
  const x = taskInputSequences(createTask('romo'), new Rng(4).fork('task'), 3, 50);
  const api = lyapunovSpectrum(romoModel, { k: 2, warmupQ: 20, steps: 30, inputs: x, batch: 3 });
  t.deepEqual(out.perTrajectory, api.perTrajectory, 'the same trials as taskInputSequences with the seed');
  t.end();
});

test('lyapunov --floss-grad adds flossLoss and flossGrads (Wh; Wx and b for full)', (t) => {
  for (const mode of ['full', 'hdetached', 'local'] as const) {
    const r = rnnlab('lyapunov', '--model', modelPath, '--inputs', inputsPath, ...protocol, '--floss-grad', mode, '--json');
    t.equal(r.status, 0, `${mode}: exit code 0 ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { exponents: number[]; flossLoss: number; flossGrads: Record<string, number[][] | number[]> };
    const api = flossingGradient(model, { mode, k: 3, warmupState: 2, warmupQ: 3, steps: 10, inputs: flatInputs });
    t.deepEqual(Object.keys(out.flossGrads), mode === 'full' ? ['Wh', 'Wx', 'b'] : ['Wh'], `${mode}: gradients ${Object.keys(out.flossGrads).join(', ')}`);
    t.equal(out.flossLoss, api.loss, `${mode}: flossLoss = mean of squared exponents (${out.flossLoss.toFixed(5)})`);
    t.ok(Math.abs(out.flossLoss - out.exponents.reduce((s, v) => s + v * v, 0) / 3) < 1e-15, `${mode}: consistent with the exponents printed`);
    t.deepEqual((out.flossGrads.Wh as number[][]).flat(), Array.from(api.grads.Wh), `${mode}: Wh gradient [N][N] as the API`);
  }
  t.end();
});

test('lyapunov: bad input gives one line on stderr and exit code 2', (t) => {
  const short = join(dir, 'short.json');
  writeFileSync(short, JSON.stringify(rows.slice(1)));
  const nan = join(dir, 'nan.json');
  writeFileSync(nan, JSON.stringify(rows.map((r, i) => (i === 4 ? [r[0], 'NaN'] : r))));
  const wide = join(dir, 'wide.json');
  writeFileSync(wide, JSON.stringify(rows.map((r) => [...r, 1])));
  const cases: [string[], RegExp][] = [
    [['--k', '6', '--steps', '5'], /--k: expected an integer in \[1, 5\] \(k <= N, the model's hidden units\), received 6/],
    [['--k', '0', '--steps', '5'], /--k: expected an integer >= 1, received 0/],
    [['--steps', '-3'], /--steps: expected an integer >= 1, received -3/],
    [['--steps', '0'], /--steps: expected an integer >= 1, received 0/],
    [['--warmup-q', '1.5', '--steps', '5'], /--warmup-q: expected an integer >= 0, received 1\.5/],
    [[], /required option '--steps <S>' not specified/],
    [['--inputs', short, ...protocol], /--inputs \(.*short\.json\): expected 15 rows \(warmup-state 2 \+ warmup-q 3 \+ steps 10\), each of 2 inputs, received 14 rows/],
    [['--inputs', wide, ...protocol], /--inputs \(.*wide\.json\)\[0\]: expected an array of length 2/],
    [['--inputs', nan, ...protocol], /--inputs \(.*nan\.json\)\[4\]\[1\]: expected a finite number, received "NaN"/],
    [['--inputs', join(dir, 'missing.json'), ...protocol], /--inputs: expected a readable JSON file/],
    [['--inputs', inputsPath, '--task', 'romo', ...protocol], /--inputs: expected either --inputs or --task, not both/],
    [['--batch', '3', ...protocol], /--batch: expected to be used with --task/],
    [['--task', 'romo', ...protocol], /--task: expected a task with 2 inputs \(the model's nIn\)/],
    [['--floss-grad', 'exact', ...protocol], /argument 'exact' is invalid. Allowed choices are full, hdetached, local/],
    [['--per-time', ...protocol], /--per-time: expected a step size: give --dt/],
  ];
  for (const [args, pattern] of cases) {
    const r = rnnlab('lyapunov', '--model', modelPath, ...args);
    t.equal(r.status, 2, `${args.join(' ')}: exit code 2`);
    t.match(r.stderr, pattern, r.stderr.trim().split('\n')[0]!);
    t.equal(r.stdout, '', 'nothing on stdout');
  }
  t.end();
});

test('train records the max Lyapunov exponent and the Wh eigenvalues before and after, and flossing', (t) => {
  const out = join(dir, 'run');
  const r = rnnlab('train', '--task', 'romo', '--iters', '60', '--hidden', '24', '--gain', '0.4', '--seed', '3', '--lr', '3e-3', '--lyapunov', '--lyapunov-batch', '4', '--floss-pretrain', '30', '--floss-mode', 'local', '--out', out, '--json', '--no-progress');
  t.equal(r.status, 0, `exit code 0 ${r.stderr}`);
  const summary = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const key of ['maxLyapunovBefore', 'maxLyapunovAfterFloss', 'maxLyapunovAfter', 'spectralRadiusBefore', 'spectralRadiusAfter']) t.equal(typeof summary[key], 'number', `summary.${key}`);
  t.ok((summary.maxLyapunovAfterFloss as number) > (summary.maxLyapunovBefore as number), `flossing raised the max exponent: ${(summary.maxLyapunovBefore as number).toFixed(3)} -> ${(summary.maxLyapunovAfterFloss as number).toFixed(3)}`);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { dynamics: { weightSpectrum: { before: { re: number[]; im: number[] }; after: { re: number[] } }; maxLyapunov: { protocol: { batch: number }; before: { perTrajectory: number[] }; after: { mean: number } }; floss: { phases: { afterIteration: number; loss: number[] }[] } } };
  const d = run.dynamics;
  t.ok(d.weightSpectrum.before.re.length === 24 && d.weightSpectrum.before.im.length === 24 && d.weightSpectrum.after.re.length === 24, 'run.json: 24 eigenvalues of Wh before and after');
  t.ok(d.maxLyapunov.protocol.batch === 4 && d.maxLyapunov.before.perTrajectory.length === 4, 'run.json: max exponent per trajectory and the protocol');
  t.ok(d.floss.phases.length === 1 && d.floss.phases[0]!.afterIteration === 0 && d.floss.phases[0]!.loss.length === 30, 'run.json: the flossing phase with its loss curve');
  const plain = rnnlab('train', '--task', 'romo', '--iters', '5', '--hidden', '8', '--json', '--no-progress');
  const plainSummary = JSON.parse(plain.stdout) as Record<string, unknown>;
  t.ok(!('maxLyapunovBefore' in plainSummary) && !('floss' in plainSummary) && typeof plainSummary.spectralRadiusBefore === 'number', 'without --lyapunov and flossing: only the spectral radius');
  const bad = rnnlab('train', '--task', 'romo', '--hidden', '8', '--floss-pretrain', '5', '--floss-k', '9');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--floss-k: expected an integer in \[1, 8\] \(k <= --hidden\), received 9/, bad.stderr.trim());
  t.end();
});
