// Fixtures for the similarity, data and IO tests (test/80-89): the reference Case A of
// reference/specs.md 3.4, random matrices, orthogonal matrices, and the optional numpy reference.
import { spawnSync } from 'node:child_process';
import { Rng } from '../ts/index.js';
import type { SampleMatrix } from '../ts/index.js';

/** reference/specs.md 3.4 Case A: X 6 x 3, Y 6 x 4 (exact inputs) and netrep's values. */
export const CASE_A = {
  X: { samples: 6, units: 3, data: new Float64Array([0.1257, -0.1321, 0.6404, 0.1049, -0.5357, 0.3616, 1.304, 0.9471, -0.7037, -1.2654, -0.6233, 0.0413, -2.325, -0.2188, -1.2459, -0.7323, -0.5443, -0.3163]) },
  Y: { samples: 6, units: 4, data: new Float64Array([0.4116, 1.0425, -0.1285, 1.3665, -0.6652, 0.3515, 0.9035, 0.094, -0.7435, -0.9217, -0.4577, 0.2202, -1.0096, -0.2092, -0.1592, 0.5408, 0.2147, 0.3554, -0.6538, -0.1296, 0.784, 1.4934, -1.2591, 1.5139]) },
  procrustes: 1.099067540111,
  procrustesNormalized: 0.699688127202,
  cca: 0.895278166261,
  shapeHalf: 1.004643663887,
  cka: 0.175903901235,
  ckaDistance: 1.393972415115,
} as const;

/** A samples x units matrix of N(0, 1) values. */
export function randomMatrix(samples: number, units: number, seed: number | string): { data: Float64Array; samples: number; units: number } {
  const data = new Float64Array(samples * units);
  new Rng(seed).fillNormal(data);
  return { data, samples, units };
}

/** A random n x n orthogonal matrix (Gram-Schmidt on a Gaussian), row-major; det -1 if `reflect`. */
export function randomOrthogonal(n: number, seed: number | string, reflect = false): Float64Array {
  const Q = new Float64Array(n * n);
  new Rng(seed).fillNormal(Q);
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++)
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += Q[i * n + j]! * Q[i * n + k]!;
        for (let i = 0; i < n; i++) Q[i * n + j]! -= d * Q[i * n + k]!;
      }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += Q[i * n + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) Q[i * n + j]! /= norm;
  }
  // Fix the determinant sign: det(Q) from Gram-Schmidt is random; flip column 0 as needed.
  if ((determinant(Q, n) < 0) !== reflect) for (let i = 0; i < n; i++) Q[i * n] = -Q[i * n]!;
  return Q;
}

/** Determinant by Gaussian elimination with partial pivoting (small matrices). */
export function determinant(M: Float64Array, n: number): number {
  const a = Float64Array.from(M);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]!) > Math.abs(a[p * n + c]!)) p = r;
    if (a[p * n + c] === 0) return 0;
    if (p !== c) {
      for (let k = 0; k < n; k++) [a[p * n + k], a[c * n + k]] = [a[c * n + k]!, a[p * n + k]!];
      det = -det;
    }
    det *= a[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c]! / a[c * n + c]!;
      for (let k = c; k < n; k++) a[r * n + k]! -= f * a[c * n + k]!;
    }
  }
  return det;
}

/** C = A B (A: rows x inner, B: inner x cols), row-major. */
export function matmul(A: ArrayLike<number>, B: ArrayLike<number>, rows: number, inner: number, cols: number): Float64Array {
  const C = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < inner; k++) {
      const a = A[i * inner + k]!;
      for (let j = 0; j < cols; j++) C[i * cols + j]! += a * B[k * cols + j]!;
    }
  return C;
}

/** M^T for a rows x cols row-major matrix. */
export function transpose(M: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T[j * rows + i] = M[i * cols + j]!;
  return T;
}

/** X M + offset (a row vector added to every sample). */
export function transform(X: SampleMatrix, M: Float64Array, cols: number, offsetSeed?: number): { data: Float64Array; samples: number; units: number } {
  const data = matmul(X.data, M, X.samples, X.units, cols);
  if (offsetSeed !== undefined) {
    const offset = new Float64Array(cols);
    new Rng(offsetSeed).fillNormal(offset, 3);
    for (let s = 0; s < X.samples; s++) for (let u = 0; u < cols; u++) data[s * cols + u]! += offset[u]!;
  }
  return { data, samples: X.samples, units: cols };
}

/** Appends `extra` zero columns. */
export function padColumns(X: SampleMatrix, extra: number): { data: Float64Array; samples: number; units: number } {
  const units = X.units + extra;
  const data = new Float64Array(X.samples * units);
  for (let s = 0; s < X.samples; s++) for (let u = 0; u < X.units; u++) data[s * units + u] = X.data[s * X.units + u]!;
  return { data, samples: X.samples, units };
}

let numpyCache: boolean | undefined;
/** Whether /usr/bin/python3 can import numpy (the optional independent reference). */
export function numpyAvailable(): boolean {
  if (numpyCache === undefined) numpyCache = spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  return numpyCache;
}

/** Runs a Python script with /usr/bin/python3, JSON on stdin and stdout. */
export function runNumpy(script: string, input: unknown): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}
