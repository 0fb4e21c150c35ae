// Workloads of the similarity analyses at the scale of the Hatsopoulos comparison: 968 samples
// (121 bins x 8 reaches) against 141 recorded neurons and a 200-unit model; one noise-floor
// split (70 vs 70 neurons); and one DSA alignment (no FLOP count: its work depends on the
// iterations). FLOP counts are estimates (GEMMs exact, LAPACK decompositions by their textbook
// constants), good for an order of magnitude only.
import { Rng, alignOperators, ckaDistance, loadHatsopoulos2007, procrustesDistance, selectUnits, shapeDistance, toSampleMatrix } from '../ts/index.js';
import type { StepWorkload } from './train-step.js';

/**
 * Shape metric FLOPs (the cosine path used away from 0): Xc^T Yc (2 m p q) and the singular
 * values of a p x q matrix (~4 p q^2 for p >= q); whitening adds the two scatters (m p^2 + m q^2),
 * two eigendecompositions with vectors (~9 p^3 + 9 q^3), Z (2 p^3 + 2 q^3) and Zx C Zy (2 p q (p + q)).
 */
function shapeFlops(m: number, p: number, q: number, whiten: boolean): number {
  const [big, small] = p >= q ? [p, q] : [q, p];
  const base = 2 * m * p * q + 4 * big * small * small;
  return base + (whiten ? m * (p * p + q * q) + 11 * (p ** 3 + q ** 3) + 2 * p * q * (p + q) : 0);
}

export function similarityWorkloads(): StepWorkload[] {
  const data = loadHatsopoulos2007().firingRate;
  const X = toSampleMatrix(data);
  const modelData = new Float64Array(968 * 200);
  new Rng('bench-model').fillNormal(modelData);
  const Y = { data: modelData, samples: 968, units: 200 };
  const half1 = toSampleMatrix(selectUnits(data, Array.from({ length: 70 }, (_, k) => 2 * k)));
  const half2 = toSampleMatrix(selectUnits(data, Array.from({ length: 70 }, (_, k) => 2 * k + 1)));
  const r = 10;
  const A = new Float64Array(r * r);
  const B = new Float64Array(r * r);
  new Rng('bench-A').fillNormal(A);
  new Rng('bench-B').fillNormal(B);
  return [
    { name: 'procrustes 968x141 vs 968x200', fn: () => void procrustesDistance(X, Y), flops: shapeFlops(968, 141, 200, false) },
    { name: 'cca (alpha 0) 968x141 vs 968x200', fn: () => void shapeDistance(X, Y, 0), flops: shapeFlops(968, 141, 200, true) },
    { name: 'cka 968x141 vs 968x200', fn: () => void ckaDistance(X, Y), flops: 2 * 968 * 141 * 200 + 968 * (141 * 141 + 200 * 200) },
    { name: 'procrustes 968x70 vs 968x70 (one split)', fn: () => void procrustesDistance(half1, half2), flops: shapeFlops(968, 70, 70, false) },
    { name: 'dsa alignment r=10 (12 runs)', fn: () => void alignOperators(A, B, r), flops: 0 },
  ];
}
