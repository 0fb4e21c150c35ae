/**
 * What a paper reproduction provides: it runs its sweeps (resumably) into one folder, writes its
 * figures and report there, and checks the paper's claims against the data it produced.
 * @module
 */

/** One of the paper's claims, checked on this run's data. */
export interface Verdict {
  /** The claim, in the paper's words or close to them. */
  claim: string;
  /** Whether the data of this run support it. */
  holds: boolean;
  /** The numbers behind the verdict, in one or two sentences. */
  evidence: string;
}

/** Settings of {@link PaperPreset.run}. */
export interface ReproduceOptions {
  /** The quick preset: the same figures from fewer seeds, iterations and conditions. */
  quick: boolean;
  /** Results folder; running again resumes. */
  out: string;
  /** Worker threads (default one per core). */
  workers?: number;
  /**
   * Learning rules to run, for presets that compare rules (those with `PaperPreset.rules`):
   * added to the preset's default rules. Default: the preset's own.
   */
  rules?: string[];
  /** Progress lines for the user (stderr in the CLI). */
  log: (line: string) => void;
  /** Progress of the sweeps, for a progress bar. */
  onSweepProgress?: (stage: string, done: number, total: number, diverged: number) => void;
  /** Stops the sweeps; finished runs are kept, and the same call resumes them. */
  signal?: AbortSignal;
}

/** What {@link PaperPreset.run} resolves to. */
export interface ReproduceResult {
  /** The preset's name, e.g. "initial-connectivity". */
  paper: string;
  /** Which preset ran. */
  preset: 'quick' | 'full';
  /** The paper's claims, each checked on this run's data (may be empty when `signal` stopped it). */
  verdicts: Verdict[];
  /** Path of the HTML report. */
  report: string;
  /** Paths of the PNG figures. */
  figures: string[];
  /** Extra tables (name -> rows, first row the header). */
  tables: Record<string, string[][]>;
  /** Wall time of this call in seconds. */
  seconds: number;
  /** True when a signal stopped it before the end (run the same command to finish). */
  aborted: boolean;
}

/** A paper reproduction (see {@link getPaperPreset}). */
export interface PaperPreset {
  /** Command-line name, e.g. "initial-connectivity". */
  name: string;
  /** Citation. */
  title: string;
  /** What the full and quick presets run. */
  description: string;
  /** For presets that compare learning rules: the rules they always run and those `rules` may add. */
  rules?: {
    /** Rules every run of the preset includes. */
    default: readonly string[];
    /** Rules that {@link ReproduceOptions.rules} may add. */
    optional: readonly string[];
  };
  /**
   * Runs (or resumes) the reproduction into `options.out`: its sweeps, figures, report and
   * verdicts.
   * @throws (as a rejected promise) RangeError for an `out` folder (or its sweep folder) that holds other files, or, for
   *   presets with `rules`, an unknown rule in `options.rules`; neural-similarity also throws an
   *   Error when some of its runs failed (running again retries them)
   */
  run(options: ReproduceOptions): Promise<ReproduceResult>;
}
