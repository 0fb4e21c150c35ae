/**
 * ModProp (Liu et al. 2022) exactly as LearningRuleSimilarities implements it (learning_mode 2,
 * reference-code.md 1.3): a reverse pass over the whole sequence in which the error travelling
 * back along the recurrent path h_{t-1} -> Wh f(h_{t-1}) -> h_t is carried by
 *   - W_ab instead of Wh: the effective recurrent weights averaged within each block of cell types
 *     (postsynaptic type x presynaptic type), recomputed from the current weights at every call;
 *   - a constant mu instead of the ReLU derivative f'(h_{t-1}).
 * The readout path keeps the exact derivative, the leak path is exact, and each step's weight
 * gradient is the exact outer product d_t f(h_{t-1})^T (mapped to the raw weights through Dale's
 * law). So, with g_t = dL/dh_t and d_t = (1 - alpha) g_t:
 *   g_t = f'(h_t) Wout^T dy_t + mu W_ab^T d_{t+1} + alpha g_{t+1},  dh0 = alpha g_1 + mu W_ab^T d_1.
 *
 * Cell types: the excitatory units (the first N_E) and the inhibitory units are each split into
 * contiguous blocks of floor(n / k) units, k = `excitatoryTypes` or `inhibitoryTypes` (the
 * reference's 8 + 8), with the reference's rule for the remainder ({@link cellTypeBounds}). Block
 * means include the zero entries (diagonal, masked connections), as torch.mean over the block does.
 *
 * mu: the reference code uses 0.2 (the module constant `mu`, which produced the paper's figures);
 * the paper's text (Appendix A.2) says 0.25. The default here is 0.2; `mu` sets it.
 *
 * ModProp needs ReLU units and Dale's law; anything else is refused.
 * @module
 */
import type { FloatArray } from '../native.js';
import { gradientToRaw } from '../model/constraints.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { allocate } from '../model/params.js';
import { native } from '../native.js';
import { expectFinite, expectInteger, expectNumber, rangeError, typeError } from '../validate.js';
import { reverseWithLoss, runForward } from './forward.js';
import { ruleOptions } from './options.js';
import type { LearningRule } from './rule.js';

/** The reference's constant derivative (LearningRuleSimilarities `mu`). */
export const DEFAULT_MODPROP_MU = 0.2;
/** The reference's numbers of excitatory and inhibitory cell types. @internal */
export const DEFAULT_CELL_TYPES = 8;

/** Options of {@link createModprop} (and of `getRule('modprop', options)`). */
export interface ModpropOptions {
  /** Constant replacing the ReLU derivative on the recurrent backward path (default 0.2). */
  mu?: number;
  /** Number of excitatory cell types (default 8). */
  excitatoryTypes?: number;
  /** Number of inhibitory cell types (default 8). */
  inhibitoryTypes?: number;
}

/** Why ModProp cannot train `model`, or null if it can. @internal */
export function modpropRefusal(model: LeakyRNN): string | null {
  if (model.config.activation !== 'relu') return `ModProp needs relu units (it replaces the ReLU derivative by a constant); the model uses ${model.config.activation}`;
  if (!model.config.dale) return "ModProp needs Dale's law (its cell types are excitatory and inhibitory populations); the model has config.dale false";
  return null;
}

/**
 * Boundaries of the cell types of one population, exactly as the reference partitions it
 * (LearningRuleSimilarities get_block_mask): with q = floor(count / types), types start at
 * offset, offset + q, offset + 2q, ... below offset + count, and when count is not a multiple of
 * `types` the last start is dropped, so the remainder joins the last type. This gives `types`
 * types when count mod types < q (e.g. 51 units, 8 types: seven of 6 and one of 9) and more
 * otherwise (29 units, 8 types: q = 3, eight of 3 and one of 5, i.e. 9 types), as the reference
 * does. A population smaller than `types` (where the reference fails) gets one type per unit.
 * Returns [start_0, ..., start_last, offset + count] (unit indices).
 *
 * Exported for the tests, which check it against the reference; no stability promise.
 * @internal
 */
export function cellTypeBounds(offset: number, count: number, types: number): number[] {
  expectInteger(offset, 'offset', 0);
  expectInteger(count, 'count', 0);
  expectInteger(types, 'types', 1);
  const bounds: number[] = [];
  if (count < types) {
    for (let u = 0; u <= count; u++) bounds.push(offset + u);
    return bounds;
  }
  const q = Math.floor(count / types);
  for (let s = 0; s < count; s += q) bounds.push(offset + s);
  if (count % types !== 0) bounds.pop();
  bounds.push(offset + count);
  return bounds;
}

/**
 * W_ab [N][N]: every entry of `W` [N][N] replaced by the mean of its (postsynaptic type,
 * presynaptic type) block, with the blocks given by boundaries `bounds` (see {@link cellTypeBounds}).
 *
 * Exported for the tests, which check it against the reference; no stability promise.
 * @internal
 */
export function blockAverage(W: FloatArray, N: number, bounds: readonly number[], out?: FloatArray): FloatArray {
  expectInteger(N, 'N', 1);
  if (!(W instanceof Float32Array || W instanceof Float64Array)) throw typeError('W', `a Float32Array or Float64Array [${N}][${N}]`, W);
  if (W.length !== N * N) throw rangeError('W', `length ${N * N} ([${N}][${N}])`, W);
  if (!Array.isArray(bounds) || bounds.length < 2) throw typeError('bounds', 'an array of at least two block boundaries', bounds);
  bounds.forEach((v, k) => expectInteger(v, `bounds[${k}]`, k === 0 ? 0 : bounds[k - 1]! + 1, N));
  if (out === undefined) out = allocate(W instanceof Float32Array ? 'float32' : 'float64', N * N);
  else if (!(out instanceof Float32Array || out instanceof Float64Array) || out.length !== N * N) throw typeError('out', `a Float32Array or Float64Array of length ${N * N}`, out);
  for (let a = 0; a + 1 < bounds.length; a++) {
    for (let b = 0; b + 1 < bounds.length; b++) {
      const r0 = bounds[a]!, r1 = bounds[a + 1]!, c0 = bounds[b]!, c1 = bounds[b + 1]!;
      let sum = 0;
      for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) sum += W[i * N + j]!;
      const mean = sum / ((r1 - r0) * (c1 - c0));
      for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) out[i * N + j] = mean;
    }
  }
  return out;
}

/**
 * Creates ModProp (see the module description): a rule for relu models with Dale's law.
 * @param options `mu` (any finite number, default 0.2), `excitatoryTypes` and `inhibitoryTypes`
 *   (integers >= 1, default 8)
 * @param field name of the options in error messages
 * @throws TypeError for options that are not an object, an unknown key, or values of the wrong type
 * @throws RangeError for out-of-range values; the rule's `gradient` throws a RangeError for a
 *   model without relu units or without Dale's law
 */
export function createModprop(options: ModpropOptions = {}, field = 'options'): LearningRule {
  const o = ruleOptions(options, ['mu', 'excitatoryTypes', 'inhibitoryTypes'], field);
  const mu = expectNumber(o.mu ?? DEFAULT_MODPROP_MU, `${field}.mu`);
  const eTypes = expectInteger(o.excitatoryTypes ?? DEFAULT_CELL_TYPES, `${field}.excitatoryTypes`, 1);
  const iTypes = expectInteger(o.inhibitoryTypes ?? DEFAULT_CELL_TYPES, `${field}.inhibitoryTypes`, 1);
  return {
    name: 'modprop',
    description: `ModProp: reverse pass with cell-type averaged recurrent weights W_ab and constant derivative mu = ${mu} on the recurrent path`,
    gradient(model, trials, grads, ctx) {
      const refusal = modpropRefusal(model);
      if (refusal) {
        const field = model.config.activation !== 'relu' ? 'model.config.activation' : 'model.config.dale';
        throw rangeError(field, `a relu model with Dale's law for modprop (${refusal})`, model.config.activation !== 'relu' ? model.config.activation : model.config.dale);
      }
      const N = model.N;
      const nE = model.nExcitatory;
      const bounds = [...cellTypeBounds(0, nE, eTypes).slice(0, -1), ...cellTypeBounds(nE, N - nE, iTypes)];
      const traj = runForward(model, trials, ctx.workspace, ctx.rng);
      const Wab = blockAverage(traj.params.subarray(0, N * N), N, bounds, ctx.workspace.get('modpropWab', model.dtype, N * N));
      const loss = reverseWithLoss(model, trials, traj, ctx, (dY, activityL2) => {
        native.bpttBackwardVariant(traj.spec, traj.params, traj.x, traj.H, traj.rate, dY, grads.flat, 0, Wab, 1, mu, null, activityL2);
      });
      gradientToRaw(model, grads);
      return loss;
    },
  };
}
