// Readers for task batches (time-major arrays) and small statistics, shared by the task tests.
import type { TaskBatch } from '../ts/index.js';

/** Input channel k of trial b at row t. */
export function x(batch: TaskBatch, t: number, b: number, k: number): number {
  return batch.inputs[(t * batch.B + b) * batch.nIn + k]!;
}

/** The class target (ce tasks) of trial b at row t. */
export function cls(batch: TaskBatch, t: number, b: number): number {
  return batch.targets[t * batch.B + b]!;
}

export function maskAt(batch: TaskBatch, t: number, b: number): number {
  return batch.mask![t * batch.B + b]!;
}

/** Whether row t lies in [start, end). */
export function inRange(t: number, range: [number, number] | undefined): boolean {
  return range !== undefined && t >= range[0] && t < range[1];
}

/** Sample mean and standard deviation. */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}

/**
 * Checks every row of every trial with `expect(t, b)` returning the expected noise-free input
 * vector; returns the first mismatch as text, or null. Exact equality (no tolerance).
 */
export function firstInputMismatch(batch: TaskBatch, expect: (t: number, b: number) => number[], tolerance = 0): string | null {
  for (let b = 0; b < batch.B; b++) {
    for (let t = 0; t < batch.T; t++) {
      const want = expect(t, b);
      for (let k = 0; k < batch.nIn; k++) {
        const got = x(batch, t, b, k);
        if (Math.abs(got - want[k]!) > tolerance) return `trial ${b}, row ${t}, channel ${k}: ${got} instead of ${want[k]}`;
      }
    }
  }
  return null;
}

/** Checks class targets and mask of every row; returns the first mismatch as text, or null. */
export function firstTargetMismatch(batch: TaskBatch, expect: (t: number, b: number) => { target: number; mask: number }): string | null {
  for (let b = 0; b < batch.B; b++) {
    for (let t = 0; t < batch.T; t++) {
      const want = expect(t, b);
      if (cls(batch, t, b) !== want.target) return `trial ${b}, row ${t}: target ${cls(batch, t, b)} instead of ${want.target}`;
      if (maskAt(batch, t, b) !== want.mask) return `trial ${b}, row ${t}: mask ${maskAt(batch, t, b)} instead of ${want.mask}`;
    }
  }
  return null;
}

/** Residuals (input - expected) of channel k over the rows where `where(t, b)` holds. */
export function residuals(batch: TaskBatch, k: number, expect: (t: number, b: number) => number, where: (t: number, b: number) => boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch.B; b++) for (let t = 0; t < batch.T; t++) if (where(t, b)) out.push(x(batch, t, b, k) - expect(t, b));
  return out;
}
