/**
 * The progress bar on stderr (cli-progress). When stderr is not a terminal it prints a status
 * line every few seconds instead of redrawing.
 * @module
 */
import cliProgress from 'cli-progress';

export interface ProgressBar {
  update(value: number, payload: Record<string, string | number>): void;
  stop(): void;
}

/** A bar over `total` steps with `label`; payload fields are shown with `format`. */
export function createProgressBar(total: number, label: string, format: string, payload: Record<string, string | number>, enabled = true): ProgressBar {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {value}/{total} ${format} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, payload);
  return {
    update(value, p) {
      bar.update(value, p);
    },
    stop() {
      bar.stop();
    },
  };
}
