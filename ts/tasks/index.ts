/**
 * The task registry: tasks by name, each with its options.
 * @module
 */
import { expectOneOf } from '../validate.js';
import { romo } from './romo.js';
import type { Task } from './task.js';

type TaskFactory = (options?: Record<string, unknown>) => Task;

const FACTORIES: Record<string, TaskFactory> = {
  romo: romo as TaskFactory,
};

/** Names of every registered task. */
export function taskNames(): string[] {
  return Object.keys(FACTORIES);
}

/** Creates task `name` with `options` (unknown names and keys are errors that list what exists). */
export function createTask(name: string, options: Record<string, unknown> = {}): Task {
  return FACTORIES[expectOneOf(name, 'task', taskNames())]!(options);
}

export { romo };
export { TrialWriter, defineTask, stepsIn } from './task.js';
export type { SampleOptions, Task, TaskBatch, TaskDefinition, TaskInfo, TrialPlan, TrialRecord } from './task.js';
