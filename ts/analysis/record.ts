/**
 * What `train()` records about a network's dynamics when asked: the maximum Lyapunov exponent
 * (before training, after flossing pretraining, after training) and the eigenvalues of Wh
 * (before and after training). Plain options, so sweeps can carry them.
 * @module
 */
import type { LeakyRNN } from '../model/leaky-rnn.js';
import type { Rng } from '../rng.js';
import type { Task } from '../tasks/task.js';
import { expectBoolean, expectKnownKeys, expectObject } from '../validate.js';
import { maxLyapunov } from './lyapunov.js';
import type { MaxLyapunovOptions, MaxLyapunovResult } from './lyapunov.js';
import { recurrentEigenvalues } from './spectra.js';
import type { Eigenvalues } from './spectra.js';

/** The dynamics a training run recorded. */
export interface TrainDynamics {
  /** Present when `lyapunov` was given. Null entries: not measured (diverged run, no pretraining). */
  maxLyapunov?: {
    /** At initialisation, before any flossing or training. */
    before: MaxLyapunovResult;
    /** After the flossing pretraining phase (null without one). */
    afterFlossPretrain: MaxLyapunovResult | null;
    /** After training (null when the run diverged). */
    after: MaxLyapunovResult | null;
  };
  /** Present when `eigenvalues` was true. `after` is null when the run diverged. */
  eigenvalues?: {
    /** Eigenvalues of the effective Wh at initialisation. */
    before: Eigenvalues;
    /** Eigenvalues of the effective Wh after training (null when the run diverged). */
    after: Eigenvalues | null;
  };
}

/** Records dynamics at the points of a training run (used by `train()`). */
export class DynamicsRecorder {
  /** What has been recorded so far (filled in by the calls below). */
  readonly result: TrainDynamics = {};
  private readonly lyapunov: MaxLyapunovOptions | null;
  private readonly eigenvalues: boolean;

  /**
   * @param model the network being trained (measured in place)
   * @param task trials for the Lyapunov measurement
   * @param lyapunov {@link maxLyapunov} options, or undefined for no Lyapunov measurement; its
   *   rng defaults to `rng.fork("lyapunov")`, so each measurement sees the same trials
   * @param eigenvalues record the eigenvalues of Wh (default false)
   * @throws TypeError for an unknown key in `lyapunov` or a non-boolean `eigenvalues`
   */
  constructor(
    private readonly model: LeakyRNN,
    private readonly task: Task,
    lyapunov: MaxLyapunovOptions | undefined,
    eigenvalues: boolean | undefined,
    rng: Rng,
  ) {
    if (lyapunov !== undefined) {
      expectKnownKeys(expectObject(lyapunov, 'options.lyapunov'), ['batch', 'warmup', 'steps', 'rng', 'qrMethod', 'q0'], 'options.lyapunov');
    }
    // The same generator state before and after: the same trials, noise and initial frame.
    this.lyapunov = lyapunov === undefined ? null : { ...lyapunov, rng: lyapunov.rng ?? rng.fork('lyapunov') };
    this.eigenvalues = expectBoolean(eigenvalues ?? false, 'options.eigenvalues');
  }

  private measure(): MaxLyapunovResult {
    return maxLyapunov(this.model, this.task, this.lyapunov!);
  }

  /** Before any flossing or training. */
  before(): void {
    if (this.lyapunov) this.result.maxLyapunov = { before: this.measure(), afterFlossPretrain: null, after: null };
    if (this.eigenvalues) this.result.eigenvalues = { before: recurrentEigenvalues(this.model), after: null };
  }

  /** After the flossing pretraining phase. */
  afterFlossPretrain(): void {
    if (this.result.maxLyapunov) this.result.maxLyapunov.afterFlossPretrain = this.measure();
  }

  /** After training (skipped for a diverged run, whose parameters may not be finite). */
  after(diverged: boolean): void {
    if (diverged) return;
    if (this.result.maxLyapunov) this.result.maxLyapunov.after = this.measure();
    if (this.result.eigenvalues) this.result.eigenvalues.after = recurrentEigenvalues(this.model);
  }
}
