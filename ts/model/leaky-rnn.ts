/**
 * The leaky RNN (DESIGN.md, "Model"):
 *
 *   h_t = alpha h_{t-1} + (1 - alpha) (Wh f(h_{t-1}) + Wx x_t + b) + noise_t,   t = 1..T
 *   y_t = Wout f(h_t) + bOut,     alpha = 1 - dt / tau
 *
 * Configuration (sizes, leak, activation, what is trained) is kept apart from the parameter
 * arrays ({@link ParamSet}).
 * @module
 */
import { z } from 'zod';
import type { NativeSpec } from '../native.js';
import { expectRng } from '../rng.js';
import type { Rng } from '../rng.js';
import { expectFinite, expectKnownKeys, expectNumber, expectObject, expectOneOf, parseWithSchema, rangeError, typeError } from '../validate.js';
import { DTYPES, PARAM_NAMES, ParamSet, dtypeOf, paramShapes } from './params.js';
import type { DType, ParamName } from './params.js';
import { INIT_SCHEMES, initializeParams } from './init.js';
import type { InitScheme } from './init.js';
import { buildConstraint, excitatoryCount } from './constraints.js';
import type { WeightConstraint } from './constraints.js';

/** The activation functions f of the hidden units. */
export const ACTIVATIONS = ['relu', 'tanh', 'retanh', 'linear'] as const;
/** relu (relu'(0) = 0), tanh, retanh = max(tanh, 0), linear. */
export type Activation = (typeof ACTIVATIONS)[number];

/** Parameters trained unless the config says otherwise (h0 stays fixed by default). */
export const DEFAULT_TRAINABLE: readonly ParamName[] = ['Wh', 'Wx', 'b', 'Wout', 'bOut'];

/** What a user passes to describe a model. */
export interface LeakyRNNConfig {
  /** Number of inputs (>= 0). */
  nIn: number;
  /** Number of hidden units N (>= 1). */
  nHidden: number;
  /** Number of outputs (>= 1). */
  nOut: number;
  /** Leak factor in [0, 1): alpha = 1 - dt/tau. 0 is the vanilla discrete RNN. */
  alpha: number;
  /** The activation f applied to the state to give the rates f(h) (see {@link Activation}). */
  activation: Activation;
  /** Time step, in the task's time unit (informational; must agree with alpha when tau is given). */
  dt?: number;
  /** Time constant, same unit as dt. */
  tau?: number;
  /** Standard deviation of the state noise added at every step (0 = none, the default). */
  noiseStd?: number;
  /** Which parameters the optimiser updates (default Wh, Wx, b, Wout, bOut). */
  trainable?: ParamName[];
  /**
   * Dale's law on the recurrent weights (default false): Wh_eff = |Wh| * S, S[i][j] = +1 for an
   * excitatory presynaptic unit j, -1 for an inhibitory one, 0 on the diagonal (see model/constraints).
   */
  dale?: boolean;
  /** Fraction of excitatory units under Dale's law, in (0, 1) (default 0.8; only with dale). */
  excitatoryFraction?: number;
  /**
   * Probability p in (0, 1] that a recurrent connection exists (default 1 = dense). With p < 1 a
   * fixed Bernoulli(p) 0/1 mask multiplies Wh; it is drawn at creation and saved with the model.
   */
  connectivity?: number;
}

/** A config with every default filled in (see {@link LeakyRNNConfig} for each field). */
export interface ResolvedConfig extends Required<Omit<LeakyRNNConfig, 'dt' | 'tau' | 'excitatoryFraction'>> {
  /** Time step in the task's time unit, when it was given (informational). */
  dt?: number;
  /** Time constant in the unit of dt, when it was given; then alpha = 1 - dt/tau. */
  tau?: number;
  /** Present exactly when dale is true. */
  excitatoryFraction?: number;
}

/** zod schema of {@link LeakyRNNConfig}. @internal */
export const ModelConfigSchema = z.strictObject({
  nIn: z.int().min(0),
  nHidden: z.int().min(1),
  nOut: z.int().min(1),
  alpha: z.number().min(0).lt(1),
  activation: z.enum(ACTIVATIONS),
  dt: z.number().positive().optional(),
  tau: z.number().positive().optional(),
  noiseStd: z.number().min(0).optional(),
  trainable: z.array(z.enum(PARAM_NAMES)).optional(),
  dale: z.boolean().optional(),
  excitatoryFraction: z.number().gt(0).lt(1).optional(),
  connectivity: z.number().gt(0).max(1).optional(),
});

/**
 * Validates a config (unknown keys, types, ranges) and fills in defaults.
 * @param config a {@link LeakyRNNConfig}
 * @param field name of the argument in error messages (default "config")
 * @throws TypeError for a config that is not an object, an unknown key (with a "did you mean"
 *   hint), a missing required field or a field of the wrong type
 * @throws RangeError for a value out of range (alpha outside [0, 1), sizes, fractions), an alpha
 *   that disagrees with 1 - dt/tau, or an excitatoryFraction without dale (or one that leaves no
 *   excitatory or no inhibitory unit)
 */
export function resolveConfig(config: unknown, field = 'config'): ResolvedConfig {
  expectObject(config, field);
  const c = parseWithSchema(ModelConfigSchema, config, field);
  if (c.dt !== undefined && c.tau !== undefined) {
    const implied = 1 - c.dt / c.tau;
    if (Math.abs(implied - c.alpha) > 1e-9) {
      throw rangeError(`${field}.alpha`, `1 - dt/tau = ${implied} (dt ${c.dt}, tau ${c.tau})`, c.alpha);
    }
  }
  const dale = c.dale ?? false;
  if (!dale && c.excitatoryFraction !== undefined) {
    throw rangeError(`${field}.excitatoryFraction`, 'no excitatory fraction unless dale is true', c.excitatoryFraction);
  }
  const resolved: ResolvedConfig = {
    nIn: c.nIn,
    nHidden: c.nHidden,
    nOut: c.nOut,
    alpha: c.alpha,
    activation: c.activation,
    noiseStd: c.noiseStd ?? 0,
    trainable: [...new Set(c.trainable ?? DEFAULT_TRAINABLE)],
    dale,
    connectivity: c.connectivity ?? 1,
  };
  if (c.dt !== undefined) resolved.dt = c.dt;
  if (c.tau !== undefined) resolved.tau = c.tau;
  if (dale) {
    resolved.excitatoryFraction = c.excitatoryFraction ?? 0.8;
    const nE = excitatoryCount(c.nHidden, resolved.excitatoryFraction);
    if (nE < 1 || nE > c.nHidden - 1) {
      throw rangeError(`${field}.excitatoryFraction`, `a fraction that leaves at least one excitatory and one inhibitory unit among nHidden = ${c.nHidden} (Dale's law)`, resolved.excitatoryFraction, `${resolved.excitatoryFraction} (${nE} excitatory)`);
    }
  }
  return resolved;
}

/** Fixed masks of a model (arrays, kept apart from the config and the trained parameters). */
export interface ModelMasks {
  /** The 0/1 sparsity mask of Wh [N][N], row = postsynaptic (required when connectivity < 1). */
  Wh?: ArrayLike<number>;
}

/** Options of {@link LeakyRNN.create}. */
export interface CreateOptions {
  /** Generator for the initial weights (required: there is no hidden randomness). */
  rng: Rng;
  /** Recurrent gain g: Wh ~ N(0, g^2 / N). Default 1. */
  gain?: number;
  /** Input/readout initialisation scheme (see {@link INIT_SCHEMES}). Default "yang2020". */
  init?: InitScheme;
  /** Element type of the parameters and of every computation on them. Default "float32". */
  dtype?: DType;
}

const CREATE_KEYS = ['rng', 'gain', 'init', 'dtype'] as const;

/**
 * Initialisation under constraints, applied after the usual draw (reference-code.md 1.2): with
 * connectivity p < 1 the mask is drawn from rng.fork('connectivity') (entry kept when U[0,1) < p)
 * and Wh is divided by sqrt(p) to keep its norm; with Dale's law the excitatory columns of Wh are
 * then divided by N_E / N_I to balance excitation and inhibition.
 */
function applyConstraintInit(config: ResolvedConfig, params: ParamSet, rng: Rng): Float64Array | null {
  const N = config.nHidden;
  let mask: Float64Array | null = null;
  if (config.connectivity < 1) {
    const p = config.connectivity;
    mask = new Float64Array(N * N);
    const maskRng = rng.fork('connectivity');
    for (let k = 0; k < N * N; k++) mask[k] = maskRng.uniform() < p ? 1 : 0;
    const s = 1 / Math.sqrt(p);
    for (let k = 0; k < N * N; k++) params.Wh[k] = params.Wh[k]! * s;
  }
  if (config.dale) {
    const nE = excitatoryCount(N, config.excitatoryFraction!);
    const ratio = nE / (N - nE);
    for (let i = 0; i < N; i++) for (let j = 0; j < nE; j++) params.Wh[i * N + j] = params.Wh[i * N + j]! / ratio;
  }
  return mask;
}

/**
 * A leaky (continuous-time, Euler-discretised) RNN:
 * h_t = alpha h_{t-1} + (1 - alpha)(Wh f(h_{t-1}) + Wx x_t + b) + noise_t, y_t = Wout f(h_t) + bOut,
 * for t = 1..T from h_0 = `params.h0`. Training changes `params` in place; the config and the
 * masks are fixed.
 *
 * @example
 * ```ts
 * const model = LeakyRNN.create(
 *   { nIn: 1, nHidden: 64, nOut: 2, alpha: 0.5, activation: 'relu' },
 *   { rng: new Rng(1), gain: 1.5 },
 * );
 * ```
 */
export class LeakyRNN {
  /** The validated configuration, every default filled in (frozen). */
  readonly config: Readonly<ResolvedConfig>;
  /** The parameters (raw: under Dale's law or a sparsity mask the dynamics use the effective Wh). */
  readonly params: ParamSet;
  /** The fixed 0/1 sparsity mask of Wh [N][N] (row = postsynaptic), or null. Do not modify. */
  readonly whMask: Float64Array | null;
  /**
   * The constraint the kernels apply to Wh (Dale's signs times the sparsity mask), or null for an
   * unconstrained model (which then runs on its own parameters, with no copy).
   */
  readonly constraint: Readonly<WeightConstraint> | null;

  /**
   * Wraps existing parameters. Throws if the config is invalid, the parameters do not match its
   * sizes, any parameter is not finite, or a mask is missing, misshapen or not 0/1.
   * `masks.Wh` is required when config.connectivity < 1 and may be given (any 0/1 pattern) otherwise.
   * The parameters are used as they are (not copied).
   * @param config the model's configuration (see {@link resolveConfig})
   * @param params parameters of matching sizes, any dtype
   * @param masks fixed masks: `Wh` [N][N] of zeros and ones, row-major
   * @throws TypeError for an invalid config (see {@link resolveConfig}), `params` that is not a
   *   ParamSet, an unknown mask key, or a missing or non-array `masks.Wh`
   * @throws RangeError for params of other sizes than the config, a non-finite parameter (named
   *   by index), or a mask of the wrong length or with entries other than 0 and 1
   */
  constructor(config: LeakyRNNConfig, params: ParamSet, masks: ModelMasks = {}) {
    this.config = Object.freeze(resolveConfig(config));
    if (!(params instanceof ParamSet)) throw typeError('params', 'a ParamSet', params);
    const c = this.config;
    const d = params.dims;
    if (d.nIn !== c.nIn || d.nHidden !== c.nHidden || d.nOut !== c.nOut) {
      throw rangeError('params', `sizes nIn ${c.nIn}, nHidden ${c.nHidden}, nOut ${c.nOut}`, params, `sizes nIn ${d.nIn}, nHidden ${d.nHidden}, nOut ${d.nOut}`);
    }
    const shapes = paramShapes(d);
    for (const name of PARAM_NAMES) expectFinite(params.get(name), `params.${name}`, shapes[name]);
    this.params = params;
    expectKnownKeys(expectObject(masks, 'masks'), ['Wh'], 'masks');
    this.whMask = masks.Wh === undefined ? null : checkMask(masks.Wh, c.nHidden);
    if (c.connectivity < 1 && !this.whMask) {
      throw typeError('masks.Wh', `the 0/1 sparsity mask [${c.nHidden}][${c.nHidden}] (config.connectivity is ${c.connectivity})`, undefined, 'nothing');
    }
    this.constraint = buildConstraint(c.nHidden, c.dale ? { excitatoryFraction: c.excitatoryFraction! } : null, this.whMask, params.dtype);
  }

  /**
   * Creates a model with freshly initialised parameters: Wh ~ N(0, gain^2 / N), input and
   * readout weights by `options.init` (see {@link INIT_SCHEMES}), b, bOut and h0 zero; then the
   * sparsity mask (drawn from `rng.fork('connectivity')`, Wh scaled by 1/sqrt(p)) and Dale's
   * balance (excitatory columns divided by N_E / N_I) when the config asks for them.
   * @throws TypeError for an invalid config (see {@link resolveConfig}), options that are not an
   *   object, an unknown option key, or a missing `options.rng`
   * @throws RangeError for a gain that is negative or not finite, or an unknown init or dtype
   */
  static create(config: LeakyRNNConfig, options: CreateOptions): LeakyRNN {
    const opts = expectObject(options, 'options');
    expectKnownKeys(opts, CREATE_KEYS, 'options');
    const resolved = resolveConfig(config);
    const rng = expectRng(opts.rng, 'options.rng', 'the initial weights are drawn from it');
    const gain = expectNumber(opts.gain ?? 1, 'options.gain', { min: 0 });
    const scheme = expectOneOf(opts.init ?? 'yang2020', 'options.init', INIT_SCHEMES);
    const dtype = expectOneOf(opts.dtype ?? 'float32', 'options.dtype', DTYPES);
    const params = new ParamSet(resolved, dtype);
    initializeParams(params, { rng, gain, scheme });
    const mask = applyConstraintInit(resolved, params, rng);
    return new LeakyRNN(resolved, params, mask ? { Wh: mask } : {});
  }

  /** Element type of the parameters (and of the kernels' computations on them). */
  get dtype(): DType {
    return dtypeOf(this.params.flat);
  }

  /** Number of hidden units. */
  get N(): number {
    return this.config.nHidden;
  }

  /** Number of excitatory units (Dale's law), or N without it. */
  get nExcitatory(): number {
    return this.config.dale ? excitatoryCount(this.N, this.config.excitatoryFraction!) : this.N;
  }

  /** The fixed masks, as given to the constructor. */
  get masks(): ModelMasks {
    return this.whMask ? { Wh: this.whMask } : {};
  }

  /**
   * A deep copy (parameters and masks), optionally in another dtype.
   * @throws RangeError for an unknown dtype
   */
  clone(dtype: DType = this.dtype): LeakyRNN {
    return new LeakyRNN(this.config, this.params.clone(dtype), this.whMask ? { Wh: this.whMask.slice() } : {});
  }

  /** The sizes and settings the kernels read, for a batch of B trials of T steps. @internal */
  nativeSpec(T: number, B: number): NativeSpec {
    const c = this.config;
    return { N: c.nHidden, nIn: c.nIn, nOut: c.nOut, T, B, alpha: c.alpha, activation: ACTIVATIONS.indexOf(c.activation) };
  }
}

export { INIT_SCHEMES };
export type { InitScheme };

/**
 * Throws unless `value` is a {@link LeakyRNN}.
 * @internal
 */
export function expectModel(value: unknown, field = 'model'): LeakyRNN {
  if (!(value instanceof LeakyRNN)) throw typeError(field, 'a LeakyRNN (see LeakyRNN.create, readModelFile)', value);
  return value;
}

/** Checks a 0/1 mask of N x N entries and copies it into a Float64Array. */
function checkMask(mask: ArrayLike<number>, N: number): Float64Array {
  if (mask === null || typeof mask !== 'object' || typeof (mask as { length?: unknown }).length !== 'number') {
    throw typeError('masks.Wh', `an array of ${N * N} zeros and ones ([${N}][${N}], row-major)`, mask);
  }
  if (mask.length !== N * N) throw rangeError('masks.Wh', `length ${N * N} ([${N}][${N}])`, mask);
  const out = new Float64Array(N * N);
  for (let k = 0; k < N * N; k++) {
    const v = mask[k];
    if (v !== 0 && v !== 1) throw rangeError(`masks.Wh[${Math.floor(k / N)}][${k % N}]`, '0 or 1', v);
    out[k] = v;
  }
  return out;
}
