/**
 * The task registry: tasks by name, each with its options.
 * @module
 */
import { expectOneOf } from '../validate.js';
import { context } from './context.js';
import { delaycomparison } from './delaycomparison.js';
import { dms } from './dms.js';
import { mante72 } from './mante72.js';
import { pdm } from './pdm.js';
import { reach8 } from './reach8.js';
import { romo } from './romo.js';
import type { Task } from './task.js';

type TaskFactory = (options?: Record<string, unknown>) => Task;

const FACTORIES: Record<string, TaskFactory> = {
  romo: romo as TaskFactory,
  delaycomparison: delaycomparison as TaskFactory,
  pdm: pdm as TaskFactory,
  dms: dms as TaskFactory,
  context: context as TaskFactory,
  mante72: mante72 as TaskFactory,
  reach8: reach8 as TaskFactory,
};

/** Names of every registered task, in registry order (romo, delaycomparison, pdm, dms, context, mante72, reach8). */
export function taskNames(): string[] {
  return Object.keys(FACTORIES);
}

/** How a registered task was made, so another thread can make the same task. */
export interface TaskOrigin {
  /** The registry name given to {@link createTask}. */
  name: string;
  /** A deep copy of the options given to {@link createTask}. */
  options: Record<string, unknown>;
}

const ORIGINS = new WeakMap<Task, TaskOrigin>();

/**
 * Creates task `name` with `options` (each task's options are documented with its factory:
 * {@link RomoOptions}, {@link PdmOptions}, ...).
 * @param field name of the task argument in error messages (default "task")
 * @throws TypeError for a name that is not a string, options that are not an object, an
 *   unknown option key (listing the known ones, with a "did you mean" hint) or a value of the
 *   wrong type
 * @throws RangeError for an unknown task name (listing the registered names, with a hint) or
 *   option values the task refuses
 */
export function createTask(name: string, options: Record<string, unknown> = {}, field = 'task'): Task {
  const task = FACTORIES[expectOneOf(name, field, taskNames())]!(options);
  ORIGINS.set(task, { name, options: structuredClone(options) });
  return task;
}

/**
 * The name and options a task was created with by {@link createTask}, or undefined for a task
 * made another way (a factory called directly, or {@link defineTask}).
 */
export function taskOrigin(task: Task): TaskOrigin | undefined {
  return ORIGINS.get(task);
}

export { context, delaycomparison, dms, mante72, pdm, reach8, romo };
export { CONTEXT_COHS, CONTEXT_TIMING } from './context.js';
export type { ContextOptions } from './context.js';
export { DELAYCOMPARISON_PAIRS, DELAYCOMPARISON_TIMING } from './delaycomparison.js';
export type { DelayComparisonOptions } from './delaycomparison.js';
export { DMS_PRESETS, DMS_TIMING } from './dms.js';
export type { DmsOptions } from './dms.js';
export { MANTE72_COHS, MANTE72_DT, MANTE72_TAU, MANTE72_TIMING, mante72Conditions } from './mante72.js';
export type { Mante72Condition, Mante72Options } from './mante72.js';
export { DEFAULT_FIXATION_INPUT, FIXATION_INPUTS, NEUROGYM_DT, NEUROGYM_TAU } from './neurogym.js';
export type { FixationInput, TimingPreset } from './neurogym.js';
export { PDM_COHS, PDM_PRESETS, PDM_TIMING } from './pdm.js';
export type { PdmOptions } from './pdm.js';
export type { RomoOptions } from './romo.js';
export type { NeurogymOptions } from './neurogym.js';
export { REACH8_BUMP, REACH8_CONDITIONS, REACH8_DATA_WINDOW, REACH8_DEFAULTS, REACH8_DT, REACH8_KINEMATICS_FROM, REACH8_KINEMATICS_SAMPLES, REACH8_RAMP, REACH8_TAU } from './reach8.js';
export type { Reach8Options } from './reach8.js';
export { parseTimingSpec, sampleDuration } from './timing.js';
export type { ResolvedTiming, TimingSpec } from './timing.js';
export { TrialWriter, defineTask, stepsIn } from './task.js';
export type { SampleOptions, Task, TaskBatch, TaskDefinition, TaskInfo, TrialPlan, TrialRecord } from './task.js';
