// A short BPTT training on every task lifts decision accuracy on held-out trials clearly above chance.
import test from 'tape';
import { LeakyRNN, Rng, adam, createTask, evaluate, train } from '../ts/index.js';
import type { Activation } from '../ts/index.js';

interface Case {
  task: string;
  options?: Record<string, unknown>;
  iters: number;
  batch: number;
  lr: number;
  hidden: number;
  activation: Activation;
  /** Accuracy the trained model must reach on held-out trials (chance is 0.5 everywhere). */
  atLeast: number;
  /** Gradient-norm clipping (train's clipNorm), where training needs it to be reliable. */
  clipNorm?: number;
  note?: string;
}

// Measured by this test (held-out accuracy before -> after): romo 0.50 -> 1.00, pdm 0.03 -> 0.86
// (0-coherence trials cap it near 0.9), pdm/liu2025 0.02 -> 0.78, dms 0.49 -> 1.00,
// dms/liu2025 0.09 -> 1.00, delaycomparison 0.49 -> 0.99, context 0.52 -> 0.88,
// mante72 (short timing) 0.29 -> 0.75. Other seeds give similar numbers (see README). dms trains
// with the gradient norm clipped at 1: unclipped, at lr 3e-3, 3 of seeds 1-6 stall between 0.5 and
// 0.77 after 1000 updates (which seeds depends on float32 rounding); clipped, all six reach 1.00.
const CASES: Case[] = [
  { task: 'romo', iters: 300, batch: 32, lr: 3e-3, hidden: 64, activation: 'relu', atLeast: 0.9 },
  { task: 'pdm', iters: 600, batch: 32, lr: 3e-3, hidden: 64, activation: 'relu', atLeast: 0.75 },
  { task: 'pdm', options: { preset: 'liu2025' }, iters: 400, batch: 32, lr: 3e-3, hidden: 64, activation: 'relu', atLeast: 0.68 },
  { task: 'dms', iters: 1000, batch: 32, lr: 3e-3, hidden: 64, activation: 'relu', atLeast: 0.9, clipNorm: 1 },
  { task: 'dms', options: { preset: 'liu2025' }, iters: 400, batch: 32, lr: 3e-3, hidden: 64, activation: 'relu', atLeast: 0.9 },
  { task: 'delaycomparison', iters: 400, batch: 32, lr: 3e-3, hidden: 64, activation: 'relu', atLeast: 0.85 },
  { task: 'context', iters: 1500, batch: 64, lr: 3e-3, hidden: 64, activation: 'relu', atLeast: 0.75 },
  {
    task: 'mante72',
    // The authors' 72 conditions and input coding with shorter periods (3 + 20 + 3 + 3 steps): at
    // the full 113 steps a 32-unit network needs far more than a few seconds of training (it
    // stays near chance for ~1000 updates, in PyTorch as here).
    options: { timing: { fixation: 45, stimulus: 300, delay: 45, decision: 45 } },
    iters: 800,
    batch: 72,
    lr: 3e-3,
    hidden: 32,
    activation: 'relu',
    atLeast: 0.7,
    note: 'short timing',
  },
];

for (const c of CASES) {
  const label = `${c.task}${c.options?.preset ? `/${String(c.options.preset)}` : ''}${c.note ? ` (${c.note})` : ''}`;
  test(`training: BPTT on ${label} beats chance`, (t) => {
    const task = createTask(c.task, c.options ?? {});
    const rng = new Rng(1);
    const alpha = 1 - task.info.dt / task.info.tau;
    const model = LeakyRNN.create(
      { nIn: task.info.inputs.length, nHidden: c.hidden, nOut: task.info.outputs.length, alpha, activation: c.activation },
      { rng: rng.fork('init'), gain: 1 },
    );
    const heldOut = task.sample(rng.fork('held-out'), task.info.conditionCount ?? 500);
    const before = evaluate(model, heldOut, { task });
    const result = train(model, { task, rule: 'bptt', optimizer: adam({ lr: c.lr }), iters: c.iters, batchSize: c.batch, rng: rng.fork('train'), ...(c.clipNorm ? { clipNorm: c.clipNorm } : {}) });
    const after = evaluate(model, heldOut, { task });
    t.equal(result.diverged, null, 'no divergence');
    t.ok(
      after.accuracy! >= c.atLeast,
      `accuracy ${before.accuracy!.toFixed(3)} -> ${after.accuracy!.toFixed(3)} (chance ${after.chance}; needs >= ${c.atLeast}) on ${heldOut.B} held-out trials after ${c.iters} updates in ${result.seconds.toFixed(2)} s`,
    );
    t.ok(after.loss < before.loss, `loss ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)}; normalised accuracy ${before.normalizedAccuracy!.toFixed(3)} -> ${after.normalizedAccuracy!.toFixed(3)}`);
    t.end();
  });
}
