// The command line as users run it: `node bin/rnnlab.js` over the compiled dist/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { computeGradient, writeModelFile, writeTrialsFile } from '../ts/index.js';
import { randomModel, randomTrials, relativeError, smallConfig } from './helpers.js';

function rnnlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'rnnlab.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('grad --json prints the DESIGN.md contract and equals the API gradient', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-cli-'));
  const model = randomModel(smallConfig('tanh', { trainable: ['Wh', 'Wx', 'b', 'Wout', 'bOut'] }), 1);
  const trials = randomTrials(model, 5, 2, 'mse', 2);
  writeModelFile(join(dir, 'M.json'), model);
  writeTrialsFile(join(dir, 'T.json'), trials);
  const r = rnnlab('grad', '--model', join(dir, 'M.json'), '--trials', join(dir, 'T.json'), '--rule', 'bptt', '--json');
  t.equal(r.status, 0, 'exit code 0');
  const out = JSON.parse(r.stdout) as { loss: number; grads: Record<string, number[][] | number[]> };
  t.deepEqual(Object.keys(out).sort(), ['grads', 'loss'], 'one object with loss and grads');
  t.deepEqual(Object.keys(out.grads).sort(), ['Wh', 'Wout', 'Wx', 'b', 'bOut'], 'the five gradients');
  t.equal((out.grads.Wh as number[][]).length, 5, 'Wh is N x N');
  t.equal((out.grads.Wx as number[][])[0]!.length, 2, 'Wx is N x nIn');
  const api = computeGradient(model, trials);
  t.equal(out.loss, api.loss, 'same loss as the API');
  t.ok(relativeError((out.grads.Wh as number[][]).flat(), api.grads.Wh) < 1e-15, 'same Wh gradient');
  t.end();
});

test('train writes the loss curve, the models and a run record; the loss falls', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'rnnlab-cli-')), 'run');
  const r = rnnlab('train', '--task', 'romo', '--rule', 'bptt', '--iters', '150', '--hidden', '32', '--seed', '2', '--lr', '3e-3', '--log-every', '10', '--out', dir, '--json', '--no-progress');
  t.equal(r.status, 0, `exit code 0 ${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { lossBefore: number; lossAfter: number; iterations: number };
  t.equal(summary.iterations, 150);
  t.ok(summary.lossAfter < 0.5 * summary.lossBefore, `held-out loss fell from ${summary.lossBefore.toFixed(4)} to ${summary.lossAfter.toFixed(4)}`);
  t.deepEqual(readdirSync(dir).sort(), ['loss.csv', 'loss.json', 'model-init.json', 'model.json', 'run.json']);
  const csv = readFileSync(join(dir, 'loss.csv'), 'utf8').trim().split('\n');
  t.equal(csv[0], 'iter,loss');
  t.equal(csv.length, 16, '15 logged points and a header');
  t.end();
});

test('train refuses a non-empty --out folder and leaves it untouched', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-cli-'));
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  const r = rnnlab('train', '--task', 'romo', '--iters', '1', '--out', dir);
  t.equal(r.status, 2, 'exit code 2');
  t.match(r.stderr, /--out: expected a new or empty folder/, r.stderr.trim());
  t.deepEqual(readdirSync(dir), ['notes.txt'], 'nothing written');
  t.end();
});

test('bad command-line input: one clear line and exit code 2', (t) => {
  const cases: [string[], RegExp][] = [
    [['train', '--task', 'romoo', '--iters', '1'], /task: expected one of "romo".*did you mean "romo"/],
    [['train', '--task', 'romo', '--gain', 'abc'], /--gain: expected a finite number >= 0, received "abc"/],
    [['train', '--task', 'romo', '--batch', '0'], /--batch: expected an integer >= 1, received 0/],
    [['train', '--task', 'romo', '--bogus'], /unknown option '--bogus'/],
    [['train', '--task', 'romo', '--task-option', 'delayy=3'], /romo options\.delayy: expected one of the keys/],
    [['grad', '--model', '/nonexistent/M.json', '--trials', 'T.json'], /--model: expected a readable JSON file/],
  ];
  for (const [args, pattern] of cases) {
    const r = rnnlab(...args);
    t.equal(r.status, 2, `${args.join(' ')}: exit code 2`);
    t.match(r.stderr, pattern, r.stderr.trim().split('\n')[0]!);
  }
  t.end();
});
