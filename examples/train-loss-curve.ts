// Train a model on the Romo task off the main thread, watch its progress, and read its loss
// curve: what an experiment server or a dashboard back end does.
//
//   npx tsx examples/train-loss-curve.ts [iterations]
import { LeakyRNN, Rng, adam, createTask, evaluate, trainAsync } from 'rnnlab';

const iters = Number(process.argv[2] ?? 500);
const task = createTask('romo');
const rng = new Rng(1);
const model = LeakyRNN.create(
  { nIn: task.info.inputs.length, nHidden: 64, nOut: task.info.outputs.length, alpha: 1 - task.info.dt / task.info.tau, activation: 'relu' },
  { rng: rng.fork('init'), gain: 1.0 },
);
const heldOut = task.sample(rng.fork('held-out'), 256);
const before = evaluate(model, heldOut, { task });

const controller = new AbortController(); // controller.abort() would stop training and leave `model` as it was
const result = await trainAsync(model, {
  task,
  rule: 'bptt',
  optimizer: adam({ lr: 1e-3 }),
  iters,
  batchSize: 32,
  rng: rng.fork('train'),
  logEvery: 50,
  signal: controller.signal,
  onProgress: (p) => process.stderr.write(`\riteration ${p.iter}/${p.iters}, loss ${p.loss.toFixed(5)}, ${p.itersPerSecond.toFixed(0)} it/s`),
});
process.stderr.write('\n');

// The loss curve: one point per logging interval (mean batch loss over the interval).
for (const point of result.lossCurve.filter((_, k) => k % 2 === 1)) console.log(`iter ${String(point.iter).padStart(5)}  loss ${point.loss.toExponential(3)}`);
const after = evaluate(model, heldOut, { task });
console.log(`held-out loss ${before.loss.toFixed(4)} -> ${after.loss.toFixed(5)}, accuracy ${before.accuracy!.toFixed(2)} -> ${after.accuracy!.toFixed(2)} (${result.seconds.toFixed(2)} s)`);
