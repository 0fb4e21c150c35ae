/**
 * Optimisers as init/update pairs over explicit state (nothing hidden in a closure), and
 * gradient-norm clipping. Only the parameters named in `trainable` change.
 * @module
 */
import type { ParamName, ParamSet } from '../model/params.js';

export interface Optimizer<State = unknown> {
  readonly name: string;
  /** Fresh optimiser state for parameters shaped like `params`. */
  init(params: ParamSet): State;
  /** One update of `params` (in place) against `grads`, advancing `state`. */
  update(state: State, params: ParamSet, grads: ParamSet, trainable: readonly ParamName[]): void;
}
