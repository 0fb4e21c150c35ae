/**
 * The forward pass and the loss, shared by every learning rule.
 * @module
 */
import { native } from '../native.js';
import type { FloatArray, NativeSpec } from '../native.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { Rng } from '../rng.js';
import type { Trials } from '../trials.js';
import { rangeError } from '../validate.js';
import type { Workspace } from './workspace.js';

/** What the forward pass leaves in the workspace. */
export interface Trajectory {
  spec: NativeSpec;
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

/** Converts `values` into a workspace array of the model's dtype (no copy for float64). */
export function inModelDtype(model: LeakyRNN, ws: Workspace, name: string, values: Float64Array): FloatArray {
  if (model.dtype === 'float64') return values;
  const out = ws.get(name, 'float32', values.length);
  out.set(values);
  return out;
}

/**
 * Runs the model on a batch. When the model has state noise (config.noiseStd > 0) an `rng`
 * is required; the noise is drawn from it.
 */
export function runForward(model: LeakyRNN, trials: Trials, ws: Workspace, rng?: Rng): Trajectory {
  const { T, B } = trials;
  const N = model.N;
  const dtype = model.dtype;
  const spec = model.nativeSpec(T, B);
  const x = inModelDtype(model, ws, 'x', trials.inputs);
  let noise: FloatArray | null = null;
  if (model.config.noiseStd > 0) {
    if (!rng) throw rangeError('rng', 'a generator for the state noise (config.noiseStd > 0)', rng);
    noise = ws.get('noise', dtype, T * B * N);
    rng.fillNormal(noise, model.config.noiseStd);
  }
  const H = ws.get('H', dtype, (T + 1) * B * N);
  const rate = ws.get('rate', dtype, (T + 1) * B * N);
  const Y = ws.get('Y', dtype, T * B * model.config.nOut);
  native.forward(spec, model.params.flat, x, noise, H, rate, Y);
  return { spec, x, noise, H, rate, Y };
}

/** The loss of a trajectory and dLoss/dY [T][B][nOut], written into the workspace. */
export function lossAndOutputGrad(model: LeakyRNN, trials: Trials, traj: Trajectory, ws: Workspace): { loss: number; dY: FloatArray } {
  const targets = inModelDtype(model, ws, 'targets', trials.targets);
  const mask = trials.mask ? inModelDtype(model, ws, 'mask', trials.mask) : null;
  const dY = ws.get('dY', model.dtype, traj.Y.length);
  const loss = native.lossGrad(traj.spec, trials.loss === 'ce' ? 1 : 0, traj.Y, targets, mask, dY);
  return { loss, dY };
}
