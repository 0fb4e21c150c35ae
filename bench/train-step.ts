// Workload: one training iteration (forward + BPTT + Adam) of a leaky ReLU RNN on a Romo batch,
// N = 64, B = 32, T = 56 (paper 1 scale), one BLAS thread. The batch is sampled once, outside
// the timed function, so the timing is the engine's.
import { LeakyRNN, ParamSet, Rng, Workspace, adam, createTask, getRule } from '../ts/index.js';
import type { DType } from '../ts/index.js';
import { bpttFlops } from './flops.js';

export interface StepWorkload {
  name: string;
  /** Runs one iteration. */
  fn: () => void;
  /** Useful floating-point operations per iteration (multiply-add = 2). */
  flops: number;
}

export function trainStepWorkload(dtype: DType, rule = 'bptt', N = 64, B = 32): StepWorkload {
  const task = createTask('romo');
  const rng = new Rng(1);
  const model = LeakyRNN.create({ nIn: 1, nHidden: N, nOut: 2, alpha: 0.5, activation: 'relu' }, { rng: rng.fork('init'), gain: 1, dtype });
  const batch = task.sample(rng.fork('data'), B);
  const grads = new ParamSet(model.params.dims, dtype);
  const optimizer = adam({ lr: 1e-4 });
  const state = optimizer.init(model.params);
  const ctx = { workspace: new Workspace() };
  const learningRule = getRule(rule);
  const trainable = model.config.trainable;
  return {
    name: `${rule} + adam, N=${N} B=${B} T=${batch.T}, ${dtype}`,
    fn: () => {
      learningRule.gradient(model, batch, grads, ctx);
      optimizer.update(state, model.params, grads, trainable);
    },
    flops: bpttFlops(N, B, batch.T, 1, 2).flops,
  };
}
