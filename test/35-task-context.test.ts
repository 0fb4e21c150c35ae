// context against neurogym ContextDecisionMaking (v2.2.0 timing and coherences), step for step.
import test from 'tape';
import { Rng, createTask } from '../ts/index.js';
import type { TaskBatch } from '../ts/index.js';
import { firstInputMismatch, firstTargetMismatch, inRange, meanStd, residuals } from './task-helpers.js';

/** Noise-free inputs of one row, from the trial's conditions. */
function expected(batch: TaskBatch, explicit: boolean, fixationOnly = false) {
  return (row: number, b: number): number[] => {
    const r = batch.trials[b]!;
    const { groundTruth, otherChoice, context, coh1, coh2 } = r.conditions as Record<string, number> as Record<'groundTruth' | 'otherChoice' | 'context' | 'coh1' | 'coh2', number>;
    const p = r.periods;
    const inTrial = row < r.steps;
    const stim = inRange(row, p.stimulus);
    const [c1, c2] = context === 0 ? [groundTruth, otherChoice] : [otherChoice, groundTruth];
    const mod = (choice: number, coh: number): number[] => (stim ? [0.5 + ((choice === 1 ? 1 : -1) * coh) / 200, 0.5 - ((choice === 1 ? 1 : -1) * coh) / 200] : [0, 0]);
    const fixation = inTrial && (fixationOnly ? inRange(row, p.fixation) : row < p.decision![0]) ? 1 : 0;
    const ctx = explicit ? [inTrial && context === 0 ? 1 : 0, inTrial && context === 1 ? 1 : 0] : [];
    return [fixation, ...mod(c1, coh1), ...mod(c2, coh2), ...ctx];
  };
}

test('context: explicit context by default, neurogym timing (delay 3..29 steps), padded batches', (t) => {
  const task = createTask('context');
  t.deepEqual(task.info.inputs, ['fixation', 'stim1_mod1', 'stim2_mod1', 'stim1_mod2', 'stim2_mod2', 'context1', 'context2']);
  t.deepEqual(task.info.outputs, ['fixate', 'choice1', 'choice2']);
  t.equal(task.info.minSteps, 3 + 7 + 3 + 1);
  t.equal(task.info.maxSteps, 3 + 7 + 29 + 1);
  t.deepEqual(task.settings.cohs, [5, 15, 50]);
  const batch = createTask('context', { sigma: 0 }).sample(new Rng(1), 300);
  t.equal(batch.T, Math.max(...batch.trials.map((r) => r.steps)), 'T = the longest trial');
  t.ok(new Set(batch.trials.map((r) => r.steps)).size > 5, 'trial lengths vary');
  for (const r of batch.trials) {
    const p = r.periods;
    if (p.fixation![1] !== 3 || p.stimulus![1] - p.stimulus![0] !== 7 || p.decision![1] - p.decision![0] !== 1 || r.steps !== p.decision![1]) t.fail(`periods ${JSON.stringify(p)}`);
  }
  t.equal(firstInputMismatch(batch, expected(batch, true), 1e-15), null, 'every input: modality values by context, context channel in all periods, zeros in padding');
  t.equal(
    firstTargetMismatch(batch, (row, b) => {
      const r = batch.trials[b]!;
      return { target: inRange(row, r.periods.decision) ? r.conditions.groundTruth! : 0, mask: row < r.steps ? 1 : 0 };
    }),
    null,
    'target = ground truth in the decision step, 0 elsewhere; mask 1 in the trial, 0 in the padding',
  );
  const incongruent = batch.trials.filter((r) => r.conditions.groundTruth !== r.conditions.otherChoice).length;
  t.ok(incongruent > 100 && incongruent < 200, `congruent and incongruent trials (${incongruent} of 300 incongruent)`);
  t.deepEqual([...new Set(batch.trials.map((r) => r.conditions.context))].sort(), [0, 1], 'both contexts drawn');
  t.end();
});

test('context: noise std 0.1 on the four stimulus channels, stimulus period only', (t) => {
  const batch = createTask('context').sample(new Rng(2), 300);
  const clean = expected(batch, true);
  const inStim = (row: number, b: number) => inRange(row, batch.trials[b]!.periods.stimulus);
  const r = [1, 2, 3, 4].flatMap((k) => residuals(batch, k, (row, b) => clean(row, b)[k]!, inStim));
  const m = meanStd(r);
  t.ok(Math.abs(m.std - 0.1) < 0.002, `std ${m.std.toFixed(5)} over ${m.n} samples, expected 0.1`);
  const quiet = [0, 1, 2, 3, 4, 5, 6].flatMap((k) => residuals(batch, k, (row, b) => clean(row, b)[k]!, (row, b) => !inStim(row, b)));
  t.ok(quiet.every((v) => v === 0), 'every channel exact outside the stimulus period; fixation and context never noisy');
  t.end();
});

test('context: implicit context (neurogym >= 2.0 default) and the v2.1 fixation convention are options', (t) => {
  const task = createTask('context', { explicitContext: false, contextModality: 1, fixationInput: 'fixation-only', sigma: 0 });
  t.equal(task.info.inputs.length, 5, '5 inputs without context channels');
  const batch = task.sample(new Rng(3), 100);
  t.ok(batch.trials.every((r) => r.conditions.context === 1), 'the context is always the fixed modality');
  t.equal(firstInputMismatch(batch, expected(batch, false, true), 1e-15), null, 'modality 2 encodes the ground truth; fixation only in the fixation period');
  t.throws(() => task.sample(new Rng(3), 1, { conditions: { context: 0 } }), /options\.conditions\[0\]\.context: expected one of 1, received 0/);
  t.throws(() => createTask('context', { contextModality: 1 }), /context options\.contextModality: expected no value with explicitContext true/);
  t.throws(() => createTask('context', { explicitContext: false, contextModality: 2 }), /context options\.contextModality/);
  t.end();
});

test('context: seeded and forced conditions', (t) => {
  const task = createTask('context');
  t.deepEqual(Array.from(task.sample(new Rng(4), 16).inputs), Array.from(task.sample(new Rng(4), 16).inputs), 'same seed, same batch');
  const forced = task.sample(new Rng(5), 5, { conditions: { groundTruth: 2, otherChoice: 1, context: 1, coh1: 50, coh2: 5 } });
  t.ok(
    forced.trials.every((r) => JSON.stringify(r.conditions) === JSON.stringify({ groundTruth: 2, otherChoice: 1, context: 1, coh1: 50, coh2: 5 })),
    'every condition forced',
  );
  t.throws(() => task.sample(new Rng(5), 1, { conditions: { coh2: -1 } }), /options\.conditions\[0\]\.coh2: expected a coherence in \[0, 100\], received -1/);
  t.end();
});
