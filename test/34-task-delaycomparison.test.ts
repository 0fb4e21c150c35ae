// delaycomparison against neurogym DelayComparison (v2.2.0 defaults), step for step.
import test from 'tape';
import { Rng, createTask } from '../ts/index.js';
import { firstInputMismatch, firstTargetMismatch, inRange, meanStd, residuals } from './task-helpers.js';

const encode = (f: number): number => (1 + (f - 10) / 24) / 2;

test('delaycomparison: 26 steps, two inputs, frequency pairs encoded in [0.5, 1]', (t) => {
  const task = createTask('delaycomparison');
  t.deepEqual(task.info.inputs, ['fixation', 'stimulus']);
  t.deepEqual(task.info.outputs, ['fixate', 'f1-higher', 'f2-higher']);
  t.equal(task.info.maxSteps, 26);
  const batch = createTask('delaycomparison', { sigma: 0 }).sample(new Rng(1), 300);
  t.deepEqual(batch.trials[0]!.periods, { fixation: [0, 5], stimulus1: [5, 10], delay: [10, 20], stimulus2: [20, 25], decision: [25, 26] });
  const pairs = [
    [18, 10],
    [22, 14],
    [26, 18],
    [30, 22],
    [34, 26],
  ];
  for (const r of batch.trials) {
    const { groundTruth, pair, f1, f2 } = r.conditions as Record<string, number>;
    const [hi, lo] = pairs[pair!]!;
    if (!(groundTruth === 1 ? f1 === hi && f2 === lo : f1 === lo && f2 === hi)) t.fail(`pair ${pair}, ground truth ${groundTruth}: f1 ${f1}, f2 ${f2}`);
  }
  const expectInput = (row: number, b: number): number[] => {
    const { f1, f2 } = batch.trials[b]!.conditions as { f1: number; f2: number };
    const p = batch.trials[b]!.periods;
    return [inRange(row, p.decision) ? 0 : 1, inRange(row, p.stimulus1) ? encode(f1) : inRange(row, p.stimulus2) ? encode(f2) : 0];
  };
  t.equal(firstInputMismatch(batch, expectInput, 1e-15), null, 'fixation until the decision; f1, f2 encoded in their periods');
  t.equal(encode(34), 1, 'fmax encodes as 1');
  t.equal(encode(10), 0.5, 'fmin encodes as 0.5');
  t.equal(
    firstTargetMismatch(batch, (row, b) => ({ target: row === 25 ? batch.trials[b]!.conditions.groundTruth! : 0, mask: 1 })),
    null,
    'class 1 (f1 > f2) or 2 in the decision step, 0 before; mask 1',
  );
  t.equal(new Set(batch.trials.map((r) => r.conditions.pair)).size, 5, 'all 5 pairs drawn');
  t.end();
});

test('delaycomparison: noise std 0.1 on both channels, in the stimulus periods only', (t) => {
  const batch = createTask('delaycomparison').sample(new Rng(2), 300);
  const inStim = (row: number, b: number) => inRange(row, batch.trials[b]!.periods.stimulus1) || inRange(row, batch.trials[b]!.periods.stimulus2);
  const stimMean = (row: number, b: number): number => {
    const { f1, f2 } = batch.trials[b]!.conditions as { f1: number; f2: number };
    return encode(inRange(row, batch.trials[b]!.periods.stimulus1) ? f1 : f2);
  };
  for (const [k, mean, name] of [
    [0, () => 1, 'fixation'],
    [1, stimMean, 'stimulus'],
  ] as const) {
    const m = meanStd(residuals(batch, k, mean, inStim));
    t.ok(Math.abs(m.std - 0.1) < 0.003, `${name} channel: std ${m.std.toFixed(5)} over ${m.n} samples, expected 0.1`);
  }
  const quiet = residuals(batch, 1, () => 0, (row, b) => !inStim(row, b));
  t.ok(quiet.every((v) => v === 0), 'no noise outside the stimulus periods');
  t.end();
});

test('delaycomparison: seeded, forced, custom pairs, bad input', (t) => {
  const task = createTask('delaycomparison');
  t.deepEqual(Array.from(task.sample(new Rng(3), 8).inputs), Array.from(task.sample(new Rng(3), 8).inputs), 'same seed, same batch');
  const forced = task.sample(new Rng(4), 4, { conditions: { groundTruth: 2, pair: 4 } });
  t.ok(forced.trials.every((r) => r.conditions.f1 === 26 && r.conditions.f2 === 34), 'pair 4 swapped for ground truth 2');
  const custom = createTask('delaycomparison', { vpairs: [[10, 20]], sigma: 0 }).sample(new Rng(5), 2, { conditions: [{ groundTruth: 1 }, { groundTruth: 2 }] });
  t.deepEqual([custom.trials[0]!.conditions.f1, custom.trials[1]!.conditions.f1], [20, 10], 'ground truth 1 always means f1 > f2, however the pair is listed');
  t.throws(() => task.sample(new Rng(1), 1, { conditions: { pair: 5 } }), /options\.conditions\[0\]\.pair: expected one of 0, 1, 2, 3, 4, received 5/);
  t.throws(() => createTask('delaycomparison', { vpairs: [[10, 10]] }), /delaycomparison options\.vpairs\[0\]: expected two different frequencies, received \[10, 10\]/);
  t.throws(() => createTask('delaycomparison', { timing: { delay: ['uniform', [1000]] } }), /delaycomparison options\.timing\.delay\[1\]: expected two numbers \[lo, hi\]/);
  t.end();
});
