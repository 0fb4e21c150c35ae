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
import { expectFinite, expectObject, parseWithSchema, rangeError, typeError } from '../validate.js';
import { DTYPES, PARAM_NAMES, ParamSet, dtypeOf, paramShapes } from './params.js';
import type { DType, ParamName } from './params.js';
import { INIT_SCHEMES, initializeParams } from './init.js';
import type { InitScheme } from './init.js';

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
}

/** A config with every default filled in. */
export interface ResolvedConfig extends Required<Omit<LeakyRNNConfig, 'dt' | 'tau'>> {
  dt?: number;
  tau?: number;
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
  const resolved: ResolvedConfig = {
    nIn: c.nIn,
    nHidden: c.nHidden,
    nOut: c.nOut,
    alpha: c.alpha,
    activation: c.activation,
    noiseStd: c.noiseStd ?? 0,
    trainable: [...new Set(c.trainable ?? DEFAULT_TRAINABLE)],
  };
  if (c.dt !== undefined) resolved.dt = c.dt;
  if (c.tau !== undefined) resolved.tau = c.tau;
  return resolved;
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

export class LeakyRNN {
  readonly config: Readonly<ResolvedConfig>;
  readonly params: ParamSet;

  /**
   * Wraps existing parameters. Throws if the config is invalid, the parameters do not match its
   * sizes, or any parameter is not finite.
   */
  constructor(config: LeakyRNNConfig, params: ParamSet) {
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
    return new LeakyRNN(resolved, params);
  }

  get dtype(): DType {
    return dtypeOf(this.params.flat);
  }

  /** Number of hidden units. */
  get N(): number {
    return this.config.nHidden;
  }

  /** A deep copy, optionally in another dtype. */
  clone(dtype: DType = this.dtype): LeakyRNN {
    return new LeakyRNN(this.config, this.params.clone(dtype));
  }

  /** The sizes and settings the kernels read, for a batch of B trials of T steps. */
  nativeSpec(T: number, B: number): NativeSpec {
    const c = this.config;
    return { N: c.nHidden, nIn: c.nIn, nOut: c.nOut, T, B, alpha: c.alpha, activation: ACTIVATIONS.indexOf(c.activation) };
  }
}

export { INIT_SCHEMES };
export type { InitScheme };
