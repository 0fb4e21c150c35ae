/**
 * Scoring a model on a batch without training it.
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { Rng } from '../rng.js';
import { lossAndOutputGrad, runForward } from '../rules/forward.js';
import { Workspace } from '../rules/workspace.js';
import { checkTrials } from '../trials.js';
import type { Trials } from '../trials.js';

export interface Evaluation {
  /** The batch loss (DESIGN.md definition for trials.loss). */
  loss: number;
}

/** The loss of `model` on `trials` (forward pass only). `rng` is needed only with state noise. */
export function evaluate(model: LeakyRNN, trials: Trials, options: { rng?: Rng; workspace?: Workspace } = {}): Evaluation {
  checkTrials(trials, model);
  const ws = options.workspace ?? new Workspace();
  const traj = runForward(model, trials, ws, options.rng);
  return { loss: lossAndOutputGrad(model, trials, traj, ws).loss };
}
