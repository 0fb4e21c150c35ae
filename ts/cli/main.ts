/**
 * The rnnlab command line. Validation errors print one line and exit with code 2; any other
 * failure exits with code 1.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { RnnlabRangeError, RnnlabTypeError } from '../validate.js';
import { VERSION } from '../version.js';
import { registerEvaluate } from './evaluate.js';
import { registerGrad } from './grad.js';
import { registerReport } from './report.js';
import { registerReproduce } from './reproduce.js';
import { registerResults } from './results.js';
import { registerSweep } from './sweep.js';
import { registerSimilarity } from './similarity.js';
import { registerTasks } from './tasks.js';
import { registerLyapunov } from './lyapunov.js';
import { registerTrain } from './train.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('rnnlab')
    .description('Train and analyse recurrent neural networks: exact gradients, learning rules, dynamics, similarity to neural data.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride();
  registerTrain(program);
  registerGrad(program);
  registerSweep(program);
  registerResults(program);
  registerReport(program);
  registerSimilarity(program);
  registerEvaluate(program);
  registerTasks(program);
  registerReproduce(program);
  registerLyapunov(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (usage errors, --help, --version).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof RnnlabTypeError || error instanceof RnnlabRangeError || error instanceof TypeError || error instanceof RangeError) {
      process.stderr.write(`rnnlab: ${(error as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`rnnlab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
