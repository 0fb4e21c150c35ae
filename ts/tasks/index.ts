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

/** How a registered task was made, so another thread can make the same task. */
export interface TaskOrigin {
  name: string;
  options: Record<string, unknown>;
}

const ORIGINS = new WeakMap<Task, TaskOrigin>();

/** Creates task `name` with `options` (unknown names and keys are errors that list what exists). */
export function createTask(name: string, options: Record<string, unknown> = {}, field = 'task'): Task {
  const task = FACTORIES[expectOneOf(name, field, taskNames())]!(options);
  ORIGINS.set(task, { name, options: structuredClone(options) });
  return task;
}

/** The name and options a task was created with, or undefined for a task made another way. */
export function taskOrigin(task: Task): TaskOrigin | undefined {
  return ORIGINS.get(task);
}

export { romo };
export { TrialWriter, defineTask, stepsIn } from './task.js';
export type { SampleOptions, Task, TaskBatch, TaskDefinition, TaskInfo, TrialPlan, TrialRecord } from './task.js';
