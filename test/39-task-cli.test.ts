// The task suite on the command line: rnnlab tasks, accuracy in rnnlab train, rnnlab evaluate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { Rng, createTask, evaluate, readModelFile, taskNames } from '../ts/index.js';

function rnnlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'rnnlab.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('tasks --json lists every task with channels, periods, dt, trial length and source', (t) => {
  const r = rnnlab('tasks', '--json');
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { tasks: Record<string, unknown>[]; fixationInput: { default: string; note: string } };
  t.deepEqual(
    out.tasks.map((x) => x.name),
    taskNames(),
    'every registered task',
  );
  t.deepEqual(taskNames(), ['romo', 'delaycomparison', 'pdm', 'dms', 'context', 'mante72', 'reach8']);
  for (const x of out.tasks) {
    const keys = ['inputs', 'outputs', 'periods', 'dt', 'timeUnit', 'tau', 'alpha', 'minSteps', 'maxSteps', 'source', 'loss', 'conditions'];
    if (!keys.every((k) => k in x)) t.fail(`${String(x.name)} lacks one of ${keys.join(', ')}`);
  }
  const mante = out.tasks.find((x) => x.name === 'mante72')!;
  t.equal(mante.maxSteps, 113);
  t.equal(mante.alpha, 0.9);
  t.equal(out.fixationInput.default, 'until-decision');
  const pdm = rnnlab('tasks', 'pdm', '--task-option', 'preset=liu2025', '--json');
  t.equal((JSON.parse(pdm.stdout) as { tasks: { maxSteps: number }[] }).tasks[0]!.maxSteps, 8, 'a configured task');
  const text = rnnlab('tasks');
  t.equal(text.status, 0);
  for (const name of taskNames()) t.ok(text.stdout.includes(`${name}: `), `text lists ${name}`);
  t.match(text.stdout, /fixation input: "until-decision" by default/, 'the fixation convention is stated');
  const bad = rnnlab('tasks', '--task-option', 'dt=10');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--task-option: expected a task name before it/);
  t.end();
});

test('train reports accuracy; evaluate scores the saved model like the API does', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'rnnlab-tasks-')), 'run');
  const r = rnnlab('train', '--task', 'pdm', '--task-option', 'preset=liu2025', '--iters', '300', '--lr', '3e-3', '--seed', '1', '--log-every', '100', '--track-accuracy', '--out', dir, '--json', '--no-progress');
  t.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as Record<string, number>;
  t.equal(summary.chance, 0.5);
  t.ok(summary.accuracyAfter! > 0.65 && summary.accuracyAfter! > summary.accuracyBefore!, `held-out accuracy ${summary.accuracyBefore} -> ${summary.accuracyAfter}`);
  t.ok(summary.normalizedAccuracyAfter! > summary.normalizedAccuracyBefore!, 'normalised accuracy rises');
  t.equal(summary.evalTrials, 256);
  const csv = readFileSync(join(dir, 'loss.csv'), 'utf8').trim().split('\n');
  t.equal(csv[0], 'iter,loss,evalLoss,accuracy,normalizedAccuracy', 'accuracy columns with --track-accuracy');
  t.equal(csv.length, 4, 'three logged points');
  t.equal(Number(csv[3]!.split(',')[3]), summary.accuracyAfter, 'the last logged accuracy is the final held-out accuracy');

  const model = join(dir, 'model.json');
  const e = rnnlab('evaluate', '--model', model, '--task', 'pdm', '--task-option', 'preset=liu2025', '--trials', '300', '--seed', '7', '--json');
  t.equal(e.status, 0, e.stderr);
  const scored = JSON.parse(e.stdout) as Record<string, number>;
  t.deepEqual(Object.keys(scored).sort(), ['accuracy', 'chance', 'loss', 'model', 'normalizedAccuracy', 'seed', 'task', 'trials']);
  const task = createTask('pdm', { preset: 'liu2025' });
  const api = evaluate(readModelFile(model, { dtype: 'float64' }), task.sample(new Rng(7).fork('trials'), 300), { task });
  t.equal(scored.loss, api.loss, 'same loss as the API on the same trials');
  t.equal(scored.accuracy, api.accuracy, 'same accuracy');
  t.equal(scored.normalizedAccuracy, api.normalizedAccuracy, 'same normalised accuracy');
  const textOut = rnnlab('evaluate', '--model', model, '--task', 'pdm', '--task-option', 'preset=liu2025', '--trials', '50');
  t.match(textOut.stdout, /accuracy +0\.\d+ \(chance 0\.500\)/);

  const cases: [string[], RegExp][] = [
    [['--task', 'romo'], /--task: expected a task with the model's 3 inputs and 3 outputs, received romo \(1 inputs, 2 outputs\)/],
    [['--task', 'pdm', '--task-option', 'preset=liu2025', '--task-option', 'dt=50'], /--task: expected a task with dt = 100 \(the model's config\.dt; pass --task-option dt=100\)/],
    [['--task', 'pdn'], /task: expected one of "romo", "delaycomparison", "pdm", "dms", "context", "mante72", "reach8" \(did you mean "pdm"\?\), received "pdn"/],
    [['--task', 'pdm', '--trials', '0'], /--trials: expected an integer >= 1, received 0/],
    [['--task', 'pdm', '--task-option', 'timing={"stimulus":750}'], /pdm options\.timing\.stimulus: expected a multiple of dt = 100 ms/],
  ];
  for (const [args, message] of cases) {
    const bad = rnnlab('evaluate', '--model', model, ...args);
    t.equal(bad.status, 2, `exit code 2 for ${args.join(' ')}`);
    t.match(bad.stderr, message, bad.stderr.trim());
  }
  t.end();
});

test('train on mante72 defaults to the authors\' batch of 72; bad batch sizes are refused', (t) => {
  const r = rnnlab('train', '--task', 'mante72', '--iters', '2', '--hidden', '8', '--json', '--no-progress');
  t.equal(r.status, 0, r.stderr);
  t.equal((JSON.parse(r.stdout) as { evalTrials: number }).evalTrials, 72);
  const bad = rnnlab('train', '--task', 'mante72', '--iters', '2', '--batch', '32', '--no-progress');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /batchSize: expected a multiple of 72 for mante72 with sampling "cycle"/);
  const zero = rnnlab('train', '--task', 'pdm', '--batch', '0');
  t.equal(zero.status, 2);
  t.match(zero.stderr, /--batch: expected an integer >= 1, received 0/);
  t.end();
});
