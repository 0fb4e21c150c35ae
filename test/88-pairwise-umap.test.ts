// Pairwise distance matrices among representations and their 2-D UMAP embedding.
import test from 'tape';
import { Rng, pairwiseDistances, procrustesDistance, umapEmbedding } from '../ts/index.js';
import type { SampleMatrix } from '../ts/index.js';
import { randomMatrix, randomOrthogonal, transform } from './similarity-helpers.js';

/** Three families of representations: rotated, offset and slightly noisy copies of three bases. */
function families(perFamily: number): { reps: SampleMatrix[]; family: number[] } {
  const reps: SampleMatrix[] = [];
  const family: number[] = [];
  for (let f = 0; f < 3; f++) {
    const base = randomMatrix(60, 6, `family-${f}`);
    for (let k = 0; k < perFamily; k++) {
      const copy = transform(base, randomOrthogonal(6, `rot-${f}-${k}`), 6, 100 * f + k);
      const noise = new Float64Array(copy.data.length);
      new Rng(`noise-${f}-${k}`).fillNormal(noise, 0.05);
      copy.data.forEach((v, i) => (copy.data[i] = v + noise[i]!));
      reps.push(copy);
      family.push(f);
    }
  }
  return { reps, family };
}

test('pairwiseDistances: symmetric, zero diagonal, equal to the pairwise calls', (t) => {
  const reps = [randomMatrix(30, 4, 'pw-a'), randomMatrix(30, 6, 'pw-b'), randomMatrix(30, 3, 'pw-c'), randomMatrix(30, 5, 'pw-d')];
  const { n, distances } = pairwiseDistances(reps);
  t.equal(n, 4);
  let ok = true;
  for (let i = 0; i < n; i++) {
    ok &&= distances[i * n + i] === 0;
    for (let j = 0; j < n; j++) ok &&= distances[i * n + j] === distances[j * n + i];
  }
  t.ok(ok, 'symmetric with a zero diagonal');
  t.equal(distances[1 * n + 3], procrustesDistance(reps[1]!, reps[3]!), 'entry (1, 3) = procrustesDistance');
  const cka = pairwiseDistances(reps, { metric: 'cka' });
  t.notEqual(cka.distances[1], distances[1], 'another metric, other numbers');
  const dsa = pairwiseDistances(reps.map((r) => ({ ...r })), { metric: 'dsa', dsa: { rank: 3 } });
  t.ok(dsa.distances.every((d, k) => (k % 5 === 0 ? d === 0 : d > 0)), 'DSA pairwise: operators fitted once, positive off the diagonal');
  t.throws(() => pairwiseDistances([reps[0]!]), /representations: expected at least 2 representations/, 'one representation');
  t.throws(() => pairwiseDistances([reps[0]!, randomMatrix(20, 4, 'short')]), /representations\[1\]\.samples: expected 30 samples like representations\[0\], received 20/, 'sample mismatch');
  t.end();
});

test('umapEmbedding: reproducible for a seed; families of representations form separate clusters', (t) => {
  const { reps, family } = families(5);
  const matrix = pairwiseDistances(reps);
  // Within-family distances are small, between-family large.
  const n = matrix.n;
  let within = 0;
  let between = Infinity;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const d = matrix.distances[i * n + j]!;
      if (family[i] === family[j]) within = Math.max(within, d);
      else between = Math.min(between, d);
    }
  t.ok(within < between, `distance matrix: within-family <= ${within.toFixed(3)} < between >= ${between.toFixed(3)}`);
  const a = umapEmbedding(matrix, { rng: new Rng(1), nNeighbors: 4 });
  const b = umapEmbedding(matrix, { rng: new Rng(1), nNeighbors: 4 });
  const c = umapEmbedding(matrix, { rng: new Rng(2), nNeighbors: 4 });
  t.equal(a.length, 2 * n, 'n x 2 coordinates');
  t.deepEqual(Array.from(a), Array.from(b), 'same seed, same embedding');
  t.notDeepEqual(Array.from(a), Array.from(c), 'another seed, another embedding');
  t.ok(a.every(Number.isFinite), 'finite coordinates');
  // Each point's nearest embedded neighbour belongs to its own family.
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = Math.hypot(a[2 * i]! - a[2 * j]!, a[2 * i + 1]! - a[2 * j + 1]!);
      if (d < bestD) [bestD, best] = [d, j];
    }
    if (family[best] === family[i]) correct++;
  }
  t.equal(correct, n, `every point's nearest neighbour in 2-D is in its family (${correct}/${n})`);
  t.end();
});

test('bad UMAP input: clear errors', (t) => {
  const m = pairwiseDistances([randomMatrix(10, 2, 'u-a'), randomMatrix(10, 2, 'u-b'), randomMatrix(10, 2, 'u-c'), randomMatrix(10, 2, 'u-d')]);
  t.throws(() => umapEmbedding({ n: 2, distances: new Float64Array(4) }, { rng: new Rng(1) }), /matrix\.n: expected an integer >= 3, received 2/, 'too few points');
  const asym = Float64Array.from(m.distances);
  asym[1] = asym[1]! + 0.5;
  t.throws(() => umapEmbedding({ n: 4, distances: asym }, { rng: new Rng(1) }), /matrix\.distances\[0\]\[1\]: expected a symmetric matrix/, 'asymmetric');
  t.throws(() => umapEmbedding(m, { rng: new Rng(1), nNeighbors: 4 }), /options\.nNeighbors: expected fewer than the 4 points, received 4/, 'too many neighbours');
  t.throws(() => umapEmbedding(m, {} as never), /^TypeError: options\.rng/, 'rng required');
  t.end();
});
