/**
 * The forward pass and the loss, shared by every learning rule, and the per-batch arrays every
 * kernel reads (inputs, targets and mask in the model's dtype, state noise).
 * @module
 * @internal
 */
import { native } from '../native.js';
import type { FloatArray, NativeSpec } from '../native.js';
import { effectiveParams } from '../model/constraints.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { expectRng } from '../rng.js';
import type { Rng } from '../rng.js';
import { checkBatchShape } from '../trials.js';
import type { Trials } from '../trials.js';
import { expectNumber, expectObject, rangeError, typeError } from '../validate.js';
import type { RuleContext } from './rule.js';
import { Workspace } from './workspace.js';

/** What the forward pass leaves in the workspace. */
export interface Trajectory {
  spec: NativeSpec;
  /**
   * The flat parameters the kernels ran on: the effective weights under Dale's law or a sparsity
   * mask (a workspace copy), else model.params.flat itself.
   */
  params: FloatArray;
  /** Inputs in the model's dtype [T][B][nIn]. */
  x: FloatArray;
  /** State noise [T][B][N] that was added, or null. */
  noise: FloatArray | null;
  /** States [T+1][B][N], H[0] = h0. */
  H: FloatArray;
  /** Rates f(H) [T+1][B][N]. */
  rate: FloatArray;
  /** Outputs [T][B][nOut]. */
  Y: FloatArray;
}

/**
 * The O(1) checks of a rule's `gradient` call (and of a forward pass): the model, the batch's
 * sizes and array lengths against it, and the workspace. Values are scanned once per batch by
 * the public entry points (checkTrials), not here.
 */
export function checkRuleCall(model: LeakyRNN, trials: Trials, ws: Workspace): void {
  checkBatchShape(model, trials);
  if (!(ws instanceof Workspace)) throw typeError('ctx.workspace', 'a Workspace (new Workspace())', ws);
}

/** Converts `values` into a workspace array of the model's dtype (no copy for float64). */
export function inModelDtype(model: LeakyRNN, ws: Workspace, name: string, values: Float64Array): FloatArray {
  if (model.dtype === 'float64') return values;
  const out = ws.get(name, 'float32', values.length);
  out.set(values);
  return out;
}

/**
 * The state noise of one batch [T][B][N] (std config.noiseStd per step), or null without noise.
 * Every rule draws it the same way, so rules given generators in the same state see the same noise.
 */
export function drawStateNoise(model: LeakyRNN, T: number, B: number, ws: Workspace, rng: Rng | undefined): FloatArray | null {
  if (!(model.config.noiseStd > 0)) return null;
  const gen = expectRng(rng, 'rng', `a generator for the state noise: config.noiseStd is ${model.config.noiseStd}`);
  const noise = ws.get('noise', model.dtype, T * B * model.N);
  gen.fillNormal(noise, model.config.noiseStd);
  return noise;
}

/** What the streaming kernels read about a batch besides the parameters. */
export interface BatchArrays {
  spec: NativeSpec;
  x: FloatArray;
  noise: FloatArray | null;
  /** 0 mse, 1 ce */
  kind: number;
  targets: FloatArray;
  mask: FloatArray | null;
}

/** Inputs, targets, mask (model dtype) and state noise of a batch, for the streaming kernels. */
export function batchArrays(model: LeakyRNN, trials: Trials, ws: Workspace, rng: Rng | undefined): BatchArrays {
  checkRuleCall(model, trials, ws);
  return {
    spec: model.nativeSpec(trials.T, trials.B),
    x: inModelDtype(model, ws, 'x', trials.inputs),
    noise: drawStateNoise(model, trials.T, trials.B, ws, rng),
    kind: trials.loss === 'ce' ? 1 : 0,
    targets: inModelDtype(model, ws, 'targets', trials.targets),
    mask: trials.mask ? inModelDtype(model, ws, 'mask', trials.mask) : null,
  };
}

/**
 * Runs the model on a batch (on its effective weights when it has constraints). When the model
 * has state noise (config.noiseStd > 0) an `rng` is required; the noise is drawn from it.
 */
export function runForward(model: LeakyRNN, trials: Trials, ws: Workspace, rng?: Rng): Trajectory {
  checkRuleCall(model, trials, ws);
  const { T, B } = trials;
  const N = model.N;
  const dtype = model.dtype;
  const spec = model.nativeSpec(T, B);
  const params = effectiveParams(model, ws);
  const x = inModelDtype(model, ws, 'x', trials.inputs);
  const noise = drawStateNoise(model, T, B, ws, rng);
  const H = ws.get('H', dtype, (T + 1) * B * N);
  const rate = ws.get('rate', dtype, (T + 1) * B * N);
  const Y = ws.get('Y', dtype, T * B * model.config.nOut);
  native.forward(spec, params, x, noise, H, rate, Y);
  return { spec, params, x, noise, H, rate, Y };
}

/** The loss of a trajectory and dLoss/dY [T][B][nOut], written into the workspace. */
export function lossAndOutputGrad(model: LeakyRNN, trials: Trials, traj: Trajectory, ws: Workspace): { loss: number; dY: FloatArray } {
  const targets = inModelDtype(model, ws, 'targets', trials.targets);
  const mask = trials.mask ? inModelDtype(model, ws, 'mask', trials.mask) : null;
  const dY = ws.get('dY', model.dtype, traj.Y.length);
  const loss = native.lossGrad(traj.spec, trials.loss === 'ce' ? 1 : 0, traj.Y, targets, mask, dY);
  return { loss, dY };
}

// ---- Loss options (issue 7, part 2): the activity L2 regulariser.

/** lambda of the activity regulariser of a call (ctx.loss.activityL2, validated; 0 when absent). */
export function activityL2Of(ctx: RuleContext): number {
  if (ctx.loss === undefined) return 0;
  const o = expectObject(ctx.loss, 'loss');
  for (const key of Object.keys(o)) if (key !== 'activityL2') throw rangeError(`loss.${key}`, 'the key activityL2', key, `unknown key "${key}"`);
  return o.activityL2 === undefined ? 0 : expectNumber(o.activityL2, 'loss.activityL2', { min: 0 });
}

/** A 2-element float64 workspace array for the kernels' [task, regulariser] output. */
export function termsBuffer(ws: Workspace): Float64Array {
  return ws.get('lossTerms', 'float64', 2) as Float64Array;
}

/** Writes ctx.terms (when the caller asked for them). */
export function reportTerms(ctx: RuleContext, task: number, activityL2: number): void {
  if (ctx.terms) {
    ctx.terms.task = task;
    ctx.terms.activityL2 = activityL2;
  }
}

/**
 * The regulariser's value on a stored trajectory: lambda / (T B N) * sum over t = 1..T of
 * f(h_t)^2 (one native pass over the rates; rows t >= 1 only).
 */
export function activityL2Value(traj: Trajectory, lambda: number): number {
  if (lambda === 0) return 0;
  const { T, B, N } = traj.spec;
  return (lambda / (T * B * N)) * native.sumSquares(traj.rate.subarray(B * N));
}

/**
 * The reverse-pass rules' gradient step with loss options: the task loss and dY from the
 * trajectory, then `backward(dY, lambda)`; returns the total loss and fills ctx.terms.
 */
export function reverseWithLoss(model: LeakyRNN, trials: Trials, traj: Trajectory, ctx: RuleContext, backward: (dY: FloatArray, activityL2: number) => void): number {
  const lambda = activityL2Of(ctx);
  const { loss, dY } = lossAndOutputGrad(model, trials, traj, ctx.workspace);
  backward(dY, lambda);
  const reg = activityL2Value(traj, lambda);
  reportTerms(ctx, loss, reg);
  return loss + reg;
}
