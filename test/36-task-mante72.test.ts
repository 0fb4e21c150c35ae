// mante72 against the authors' training data (LearningRuleSimilarities data_synthetic.pkl).
import { existsSync } from 'node:fs';
import test from 'tape';
import { Rng, createTask, mante72Conditions } from '../ts/index.js';
import { runPython, torchAvailable } from './helpers.js';
import { cls, firstTargetMismatch, x } from './task-helpers.js';

/**
 * (ground_truth, coh_motion, coh_color, context) of the 72 trials of data_synthetic.pkl, in its
 * order (read from batch_trial_info with Python; context +1 motion, -1 colour).
 */
const AUTHORS_CONDITIONS = [
  '1 -0.5 -0.5 -1', '1 -0.5 -0.5 1', '1 -0.5 -0.17 -1', '1 -0.5 -0.17 1', '1 -0.5 -0.06 -1', '1 -0.5 -0.06 1',
  '1 -0.5 0.06 1', '1 -0.5 0.17 1', '1 -0.5 0.5 1', '1 -0.17 -0.5 -1', '1 -0.17 -0.5 1', '1 -0.17 -0.17 -1',
  '1 -0.17 -0.17 1', '1 -0.17 -0.06 -1', '1 -0.17 -0.06 1', '1 -0.17 0.06 1', '1 -0.17 0.17 1', '1 -0.17 0.5 1',
  '1 -0.06 -0.5 -1', '1 -0.06 -0.5 1', '1 -0.06 -0.17 -1', '1 -0.06 -0.17 1', '1 -0.06 -0.06 -1', '1 -0.06 -0.06 1',
  '1 -0.06 0.06 1', '1 -0.06 0.17 1', '1 -0.06 0.5 1', '1 0.06 -0.5 -1', '1 0.06 -0.17 -1', '1 0.06 -0.06 -1',
  '1 0.17 -0.5 -1', '1 0.17 -0.17 -1', '1 0.17 -0.06 -1', '1 0.5 -0.5 -1', '1 0.5 -0.17 -1', '1 0.5 -0.06 -1',
  '2 -0.5 0.06 -1', '2 -0.5 0.17 -1', '2 -0.5 0.5 -1', '2 -0.17 0.06 -1', '2 -0.17 0.17 -1', '2 -0.17 0.5 -1',
  '2 -0.06 0.06 -1', '2 -0.06 0.17 -1', '2 -0.06 0.5 -1', '2 0.06 -0.5 1', '2 0.06 -0.17 1', '2 0.06 -0.06 1',
  '2 0.06 0.06 -1', '2 0.06 0.06 1', '2 0.06 0.17 -1', '2 0.06 0.17 1', '2 0.06 0.5 -1', '2 0.06 0.5 1',
  '2 0.17 -0.5 1', '2 0.17 -0.17 1', '2 0.17 -0.06 1', '2 0.17 0.06 -1', '2 0.17 0.06 1', '2 0.17 0.17 -1',
  '2 0.17 0.17 1', '2 0.17 0.5 -1', '2 0.17 0.5 1', '2 0.5 -0.5 1', '2 0.5 -0.17 1', '2 0.5 -0.06 1',
  '2 0.5 0.06 -1', '2 0.5 0.06 1', '2 0.5 0.17 -1', '2 0.5 0.17 1', '2 0.5 0.5 -1', '2 0.5 0.5 1',
];

test('mante72: the 72 conditions in the authors\' order', (t) => {
  const ours = mante72Conditions().map((c) => `${c.groundTruth} ${c.cohMotion} ${c.cohColor} ${c.context}`);
  t.deepEqual(ours, AUTHORS_CONDITIONS, 'same conditions, same order as data_synthetic.pkl');
  const task = createTask('mante72');
  t.equal(task.info.dt, 15);
  t.equal(task.info.tau, 150, 'tau 150 ms: alpha = 0.9 as in the paper (dt/tau = 0.1)');
  t.equal(task.info.maxSteps, 113);
  t.equal(task.info.conditionCount, 72);
  t.deepEqual(task.info.inputs, ['fixation', 'prop_left', 'prop_right', 'prop_red', 'prop_green', 'ctx_motion', 'ctx_color', 'target_order_0', 'target_order_1']);
  t.equal(task.info.outputs.length, 3);
  t.end();
});

test('mante72: periods 23/50/20/20 steps, unit-norm rows with the authors\' values, targets', (t) => {
  const batch = createTask('mante72').sample(new Rng(1), 72);
  t.equal(batch.T, 113);
  t.deepEqual(batch.trials[0]!.periods, { fixation: [0, 23], stimulus: [23, 73], delay: [73, 93], decision: [93, 113] });
  let worstNorm = 0;
  for (let b = 0; b < 72; b++) {
    for (let row = 0; row < 113; row++) {
      let sq = 0;
      for (let k = 0; k < 9; k++) sq += x(batch, row, b, k) ** 2;
      worstNorm = Math.max(worstNorm, Math.abs(Math.sqrt(sq) - 1));
    }
  }
  t.ok(worstNorm < 1e-12, 'every row has unit L2 norm');
  const row = (r: number, b: number) => Array.from({ length: 9 }, (_, k) => x(batch, r, b, k));
  const close = (a: number[], b: number[]) => a.every((v, k) => Math.abs(v - b[k]!) < 1e-12);
  const s3 = 1 / Math.sqrt(3);
  t.ok(close(row(0, 0), [s3, 0, 0, 0, 0, 0, s3, 0, s3]), 'colour-context fixation row [1,0,0,0,0,0,1,0,1]/sqrt(3)');
  t.ok(close(row(92, 1), [s3, 0, 0, 0, 0, s3, 0, 0, s3]), 'motion-context delay row');
  const n = Math.sqrt(4.25);
  t.ok(close(row(23, 0), [1 / n, 0.75 / n, 0.25 / n, 0.75 / n, 0.25 / n, 0, 1 / n, 0, 1 / n]), 'condition 0 stimulus row (0.4851, 0.3638, 0.1213, ...)');
  t.ok(close(row(93, 40), [0, 0, 0, 0, 0, 0, 0, 0, 1]), 'decision row [0,...,0,1]');
  t.equal(
    firstTargetMismatch(batch, (r, b) => ({ target: r >= 93 ? Number(AUTHORS_CONDITIONS[b]!.split(' ')[0]) : 0, mask: 1 })),
    null,
    'class 0 for 93 steps, then the ground truth for 20; mask all ones',
  );
  t.end();
});

test('mante72: noise-free, the same batch for every seed; random sampling and forced conditions', (t) => {
  const task = createTask('mante72');
  const a = task.sample(new Rng(1), 144);
  t.deepEqual(Array.from(a.inputs.subarray(0, 72 * 9)), Array.from(task.sample(new Rng(99), 72).inputs.subarray(0, 72 * 9)), 'cycle sampling ignores the seed');
  t.equal(a.trials[100]!.conditions.condition, 28, 'trial 100 of a 144-trial batch is condition 28');
  const random = createTask('mante72', { sampling: 'random' });
  const r = random.sample(new Rng(2), 500);
  t.equal(new Set(r.trials.map((x) => x.conditions.condition)).size, 72, 'random sampling covers the 72 conditions');
  t.deepEqual(Array.from(random.sample(new Rng(2), 50).inputs), Array.from(random.sample(new Rng(2), 50).inputs), 'seeded');
  const forced = random.sample(new Rng(3), 3, { conditions: { condition: 45 } });
  t.ok(forced.trials.every((x) => x.conditions.context === 1 && x.conditions.cohMotion === 0.06 && cls(forced, 100, 0) === 2), 'condition 45 forced');
  t.throws(() => task.sample(new Rng(1), 32), /batchSize: expected a multiple of 72 for mante72 with sampling "cycle".*received 32/, 'a batch that would hold only some conditions');
  t.throws(() => task.sample(new Rng(1), 72, { conditions: { condition: 72 } }), /options\.conditions\[0\]\.condition: expected one of 0, 1, 2/);
  t.throws(() => createTask('mante72', { sigma: 1 }), /mante72 options\.sigma: expected one of the keys dt, timing, sampling/, 'noise-free by definition');
  t.end();
});

const pickle = process.env.RNNLAB_MANTE_PKL;
test('mante72: equals data_synthetic.pkl (set RNNLAB_MANTE_PKL to its path; needs torch)', { skip: !(pickle && existsSync(pickle) && torchAvailable()) }, (t) => {
  const batch = createTask('mante72').sample(new Rng(0), 72);
  const script = [
    'import json, pickle, sys, numpy as np',
    'o = json.load(sys.stdin)',
    'd = pickle.load(open(o["path"], "rb"))',
    'X = np.array(o["inputs"]).reshape(113, 72, 9).transpose(1, 0, 2)',
    'Y = np.array(o["targets"]).reshape(113, 72).T',
    'print(json.dumps({"dx": float(np.abs(X - d["IN"].numpy()).max()), "dy": float(np.abs(Y - d["TARGETOUT"].numpy()).max()), "mask": float(d["output_mask"].numpy().min())}))',
  ].join('\n');
  const out = runPython(script, { path: pickle, inputs: Array.from(batch.inputs), targets: Array.from(batch.targets) }) as { dx: number; dy: number; mask: number };
  t.ok(out.dx < 1e-7, `inputs equal to float32 precision (max difference ${out.dx})`);
  t.equal(out.dy, 0, 'targets equal');
  t.equal(out.mask, 1, 'their mask is all ones, like ours');
  t.end();
});
