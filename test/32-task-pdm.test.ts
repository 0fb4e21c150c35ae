// pdm against neurogym PerceptualDecisionMaking (v2.2.0 defaults), step for step.
import test from 'tape';
import { Rng, createTask } from '../ts/index.js';
import { firstInputMismatch, firstTargetMismatch, inRange, meanStd, residuals } from './task-helpers.js';

test('pdm: defaults are 22 steps at dt 100 with neurogym channels, classes and periods', (t) => {
  const task = createTask('pdm');
  const { info } = task;
  t.equal(info.dt, 100);
  t.equal(info.timeUnit, 'ms');
  t.equal(info.tau, 100, 'tau 100 ms: alpha = 1 - dt/tau = 0 at dt 100');
  t.deepEqual(info.inputs, ['fixation', 'stimulus1', 'stimulus2']);
  t.deepEqual(info.outputs, ['fixate', 'choice1', 'choice2']);
  t.equal(info.loss, 'ce');
  t.deepEqual(info.periods, ['fixation', 'stimulus', 'delay', 'decision']);
  t.equal(info.maxSteps, 22);
  t.equal(info.decisionPeriod, 'decision');
  const batch = task.sample(new Rng(1), 16);
  t.equal(batch.T, 22);
  t.deepEqual(batch.trials[0]!.periods, { fixation: [0, 1], stimulus: [1, 21], delay: [21, 21], decision: [21, 22] }, '1 + 20 + 0 + 1 steps');
  t.deepEqual(task.settings.cohs, [0, 6.4, 12.8, 25.6, 51.2]);
  t.equal(task.settings.fixationInput, 'until-decision');
  t.end();
});

test('pdm: inputs are 0.5 +- coh/200 in the stimulus only, fixation until the decision, targets and mask', (t) => {
  const batch = createTask('pdm', { sigma: 0 }).sample(new Rng(2), 200);
  const expectInput = (row: number, b: number): number[] => {
    const { groundTruth, coherence } = batch.trials[b]!.conditions as { groundTruth: number; coherence: number };
    const p = batch.trials[b]!.periods;
    const s = inRange(row, p.stimulus) ? coherence / 200 : 0;
    const base = inRange(row, p.stimulus) ? 0.5 : 0;
    return [row < p.decision![0] ? 1 : 0, base + (groundTruth === 1 ? s : -s), base + (groundTruth === 1 ? -s : s)];
  };
  t.equal(firstInputMismatch(batch, expectInput), null, 'every input of 200 noise-free trials');
  const expectTarget = (row: number, b: number) => ({ target: inRange(row, batch.trials[b]!.periods.decision) ? batch.trials[b]!.conditions.groundTruth! : 0, mask: 1 });
  t.equal(firstTargetMismatch(batch, expectTarget), null, 'class 0 except the decision step (= ground truth); mask 1 everywhere');
  const cohs = new Set(batch.trials.map((r) => r.conditions.coherence));
  t.deepEqual([...cohs].sort((a, b) => a! - b!), [0, 6.4, 12.8, 25.6, 51.2], 'every coherence drawn');
  const ones = batch.trials.filter((r) => r.conditions.groundTruth === 1).length;
  t.ok(ones > 70 && ones < 130, `ground truth 1 in ${ones} of 200 trials`);
  const strongest = batch.trials.findIndex((r) => r.conditions.coherence === 51.2);
  t.equal(Math.max(...[1, 2].map((k) => batch.inputs[(5 * 200 + strongest) * 3 + k]!)), 0.5 + 51.2 / 200, 'strongest stimulus 0.756');
  t.end();
});

test('pdm: noise std is sigma / sqrt(dt), on the stimulus channels in the stimulus period only', (t) => {
  for (const [options, std] of [
    [{}, 0.1],
    [{ dt: 20, sigma: 0.5 }, 0.5 / Math.sqrt(20)],
  ] as const) {
    const task = createTask('pdm', options);
    const batch = task.sample(new Rng(3), 400);
    const mean = (row: number, b: number, k: number): number => {
      const { groundTruth, coherence } = batch.trials[b]!.conditions as { groundTruth: number; coherence: number };
      const sign = (k === 1) === (groundTruth === 1) ? 1 : -1;
      return 0.5 + (sign * coherence) / 200;
    };
    const inStim = (row: number, b: number) => inRange(row, batch.trials[b]!.periods.stimulus);
    const r = [1, 2].flatMap((k) => residuals(batch, k, (row, b) => mean(row, b, k), inStim));
    const m = meanStd(r);
    t.ok(Math.abs(m.std - std) < 0.02 * std, `dt ${task.info.dt}: measured std ${m.std.toFixed(5)} over ${m.n} samples, expected ${std.toFixed(5)}`);
    t.ok(Math.abs(m.mean) < 4 * (std / Math.sqrt(m.n)), `noise mean ${m.mean.toExponential(2)} ~ 0`);
    const outside = [1, 2].flatMap((k) => residuals(batch, k, () => 0, (row, b) => !inStim(row, b)));
    t.ok(outside.length > 0 && outside.every((v) => v === 0), 'stimulus channels exactly 0 outside the stimulus period (no noise there)');
    const decision = residuals(batch, 0, () => 0, (row, b) => inRange(row, batch.trials[b]!.periods.decision));
    t.ok(decision.every((v) => v === 0), 'fixation 0 in the decision step');
    const fixation = residuals(batch, 0, () => 1, (row, b) => row < batch.trials[b]!.periods.decision![0]);
    t.ok(fixation.every((v) => v === 0), 'the fixation channel is exactly 1 before the decision (no noise)');
  }
  const dt20 = createTask('pdm', { dt: 20 });
  t.equal(dt20.info.maxSteps, 5 + 100 + 0 + 5, 'dt 20: 110 steps');
  t.end();
});

test('pdm: preset liu2025 (paper 1) is 8 steps; the v2.1 fixation convention is an option', (t) => {
  const task = createTask('pdm', { preset: 'liu2025', sigma: 0 });
  t.equal(task.info.maxSteps, 8);
  const batch = task.sample(new Rng(4), 8);
  t.deepEqual(batch.trials[0]!.periods, { fixation: [0, 0], stimulus: [0, 7], delay: [7, 7], decision: [7, 8] }, '7 stimulus steps + 1 decision step');
  for (let row = 0; row < 8; row++) t.equal(batch.inputs[row * 8 * 3], row < 7 ? 1 : 0, `until-decision: fixation ${row < 7 ? 1 : 0} at row ${row}`);
  const v21 = createTask('pdm', { preset: 'liu2025', fixationInput: 'fixation-only' }).sample(new Rng(4), 8);
  t.ok(Array.from({ length: 8 * 8 }, (_, r) => v21.inputs[r * 3]).every((v) => v === 0), 'fixation-only with a 0 ms fixation: the fixation input is always 0');
  const v21default = createTask('pdm', { fixationInput: 'fixation-only', sigma: 0 }).sample(new Rng(4), 4);
  t.deepEqual(
    Array.from({ length: 22 }, (_, row) => v21default.inputs[row * 4 * 3]),
    [1, ...Array<number>(21).fill(0)],
    'fixation-only with defaults: 1 in the first step only',
  );
  const overridden = createTask('pdm', { preset: 'liu2025', timing: { stimulus: 300 } });
  t.equal(overridden.info.maxSteps, 4, 'explicit timing overrides the preset');
  t.end();
});

test('pdm: seeded, forced conditions honoured, bad input rejected', (t) => {
  const task = createTask('pdm');
  const a = task.sample(new Rng(5), 32);
  t.deepEqual(Array.from(task.sample(new Rng(5), 32).inputs), Array.from(a.inputs), 'same seed, same inputs');
  t.deepEqual(Array.from(task.sample(new Rng(5), 32).targets), Array.from(a.targets), 'same seed, same targets');
  t.notDeepEqual(Array.from(task.sample(new Rng(6), 32).inputs), Array.from(a.inputs), 'another seed differs');
  const forced = task.sample(new Rng(7), 6, { conditions: { groundTruth: 2, coherence: 3.2 } });
  t.ok(forced.trials.every((r) => r.conditions.groundTruth === 2 && r.conditions.coherence === 3.2), 'forced for every trial (3.2 is not in cohs: psychometric curves)');
  t.ok(forced.trials.every((r, b) => forced.targets[21 * 6 + b] === 2), 'decision target follows the forced ground truth');
  const each = task.sample(new Rng(7), 2, { conditions: [{ groundTruth: 1 }, { coherence: 0 }] });
  t.equal(each.trials[0]!.conditions.groundTruth, 1);
  t.equal(each.trials[1]!.conditions.coherence, 0);
  t.throws(() => task.sample(new Rng(1), 2, { conditions: { groundTruth: 0 } }), /options\.conditions\[0\]\.groundTruth: expected one of 1, 2, received 0/);
  t.throws(() => task.sample(new Rng(1), 2, { conditions: { coherence: 150 } }), /options\.conditions\[0\]\.coherence: expected a coherence in \[0, 100\], received 150/);
  t.throws(() => task.sample(new Rng(1), 2, { conditions: { coh: 5 } }), /unknown condition "coh"/);
  t.throws(() => task.sample(new Rng(1), 0), /batchSize: expected an integer >= 1, received 0/);
  t.throws(() => createTask('pdm', { coherence: [1] }), /pdm options\.coherence: expected one of the keys .*received unknown key "coherence"/);
  t.throws(() => createTask('pdm', { cohs: [] }), /pdm options\.cohs: expected an array with length >= 1/);
  t.throws(() => createTask('pdm', { sigma: -1 }), /pdm options\.sigma: expected a number >= 0, received -1/);
  t.throws(() => createTask('pdm', { preset: 'liu2024' }), /pdm options\.preset: expected one of "neurogym", "liu2025" \(did you mean "liu2025"\?\), received "liu2024"/);
  t.throws(() => createTask('pdm', { fixationInput: 'v2.1' }), /pdm options\.fixationInput: expected one of "until-decision", "fixation-only"/);
  t.end();
});
