// One BPTT gradient on several threads (the batch split into shares of trials, native/split.cpp)
// equals the one-thread gradient: float64 to rounding, float32 to float32 tolerance; with masks,
// cross-entropy, state noise, uneven shares and more threads than trials; bit-identical run to
// run; and bad class indices are still reported with their index in the whole batch.
import test from 'tape';
import { PARAM_NAMES, Rng, adam, computeGradient, createTask, train, trainAsync, LeakyRNN } from '../ts/index.js';
import { native } from '../ts/native.js';
import { randomModel, randomTrials, relativeError, smallConfig } from './helpers.js';

function worst(a: ReturnType<typeof computeGradient>, b: ReturnType<typeof computeGradient>): number {
  return Math.max(...PARAM_NAMES.map((name) => relativeError(a.grads.get(name), b.grads.get(name))));
}

test('split batch: equals the one-thread BPTT gradient in float64 (mse/ce, masks, uneven shares)', (t) => {
  const cases = [
    { activation: 'relu', loss: 'mse', B: 8, threads: 2 },
    { activation: 'tanh', loss: 'ce', B: 7, threads: 2 },
    { activation: 'retanh', loss: 'mse', B: 9, threads: 4 },
    { activation: 'linear', loss: 'ce', B: 3, threads: 8 },
    { activation: 'relu', loss: 'ce', B: 130, threads: 2 }, // 4 shares of 33 or 32 trials for 2 threads
  ] as const;
  for (const c of cases) {
    const model = randomModel(smallConfig(c.activation, { nHidden: 12, nIn: 3 }), 21);
    const trials = randomTrials(model, 11, c.B, c.loss, 22);
    const one = computeGradient(model, trials);
    const split = computeGradient(model, trials, { threads: c.threads });
    t.ok(Math.abs(split.loss - one.loss) <= 1e-14 * one.loss, `${c.activation}/${c.loss}, B=${c.B}, ${c.threads} threads: loss ${split.loss} vs ${one.loss}`);
    const err = worst(split, one);
    t.ok(err < 1e-13, `${c.activation}/${c.loss}, B=${c.B}, ${c.threads} threads: gradient within ${err.toExponential(2)}`);
  }
  t.end();
});

test('split batch: a share whose mask is all zero, and state noise drawn as in one thread', (t) => {
  const model = randomModel(smallConfig('relu', { nHidden: 10, noiseStd: 0.2 }), 31);
  const trials = randomTrials(model, 8, 6, 'mse', 32);
  // Trials 3..5 (the second share) carry no loss at all.
  for (let s = 0; s < trials.T; s++) for (let b = 3; b < 6; b++) trials.mask![s * trials.B + b] = 0;
  const one = computeGradient(model, trials, { rng: new Rng(5) });
  const split = computeGradient(model, trials, { rng: new Rng(5), threads: 2 });
  t.ok(Math.abs(split.loss - one.loss) <= 1e-14 * one.loss, `loss ${split.loss} vs ${one.loss}`);
  t.ok(worst(split, one) < 1e-13, `gradient within ${worst(split, one).toExponential(2)} (noise drawn from the same stream)`);
  t.end();
});

test('split batch: float32 at workload scale (Romo, N = 64, B = 32) and bit-identical run to run', (t) => {
  const model64 = randomModel(smallConfig('relu', { nIn: 1, nOut: 2, nHidden: 64, alpha: 0.5 }), 41, 1.0);
  const model32 = model64.clone('float32');
  const batch = createTask('romo').sample(new Rng(42), 32);
  const reference = computeGradient(model64, batch);
  const a = computeGradient(model32, batch, { threads: 2 });
  const b = computeGradient(model32, batch, { threads: 2 });
  t.ok(worst(a, reference) < 1e-4, `float32 on 2 threads vs float64 on 1: ${worst(a, reference).toExponential(2)} (< 1e-4)`);
  t.ok(PARAM_NAMES.every((name) => a.grads.get(name).every((v, k) => Object.is(v, b.grads.get(name)[k]))), 'two runs give bit-identical gradients');
  t.equal(a.loss, b.loss, 'and the same loss');
  t.end();
});

test('split batch: training with threads = 2 follows the one-thread run', (t) => {
  const run = (threads: number) => {
    const rng = new Rng(3);
    const model = LeakyRNN.create({ nIn: 1, nHidden: 32, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: rng.fork('init'), dtype: 'float64' });
    const result = train(model, { task: createTask('romo'), rule: 'bptt', optimizer: adam({ lr: 1e-3 }), iters: 30, batchSize: 16, rng: rng.fork('train'), logEvery: 10, threads });
    return { model, result };
  };
  const one = run(1);
  const two = run(2);
  const lossDiff = Math.max(...one.result.lossCurve.map((p, k) => Math.abs(p.loss - two.result.lossCurve[k]!.loss) / p.loss));
  t.ok(lossDiff < 1e-10, `loss curves agree (${lossDiff.toExponential(2)} relative)`);
  t.ok(relativeError(two.model.params.flat, one.model.params.flat) < 1e-10, 'trained parameters agree');
  t.throws(() => train(two.model, { task: createTask('romo'), rule: 'bptt', optimizer: adam(), iters: 1, batchSize: 4, rng: new Rng(1), threads: 0 }), /options\.threads: expected an integer >= 1, received 0/, 'threads = 0 is refused');
  t.end();
});

test('split batch: the native driver reports a bad class index by its index in the whole batch', (t) => {
  // TS validation (checkTrials) catches this first; the native re-check must still hold.
  const model = randomModel(smallConfig('tanh', { nHidden: 6, nOut: 3 }), 51);
  const trials = randomTrials(model, 4, 6, 'ce', 52);
  trials.targets[2 * 6 + 5] = 7; // step 2, trial 5 (in the second share)
  const spec = model.nativeSpec(trials.T, trials.B);
  const grads = new Float64Array(model.params.flat.length);
  for (const rule of [0, 1]) {
    const scratch = new Float64Array(native.splitScratchLength(spec, rule, 1, 0, 2));
    const call = (s: Float64Array) => native.gradientSplit(spec, rule, model.params.flat, trials.inputs, null, 1, trials.targets, trials.mask, null, grads, 2, s);
    t.throws(() => call(scratch), /RangeError: rnnlab native gradientSplit: targets\[17\] is not a class index in \[0, 3\)/, `rule ${rule}: flat index 17 of the batch`);
  }
  trials.targets[2 * 6 + 5] = 0;
  for (const rule of [0, 1]) {
    const scratch = new Float64Array(native.splitScratchLength(spec, rule, 1, 0, 2));
    t.throws(() => native.gradientSplit(spec, rule, model.params.flat, trials.inputs, null, 1, trials.targets, trials.mask, null, grads, 2, scratch.subarray(1)), /scratch has length \d+, needs \d+/, `rule ${rule}: short scratch is refused`);
  }
  const scratch = new Float64Array(native.splitScratchLength(spec, 0, 1, 0, 2));
  t.throws(() => native.gradientSplit(spec, 2, model.params.flat, trials.inputs, null, 1, trials.targets, trials.mask, null, grads, 2, scratch), /rule must be 0 \(bptt\) or 1 \(eprop\)/, 'an unknown rule code is refused');
  t.end();
});

test('split batch: e-prop on several threads equals one thread (exact and random feedback, regulariser, noise)', (t) => {
  const cases = [
    { activation: 'relu', loss: 'mse', B: 8, threads: 2, feedback: 'exact', activityL2: 0 },
    { activation: 'tanh', loss: 'ce', B: 7, threads: 3, feedback: 'random', activityL2: 0 },
    { activation: 'retanh', loss: 'mse', B: 130, threads: 2, feedback: 'exact', activityL2: 0.3 },
    { activation: 'relu', loss: 'ce', B: 3, threads: 8, feedback: 'random', activityL2: 0.1 },
  ] as const;
  for (const c of cases) {
    const model = randomModel(smallConfig(c.activation, { nHidden: 12, nIn: 3, noiseStd: 0.1 }), 61);
    const trials = randomTrials(model, 11, c.B, c.loss, 62);
    const options = (threads: number) => ({ rule: 'eprop', ruleOptions: c.feedback === 'random' ? { feedback: 'random', rng: new Rng(9) } : {}, rng: new Rng(5), loss: { activityL2: c.activityL2 }, threads });
    const one = computeGradient(model, trials, options(1));
    const split = computeGradient(model, trials, options(c.threads));
    const label = `${c.activation}/${c.loss}, B=${c.B}, ${c.threads} threads, ${c.feedback} feedback, activityL2 ${c.activityL2}`;
    t.ok(Math.abs(split.loss - one.loss) <= 1e-13 * one.loss, `${label}: loss ${split.loss} vs ${one.loss}`);
    t.ok(Math.abs(split.terms.activityL2 - one.terms.activityL2) <= 1e-13 * Math.max(1e-300, one.terms.activityL2), `${label}: regulariser term ${split.terms.activityL2}`);
    const err = worst(split, one);
    t.ok(err < 1e-12, `${label}: estimate within ${err.toExponential(2)}`);
  }
  t.end();
});

test('split batch: BPTT with random readout feedback and the activity regulariser equals one thread', (t) => {
  const model = randomModel(smallConfig('relu', { nHidden: 12, nIn: 3 }), 71);
  const trials = randomTrials(model, 9, 10, 'mse', 72);
  const options = (threads: number) => ({ rule: 'bptt', ruleOptions: { feedback: 'random', rng: new Rng(4) }, loss: { activityL2: 0.5 }, threads });
  const one = computeGradient(model, trials, options(1));
  const split = computeGradient(model, trials, options(2));
  t.ok(Math.abs(split.loss - one.loss) <= 1e-13 * one.loss, `loss ${split.loss} vs ${one.loss}`);
  t.ok(Math.abs(split.terms.task - one.terms.task) <= 1e-13 * one.terms.task, 'task term agrees');
  t.ok(one.terms.activityL2 > 0 && Math.abs(split.terms.activityL2 - one.terms.activityL2) <= 1e-13 * one.terms.activityL2, 'regulariser term agrees');
  t.ok(worst(split, one) < 1e-12, `gradient within ${worst(split, one).toExponential(2)}`);
  t.end();
});

test('split batch: e-prop training with threads = 2 follows the one-thread run, bit-identical run to run', (t) => {
  const run = (threads: number) => {
    const rng = new Rng(8);
    const model = LeakyRNN.create({ nIn: 1, nHidden: 32, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: rng.fork('init'), dtype: 'float32' });
    const result = train(model, { task: createTask('romo'), rule: 'eprop', optimizer: adam({ lr: 1e-3 }), iters: 20, batchSize: 16, rng: rng.fork('train'), logEvery: 5, threads });
    return { model, result };
  };
  const one = run(1);
  const twoA = run(2);
  const twoB = run(2);
  const lossDiff = Math.max(...one.result.lossCurve.map((p, k) => Math.abs(p.loss - twoA.result.lossCurve[k]!.loss) / p.loss));
  t.ok(lossDiff < 1e-4, `float32 loss curves agree (${lossDiff.toExponential(2)} relative)`);
  t.ok(twoA.model.params.flat.every((v, k) => Object.is(v, twoB.model.params.flat[k])), 'two 2-thread runs end with bit-identical parameters');
  t.end();
});

test('split batch: concurrent split gradients from several worker threads (one shared helper pool) stay exact', async (t) => {
  // The helper pool serves one caller at a time; the others run their shares alone. Results
  // depend only on B and threads, so every concurrent run equals its synchronous twin.
  const task = createTask('romo');
  const seeds = [11, 12, 13];
  const make = (seed: number) => LeakyRNN.create({ nIn: 1, nHidden: 24, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: new Rng(seed), gain: 1 });
  const options = (seed: number, rule: string) => ({ task, rule, optimizer: adam(), iters: 40, batchSize: 16, rng: new Rng(seed), logEvery: 10, threads: 2 });
  const rules = ['bptt', 'eprop', 'bptt'];
  const results = await Promise.all(seeds.map((seed, k) => trainAsync(make(seed), options(seed, rules[k]!))));
  for (const [k, seed] of seeds.entries()) {
    const reference = train(make(seed), options(seed, rules[k]!));
    t.deepEqual(results[k]!.lossCurve, reference.lossCurve, `${rules[k]} (seed ${seed}) on 2 threads beside two other trainings equals its synchronous run`);
  }
  t.end();
});
