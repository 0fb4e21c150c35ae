/**
 * The task interface. A task is a generator of whole trials (as in neurogym's `_new_trial`,
 * without the gym loop): each trial has named input and output channels and named periods, and
 * trials are written into a time-major batch, padded with mask 0 to the longest trial.
 *
 * Time indexing: row s (0-based) of inputs, targets and mask is model step s + 1, i.e. input row
 * s drives the step whose output is compared with target row s. Periods are [start, end) rows.
 * @module
 */
import { expectRng } from '../rng.js';
import type { Rng } from '../rng.js';
import { LOSSES } from '../trials.js';
import type { LossKind, Trials } from '../trials.js';
import { closestName, expectInteger, expectNumber, expectObject, expectOneOf, rangeError, typeError } from '../validate.js';

/** Static description of a task. */
export interface TaskInfo {
  /** The task's name (its registry name for the built-in tasks). */
  name: string;
  /** One-paragraph description. */
  description: string;
  /** Where the definition comes from (paper and code). */
  source: string;
  /** Step size, in `timeUnit`. */
  dt: number;
  /** 'tau' when durations are in units of the membrane time constant, else 'ms'. */
  timeUnit: 'tau' | 'ms';
  /** Membrane time constant the references use, in `timeUnit` (alpha = 1 - dt/tau). */
  tau: number;
  /** Input channel names, in order. */
  inputs: string[];
  /** Output channel names (for ce: class names), in order. */
  outputs: string[];
  /** How outputs are scored: mse on the output channels, or ce over the classes. */
  loss: LossKind;
  /** Period names, in the order they occur. */
  periods: string[];
  /** Names of the trial conditions that can be forced. */
  conditions: string[];
  /** Longest possible trial, in steps. */
  maxSteps: number;
  /** Shortest possible trial, in steps (= maxSteps when absent). */
  minSteps?: number;
  /**
   * The period whose outputs decide the trial's choice (for decision accuracy, see
   * experiment/score.ts); absent when the task has no discrete choice.
   */
  decisionPeriod?: string;
  /** Number of possible choices (chance accuracy = 1 / choices). */
  choices?: number;
  /** When the task is a finite set of fixed conditions (mante72: 72), their number. */
  conditionCount?: number;
}

/** What a task decides about one trial before any array is written. */
export interface TrialPlan {
  /** Sampled or forced conditions. */
  conditions: Record<string, number>;
  /** Periods in the order they occur, with their lengths in steps. */
  periods: [name: string, steps: number][];
  /** Length of the trial in steps (default: the sum of the period lengths). */
  steps?: number;
}

/** What a batch records about each of its trials. */
export interface TrialRecord {
  /** The trial's conditions by name (see {@link TaskInfo.conditions}; tasks may add derived values). */
  conditions: Record<string, number>;
  /** [start, end) rows of each period. */
  periods: Record<string, [number, number]>;
  /** Length of this trial; rows after it are padding with mask 0. */
  steps: number;
}

/** A batch of trials plus what was sampled for each. */
export interface TaskBatch extends Trials {
  /** One record per trial (column b of the arrays), in batch order [B]. */
  trials: TrialRecord[];
}

/** Options of {@link Task.sample}. */
export interface SampleOptions {
  /**
   * Conditions to force: one object for every trial, or one per trial (length = batch size).
   * Keys must be names in `info.conditions`; unspecified conditions are sampled.
   */
  conditions?: Record<string, number> | Record<string, number>[];
}

/**
 * A task: a generator of batches of whole trials. Make one with {@link createTask} (by name), a
 * task factory ({@link romo}, {@link pdm}, ...) or {@link defineTask}.
 */
export interface Task {
  /** What the task is: channels, periods, conditions, loss, timing (see {@link TaskInfo}). */
  readonly info: TaskInfo;
  /** Every setting after defaults and overrides (JSON-friendly). */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * Samples `batchSize` trials from `rng` into a time-major batch [T][B][...], T = the longest
   * trial (shorter trials are padded with zeros and mask 0).
   * @throws TypeError when `rng` is not an Rng, `options` not an object or a forced condition
   *   has an unknown name (with a hint)
   * @throws RangeError for a batch size that is not an integer >= 1 (or that the task refuses),
   *   a forced condition value the task does not allow, or a conditions list of the wrong length
   */
  sample(rng: Rng, batchSize: number, options?: SampleOptions): TaskBatch;
}

/**
 * Writes one trial (column b of a batch) by period and channel name. Rows are clipped to the
 * trial's length.
 */
export class TrialWriter {
  private b = 0;
  private steps = 0;
  private periods: Record<string, [number, number]> = {};
  private readonly nIn: number;
  private readonly nOut: number;

  /**
   * @param info the task's description (channel and period names are looked up in it)
   * @param batch the batch being written ({@link defineTask} makes both)
   */
  constructor(
    private readonly info: TaskInfo,
    private readonly batch: TaskBatch,
  ) {
    this.nIn = info.inputs.length;
    this.nOut = info.outputs.length;
  }

  /** Points the writer at trial `b` with the given period table ([start, end) rows). */
  reset(b: number, steps: number, periods: Record<string, [number, number]>): void {
    this.b = b;
    this.steps = steps;
    this.periods = periods;
  }

  /** All rows of the current trial, [0, its length). */
  get all(): [number, number] {
    return [0, this.steps];
  }

  /**
   * The [start, end) rows of a period of the current trial.
   * @throws RangeError for a name that is not a period of this trial
   */
  period(name: string): [number, number] {
    const r = this.periods[name];
    if (!r) throw rangeError('period', `a period of ${this.info.name} (${Object.keys(this.periods).join(', ')})`, name);
    return r;
  }

  private rows(where: string | [number, number]): [number, number] {
    const r = typeof where === 'string' ? this.period(where) : where;
    return [Math.max(0, r[0]), Math.min(this.steps, r[1])];
  }

  private channel(names: string[], name: string): number {
    const k = names.indexOf(name);
    if (k < 0) throw rangeError('channel', `a channel of ${this.info.name} (${names.join(', ')})`, name);
    return k;
  }

  /**
   * Sets input channel `name` to `value` over a period (or [start, end) rows), clipped to the trial.
   * @throws RangeError for an unknown channel or period
   */
  setInput(name: string, where: string | [number, number], value: number): void {
    const k = this.channel(this.info.inputs, name);
    const [s, e] = this.rows(where);
    const { inputs, B } = this.batch;
    for (let t = s; t < e; t++) inputs[(t * B + this.b) * this.nIn + k] = value;
  }

  /**
   * Adds independent N(0, std^2) noise to input channel `name` at every row of a period (drawn
   * from `rng` in row order).
   * @throws RangeError for an unknown channel or period
   */
  addInputNoise(name: string, where: string | [number, number], std: number, rng: Rng): void {
    const k = this.channel(this.info.inputs, name);
    const [s, e] = this.rows(where);
    const { inputs, B } = this.batch;
    for (let t = s; t < e; t++) {
      const at = (t * B + this.b) * this.nIn + k;
      inputs[at] = inputs[at]! + std * rng.normal();
    }
  }

  /**
   * Sets target channel `name` (mse tasks) over a period.
   * @throws RangeError for an unknown channel or period
   */
  setTarget(name: string, where: string | [number, number], value: number): void {
    const k = this.channel(this.info.outputs, name);
    const [s, e] = this.rows(where);
    const { targets, B } = this.batch;
    for (let t = s; t < e; t++) targets[(t * B + this.b) * this.nOut + k] = value;
  }

  /**
   * Sets the target class index (ce tasks; 0..outputs - 1) over a period.
   * @throws RangeError for an unknown period
   */
  setClass(where: string | [number, number], classIndex: number): void {
    const [s, e] = this.rows(where);
    const { targets, B } = this.batch;
    for (let t = s; t < e; t++) targets[t * B + this.b] = classIndex;
  }

  /**
   * Divides each input row (all channels of one step) over a period by its L2 norm; rows that
   * are all zero stay zero.
   * @throws RangeError for an unknown period
   */
  normalizeInputs(where: string | [number, number]): void {
    const [s, e] = this.rows(where);
    const { inputs, B } = this.batch;
    for (let t = s; t < e; t++) {
      const at = (t * B + this.b) * this.nIn;
      let sq = 0;
      for (let k = 0; k < this.nIn; k++) sq += inputs[at + k]! * inputs[at + k]!;
      if (sq === 0) continue;
      const scale = 1 / Math.sqrt(sq);
      for (let k = 0; k < this.nIn; k++) inputs[at + k] = inputs[at + k]! * scale;
    }
  }

  /**
   * Sets the loss mask over a period (default 1; rows outside every setMask call stay 0).
   * @throws RangeError for an unknown period
   */
  setMask(where: string | [number, number], value = 1): void {
    const [s, e] = this.rows(where);
    const mask = this.batch.mask!;
    const B = this.batch.B;
    for (let t = s; t < e; t++) mask[t * B + this.b] = value;
  }
}

/** How a task plans and writes its trials; {@link defineTask} turns this into a {@link Task}. */
export interface TaskDefinition {
  /** The task's description; `inputs`, `outputs` and `loss` fix the batch layout. */
  info: TaskInfo;
  /** The task's settings, for {@link Task.settings} (copied and frozen). */
  settings: Record<string, unknown>;
  /**
   * Samples (or takes from `forced`) the conditions and period lengths of trial `index` of a
   * batch of `batchSize` trials.
   */
  plan(rng: Rng, forced: Record<string, number>, index: number, batchSize: number): TrialPlan;
  /** Writes inputs, targets and mask of one planned trial. */
  write(out: TrialWriter, plan: TrialPlan, rng: Rng): void;
  /** Optional check of a requested batch size (after the generic checks), throwing when unusable. */
  checkBatchSize?(batchSize: number): void;
}

/**
 * A task from its definition. Sampling plans every trial first (so the batch length is known),
 * then writes each trial straight into the time-major batch arrays; shorter trials are padded
 * with zeros and mask 0.
 * @throws TypeError for a definition that is not an object, an info without string arrays
 *   `inputs`, `outputs`, `periods`, `conditions` or a name, or `plan` / `write` that are not
 *   functions
 * @throws RangeError for an unknown loss in `info.loss` or no outputs
 */
export function defineTask(def: TaskDefinition): Task {
  checkDefinition(def);
  const { info } = def;
  return {
    info,
    settings: Object.freeze({ ...def.settings }),
    sample(rng: Rng, batchSize: number, options?: SampleOptions): TaskBatch {
      expectRng(rng, 'rng', `${info.name} draws its trials from it`);
      const forced = forcedConditions(info, batchSize, options);
      def.checkBatchSize?.(batchSize);
      const plans = forced.map((f, b) => def.plan(rng, f, b, batchSize));
      const lengths = plans.map((p) => p.steps ?? p.periods.reduce((sum, [, n]) => sum + n, 0));
      const T = Math.max(1, ...lengths);
      const B = batchSize;
      const nIn = info.inputs.length;
      const nOut = info.outputs.length;
      // One allocation for the three arrays (views of one buffer): allocating typed arrays is
      // most of the cost of sampling a small batch.
      const sizes = [T * B * nIn, info.loss === 'ce' ? T * B : T * B * nOut, T * B] as const;
      const storage = new Float64Array(sizes[0] + sizes[1] + sizes[2]);
      const batch: TaskBatch = {
        T,
        B,
        nIn,
        nOut,
        loss: info.loss,
        inputs: storage.subarray(0, sizes[0]),
        targets: storage.subarray(sizes[0], sizes[0] + sizes[1]),
        mask: storage.subarray(sizes[0] + sizes[1]),
        trials: [],
      };
      const writer = new TrialWriter(info, batch);
      plans.forEach((plan, b) => {
        const periods: Record<string, [number, number]> = {};
        let cursor = 0;
        for (const [name, n] of plan.periods) {
          periods[name] = [cursor, cursor + n];
          cursor += n;
        }
        writer.reset(b, lengths[b]!, periods);
        def.write(writer, plan, rng);
        batch.trials.push({ conditions: plan.conditions, periods, steps: lengths[b]! });
      });
      return batch;
    },
  };
}

function checkDefinition(def: TaskDefinition): void {
  const d = expectObject(def, 'definition');
  const info = expectObject(d.info, 'definition.info');
  if (typeof info.name !== 'string') throw typeError('definition.info.name', 'a string', info.name);
  for (const key of ['inputs', 'outputs', 'periods', 'conditions'] as const) {
    const v = info[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw typeError(`definition.info.${key}`, 'an array of names (strings)', v);
  }
  expectOneOf(info.loss, 'definition.info.loss', LOSSES);
  if ((info.outputs as string[]).length === 0) throw rangeError('definition.info.outputs', 'at least one output (or class)', info.outputs);
  if (d.settings !== undefined) expectObject(d.settings, 'definition.settings');
  for (const key of ['plan', 'write'] as const) {
    if (typeof d[key] !== 'function') throw typeError(`definition.${key}`, 'a function', d[key]);
  }
}

/**
 * The forced conditions for each of `batchSize` trials, validated against the task's condition
 * names (unknown names and non-finite values are errors).
 * @internal
 */
export function forcedConditions(info: TaskInfo, batchSize: number, options: SampleOptions | undefined): Record<string, number>[] {
  expectInteger(batchSize, 'batchSize', 1);
  if (options === undefined) return Array.from({ length: batchSize }, () => ({}));
  const opts = expectObject(options, 'options');
  for (const key of Object.keys(opts)) {
    if (key !== 'conditions') throw typeError(`options.${key}`, 'the key conditions', key, `unknown key "${key}"`);
  }
  const given = options.conditions;
  if (given === undefined) return Array.from({ length: batchSize }, () => ({}));
  const list = Array.isArray(given) ? given : Array.from({ length: batchSize }, () => given);
  if (list.length !== batchSize) throw rangeError('options.conditions', `one object per trial (${batchSize})`, list);
  list.forEach((c, b) => {
    const field = Array.isArray(given) ? `options.conditions[${b}]` : 'options.conditions';
    expectObject(c, field);
    for (const [key, value] of Object.entries(c)) {
      if (!info.conditions.includes(key)) {
        const hint = closestName(key, info.conditions);
        throw typeError(`${field}.${key}`, `a condition of ${info.name} (${info.conditions.join(', ')})${hint ? `; did you mean "${hint}"?` : ''}`, key, `unknown condition "${key}"`);
      }
      expectNumber(value, `${field}.${key}`);
    }
  });
  return list;
}

/**
 * Steps in a duration: floor(duration / dt), robust to rounding (0.3 / 0.1 gives 3). Both in the
 * same time unit.
 * @throws TypeError / RangeError unless `duration` is a finite number >= 0 and `dt` one > 0
 */
export function stepsIn(duration: number, dt: number): number {
  if (!(duration >= 0 && Number.isFinite(duration) && dt > 0 && Number.isFinite(dt))) {
    expectNumber(duration, 'duration', { min: 0 });
    expectNumber(dt, 'dt', { min: 0, minExclusive: true });
  }
  return Math.floor(duration / dt + 1e-9);
}

/**
 * Throws unless `value` looks like a {@link Task} (an object with `info` and a `sample` method).
 * @internal
 */
export function expectTask(value: unknown, field = 'task'): Task {
  const v = value as { info?: unknown; sample?: unknown } | null;
  if (v === null || typeof v !== 'object' || typeof v.sample !== 'function' || v.info === null || typeof v.info !== 'object') {
    throw typeError(field, 'a Task (see createTask, defineTask)', value);
  }
  return value as Task;
}
