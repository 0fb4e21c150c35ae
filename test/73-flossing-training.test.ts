// Flossing pretraining and flossing inside train(): the exponents move towards 0 on a small-gain
// network, only Wh/Wx/b change, the flossing Adam state is its own, schedules and determinism.
import test from 'tape';
import { LeakyRNN, Rng, adam, createTask, flossPretrain, maxLyapunov, train } from '../ts/index.js';
import type { FlossPhase } from '../ts/index.js';

const task = createTask('romo');

function smallGainModel(seed = 1, gain = 0.3, N = 32): LeakyRNN {
  return LeakyRNN.create({ nIn: 1, nHidden: N, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: new Rng(seed), gain });
}

test('flossing pretraining (100 iterations) moves the exponents towards 0 on a small-gain network', (t) => {
  // Romo, N = 32 relu units, gain 0.3, float32, default flossing settings (k = 16, 55-step
  // sequences, 16 transient QRs, Adam lr 1e-3). Measured with maxLyapunov (15 trajectories,
  // 100 warm-up + 100 accumulation steps, per step). The max exponent is about -0.53 before;
  // after local flossing about -0.23, after full (= hdetached for relu) about -0.33.
  for (const mode of ['local', 'full'] as const) {
    const model = smallGainModel();
    const before = maxLyapunov(model, task, { rng: new Rng(9) });
    const wout = Float32Array.from(model.params.Wout);
    const r = flossPretrain(model, task, { mode, rng: new Rng(2) });
    const after = maxLyapunov(model, task, { rng: new Rng(9) });
    t.equal(r.iterations, 100, `${mode}: 100 iterations`);
    t.ok(before.mean < -0.45 && after.mean > before.mean + 0.15 && after.mean < 0, `${mode}: max exponent ${before.mean.toFixed(3)} -> ${after.mean.toFixed(3)} per step (towards 0)`);
    const first = r.loss.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    const last = r.loss.slice(-10).reduce((a, b) => a + b, 0) / 10;
    t.ok(last < 0.8 * first, `${mode}: flossing loss (mean of squared exponents) ${first.toFixed(3)} -> ${last.toFixed(3)} (first vs last 10 updates)`);
    t.deepEqual(model.params.Wout, wout, `${mode}: the readout is not touched`);
  }
  t.end();
});

test('flossing updates only Wh, Wx, b that the model trains; local updates Wh only', (t) => {
  const model = smallGainModel(3, 0.8, 12);
  const before = model.clone();
  flossPretrain(model, task, { iters: 5, mode: 'local', k: 4, rng: new Rng(1) });
  t.notDeepEqual(model.params.Wh, before.params.Wh, 'local: Wh moved');
  t.deepEqual(model.params.Wx, before.params.Wx, 'local: Wx has no local gradient');
  const tanh = LeakyRNN.create({ nIn: 1, nHidden: 12, nOut: 2, alpha: 0.5, activation: 'tanh', trainable: ['Wh', 'Wout'] }, { rng: new Rng(4), gain: 0.8 });
  const tanhBefore = tanh.clone();
  flossPretrain(tanh, task, { iters: 5, mode: 'full', k: 4, rng: new Rng(1) });
  t.notDeepEqual(tanh.params.Wh, tanhBefore.params.Wh, 'full: Wh moved');
  t.deepEqual(tanh.params.Wx, tanhBefore.params.Wx, 'full: Wx is not trainable in this model, so it stays');
  t.deepEqual(tanh.params.Wout, tanhBefore.params.Wout, 'full: Wout is never flossed');
  t.end();
});

test('train() with floss: pretraining plus repeats, own Adam state, deterministic', (t) => {
  const run = () => {
    const model = smallGainModel(5, 0.5, 16);
    const phases: { afterIteration: number; wh: number }[] = [];
    const optimizer = adam({ lr: 3e-3 });
    const result = train(model, {
      task,
      rule: 'bptt',
      optimizer,
      iters: 30,
      batchSize: 8,
      rng: new Rng(6),
      floss: { iters: 10, k: 8, every: 10, repeats: 2, repeatIters: 5 },
      onFlossPhase: (phase: FlossPhase, m: LeakyRNN) => phases.push({ afterIteration: phase.afterIteration, wh: m.params.Wh[0]! }),
    });
    return { model, result, phases };
  };
  const a = run();
  t.deepEqual(a.result.floss.map((p) => [p.afterIteration, p.iterations]), [[0, 10], [10, 5], [20, 5]], 'pretraining (10) then two repeats of 5, after iterations 10 and 20');
  t.equal(a.phases.length, 3, 'onFlossPhase called for every phase');
  t.equal(a.result.iterations, 30, 'all training iterations done');
  t.ok(a.result.floss.every((p) => p.loss.length === p.iterations && p.exponentsLast.length === 8), 'per-update loss and last exponents recorded');
  const b = run();
  t.deepEqual(b.model.params.flat, a.model.params.flat, 'same seed, same parameters');
  const plain = smallGainModel(5, 0.5, 16);
  train(plain, { task, rule: 'bptt', optimizer: adam({ lr: 3e-3 }), iters: 30, batchSize: 8, rng: new Rng(6) });
  t.notDeepEqual(plain.params.Wh, a.model.params.Wh, 'flossing changed the outcome');
  t.end();
});

test('train() records the max Lyapunov exponent and the Wh eigenvalues when asked', (t) => {
  const model = smallGainModel(7, 0.4, 16);
  const initial = model.clone();
  const result = train(model, { task, rule: 'bptt', optimizer: adam({ lr: 3e-3 }), iters: 40, batchSize: 8, rng: new Rng(8), floss: { iters: 20, k: 8 }, lyapunov: { batch: 4, warmup: 30, steps: 30 }, eigenvalues: true });
  const d = result.dynamics!;
  const reference = maxLyapunov(initial, task, { batch: 4, warmup: 30, steps: 30, rng: new Rng(8).fork('lyapunov') });
  t.deepEqual(d.maxLyapunov!.before, reference, 'before: maxLyapunov on the initial model with the run rng fork');
  t.ok(d.maxLyapunov!.afterFlossPretrain !== null && d.maxLyapunov!.after !== null, 'after flossing pretraining and after training');
  t.ok(d.maxLyapunov!.afterFlossPretrain!.mean > d.maxLyapunov!.before.mean, `flossing raised it: ${d.maxLyapunov!.before.mean.toFixed(3)} -> ${d.maxLyapunov!.afterFlossPretrain!.mean.toFixed(3)} -> ${d.maxLyapunov!.after!.mean.toFixed(3)}`);
  t.equal(d.eigenvalues!.before.re.length, 16, 'eigenvalues before');
  t.ok(d.eigenvalues!.after!.spectralRadius !== d.eigenvalues!.before.spectralRadius, 'and after');
  const plain = train(smallGainModel(7, 0.4, 16), { task, rule: 'bptt', optimizer: adam(), iters: 2, batchSize: 2, rng: new Rng(8) });
  t.equal(plain.dynamics, undefined, 'nothing recorded unless asked');
  t.end();
});

test('flossing options are validated', (t) => {
  const model = smallGainModel(1, 0.5, 8);
  t.throws(() => flossPretrain(model, task, { k: 9, rng: new Rng(1) }), /options\.k: expected an integer in \[1, 8\]/, 'k > N');
  t.throws(() => flossPretrain(model, task, { mode: 'eprop' as never, rng: new Rng(1) }), /options\.mode: expected one of "full", "hdetached", "local"/, 'unknown mode');
  t.throws(() => flossPretrain(model, task, { sequenceSteps: 10, warmupQ: 10, rng: new Rng(1) }), /options\.sequenceSteps: expected more than warmupState \+ warmupQ = 10 steps/, 'no accumulation step');
  t.throws(() => flossPretrain(model, task, { lr: -1, rng: new Rng(1) }), /options\.lr: expected a finite number >= 0, received -1/, 'negative lr');
  t.throws(() => flossPretrain(model, task, { params: ['Wq'] as never, rng: new Rng(1) }), /options\.params\[0\]: expected one of/, 'unknown parameter');
  t.throws(() => flossPretrain(model, task, { iter: 3, rng: new Rng(1) } as never), /options\.iter: expected one of the keys .*did you mean "iters"/, 'unknown key');
  t.throws(() => train(model, { task, rule: 'bptt', optimizer: adam(), iters: 1, batchSize: 1, rng: new Rng(1), floss: { every: 0 } }), /options\.floss\.every: expected an integer >= 1, received 0/, 'every = 0');
  t.end();
});
