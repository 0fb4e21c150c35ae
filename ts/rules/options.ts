/**
 * Pieces shared by the rule factories: option checking, the fixed random feedback matrix of
 * feedback alignment, and seeds for the native perturbation streams.
 * @module
 */
import type { FloatArray } from '../native.js';
import type { LeakyRNN } from '../model/leaky-rnn.js';
import { expectModel } from '../model/leaky-rnn.js';
import { allocate } from '../model/params.js';
import { Rng, expectRng } from '../rng.js';
import { expectKnownKeys, expectObject, expectOneOf, rangeError, typeError } from '../validate.js';
import type { RuleContext } from './rule.js';

/** Checks that `options` is an object with only `allowed` keys; returns it. @internal */
export function ruleOptions(options: unknown, allowed: readonly string[], field: string): Record<string, unknown> {
  const o = expectObject(options ?? {}, field);
  expectKnownKeys(o, allowed, field);
  return o;
}

/** How the output error reaches the hidden units in bptt, tbptt and eprop (see {@link FeedbackMode}). */
export const FEEDBACK_MODES = ['exact', 'random'] as const;
/** exact: the error reaches the hidden units through Wout^T; random: through a fixed random matrix. */
export type FeedbackMode = (typeof FEEDBACK_MODES)[number];

/**
 * The fixed random feedback matrix of feedback alignment (Lillicrap et al. 2016; mode -2 of
 * LearningRuleSimilarities): F [nOut][N] (the layout of Wout) with entries U(-1/sqrt(N), 1/sqrt(N)),
 * used in place of Wout wherever the error travels from the outputs back to the hidden units.
 * The generator is captured (forked) when the rule is created, and the matrix for a given size is
 * drawn once from `fork(nOut x N)` of it and cached: it never changes during training, and the
 * same seed always gives the same matrix.
 */
export class RandomFeedback {
  private readonly rng: Rng;
  private readonly cache = new Map<string, FloatArray>();

  /**
   * @param rng generator the matrices are drawn from (forked: the caller's stream is not advanced)
   * @throws TypeError when `rng` is not an Rng
   */
  constructor(rng: Rng) {
    this.rng = expectRng(rng, 'rng').fork('feedback');
  }

  /**
   * The matrix for `model`'s sizes, in its dtype ([nOut][N], row-major, entries
   * U(-1/sqrt(N), 1/sqrt(N))); the same array on every call for the same sizes and dtype.
   * @throws TypeError when `model` is not a LeakyRNN
   */
  matrix(model: LeakyRNN): FloatArray {
    expectModel(model);
    const N = model.N;
    const nOut = model.config.nOut;
    const key = `${nOut}x${N}:${model.dtype}`;
    let m = this.cache.get(key);
    if (!m) {
      const values = new Float64Array(nOut * N);
      const bound = 1 / Math.sqrt(N);
      this.rng.fork(`${nOut}x${N}`).fillUniform(values, -bound, bound);
      m = allocate(model.dtype, nOut * N);
      m.set(values);
      this.cache.set(key, m);
    }
    return m;
  }
}

/** Reads `feedback` and `rng` options: null for exact feedback, else the random-feedback source. @internal */
export function readFeedback(o: Record<string, unknown>, field: string): RandomFeedback | null {
  const mode = o.feedback === undefined ? 'exact' : expectOneOf(o.feedback, `${field}.feedback`, FEEDBACK_MODES);
  if (mode === 'exact') {
    if (o.rng !== undefined) throw rangeError(`${field}.rng`, 'no generator with exact feedback (it draws nothing)', o.rng, 'an Rng');
    return null;
  }
  if (!(o.rng instanceof Rng)) throw typeError(`${field}.rng`, 'an Rng to draw the fixed random feedback matrix', o.rng);
  return new RandomFeedback(o.rng);
}

/** The generator of a stochastic rule; a clear error when the caller gave none. @internal */
export function requireRng(ctx: RuleContext, rule: string): Rng {
  if (!(ctx.rng instanceof Rng)) throw typeError('rng', `an Rng (the ${rule} rule draws random perturbations)`, ctx.rng);
  return ctx.rng;
}

/** Two 32-bit words from `rng`, the seed of a native perturbation stream. @internal */
export function seedWords(rng: Rng): [number, number] {
  return [rng.nextU32(), rng.nextU32()];
}
