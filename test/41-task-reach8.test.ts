// reach8 (paper 2's Hatsopoulos task) against its definition, row by row: the sin/cos bump with
// its ramps, the hold cue, the joint-angle targets from the shipped kinematics, the mask; the
// training and analysis timing; seeding, forced conditions, the authors' condition order, errors.
import test from 'tape';
import { REACH8_DATA_WINDOW, Rng, createTask, loadHatsopoulos2007 } from '../ts/index.js';
import type { TaskBatch } from '../ts/index.js';
import { maskAt, x } from './task-helpers.js';

const RAMP = [0.05, 0.1, 0.2, 0.35, 0.65, 0.8, 0.9, 0.95];

/** The expected input row of a trial with direction c and intervals i1, i2 (written from the spec). */
function expectedInput(row: number, c: number, i1: number, i2: number): number[] {
  const theta = (c * Math.PI) / 4;
  let bump = 0;
  const k = row - i1;
  if (k >= 0 && k < 8) bump = RAMP[k]!;
  else if (k >= 8 && k < 15) bump = 1;
  else if (k >= 15 && k < 23) bump = RAMP[22 - k]!;
  const go = i1 + i2 + 23;
  let hold = row < go ? 1 : 0;
  if (row >= go - 8 && row < go) hold = RAMP[go - 1 - row]!;
  return [Math.sin(theta) * bump, Math.cos(theta) * bump, hold];
}

function target(batch: TaskBatch, row: number, b: number, k: number): number {
  return batch.targets[(row * batch.B + b) * 2 + k]!;
}

test('reach8: info, training timing, and every row of 64 trials as defined', (t) => {
  const task = createTask('reach8');
  t.deepEqual(task.info.inputs, ['sin', 'cos', 'hold']);
  t.deepEqual(task.info.outputs, ['shoulder', 'elbow']);
  t.equal(task.info.loss, 'mse');
  t.equal(task.info.dt, 10, 'dt 10 ms');
  t.equal(1 - task.info.dt / task.info.tau, 0.9, 'alpha = 0.9 (dt/tau = 0.1)');
  t.equal(task.info.maxSteps, 300, 'n_T = 300 for training');
  const kin = loadHatsopoulos2007().kinematics;
  const batch = task.sample(new Rng(7), 64);
  t.equal(batch.T, 300);
  const seen1 = new Set<number>();
  const seen2 = new Set<number>();
  let bad: string | null = null;
  for (let b = 0; b < 64 && !bad; b++) {
    const c = batch.trials[b]!.conditions as Record<string, number>;
    seen1.add(c.interval1!);
    seen2.add(c.interval2!);
    if (!(c.interval1! >= 0 && c.interval1! <= 49 && c.interval2! >= 0 && c.interval2! <= 149)) bad = `intervals ${c.interval1}, ${c.interval2}`;
    for (let row = 0; row < 300 && !bad; row++) {
      const want = expectedInput(row, c.condition!, c.interval1!, c.interval2!);
      for (let k = 0; k < 3; k++) if (Math.abs(x(batch, row, b, k) - want[k]!) > 1e-15) bad = `input ${k} of trial ${b} at row ${row}: ${x(batch, row, b, k)} instead of ${want[k]}`;
    }
    const s0 = c.interval1! + c.interval2! + 23 - 10;
    const end = Math.min(300, s0 + 51);
    for (let row = 0; row < 300 && !bad; row++) {
      const inOutput = row >= s0 && row < end;
      const sh = inOutput ? kin.shoulderAngle.data[c.condition! * 121 + 70 + row - s0]! : 0;
      const el = inOutput ? kin.elbowAngle.data[c.condition! * 121 + 70 + row - s0]! : 0;
      if (target(batch, row, b, 0) !== sh || target(batch, row, b, 1) !== el) bad = `target of trial ${b} at row ${row}`;
      if (maskAt(batch, row, b) !== (row < end ? 1 : 0)) bad = `mask of trial ${b} at row ${row}`;
    }
  }
  t.equal(bad, null, 'inputs (bump, ramps, hold cue), targets (angles from -100 ms, 10 rows before the go cue) and mask follow the definition');
  t.ok(seen1.size > 20 && seen2.size > 40, `intervals vary (${seen1.size} values of interval1, ${seen2.size} of interval2)`);
  t.end();
});

test('reach8: the analysis trials (test) and the data window of the authors', (t) => {
  const task = createTask('reach8', { test: true });
  t.equal(task.info.maxSteps, 250, 'n_T = 250');
  const batch = task.sample(new Rng(1), 8);
  t.deepEqual(batch.trials.map((r) => r.conditions.condition), [0, 1, 2, 3, 4, 5, 6, 7], 'one trial per direction, in the data\'s order');
  t.deepEqual(batch.trials[0]!.conditions, { condition: 0, angleDeg: 0, interval1: 25, interval2: 105, goRow: 153, outputStart: 143, outputEnd: 194 });
  t.deepEqual(batch.trials[0]!.periods, { pre: [0, 25], cue: [25, 48], delay: [48, 153], go: [153, 250] });
  t.deepEqual([...REACH8_DATA_WINDOW], [105, 226], 'rows 105..225: -800 <= 10 (t - 185) <= 400');
  const rows = Array.from({ length: 250 }, (_, s) => s).filter((s) => -800 <= 10 * (s - 185) && 10 * (s - 185) <= 400);
  t.deepEqual([rows[0], rows.at(-1)! + 1, rows.length], [105, 226, 121], '121 rows, one per recorded bin');
  t.equal(x(batch, 2, 2, 0), 0, 'no bump before interval1');
  t.ok(Math.abs(x(batch, 25, 2, 0) - 0.05) < 1e-15 && Math.abs(x(batch, 25, 2, 1)) < 1e-15, 'direction 2 (90 deg): sin ramp starts at 0.05, cos 0');
  t.equal(x(batch, 152, 0, 2), 0.05, 'hold cue ends with 0.05 at row 152');
  t.equal(x(batch, 153, 0, 2), 0, 'go cue at row 153');
  t.equal(maskAt(batch, 193, 0), 1, 'mask 1 through the last target row 193');
  t.equal(maskAt(batch, 194, 0), 0, 'and 0 after it');
  t.end();
});

test('reach8: seeded; the authors\' first-8 order; random sampling; forced conditions; truncation', (t) => {
  const task = createTask('reach8');
  t.deepEqual(Array.from(task.sample(new Rng(3), 20).inputs), Array.from(task.sample(new Rng(3), 20).inputs), 'same seed, same batch');
  t.notDeepEqual(Array.from(task.sample(new Rng(4), 20).inputs), Array.from(task.sample(new Rng(3), 20).inputs), 'another seed differs');
  t.deepEqual(task.sample(new Rng(5), 12).trials.slice(0, 8).map((r) => r.conditions.condition), [0, 1, 2, 3, 4, 5, 6, 7], 'liu2025: the first 8 of a batch of >= 8 are 0..7');
  const small = task.sample(new Rng(5), 400);
  const counts = new Array(8).fill(0);
  for (const r of small.trials.slice(8)) counts[r.conditions.condition!] += 1;
  t.ok(counts.every((n) => n > 25), `the others are uniform over the 8 directions (${counts.join(' ')})`);
  const random = createTask('reach8', { sampling: 'random' }).sample(new Rng(5), 12);
  t.notDeepEqual(random.trials.slice(0, 8).map((r) => r.conditions.condition), [0, 1, 2, 3, 4, 5, 6, 7], 'random: no fixed order');
  const forced = task.sample(new Rng(6), 3, { conditions: [{ condition: 5, interval1: 0, interval2: 0 }, { interval2: 149 }, { condition: 1 }] });
  t.deepEqual([forced.trials[0]!.conditions.condition, forced.trials[0]!.conditions.outputStart, forced.trials[1]!.conditions.interval2, forced.trials[2]!.conditions.condition], [5, 13, 149, 1], 'forced per trial');
  const short = createTask('reach8', { steps: 60, interval1: 10, interval2: 20 }).sample(new Rng(1), 1);
  t.deepEqual([short.trials[0]!.conditions.outputStart, short.trials[0]!.conditions.outputEnd, maskAt(short, 59, 0)], [43, 60, 1], 'targets truncated at the end of the trial (mask 1 to the end)');
  const late = createTask('reach8', { steps: 40, interval1: 10, interval2: 20 }).sample(new Rng(1), 1);
  t.ok(Array.from(late.mask!).every((m) => m === 1) && Array.from(late.targets).every((v) => v === 0), 'output after the trial: no targets, mask all ones (as the reference)');
  t.end();
});

test('reach8: clear errors', (t) => {
  const task = createTask('reach8');
  t.throws(() => createTask('reach8', { stepz: 3 }), /reach8 options\.stepz: expected one of the keys .*did you mean "steps"/, 'unknown key');
  t.throws(() => createTask('reach8', { interval1: [10, 5] }), /reach8 options\.interval1: expected an inclusive range \[lo, hi\] with lo <= hi/, 'empty range');
  t.throws(() => createTask('reach8', { outputOffset: -30 }), /reach8 options\.outputOffset/, 'offset before the start of the trial');
  t.throws(() => createTask('reach8', { dataDir: '/nonexistent' }), /dir: expected a folder holding firing_rate\.npy/, 'missing data folder');
  t.throws(() => task.sample(new Rng(1), 2, { conditions: { condition: 8 } }), /options\.conditions\[0\]\.condition: expected a direction 0\.\.7, received 8/, 'direction out of range');
  t.throws(() => task.sample(new Rng(1), 2, { conditions: { interval1: 2.5 } }), /options\.conditions\[0\]\.interval1: expected a whole number of steps >= 0, received 2\.5/, 'fractional interval');
  t.throws(() => task.sample(new Rng(1), 2, { conditions: { angle: 1 } }), /unknown condition "angle"/, 'unknown condition');
  t.end();
});
