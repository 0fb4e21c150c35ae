/**
 * Connectivity constraints on the recurrent weights, as in LearningRuleSimilarities and
 * Yang & Wang 2020 (reference-code.md 1.2):
 *
 * - Dale's law (`config.dale`): the first floor(excitatoryFraction * N) units are excitatory
 *   (default 80%), the rest inhibitory. The sign of a connection is set by its presynaptic unit
 *   (column j): S[i][j] = +1 for an excitatory j, -1 for an inhibitory j, and 0 on the diagonal
 *   (no autapses). The weights the network runs on are Wh_eff = |Wh| * S (elementwise), so the raw
 *   Wh stays unconstrained and learns the magnitudes.
 * - A fixed sparsity mask (`config.connectivity = p < 1`): a 0/1 matrix drawn once, Bernoulli(p)
 *   per entry (diagonal included), saved with the model. Wh_eff = Wh * mask, or |Wh| * S * mask
 *   with Dale's law.
 *
 * Every learning rule runs its kernels on the effective parameters ({@link effectiveParams}) and
 * maps its gradient back to the raw parameters with the chain rule ({@link gradientToRaw}):
 * dWh = dWh_eff * S * mask * sign(Wh) with Dale's law (sign(0) = 0, as PyTorch's abs), or
 * dWh_eff * mask without. A model without constraints runs on its own parameter array (no copy).
 * @module
 */
import { native } from '../native.js';
import type { FloatArray } from '../native.js';
import type { Workspace } from '../rules/workspace.js';
import type { LeakyRNN } from './leaky-rnn.js';
import { expectModel } from './leaky-rnn.js';
import { allocate } from './params.js';
import { expectInteger, expectNumber } from '../validate.js';
import type { DType, ParamSet } from './params.js';

/**
 * Number of excitatory units under Dale's law: floor(fraction * N) (the reference's int(0.8 N));
 * they are units 0..count-1.
 * @param N number of hidden units (integer >= 1)
 * @param fraction excitatory fraction in [0, 1]
 * @throws TypeError / RangeError when N is not an integer >= 1 or fraction not in [0, 1]
 */
export function excitatoryCount(N: number, fraction: number): number {
  expectInteger(N, 'N', 1);
  expectNumber(fraction, 'fraction', { min: 0, max: 1 });
  return Math.floor(fraction * N + 1e-9);
}

/**
 * The elementwise multiplier of the effective recurrent weights [N][N]: Dale's signs (when
 * `dale`) times the 0/1 sparsity mask (when given), and whether |Wh| is taken first.
 */
export interface WeightConstraint {
  /** [N][N], row = postsynaptic. */
  multiplier: FloatArray;
  /** true under Dale's law: Wh_eff = |Wh| * multiplier; otherwise Wh_eff = Wh * multiplier. */
  absolute: boolean;
}

/** Builds the constraint of an N-unit network, or null when there is none. @internal */
export function buildConstraint(N: number, dale: { excitatoryFraction: number } | null, mask: Float64Array | null, dtype: DType): WeightConstraint | null {
  if (!dale && !mask) return null;
  const multiplier = allocate(dtype, N * N);
  const nE = dale ? excitatoryCount(N, dale.excitatoryFraction) : 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const sign = dale ? (i === j ? 0 : j < nE ? 1 : -1) : 1;
      multiplier[i * N + j] = sign * (mask ? mask[i * N + j]! : 1);
    }
  }
  return { multiplier, absolute: dale !== null };
}

/**
 * The flat parameter array the kernels should run on: `model.params.flat` itself when the model
 * has no constraint (no copy), otherwise a workspace copy whose Wh block holds the effective weights.
 * @internal
 */
export function effectiveParams(model: LeakyRNN, ws: Workspace): FloatArray {
  const constraint = model.constraint;
  if (!constraint) return model.params.flat;
  const flat = model.params.flat;
  const out = ws.get('effectiveParams', model.dtype, flat.length);
  out.set(flat);
  const N = model.N;
  native.constrainWeights(model.params.Wh, constraint.multiplier, constraint.absolute ? 1 : 0, out.subarray(0, N * N));
  return out;
}

/**
 * A new {@link ParamSet} (same dtype) holding the parameters the dynamics actually use: Wh_eff =
 * |Wh| * S * mask under Dale's law, Wh * mask with a sparsity mask only, and a plain copy of
 * `model.params` for an unconstrained model. The other parameters are copied unchanged.
 * @throws TypeError when `model` is not a LeakyRNN
 */
export function effectiveParamSet(model: LeakyRNN): ParamSet {
  expectModel(model);
  const out = model.params.clone();
  const constraint = model.constraint;
  if (constraint) native.constrainWeights(model.params.Wh, constraint.multiplier, constraint.absolute ? 1 : 0, out.Wh);
  return out;
}

/**
 * Maps a gradient with respect to the effective parameters (what every kernel computes) to the
 * gradient with respect to the raw parameters, in place. Nothing to do without a constraint.
 * @internal
 */
export function gradientToRaw(model: LeakyRNN, grads: ParamSet): void {
  const constraint = model.constraint;
  if (!constraint) return;
  native.constrainGradient(model.params.Wh, constraint.multiplier, constraint.absolute ? 1 : 0, grads.Wh);
}
