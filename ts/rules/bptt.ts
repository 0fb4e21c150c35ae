/**
 * Backpropagation through time: the exact gradient (native/bptt.cpp).
 * @module
 */
import { native } from '../native.js';
import { lossAndOutputGrad, runForward } from './forward.js';
import type { LearningRule } from './rule.js';

export const bptt: LearningRule = {
  name: 'bptt',
  description: 'exact gradient by backpropagation through time',
  gradient(model, trials, grads, ctx) {
    const traj = runForward(model, trials, ctx.workspace, ctx.rng);
    const { loss, dY } = lossAndOutputGrad(model, trials, traj, ctx.workspace);
    native.bpttBackward(traj.spec, model.params.flat, traj.x, traj.H, traj.rate, dY, grads.flat);
    return loss;
  },
};
