// Every rule by name in the API and on the command line (`grad --rule`, `grad --rule all`,
// `train --rule`), and paper 2's Proposition B.1 with the engine's e-prop.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { LeakyRNN, Rng, adam, compareRules, computeGradient, createTask, getRule, modelFromJSON, ruleNames, train, writeModelFile, writeTrialsFile } from '../ts/index.js';
import { INPUTS, lastStepTrials, linearModel, propositionB1, yhat } from '../examples/eprop-1d-linear.js';
import { randomModel, randomTrials, relativeError, smallConfig } from './helpers.js';

function rnnlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'rnnlab.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('every rule is registered by name and trains through the API', (t) => {
  t.deepEqual(ruleNames(), ['bptt', 'rtrl', 'tbptt', 'eprop', 'rflo', 'modprop', 'np', 'es']);
  const task = createTask('romo');
  for (const name of ['bptt', 'rtrl', 'tbptt:10', 'eprop', 'rflo', 'modprop', 'np', 'es']) {
    const rng = new Rng(3);
    const model = LeakyRNN.create({ nIn: 1, nHidden: 8, nOut: 2, alpha: 0.5, activation: 'relu', dale: name === 'modprop' }, { rng: rng.fork('init') });
    const result = train(model, { task, rule: name, optimizer: adam({ lr: 3e-3 }), iters: 30, batchSize: 4, rng: rng.fork('train'), logEvery: 10 });
    t.ok(result.diverged === null && result.lossCurve.length === 3 && result.lossCurve.every((p) => Number.isFinite(p.loss)), `${name}: 30 iterations, finite losses ${result.lossCurve.map((p) => p.loss.toFixed(4)).join(', ')}`);
  }
  t.throws(() => getRule('backprop'), /^RangeError: rule: expected one of "bptt", "rtrl", "tbptt", "eprop", "rflo", "modprop", "np", "es" \(did you mean "eprop"\?\), received "backprop"$/, 'unknown name lists the rules');
  t.throws(() => getRule('eprop', { feedbak: 'random' }), /rule options\.feedbak: expected one of the keys feedback, rng \(did you mean "feedback"\?\)/, 'unknown option key');
  t.end();
});

test('compareRules: every rule against the exact gradient on one batch', (t) => {
  const model = randomModel(smallConfig('relu', { nHidden: 12, dale: true, trainable: ['Wh', 'Wx', 'b', 'Wout', 'bOut'] }), 501, 1.2);
  const trials = randomTrials(model, 10, 4, 'mse', 502);
  const c = compareRules(model, trials, { rng: new Rng(1) });
  const labels = c.rules.map((r) => r.label);
  t.deepEqual(labels, ['bptt', 'rtrl', 'tbptt:10', 'eprop', 'eprop (random feedback)', 'modprop', 'np', 'es']);
  const byLabel = Object.fromEntries(c.rules.map((r) => [r.label, r]));
  const cos = (label: string) => { const r = byLabel[label]!; return 'cosine' in r ? r.cosine! : NaN; };
  t.equal(cos('bptt'), 1, 'bptt against itself');
  t.ok(Math.abs(cos('rtrl') - 1) < 1e-12, 'rtrl is exact');
  t.ok(cos('tbptt:10') > 0.999 && cos('tbptt:10') <= 1 + 1e-12, 'tbptt:10 with T = 10 cuts only the h0 path (h0 not compared)');
  for (const label of ['eprop', 'modprop', 'np', 'es']) t.ok(cos(label) > 0 && cos(label) < 1, `${label}: cosine ${cos(label).toFixed(4)} in (0, 1)`);
  const tanh = randomModel(smallConfig('tanh', { nHidden: 6 }), 503);
  const skipped = compareRules(tanh, randomTrials(tanh, 4, 2, 'mse', 504), { rng: new Rng(2) }).rules.find((r) => r.label === 'modprop')!;
  t.ok('skipped' in skipped && /relu/.test(skipped.skipped), 'modprop is skipped with the reason on a tanh model');
  t.end();
});

test('grad --rule R --json for every rule; --rule all adds every rule and its cosine', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-rules-cli-'));
  const model = randomModel(smallConfig('relu', { nHidden: 10, dale: true, connectivity: 0.7, trainable: ['Wh', 'Wx', 'b', 'Wout', 'bOut'] }), 511, 1.2);
  const trials = randomTrials(model, 8, 3, 'mse', 512);
  writeModelFile(join(dir, 'M.json'), model);
  writeTrialsFile(join(dir, 'T.json'), trials);
  const args = ['--model', join(dir, 'M.json'), '--trials', join(dir, 'T.json')];
  for (const rule of ['eprop', 'tbptt:3', 'rtrl', 'modprop', 'np', 'es']) {
    const r = rnnlab('grad', ...args, '--rule', rule, '--seed', '4', '--json');
    t.equal(r.status, 0, `${rule}: exit 0 ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { loss: number; grads: Record<string, number[][]> };
    const api = computeGradient(model, trials, { rule, rng: new Rng(4) });
    t.ok(relativeError(out.grads.Wh!.flat(), api.grads.Wh) < 1e-15, `${rule}: the CLI prints the API's estimate`);
  }
  const fa = rnnlab('grad', ...args, '--rule', 'eprop', '--feedback', 'random', '--seed', '4', '--json');
  const faApi = computeGradient(model, trials, { rule: 'eprop', ruleOptions: { feedback: 'random', rng: new Rng(4).fork('feedback') } });
  t.ok(relativeError((JSON.parse(fa.stdout) as { grads: { Wh: number[][] } }).grads.Wh.flat(), faApi.grads.Wh) < 1e-15, '--feedback random draws the matrix from --seed');

  const all = rnnlab('grad', ...args, '--rule', 'all', '--json');
  t.equal(all.status, 0, `--rule all: exit 0 ${all.stderr}`);
  const out = JSON.parse(all.stdout) as { loss: number; grads: Record<string, unknown>; cosineOver: string[]; rules: Record<string, { cosine?: number; grads?: Record<string, unknown>; skipped?: string }> };
  t.deepEqual(Object.keys(out).sort(), ['cosineOver', 'grads', 'loss', 'rules'], 'one object: the exact gradient plus the rules');
  t.deepEqual(Object.keys(out.rules), ['bptt', 'rtrl', 'tbptt:10', 'eprop', 'eprop (random feedback)', 'modprop', 'np', 'es'], 'every rule');
  for (const [label, r] of Object.entries(out.rules)) {
    t.ok(typeof r.cosine === 'number' && r.cosine > -1 && r.cosine <= 1 + 1e-12 && r.grads !== undefined, `${label}: cosine ${r.cosine?.toFixed(4)} and its gradient estimate`);
  }
  t.ok(Math.abs(out.rules.rtrl!.cosine! - 1) < 1e-12, 'rtrl aligns perfectly');
  const text = rnnlab('grad', ...args, '--rule', 'all');
  t.match(text.stdout, /eprop \(random feedback\)\s+0\.\d{4}/, 'a readable table without --json');
  const bad = rnnlab('grad', ...args, '--rule', 'all', '--rule-option', 'samples=3');
  t.equal(bad.status, 2, 'rule settings with --rule all: exit 2');
  t.match(bad.stderr, /--rule-option: expected no rule settings with --rule all/);
  const badOption = rnnlab('grad', ...args, '--rule', 'es', '--rule-option', 'samples=0');
  t.match(badOption.stderr, /^rnnlab: --rule options\.samples: expected an integer >= 1, received 0\n$/, 'a bad rule option: one clear line');
  t.end();
});

test('train --rule with options, feedback alignment, Dale and a sparsity mask saved with the model', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'rnnlab-rules-cli-')), 'run');
  const r = rnnlab('train', '--task', 'romo', '--rule', 'eprop', '--feedback', 'random', '--dale', '--connectivity', '0.5', '--activation', 'relu', '--iters', '60', '--hidden', '16', '--batch', '8', '--lr', '3e-3', '--seed', '5', '--out', dir, '--json', '--no-progress');
  t.equal(r.status, 0, `exit 0 ${r.stderr}`);
  const summary = JSON.parse(r.stdout) as { rule: string; lossBefore: number; lossAfter: number };
  t.equal(summary.rule, 'eprop');
  t.ok(summary.lossAfter < summary.lossBefore, `held-out loss fell from ${summary.lossBefore.toFixed(4)} to ${summary.lossAfter.toFixed(4)}`);
  const saved = modelFromJSON(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
  t.ok(saved.config.dale && saved.config.connectivity === 0.5 && saved.whMask !== null, 'the model file carries Dale, the connectivity and the mask');
  const es = rnnlab('train', '--task', 'romo', '--rule', 'es', '--rule-option', 'samples=10', '--rule-option', 'antithetic=true', '--iters', '5', '--hidden', '8', '--batch', '4', '--json', '--no-progress');
  t.equal(es.status, 0, `es with options: exit 0 ${es.stderr}`);
  const tb = rnnlab('train', '--task', 'romo', '--rule', 'tbptt:5', '--iters', '5', '--hidden', '8', '--batch', '4', '--json', '--no-progress');
  t.equal((JSON.parse(tb.stdout) as { rule: string }).rule, 'tbptt:5', 'tbptt:K by name');
  const mp = rnnlab('train', '--task', 'romo', '--rule', 'modprop', '--activation', 'tanh', '--dale', '--iters', '1', '--no-progress');
  t.equal(mp.status, 2, 'modprop on tanh: exit 2');
  t.match(mp.stderr, /model\.config\.activation: expected a relu model with Dale's law for modprop/, mp.stderr.trim());
  t.end();
});

test("Proposition B.1 (paper 2, Appendix B) with the engine's e-prop on a 1-unit linear RNN", (t) => {
  // The engine's model is the proposition's: h_t = W h_{t-1} + x_t, yhat = h_T.
  const trials = lastStepTrials();
  for (const W of [0.8, 2.2, -1.3]) {
    const model = linearModel(W);
    const h2 = W * INPUTS[0] + INPUTS[1];
    const e = computeGradient(model, trials, { rule: 'eprop' });
    const b = computeGradient(model, trials, { rule: 'bptt' });
    t.ok(Math.abs(e.loss - yhat(W) ** 2) < 1e-12, `W = ${W}: loss = yhat^2`);
    t.ok(Math.abs(b.grads.Wh[0]! - 2 * yhat(W) * (2 * W - 3)) < 1e-12, `W = ${W}: bptt = 2 yhat yhat'`);
    t.ok(Math.abs(e.grads.Wh[0]! - 2 * yhat(W) * h2) < 1e-12, `W = ${W}: e-prop = 2 yhat h_{T-1}(W) (eligibility h_{T-1} = W x_1 + x_2)`);
  }
  const runs = propositionB1();
  const find = (rule: string, W0: number) => runs.find((r) => r.rule === rule && r.W0 === W0)!;
  t.ok(Math.abs(find('bptt', 0.8).W - 1) < 1e-9 && Math.abs(find('bptt', 2.2).W - 2) < 1e-9, 'BPTT converges to W* = 1 from 0.8 and to W* = 2 from 2.2');
  t.ok(Math.abs(find('eprop', 0.8).W - 1) < 1e-9, "e-prop from W(0) = 0.8 (sign(yhat') = sign(x_{T-1})): converges to W* = 1");
  const away = find('eprop', 2.2);
  t.ok(Math.abs(away.W - 2) > 0.5 && away.loss > 1, `e-prop from W(0) = 2.2 (signs differ): leaves W* = 2 and ends at W = ${away.W.toFixed(4)} with loss ${away.loss.toFixed(3)}, not a solution`);
  t.ok(Math.abs(find('eprop (paper eq. 14)', 0.8).W - 1) < 1e-9, 'the paper\'s literal flow converges from 0.8');
  t.ok(find('eprop (paper eq. 14)', 2.2).divergedAt !== null, 'and diverges (|W| > 1e3) from 2.2');
  const example = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'examples', 'eprop-1d-linear.ts')], { encoding: 'utf8' });
  t.equal(example.status, 0, 'the example runs');
  t.match(example.stdout, /eprop\s+2\.2\s+3\.000000\s+4\.00e\+0\s+stuck at W = 3\.000000, not a solution/, 'and prints the outcome');
  t.end();
});
