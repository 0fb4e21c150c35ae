// float32 and float64 agree on the loss and every gradient, within float32 tolerance.
import test from 'tape';
import { PARAM_NAMES, computeGradient, createTask, Rng } from '../ts/index.js';
import { randomModel, randomTrials, relativeError, smallConfig } from './helpers.js';

test('float32 and float64 give the same loss and gradients (within float32 tolerance)', (t) => {
  for (const [activation, loss] of [['relu', 'mse'], ['tanh', 'ce'], ['retanh', 'mse']] as const) {
    const model64 = randomModel(smallConfig(activation, { nHidden: 32, nIn: 3 }), 31);
    const model32 = model64.clone('float32');
    const trials = randomTrials(model64, 20, 8, loss, 32);
    const g64 = computeGradient(model64, trials);
    const g32 = computeGradient(model32, trials);
    t.equal(g32.grads.dtype, 'float32', 'the float32 model computes in float32');
    t.ok(Math.abs(g32.loss - g64.loss) / g64.loss < 1e-5, `${activation}/${loss}: loss differs by ${(Math.abs(g32.loss - g64.loss) / g64.loss).toExponential(2)} relative`);
    let worst = 0;
    for (const name of PARAM_NAMES) worst = Math.max(worst, relativeError(g32.grads.get(name), g64.grads.get(name)));
    t.ok(worst < 1e-4, `${activation}/${loss}: gradients differ by ${worst.toExponential(2)} relative (< 1e-4)`);
  }
  t.end();
});

test('float32 and float64 agree at workload scale (Romo, N = 64, B = 32)', (t) => {
  const task = createTask('romo');
  const model64 = randomModel(smallConfig('relu', { nIn: 1, nOut: 2, nHidden: 64, alpha: 0.5 }), 41, 1.0);
  const model32 = model64.clone('float32');
  const batch = task.sample(new Rng(42), 32);
  const g64 = computeGradient(model64, batch);
  const g32 = computeGradient(model32, batch);
  let worst = 0;
  for (const name of PARAM_NAMES) worst = Math.max(worst, relativeError(g32.grads.get(name), g64.grads.get(name)));
  t.ok(Math.abs(g32.loss - g64.loss) / g64.loss < 1e-5, `loss relative difference ${(Math.abs(g32.loss - g64.loss) / g64.loss).toExponential(2)}`);
  t.ok(worst < 1e-4, `gradient relative difference ${worst.toExponential(2)} (< 1e-4)`);
  t.end();
});
