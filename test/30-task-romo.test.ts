// The Romo task against the Schuessler et al. 2020 definition, step for step.
import test from 'tape';
import { Rng, createTask } from '../ts/index.js';

test('romo: 56 steps, one input, two outputs, mse, Schuessler timing', (t) => {
  const task = createTask('romo');
  t.equal(task.info.maxSteps, 56, 't_max = 28 tau at dt 0.5');
  t.deepEqual(task.info.inputs, ['stimulus']);
  t.equal(task.info.outputs.length, 2);
  t.equal(task.info.loss, 'mse');
  const batch = task.sample(new Rng(1), 64);
  t.equal(batch.T, 56);
  t.equal(batch.B, 64);
  for (const [b, trial] of batch.trials.entries()) {
    const p = trial.periods;
    const { a1, a2, delay } = trial.conditions as { a1: number; a2: number; delay: number };
    const delaySteps = Math.floor(delay / 0.5 + 1e-9);
    if (b === 0) {
      t.deepEqual(p.fixation, [0, 6], 'fixation: 3 tau = 6 steps');
      t.deepEqual(p.stimulus1, [6, 8], 'first pulse: steps 6-7');
    }
    if (!(delay >= 2 && delay < 8)) t.fail(`delay ${delay} outside [2, 8)`);
    if (!(Math.abs(a1 - a2) >= 0.2 && a1 >= 0.5 && a1 < 1.5 && a2 >= 0.5 && a2 < 1.5)) t.fail(`amplitudes ${a1}, ${a2}`);
    const s2 = 8 + delaySteps;
    if (p.stimulus2![0] !== s2 || p.stimulus2![1] !== s2 + 2) t.fail('second pulse right after the delay');
    if (p.decision![0] !== s2 + 2 + 10 || p.decision![1] !== s2 + 2 + 10 + 20) t.fail('decision 10 steps after the pulse, 20 long');
    const larger = a1 >= a2 ? 0 : 1;
    for (let s = 0; s < 56; s++) {
      const x = batch.inputs[s * 64 + b]!;
      const expectedX = s >= 6 && s < 8 ? a1 : s >= s2 && s < s2 + 2 ? a2 : 0;
      if (x !== expectedX) t.fail(`input at step ${s}`);
      const inDecision = s >= p.decision![0] && s < p.decision![1];
      const m = batch.mask![s * 64 + b]!;
      if (m !== (s < s2 + 2 || inDecision ? 1 : 0)) t.fail(`mask at step ${s} of trial ${b}`);
      for (let k = 0; k < 2; k++) {
        const y = batch.targets[(s * 64 + b) * 2 + k]!;
        if (y !== (inDecision && k === larger ? 0.5 : 0)) t.fail(`target at step ${s}, channel ${k}`);
      }
    }
  }
  t.pass('inputs, targets and masks follow the definition for all 64 trials');
  t.end();
});

test('romo: test mode has delay 5 and amplitudes 0.6, 1.1', (t) => {
  const batch = createTask('romo', { test: true }).sample(new Rng(2), 3);
  for (const trial of batch.trials) t.deepEqual(trial.conditions, { a1: 0.6, a2: 1.1, delay: 5 });
  t.deepEqual(batch.trials[0]!.periods.stimulus2, [18, 20], 'second pulse at steps 18-19');
  t.end();
});

test('romo: forced conditions are honoured, per batch and per trial', (t) => {
  const task = createTask('romo');
  const all = task.sample(new Rng(3), 4, { conditions: { a1: 1.4, a2: 0.7 } });
  for (const trial of all.trials) t.ok(trial.conditions.a1 === 1.4 && trial.conditions.a2 === 0.7, 'amplitudes forced');
  const each = task.sample(new Rng(3), 2, { conditions: [{ delay: 2 }, { delay: 7.5 }] });
  t.equal(each.trials[0]!.periods.stimulus2![0], 12);
  t.equal(each.trials[1]!.periods.stimulus2![0], 23);
  t.throws(() => task.sample(new Rng(3), 2, { conditions: { coherence: 1 } }), /unknown condition "coherence"/, 'unknown condition rejected');
  t.throws(() => task.sample(new Rng(3), 2, { conditions: [{ delay: 2 }] }), /one object per trial \(2\)/, 'wrong number of condition objects rejected');
  t.end();
});

test('romo: the same seed gives the same batch; options are validated', (t) => {
  const task = createTask('romo');
  const a = task.sample(new Rng(4), 8);
  const b = task.sample(new Rng(4), 8);
  t.deepEqual(Array.from(a.inputs), Array.from(b.inputs), 'same inputs');
  t.notDeepEqual(Array.from(task.sample(new Rng(5), 8).inputs), Array.from(a.inputs), 'another seed differs');
  t.throws(() => createTask('romo', { delayy: 3 }), /romo options\.delayy: expected one of the keys .*did you mean "delayMin"/, 'unknown option key');
  t.throws(() => createTask('romo', { minDiff: 2 }), RangeError, 'minDiff that would make sampling loop forever');
  t.throws(() => createTask('romo', { dt: -1 }), /romo options\.dt: expected a number > 0, received -1/, 'bad dt');
  t.throws(() => task.sample(new Rng(1), 0), /batchSize: expected an integer >= 1, received 0/, 'batch size 0');
  t.throws(() => createTask('rommo'), /task: expected one of "romo".*did you mean "romo"/, 'unknown task name lists the known ones');
  t.end();
});
