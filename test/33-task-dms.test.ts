// dms against neurogym DelayMatchSample (v2.2.0 defaults), step for step.
import test from 'tape';
import { Rng, createTask } from '../ts/index.js';
import { firstInputMismatch, firstTargetMismatch, inRange, meanStd, residuals } from './task-helpers.js';

test('dms: defaults are 3 + 5 + 10 + 5 + 9 = 32 steps with neurogym channels and classes', (t) => {
  const task = createTask('dms');
  t.deepEqual(task.info.inputs, ['fixation', 'stimulus1', 'stimulus2']);
  t.deepEqual(task.info.outputs, ['fixate', 'match', 'non-match']);
  t.deepEqual(task.info.periods, ['fixation', 'sample', 'delay', 'test', 'decision']);
  t.equal(task.info.maxSteps, 32);
  const batch = task.sample(new Rng(1), 4);
  t.deepEqual(batch.trials[0]!.periods, { fixation: [0, 3], sample: [3, 8], delay: [8, 18], test: [18, 23], decision: [23, 32] });
  t.end();
});

test('dms: one-hot sample and test, match = same channel, fixation until the decision; targets and mask', (t) => {
  const batch = createTask('dms', { sigma: 0 }).sample(new Rng(2), 200);
  const expectInput = (row: number, b: number): number[] => {
    const { groundTruth, sample } = batch.trials[b]!.conditions as { groundTruth: number; sample: number };
    const p = batch.trials[b]!.periods;
    const test = groundTruth === 1 ? sample : 3 - sample;
    const shown = inRange(row, p.sample) ? sample : inRange(row, p.test) ? test : 0;
    return [inRange(row, p.decision) ? 0 : 1, shown === 1 ? 1 : 0, shown === 2 ? 1 : 0];
  };
  t.equal(firstInputMismatch(batch, expectInput), null, 'every input of 200 noise-free trials');
  t.equal(
    firstTargetMismatch(batch, (row, b) => ({ target: inRange(row, batch.trials[b]!.periods.decision) ? batch.trials[b]!.conditions.groundTruth! : 0, mask: 1 })),
    null,
    'class 0 except the 9 decision steps (1 match, 2 non-match); mask 1',
  );
  const kinds = new Set(batch.trials.map((r) => `${r.conditions.groundTruth}/${r.conditions.sample}`));
  t.equal(kinds.size, 4, 'all four (match, sample) combinations drawn');
  t.end();
});

test('dms: noise std 0.1 on the stimulus channels in sample and test only', (t) => {
  const batch = createTask('dms').sample(new Rng(3), 300);
  const expectStim = (k: number) => (row: number, b: number): number => {
    const { groundTruth, sample } = batch.trials[b]!.conditions as { groundTruth: number; sample: number };
    const shown = inRange(row, batch.trials[b]!.periods.sample) ? sample : groundTruth === 1 ? sample : 3 - sample;
    return shown === k ? 1 : 0;
  };
  const noisy = (row: number, b: number) => inRange(row, batch.trials[b]!.periods.sample) || inRange(row, batch.trials[b]!.periods.test);
  const r = [1, 2].flatMap((k) => residuals(batch, k, expectStim(k), noisy));
  const m = meanStd(r);
  t.ok(Math.abs(m.std - 0.1) < 0.002, `measured std ${m.std.toFixed(5)} over ${m.n} samples, expected 0.1`);
  t.ok(Math.abs(m.mean) < 4 * (0.1 / Math.sqrt(m.n)), 'zero-mean noise');
  const quiet = [1, 2].flatMap((k) => residuals(batch, k, () => 0, (row, b) => !noisy(row, b)));
  t.ok(quiet.every((v) => v === 0), 'fixation, delay and decision stimulus inputs are exactly 0');
  t.end();
});

test('dms: preset liu2025 (paper 1) is 8 steps', (t) => {
  const task = createTask('dms', { preset: 'liu2025' });
  t.equal(task.info.maxSteps, 8);
  t.deepEqual(task.sample(new Rng(4), 1).trials[0]!.periods, { fixation: [0, 0], sample: [0, 1], delay: [1, 6], test: [6, 7], decision: [7, 8] });
  t.deepEqual(task.settings.timing, { fixation: 0, sample: 100, delay: 500, test: 100, decision: 100 });
  t.end();
});

test('dms: seeded, forced conditions honoured, bad input rejected', (t) => {
  const task = createTask('dms');
  t.deepEqual(Array.from(task.sample(new Rng(5), 16).inputs), Array.from(task.sample(new Rng(5), 16).inputs), 'same seed, same batch');
  const forced = createTask('dms', { sigma: 0 }).sample(new Rng(6), 3, { conditions: { groundTruth: 2, sample: 1 } });
  t.ok(forced.trials.every((r) => r.conditions.groundTruth === 2 && r.conditions.sample === 1), 'forced');
  t.equal(forced.inputs[(3 * 3 + 0) * 3 + 1], 1, 'sample on stimulus1');
  t.equal(forced.inputs[(18 * 3 + 0) * 3 + 2], 1, 'non-match: test on stimulus2');
  t.throws(() => task.sample(new Rng(1), 1, { conditions: { sample: 3 } }), /options\.conditions\[0\]\.sample: expected one of 1, 2, received 3/);
  t.throws(() => createTask('dms', { timing: { test: 50 } }), /dms options\.timing\.test: expected a multiple of dt = 100 ms/);
  t.throws(() => createTask('dms', { fixationInput: 'fixation-only' }), /dms options\.fixationInput: expected one of the keys dt, timing, sigma, preset, received unknown key/, 'dms has one fixation convention in every neurogym version');
  t.end();
});
