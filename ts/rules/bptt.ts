/**
 * Backpropagation through time: the exact gradient (native/bptt.cpp). With `ctx.threads` > 1
 * the batch is split across threads (native/split.cpp): each thread runs the forward pass, loss
 * and backward pass of its share of the trials, and the gradients are combined once.
 * @module
 */
import { native } from '../native.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { ParamSet } from '../model/params.js';
import type { Trials } from '../trials.js';
import { expectInteger, rangeError } from '../validate.js';
import { inModelDtype, lossAndOutputGrad, runForward } from './forward.js';
import type { LearningRule, RuleContext } from './rule.js';

export const bptt: LearningRule = {
  name: 'bptt',
  description: 'exact gradient by backpropagation through time',
  splitsBatch: true,
  gradient(model, trials, grads, ctx) {
    const threads = Math.min(expectInteger(ctx.threads ?? 1, 'threads', 1), trials.B);
    if (threads > 1) return splitBatchGradient(model, trials, grads, ctx, threads);
    const traj = runForward(model, trials, ctx.workspace, ctx.rng);
    const { loss, dY } = lossAndOutputGrad(model, trials, traj, ctx.workspace);
    native.bpttBackward(traj.spec, model.params.flat, traj.x, traj.H, traj.rate, dY, grads.flat);
    return loss;
  },
};

/** BPTT on `threads` threads; state noise (if any) is drawn exactly as runForward draws it. */
function splitBatchGradient(model: LeakyRNN, trials: Trials, grads: ParamSet, ctx: RuleContext, threads: number): number {
  const ws = ctx.workspace;
  const { T, B } = trials;
  const spec = model.nativeSpec(T, B);
  const kind = trials.loss === 'ce' ? 1 : 0;
  const x = inModelDtype(model, ws, 'x', trials.inputs);
  const targets = inModelDtype(model, ws, 'targets', trials.targets);
  const mask = trials.mask ? inModelDtype(model, ws, 'mask', trials.mask) : null;
  let noise = null;
  if (model.config.noiseStd > 0) {
    if (!ctx.rng) throw rangeError('rng', 'a generator for the state noise (config.noiseStd > 0)', ctx.rng);
    noise = ws.get('noise', model.dtype, T * B * model.N);
    ctx.rng.fillNormal(noise, model.config.noiseStd);
  }
  const scratch = ws.get('split', model.dtype, native.splitScratchLength(spec, kind, noise ? 1 : 0, threads));
  return native.bpttGradientSplit(spec, kind, model.params.flat, x, targets, mask, noise, grads.flat, threads, scratch);
}
