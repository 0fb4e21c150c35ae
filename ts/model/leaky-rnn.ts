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
import type { Rng } from '../rng.js';
import { expectFinite, expectKnownKeys, expectObject, parseWithSchema, rangeError, typeError } from '../validate.js';
import { DTYPES, PARAM_NAMES, ParamSet, dtypeOf, paramShapes } from './params.js';
import type { DType, ParamName } from './params.js';
import { INIT_SCHEMES, initializeParams } from './init.js';
import type { InitScheme } from './init.js';
import { buildConstraint, excitatoryCount } from './constraints.js';
import type { WeightConstraint } from './constraints.js';

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

/** A config with every default filled in. */
export interface ResolvedConfig extends Required<Omit<LeakyRNNConfig, 'dt' | 'tau' | 'excitatoryFraction'>> {
  dt?: number;
  tau?: number;
  /** Present exactly when dale is true. */
  excitatoryFraction?: number;
}

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

/** Validates a config (unknown keys, types, ranges) and fills in defaults. */
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
  /** Default "float32". */
  dtype?: DType;
}

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

export class LeakyRNN {
  readonly config: Readonly<ResolvedConfig>;
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

  /** Creates a model with freshly initialised parameters. */
  static create(config: LeakyRNNConfig, options: CreateOptions): LeakyRNN {
    const opts = expectObject(options, 'options');
    for (const key of Object.keys(opts)) {
      if (!['rng', 'gain', 'init', 'dtype'].includes(key)) throw typeError(`options.${key}`, 'one of the keys rng, gain, init, dtype', key, `unknown key "${key}"`);
    }
    const resolved = resolveConfig(config);
    const dtype = options.dtype ?? 'float32';
    if (!DTYPES.includes(dtype)) throw rangeError('options.dtype', `one of ${DTYPES.join(', ')}`, dtype);
    const params = new ParamSet(resolved, dtype);
    initializeParams(params, { rng: options.rng, gain: options.gain ?? 1, scheme: options.init ?? 'yang2020' });
    const mask = applyConstraintInit(resolved, params, options.rng);
    return new LeakyRNN(resolved, params, mask ? { Wh: mask } : {});
  }

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

  /** A deep copy, optionally in another dtype. */
  clone(dtype: DType = this.dtype): LeakyRNN {
    return new LeakyRNN(this.config, this.params.clone(dtype), this.whMask ? { Wh: this.whMask.slice() } : {});
  }

  /** The sizes and settings the kernels read, for a batch of B trials of T steps. */
  nativeSpec(T: number, B: number): NativeSpec {
    const c = this.config;
    return { N: c.nHidden, nIn: c.nIn, nOut: c.nOut, T, B, alpha: c.alpha, activation: ACTIVATIONS.indexOf(c.activation) };
  }
}

export { INIT_SCHEMES };
export type { InitScheme };

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
