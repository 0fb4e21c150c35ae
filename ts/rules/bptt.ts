/**
 * Backpropagation through time: the exact gradient (native/bptt.cpp), optionally with the readout
 * feedback replaced by a fixed random matrix (feedback alignment on the readout, as mode -2 of
 * LearningRuleSimilarities; then the rule is no longer exact). With `ctx.threads` > 1 the batch is
 * split across threads (native/split.cpp): each thread runs the forward pass, loss and backward
 * pass of its shares of the trials, and the gradients are combined once.
 * @module
 */
import { gradientToRaw } from '../model/constraints.js';
import { native } from '../native.js';
import type { Rng } from '../rng.js';
import { expectInteger } from '../validate.js';
import { reverseWithLoss, runForward } from './forward.js';
import { readFeedback, ruleOptions } from './options.js';
import type { FeedbackMode } from './options.js';
import type { LearningRule } from './rule.js';
import { splitBatchGradient } from './split.js';

/** Settings of {@link createBptt}. */
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
      if (threads > 1) return splitBatchGradient('bptt', model, trials, grads, ctx, threads, feedback ? feedback.matrix(model) : null);
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
