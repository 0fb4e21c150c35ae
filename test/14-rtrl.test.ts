// RTRL (forward mode, influence matrix) equals BPTT to 1e-10 relative for every parameter, h0
// included, and refuses networks above its size limit with a clear RangeError.
import test from 'tape';
import { ACTIVATIONS, PARAM_NAMES, RTRL_MAX_HIDDEN, Rng, computeGradient, createRtrl } from '../ts/index.js';
import { randomModel, randomTrials, smallConfig, worstRelativeError } from './helpers.js';

for (const activation of ACTIVATIONS) {
  for (const loss of ['mse', 'ce'] as const) {
    test(`rtrl equals bptt: ${activation}, ${loss}, masked, h0 != 0`, (t) => {
      const model = randomModel(smallConfig(activation, { nHidden: 7 }), 101, 1.4);
      const trials = randomTrials(model, 11, 3, loss, 102);
      const r = computeGradient(model, trials, { rule: 'rtrl' });
      const b = computeGradient(model, trials, { rule: 'bptt' });
      const worst = worstRelativeError(r.grads, b.grads, PARAM_NAMES);
      t.ok(worst.error < 1e-10, `max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-10`);
      t.ok(Math.abs(r.loss - b.loss) < 1e-13, 'same loss');
      t.end();
    });
  }
}

test('rtrl equals bptt with state noise, alpha = 0, no inputs, Dale and a sparsity mask', (t) => {
  const cases = [
    ['state noise', randomModel(smallConfig('tanh', { noiseStd: 0.2 }), 111)],
    ['alpha = 0', randomModel(smallConfig('retanh', { alpha: 0 }), 112)],
    ['nIn = 0', randomModel(smallConfig('tanh', { nIn: 0 }), 113)],
    ['Dale + connectivity 0.5', randomModel(smallConfig('relu', { nHidden: 10, dale: true, connectivity: 0.5 }), 114)],
  ] as const;
  for (const [label, model] of cases) {
    const trials = randomTrials(model, 8, 2, 'mse', 115);
    const r = computeGradient(model, trials, { rule: 'rtrl', rng: new Rng(4) });
    const b = computeGradient(model, trials, { rule: 'bptt', rng: new Rng(4) });
    const worst = worstRelativeError(r.grads, b.grads, PARAM_NAMES);
    t.ok(worst.error < 1e-10, `${label}: max relative error ${worst.error.toExponential(2)} (worst ${worst.name}) < 1e-10`);
  }
  t.end();
});

test('rtrl in float32 agrees with bptt in float32', (t) => {
  const model = randomModel(smallConfig('tanh', { nHidden: 12 }), 121).clone('float32');
  const trials = randomTrials(model, 20, 4, 'ce', 122);
  const worst = worstRelativeError(computeGradient(model, trials, { rule: 'rtrl' }).grads, computeGradient(model, trials).grads, PARAM_NAMES);
  t.ok(worst.error < 1e-4, `max relative difference ${worst.error.toExponential(2)} < 1e-4`);
  t.end();
});

test('rtrl refuses networks above its size limit, naming N, the limit and why', (t) => {
  t.equal(RTRL_MAX_HIDDEN, 128, 'documented default limit');
  const big = randomModel(smallConfig('tanh', { nHidden: RTRL_MAX_HIDDEN + 1 }), 131);
  const trials = randomTrials(big, 2, 1, 'mse', 132);
  t.throws(() => computeGradient(big, trials, { rule: 'rtrl' }), /^RangeError: model\.config\.nHidden: expected at most 128 units for rtrl \(RTRL costs O\(N\^4\) time per step and trial and O\(N\^3\) memory.*received 129$/, 'N = 129 refused');
  const small = randomModel(smallConfig('tanh'), 133);
  t.throws(() => computeGradient(small, randomTrials(small, 2, 1, 'mse', 134), { rule: createRtrl({ maxHidden: 4 }) }), /expected at most 4 units for rtrl/, 'maxHidden sets the limit');
  t.throws(() => createRtrl({ maxHidden: 0 }), /options\.maxHidden: expected an integer >= 1, received 0/, 'bad limit');
  t.end();
});
