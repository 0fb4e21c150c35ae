// Timing specs as neurogym defines them: sampled durations floored to dt, strict checks on the rest.
import test from 'tape';
import { Rng, createTask, parseTimingSpec, sampleDuration } from '../ts/index.js';
import { meanStd } from './task-helpers.js';

test('timing: every neurogym spec form parses to its distribution', (t) => {
  t.deepEqual(parseTimingSpec(300, 'f'), { kind: 'fixed', value: 300 });
  t.deepEqual(parseTimingSpec(['constant', 200], 'f'), { kind: 'fixed', value: 200 });
  t.deepEqual(parseTimingSpec([100, 200, 400], 'f'), { kind: 'choice', values: [100, 200, 400] });
  t.deepEqual(parseTimingSpec(['choice', [50, 80]], 'f'), { kind: 'choice', values: [50, 80] });
  t.deepEqual(parseTimingSpec(['uniform', [300, 500]], 'f'), { kind: 'uniform', lo: 300, hi: 500 });
  t.deepEqual(parseTimingSpec(['truncated_exponential', [600, 300, 3000]], 'f'), { kind: 'truncexp', mean: 600, min: 300, max: 3000 });
  const bad: [unknown, RegExp][] = [
    [-1, /f: expected a duration \(a finite number >= 0\), received -1/],
    ['300', /f: expected a duration >= 0, a non-empty list of durations, \["uniform", \[lo, hi\]\].*received "300"/],
    [[], /f: expected a duration >= 0, a non-empty list/],
    [['gaussian', [1, 2]], /f\[0\]: expected one of "uniform", "choice", "truncated_exponential", "constant", received "gaussian"/],
    [['uniform', [500, 300]], /f\[1\]\[1\]: expected an upper bound >= lo \(500\), received 300/],
    [['uniform', [1, 2, 3]], /f\[1\]: expected two numbers \[lo, hi\]/],
    [['truncated_exponential', [600, 300]], /f\[1\]: expected three numbers \[mean, min, max\] \(rnnlab needs a finite max/],
    [['truncated_exponential', [0, 300, 900]], /f\[1\]\[0\]: expected a mean > 0, received 0/],
    [['truncated_exponential', [600, 900, 300]], /f\[1\]\[2\]: expected a max >= min \(900\), received 300/],
    [[100, Number.NaN], /f\[1\]: expected a duration \(a finite number >= 0\), received NaN/],
  ];
  for (const [spec, message] of bad) t.throws(() => parseTimingSpec(spec, 'f'), message, `rejects ${JSON.stringify(spec)}`);
  t.end();
});

test('timing: sampled durations are floored to dt; the step range is exact', (t) => {
  // stimulus uniform in [250, 1050) ms at dt 100: floor gives 2..10 steps, each about equally often.
  const task = createTask('pdm', { timing: { stimulus: ['uniform', [250, 1050]] }, sigma: 0 });
  t.equal(task.info.minSteps, 1 + 2 + 0 + 1, 'shortest trial: floor(250/100) = 2 stimulus steps');
  t.equal(task.info.maxSteps, 1 + 10 + 0 + 1, 'longest trial: floor of just under 1050 = 10 stimulus steps');
  const batch = task.sample(new Rng(1), 4000);
  const counts = new Map<number, number>();
  for (const trial of batch.trials) {
    const [s, e] = trial.periods.stimulus!;
    counts.set(e - s, (counts.get(e - s) ?? 0) + 1);
  }
  t.deepEqual([...counts.keys()].sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9, 10], 'steps 2..10 occur');
  // P(2 steps) = P(250 <= x < 300) = 50/800; P(3..10) = 100/800 each.
  const p2 = counts.get(2)! / 4000;
  const p5 = counts.get(5)! / 4000;
  t.ok(Math.abs(p2 - 0.0625) < 0.015, `P(2 steps) = ${p2.toFixed(4)}, expected 0.0625 (flooring, not rounding)`);
  t.ok(Math.abs(p5 - 0.125) < 0.02, `P(5 steps) = ${p5.toFixed(4)}, expected 0.125`);
  t.equal(batch.T, Math.max(...batch.trials.map((r) => r.steps)), 'batch as long as its longest trial');

  // A list is a uniform choice; 150 at dt 100 floors to 1 step.
  const choice = createTask('pdm', { timing: { fixation: [100, 150, 300] } }).sample(new Rng(2), 3000);
  const fix = new Map<number, number>();
  for (const trial of choice.trials) fix.set(trial.periods.fixation![1], (fix.get(trial.periods.fixation![1]) ?? 0) + 1);
  t.deepEqual([...fix.keys()].sort(), [1, 3], 'fixation of 1 step (100 and 150 ms) or 3 steps (300 ms)');
  t.ok(Math.abs(fix.get(1)! / 3000 - 2 / 3) < 0.03, `P(1 step) = ${(fix.get(1)! / 3000).toFixed(3)}, expected 2/3`);
  t.end();
});

test('timing: the context delay is a truncated exponential (600, 300, 3000) floored to 100 ms', (t) => {
  const spec = parseTimingSpec(['truncated_exponential', [600, 300, 3000]], 'delay');
  const rng = new Rng(3);
  const raw = Array.from({ length: 20000 }, () => sampleDuration(spec, rng));
  t.ok(raw.every((v) => v >= 300 && v < 3000), 'every draw in [300, 3000)');
  // Exact mean of floor(X / 100) * 100 for X ~ Exp(600) conditioned on [300, 3000).
  const cdf = (v: number): number => 1 - Math.exp(-v / 600);
  let expected = 0;
  for (let k = 3; k < 30; k++) expected += 100 * k * (cdf(100 * (k + 1)) - cdf(100 * k));
  expected /= cdf(3000) - cdf(300);
  const batch = createTask('context').sample(new Rng(4), 20000);
  const delays = batch.trials.map((r) => 100 * (r.periods.delay![1] - r.periods.delay![0]));
  const { mean, std, n } = meanStd(delays);
  t.ok(Math.min(...delays) === 300 && Math.max(...delays) <= 2900, `delay steps within 3..29 (max ${Math.max(...delays) / 100})`);
  t.ok(Math.abs(mean - expected) < 4 * (std / Math.sqrt(n)), `mean floored delay ${mean.toFixed(1)} ms, exact ${expected.toFixed(1)} ms (reference: 822 ms)`);
  t.ok(Math.abs(expected - 822) < 3, 'the exact value agrees with reference/specs.md 4.4');
  t.end();
});

test('timing: fixed durations that dt does not divide are errors that name the field', (t) => {
  t.throws(() => createTask('pdm', { timing: { stimulus: 750 } }), /pdm options\.timing\.stimulus: expected a multiple of dt = 100 ms \(neurogym would floor 750 to 700; write 700 if that is meant\), received 750/);
  t.throws(() => createTask('pdm', { dt: 30 }), /pdm options\.timing\.fixation: expected a multiple of dt = 30 ms \(100 is this period's default; set it to a duration that dt divides, e.g\. 90\), received 100/);
  t.throws(() => createTask('dms', { timing: { decision: ['constant', 250] } }), /dms options\.timing\.decision: expected a multiple of dt = 100 ms/);
  t.throws(() => createTask('pdm', { timing: { decision: 0 } }), /pdm options\.timing\.decision: expected a duration of at least one step \(dt = 100 ms\) for every trial, received 0/);
  t.throws(() => createTask('pdm', { timing: { decision: ['uniform', [50, 300]] } }), /pdm options\.timing\.decision: expected a duration of at least one step/, 'a decision that can floor to 0 steps');
  t.throws(() => createTask('pdm', { timing: { stimulis: 100 } }), /pdm options\.timing\.stimulis: expected one of the keys fixation, stimulus, delay, decision \(did you mean "stimulus"\?\), received unknown key "stimulis"/);
  t.throws(() => createTask('pdm', { dt: 0 }), /pdm options\.dt: expected a number > 0, received 0/);
  t.throws(() => createTask('mante72', { dt: 10 }), /mante72 options\.timing\.fixation: expected a multiple of dt = 10 ms \(345 is this period's default/);
  t.doesNotThrow(() => createTask('pdm', { dt: 20 }), 'dt 20 divides every default pdm period');
  t.doesNotThrow(() => createTask('context', { dt: 50, timing: { stimulus: 750 } }), 'context at dt 50 with neurogym\'s own 750 ms stimulus');
  t.end();
});
