/**
 * The settings of one training run, as sweeps, presets and `rnnlab train` describe it, and the
 * run's identity: a hash of its resolved settings, so a sweep can tell which runs it has done.
 * @module
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ACTIVATIONS, INIT_SCHEMES } from '../model/leaky-rnn.js';
import { DTYPES, PARAM_NAMES } from '../model/params.js';
import { FLOSS_MODES } from '../analysis/flossing.js';
import { OPTIMIZERS } from '../optim/index.js';
import { parseWithSchema, rangeError } from '../validate.js';
import { NEURAL_DATASETS } from './data-comparison.js';

/** Every setting of a run; all but `task` and `rule` have defaults. */
export const RunConfigSchema = z.strictObject({
  /** Task name (see `rnnlab tasks`). */
  task: z.string(),
  /** Task settings (timing, dt, ...), validated by the task. */
  taskOptions: z.record(z.string(), z.unknown()).default({}),
  /** Learning rule name. */
  rule: z.string(),
  /** Rule settings, validated by the rule. */
  ruleOptions: z.record(z.string(), z.unknown()).default({}),
  /** Recurrent gain g: Wh ~ N(0, g^2/N). */
  gain: z.number().min(0).default(1),
  /** Learning rate. */
  lr: z.number().positive().default(1e-3),
  /** Seed of weights, batches and noise. */
  seed: z.int().min(0).default(0),
  /** Training iterations (updates). */
  iters: z.int().min(0).default(1000),
  /** Hidden units N. */
  hidden: z.int().min(1).default(64),
  /** Trials per batch (default 32; tasks with a fixed condition set, e.g. mante72: all of them). */
  batch: z.int().min(1).optional(),
  /** Optimiser: 'adam' (default) or 'sgd' (with `momentum`); both use `lr`. */
  optimizer: z.enum(OPTIMIZERS).default('adam'),
  /** SGD momentum. */
  momentum: z.number().min(0).lt(1).default(0),
  /** Gradient 2-norm clip (0 = none). */
  clip: z.number().min(0).default(0),
  /** Hidden-unit nonlinearity: 'relu' (default), 'tanh', 'retanh' (max(tanh, 0)) or 'linear'. */
  activation: z.enum(ACTIVATIONS).default('relu'),
  /** Leak factor; default 1 - dt/tau from the task. */
  alpha: z.number().min(0).lt(1).optional(),
  /** Membrane time constant in the task's time unit; default the task's. */
  tau: z.number().positive().optional(),
  /** State noise std per step. */
  noise: z.number().min(0).default(0),
  /** Input and readout initialisation: 'yang2020' (default), 'liu2025' or 'schuessler2020' (Wh ~ N(0, gain^2/N) in all). */
  init: z.enum(INIT_SCHEMES).default('yang2020'),
  /** Element type of the model's arrays: 'float32' (default, fast) or 'float64'. */
  dtype: z.enum(DTYPES).default('float32'),
  /** Log the mean training loss every this many iterations. */
  logEvery: z.int().min(1).default(10),
  /** Trials of the fixed held-out batch scored before and after training (default 256; mante72: its 72 conditions). */
  evalBatch: z.int().min(1).optional(),
  /**
   * Also score the held-out batch at every logged point: the run record then holds the held-out
   * loss, accuracy and normalised accuracy curves (one extra forward pass per logged point).
   */
  trackAccuracy: z.boolean().default(true),
  /** A loss above this (or NaN) marks the run diverged. */
  divergenceLoss: z.number().positive().default(1e6),
  /** Dale's law on Wh (sign by presynaptic column, 80% excitatory unless excitatoryFraction). */
  dale: z.boolean().default(false),
  /** Fraction of excitatory units under Dale's law, in (0, 1) (model default 0.8); ignored without `dale`. */
  excitatoryFraction: z.number().gt(0).lt(1).optional(),
  /** Fraction of recurrent connections kept by a fixed random mask (1 = dense). */
  connectivity: z.number().gt(0).max(1).default(1),
  /** Parameters the optimiser updates (default Wh, Wx, b, Wout, bOut). */
  trainable: z.array(z.enum(PARAM_NAMES)).optional(),
  /** Gradient-flossing pretraining iterations before training (0 = none; paper 1 uses 100). */
  flossPretrain: z.int().min(0).default(0),
  /** Flossing gradient: full, hdetached or local (time-local, paper 1's bio-plausible variant). */
  flossMode: z.enum(FLOSS_MODES).default('local'),
  /** Other flossing settings (k, lr, sequenceSteps, warmupQ, batchSize, every, repeats, ...). */
  flossOptions: z.record(z.string(), z.unknown()).default({}),
  /** Record the maximum Lyapunov exponent before and after training (and after flossing). */
  lyapunov: z.boolean().default(false),
  /** Protocol of the maximum Lyapunov exponent (batch, warmup, steps, qrMethod). */
  lyapunovOptions: z.record(z.string(), z.unknown()).default({}),
  /** Record the eigenvalues of the recurrent weights before and after training. */
  eigenvalues: z.boolean().default(true),
  // Issue 7, part 2. These have no defaults, so runs that do not use them keep their ids.
  /** Activity L2 regulariser lambda0 added to the loss (paper 2: 10); absent = none. */
  activityL2: z.number().min(0).optional(),
  /** The authors' adaptive lambda (lambda <- 2 lambda / 3 while it reaches half the task loss); default true. */
  activityL2Adaptive: z.boolean().optional(),
  /** Compare the hidden activity with this recording at every checkpoint (hatsopoulos2007: task reach8). */
  neuralData: z.enum(NEURAL_DATASETS).optional(),
  /** Checkpoints of the comparison: "liu2025" (the authors' schedule; the default) or a list of iterations. */
  checkpoints: z.union([z.literal('liu2025'), z.array(z.int().min(0))]).optional(),
  /** Random neuron splits of the noise floor (default 100). */
  noiseFloorSplits: z.int().min(1).optional(),
});

/** Settings as written in a sweep or preset (defaults may be omitted). */
export type RunConfigInput = z.input<typeof RunConfigSchema>;
/** Settings with every default filled in. */
export type RunConfig = z.output<typeof RunConfigSchema>;

/** Names of every run setting. */
export const RUN_CONFIG_KEYS: readonly string[] = Object.keys(RunConfigSchema.shape);

/**
 * Validates settings (unknown keys are errors) and fills in defaults.
 * @param input the settings as written (a {@link RunConfigInput})
 * @param field name of the settings in error messages (default "run", e.g. "run.gain")
 * @throws TypeError (naming the field) for an unknown key (with a did-you-mean hint), a missing
 *   `task` or `rule`, or a value of the wrong type
 * @throws RangeError (naming the field) for a value out of range or not among the allowed names,
 *   `activityL2Adaptive` without `activityL2`, or `checkpoints` / `noiseFloorSplits` without
 *   `neuralData`
 */
export function resolveRunConfig(input: unknown, field = 'run'): RunConfig {
  const config = parseWithSchema(RunConfigSchema, input, field);
  // Settings that only mean something together with another one are refused alone.
  if (config.activityL2Adaptive !== undefined && config.activityL2 === undefined) throw rangeError(`${field}.activityL2Adaptive`, 'activityL2 (lambda0) to be set as well', config.activityL2Adaptive);
  for (const key of ['checkpoints', 'noiseFloorSplits'] as const) {
    if (config[key] !== undefined && config.neuralData === undefined) throw rangeError(`${field}.${key}`, 'neuralData to be set as well (checkpoints and the noise floor belong to the comparison with a recording)', config[key]);
  }
  return config;
}

/** JSON with object keys sorted at every level, so equal settings give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A run's identity: 16 hex digits of the SHA-256 of its resolved settings. */
export function runId(config: RunConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}
