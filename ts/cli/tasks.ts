/**
 * `rnnlab tasks`: every task with its channels, periods and timing, dt, trial length and source.
 * @module
 */
import type { Command } from 'commander';
import { DEFAULT_FIXATION_INPUT, createTask, taskNames } from '../tasks/index.js';
import type { Task } from '../tasks/index.js';
import { rangeError } from '../validate.js';
import { keyValueOption, printJson } from './common.js';

interface TasksCliOptions {
  taskOption?: Record<string, unknown>;
  json: boolean;
}

const FIXATION_NOTE =
  `fixation input: "${DEFAULT_FIXATION_INPUT}" by default (1 in every period before the decision, as in neurogym <= v2.0 and the papers' code); ` +
  'pdm and context take --task-option fixationInput=fixation-only for neurogym >= v2.1 (1 in the fixation period only)';

/** A JSON-friendly description of a task. */
export function describeTask(task: Task): Record<string, unknown> {
  const { info, settings } = task;
  return {
    name: info.name,
    description: info.description,
    source: info.source,
    dt: info.dt,
    timeUnit: info.timeUnit,
    tau: info.tau,
    alpha: 1 - info.dt / info.tau,
    inputs: info.inputs,
    outputs: info.outputs,
    loss: info.loss,
    periods: info.periods,
    timing: settings.timing ?? null,
    conditions: info.conditions,
    minSteps: info.minSteps ?? info.maxSteps,
    maxSteps: info.maxSteps,
    decisionPeriod: info.decisionPeriod ?? null,
    choices: info.choices ?? null,
    ...(info.conditionCount !== undefined ? { conditionCount: info.conditionCount } : {}),
    settings,
  };
}

export function registerTasks(program: Command): void {
  program
    .command('tasks [name]')
    .description('List the tasks (or one task) with channels, periods, dt, trial length and source.')
    .option('--task-option <key=value>', 'task setting, repeatable (with a task name): show the task as configured', keyValueOption('--task-option'))
    .option('--json', 'print one JSON object on stdout', false)
    .action((name: string | undefined, options: TasksCliOptions) => runTasks(name, options));
}

function runTasks(name: string | undefined, o: TasksCliOptions): void {
  if (name === undefined && o.taskOption !== undefined) {
    throw rangeError('--task-option', 'a task name before it (e.g. rnnlab tasks pdm --task-option preset=liu2025)', undefined, 'no task name');
  }
  const tasks = name === undefined ? taskNames().map((n) => createTask(n)) : [createTask(name, o.taskOption ?? {})];
  const described = tasks.map(describeTask);
  if (o.json) {
    printJson({ tasks: described, fixationInput: { default: DEFAULT_FIXATION_INPUT, note: FIXATION_NOTE } });
    return;
  }
  const blocks = tasks.map(({ info, settings }) => {
    const length = info.minSteps !== undefined && info.minSteps !== info.maxSteps ? `${info.minSteps}-${info.maxSteps} steps` : `${info.maxSteps} steps`;
    const timing = settings.timing as Record<string, unknown> | undefined;
    const periods = info.periods.map((p) => (timing && p in timing ? `${p} ${JSON.stringify(timing[p])}` : p)).join(', ');
    return [
      `${info.name}: ${info.description}`,
      `  source   ${info.source}`,
      `  time     ${info.timeUnit === 'tau' ? `dt ${info.dt}, tau ${info.tau} (time in units of tau)` : `dt ${info.dt} ms, tau ${info.tau} ms`}, alpha = 1 - dt/tau = ${+(1 - info.dt / info.tau).toFixed(6)}, ${length}`,
      `  periods  ${periods}${timing ? ` (${info.timeUnit})` : ''}`,
      `  inputs   ${info.inputs.join(', ')}`,
      `  outputs  ${info.outputs.join(', ')} (${info.loss}${info.decisionPeriod ? `, decision in "${info.decisionPeriod}"` : ''})`,
      `  forced conditions  ${info.conditions.join(', ')}`,
      `  settings ${JSON.stringify(Object.fromEntries(Object.entries(settings).filter(([k]) => k !== 'timing')))}`,
    ].join('\n');
  });
  process.stdout.write(`${blocks.join('\n\n')}\n\n${FIXATION_NOTE}\n`);
}
