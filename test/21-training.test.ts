// Training on Romo with BPTT makes the held-out loss fall clearly.
import test from 'tape';
import { LeakyRNN, Rng, adam, createTask, evaluate, train } from '../ts/index.js';

test('BPTT training on Romo lowers the held-out loss more than tenfold', (t) => {
  const task = createTask('romo');
  const rng = new Rng(11);
  const model = LeakyRNN.create({ nIn: 1, nHidden: 32, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: rng.fork('init'), gain: 1 });
  const held = task.sample(rng.fork('eval'), 128);
  const before = evaluate(model, held).loss;
  const progress: number[] = [];
  const result = train(model, { task, rule: 'bptt', optimizer: adam({ lr: 3e-3 }), iters: 300, batchSize: 32, rng: rng.fork('train'), logEvery: 50, onProgress: (p) => progress.push(p.iter) });
  const after = evaluate(model, held).loss;
  t.equal(result.diverged, null, 'did not diverge');
  t.deepEqual(progress, [50, 100, 150, 200, 250, 300], 'progress reported at every logged point');
  t.ok(after < before / 10, `held-out loss ${before.toFixed(4)} -> ${after.toFixed(5)}`);
  t.end();
});
