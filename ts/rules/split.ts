/**
 * One gradient on several threads (native/split.cpp): the batch is cut into shares of trials,
 * each thread runs the forward pass, loss and gradient (BPTT's reverse pass or the e-prop sweep)
 * of the shares it claims, and the shares' gradients are added once at the end. Every share is
 * normalised by the whole batch's normalisers, so the result equals the one-thread gradient up to
 * rounding and is bit-identical run to run for the same batch size and thread count. State noise
 * is drawn from ctx.rng exactly as the one-thread path draws it.
 * @module
 */
import { effectiveParams, gradientToRaw } from '../model/constraints.js';
import { native } from '../native.js';
import type { FloatArray } from '../native.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { ParamSet } from '../model/params.js';
import type { Trials } from '../trials.js';
import { activityL2Of, batchArrays, reportTerms, termsBuffer } from './forward.js';
import type { RuleContext } from './rule.js';

/** The native driver's rule codes. */
const SPLIT_RULE = { bptt: 0, eprop: 1 } as const;

/**
 * Loss and gradient of `trials` on `threads` threads, written into `grads` (raw parameter
 * layout). feedback [nOut][N] (model dtype) replaces Wout on the readout path, or null for the
 * exact rule.
 */
export function splitBatchGradient(
  rule: keyof typeof SPLIT_RULE,
  model: LeakyRNN,
  trials: Trials,
  grads: ParamSet,
  ctx: RuleContext,
  threads: number,
  feedback: FloatArray | null,
): number {
  const ws = ctx.workspace;
  const params = effectiveParams(model, ws);
  const a = batchArrays(model, trials, ws, ctx.rng);
  const code = SPLIT_RULE[rule];
  const scratch = ws.get(`split-${rule}`, model.dtype, native.splitScratchLength(a.spec, code, a.kind, a.noise ? 1 : 0, threads));
  const terms = termsBuffer(ws);
  const loss = native.gradientSplit(a.spec, code, params, a.x, a.noise, a.kind, a.targets, a.mask, feedback, grads.flat, threads, scratch, activityL2Of(ctx), terms);
  reportTerms(ctx, terms[0]!, terms[1]!);
  gradientToRaw(model, grads);
  return loss;
}
