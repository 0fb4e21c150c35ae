/**
 * Backpropagation through time: the exact gradient (native/bptt.cpp), optionally with the readout
 * feedback replaced by a fixed random matrix (feedback alignment on the readout, as mode -2 of
 * LearningRuleSimilarities; then the rule is no longer exact). With `ctx.threads` > 1 the batch is
 * split across threads (native/split.cpp): each thread runs the forward pass, loss and backward
 * pass of its shares of the trials, and the gradients are combined once.
 * @module
 */
import { effectiveParams, gradientToRaw } from '../model/constraints.js';
import { native } from '../native.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { ParamSet } from '../model/params.js';
import type { Rng } from '../rng.js';
import type { Trials } from '../trials.js';
import { expectInteger } from '../validate.js';
import { activityL2Of, batchArrays, reverseWithLoss, runForward } from './forward.js';
import { readFeedback, ruleOptions } from './options.js';
import type { FeedbackMode } from './options.js';
import type { LearningRule, RuleContext } from './rule.js';

export interface BpttOptions {
  /** "exact" (default) or "random" (feedback alignment on the readout). */
  feedback?: FeedbackMode;
  /** Generator of the random feedback matrix (required with feedback "random"). */
  rng?: Rng;
}

/** Creates the BPTT rule. */
export function createBptt(options: BpttOptions = {}, field = 'options'): LearningRule {
  const o = ruleOptions(options, ['feedback', 'rng'], field);
  const feedback = readFeedback(o, field);
  return {
    name: 'bptt',
    description: feedback
      ? 'backpropagation through time with a fixed random readout feedback matrix (feedback alignment)'
      : 'exact gradient by backpropagation through time',
    splitsBatch: true,
    gradient(model, trials, grads, ctx) {
      const threads = Math.min(expectInteger(ctx.threads ?? 1, 'threads', 1), trials.B);
      // The split driver runs the exact rule without loss terms; other cases take one thread.
      if (threads > 1 && !feedback && activityL2Of(ctx) === 0) return splitBatchGradient(model, trials, grads, ctx, threads);
      const traj = runForward(model, trials, ctx.workspace, ctx.rng);
      const loss = reverseWithLoss(model, trials, traj, ctx, (dY, activityL2) => {
        if (feedback || activityL2 > 0) {
          native.bpttBackwardVariant(traj.spec, traj.params, traj.x, traj.H, traj.rate, dY, grads.flat, 0, null, 0, 0, feedback ? feedback.matrix(model) : null, activityL2);
        } else {
          native.bpttBackward(traj.spec, traj.params, traj.x, traj.H, traj.rate, dY, grads.flat);
        }
      });
      gradientToRaw(model, grads);
      return loss;
    },
  };
}

/** The exact gradient by backpropagation through time. */
export const bptt: LearningRule = createBptt();

/** BPTT on `threads` threads; state noise (if any) is drawn exactly as runForward draws it. */
function splitBatchGradient(model: LeakyRNN, trials: Trials, grads: ParamSet, ctx: RuleContext, threads: number): number {
  const ws = ctx.workspace;
  const params = effectiveParams(model, ws);
  const a = batchArrays(model, trials, ws, ctx.rng);
  const scratch = ws.get('split', model.dtype, native.splitScratchLength(a.spec, a.kind, a.noise ? 1 : 0, threads));
  const loss = native.bpttGradientSplit(a.spec, a.kind, params, a.x, a.targets, a.mask, a.noise, grads.flat, threads, scratch);
  if (ctx.terms) {
    ctx.terms.task = loss;
    ctx.terms.activityL2 = 0;
  }
  gradientToRaw(model, grads);
  return loss;
}
