// DSA: the orthogonal alignment on problems with a known answer, the HAVOK/DMD operator on
// linear systems (whose eigenvalues it must recover), delay embeddings, trials, rank rules, and
// bad input.
import test from 'tape';
import { Rng, alignOperators, dsaDistance, havokDmd } from '../ts/index.js';
import { matmul, randomMatrix, randomOrthogonal, transpose } from './similarity-helpers.js';

/** Q A Q^T for n x n row-major matrices. */
function conjugate(Q: Float64Array, A: Float64Array, n: number): Float64Array {
  return matmul(matmul(Q, A, n, n, n), transpose(Q, n, n), n, n, n);
}

/** U diag(values) U^T (symmetric with known eigenvalues). */
function symmetricWith(values: number[], seed: string): Float64Array {
  const n = values.length;
  const U = randomOrthogonal(n, seed);
  const D = new Float64Array(n * n);
  values.forEach((v, i) => (D[i * n + i] = v));
  return conjugate(U, D, n);
}

/** trace(M^k) for k = 1..n: equal power sums <=> equal eigenvalues. */
function powerSums(M: Float64Array, n: number): number[] {
  const out: number[] = [];
  let P: Float64Array = Float64Array.from(M);
  for (let k = 1; k <= n; k++) {
    let tr = 0;
    for (let i = 0; i < n; i++) tr += P[i * n + i]!;
    out.push(tr);
    P = matmul(P, M, n, n, n);
  }
  return out;
}

/** Trials of x_{t+1} = M x_t from random initial states: [trial][step][unit]. */
function simulate(M: Float64Array, n: number, trials: number, steps: number, seed: string): { data: Float64Array; trials: number; steps: number; units: number } {
  const rng = new Rng(seed);
  const data = new Float64Array(trials * steps * n);
  for (let k = 0; k < trials; k++) {
    const x0 = new Float64Array(n);
    rng.fillNormal(x0);
    data.set(x0, k * steps * n);
    for (let t = 1; t < steps; t++) data.set(matmul(M, data.subarray((k * steps + t - 1) * n, (k * steps + t) * n), n, n, 1), (k * steps + t) * n);
  }
  return { data, trials, steps, units: n };
}

/** A stable rotation-and-decay matrix with distinct complex eigenvalues. */
function stableDynamics(n: number, seed: string): Float64Array {
  const A = randomMatrix(n, n, seed).data;
  // Scale to spectral radius below 1 via the Frobenius norm (an upper bound on it).
  let f = 0;
  for (const v of A) f += v * v;
  return A.map((v) => (0.95 * v) / Math.sqrt(f));
}

test('alignment: B = C A C^T gives 0, for C in either component of O(r)', (t) => {
  for (const r of [3, 8, 20]) {
    const A = randomMatrix(r, r, `align-${r}`).data;
    for (const reflect of [false, true]) {
      const C = randomOrthogonal(r, `C-${r}`, reflect);
      const B = conjugate(C, A, r);
      const res = alignOperators(A, B, r);
      t.ok(res.angle < 1e-9, `r ${r}, det C = ${reflect ? -1 : 1}: angle ${res.angle.toExponential(2)} (${res.runs} runs, ${res.iterations} iterations)`);
      // The optimum C* maps B back onto A: C* B C*^T = A (up to scale, here 1).
      const back = conjugate(res.C, B, r);
      const err = Math.max(...back.map((v, k) => Math.abs(v - A[k]!)));
      t.ok(err < 1e-8, `C* B C*^T = A (max error ${err.toExponential(1)})`);
      if (reflect && r % 2 === 0) {
        // In odd dimensions -C is a rotation that conjugates the same way, so only even r tells.
        const so = alignOperators(A, B, r, { group: 'SO(n)' });
        t.ok(so.angle > 1e-3, `SO(n) cannot undo a reflection (even r): ${so.angle.toFixed(4)} > 0`);
      }
      if (reflect && r % 2 === 1) {
        const so = alignOperators(A, B, r, { group: 'SO(n)' });
        t.ok(so.angle < 1e-9, `odd r: SO(n) undoes it with -C (${so.angle.toExponential(2)})`);
      }
    }
  }
  t.end();
});

test('alignment: symmetric A and B reach the eigenvalue bound arccos(sum a_i b_i / |a||b|) (sorted)', (t) => {
  for (const [r, seed] of [[4, 'a'], [7, 'b'], [12, 'c']] as const) {
    const rng = new Rng(`eig-${seed}`);
    const a = Array.from({ length: r }, () => rng.normal());
    const b = Array.from({ length: r }, () => rng.normal());
    const A = symmetricWith(a, `UA-${seed}`);
    const B = symmetricWith(b, `UB-${seed}`);
    const as = [...a].sort((x, y) => x - y);
    const bs = [...b].sort((x, y) => x - y);
    const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const expected = Math.acos(as.reduce((s, x, i) => s + x * bs[i]!, 0) / (norm(a) * norm(b)));
    for (const randomStarts of [0, 3]) {
      const res = alignOperators(A, B, r, { randomStarts });
      t.ok(Math.abs(res.angle - expected) < 1e-9, `r ${r}, ${randomStarts} random starts: ${res.angle} vs ${expected}`);
    }
  }
  t.end();
});

test('alignment: r = 2 against a brute-force search over O(2)', (t) => {
  for (const seed of ['p', 'q', 's']) {
    const A = randomMatrix(2, 2, `two-A-${seed}`).data;
    const B = randomMatrix(2, 2, `two-B-${seed}`).data;
    const nA = Math.hypot(...A);
    const nB = Math.hypot(...B);
    const f = (theta: number, reflect: boolean): number => {
      const c = Math.cos(theta);
      const s = Math.sin(theta);
      const C = reflect ? new Float64Array([c, s, s, -c]) : new Float64Array([c, -s, s, c]);
      const M = conjugate(C, B, 2);
      return M.reduce((acc, v, k) => acc + v * A[k]!, 0) / (nA * nB);
    };
    let best = -Infinity;
    for (const reflect of [false, true]) {
      // Grid, then golden-section refinement around the best grid point.
      let bestTheta = 0;
      let bestF = -Infinity;
      for (let k = 0; k < 20000; k++) {
        const th = (2 * Math.PI * k) / 20000;
        const v = f(th, reflect);
        if (v > bestF) [bestF, bestTheta] = [v, th];
      }
      let lo = bestTheta - 1e-3;
      let hi = bestTheta + 1e-3;
      for (let it = 0; it < 200; it++) {
        const m1 = hi - 0.618 * (hi - lo);
        const m2 = lo + 0.618 * (hi - lo);
        if (f(m1, reflect) > f(m2, reflect)) hi = m2;
        else lo = m1;
      }
      best = Math.max(best, f((lo + hi) / 2, reflect));
    }
    const expected = Math.acos(best);
    const res = alignOperators(A, B, 2);
    t.ok(Math.abs(res.angle - expected) < 1e-9, `seed ${seed}: ${res.angle} vs brute force ${expected}`);
  }
  t.end();
});

test('alignment is symmetric, deterministic for a seed, and scale-free', (t) => {
  const r = 6;
  const A = randomMatrix(r, r, 'symm-A').data;
  const B = randomMatrix(r, r, 'symm-B').data;
  const ab = alignOperators(A, B, r, { rng: new Rng(3) });
  const ba = alignOperators(B, A, r, { rng: new Rng(3) });
  t.ok(Math.abs(ab.angle - ba.angle) < 1e-9, `d(A, B) = ${ab.angle}, d(B, A) = ${ba.angle}`);
  t.equal(alignOperators(A, B, r, { rng: new Rng(3) }).angle, ab.angle, 'same seed, same result');
  const scaled = alignOperators(A.map((v) => 5 * v), B.map((v) => 0.1 * v), r, { rng: new Rng(3) });
  t.ok(Math.abs(scaled.angle - ab.angle) < 1e-12, 'scaling either operator changes nothing');
  t.ok(Math.abs(Math.cos(ab.angle) - ab.cosine) < 1e-12 && Math.abs(2 * Math.sin(ab.angle / 2) - ab.euclidean) < 1e-12, 'angle, cosine and euclidean agree');
  t.end();
});

test('DMD of a linear system recovers its eigenvalues; across trials, no transition crosses a boundary', (t) => {
  const n = 4;
  const M = stableDynamics(n, 'lin');
  const expected = powerSums(M, n);
  for (const trials of [1, 6]) {
    const x = simulate(M, n, trials, trials === 1 ? 60 : 15, `sim-${trials}`);
    const dmd = havokDmd(x, { rank: n });
    t.equal(dmd.rank, n, 'rank n');
    const got = powerSums(dmd.operator, n);
    const err = Math.max(...got.map((v, k) => Math.abs(v - expected[k]!)));
    t.ok(err < 1e-8, `${trials} trial(s): tr(A_v^k) = tr(M^k) for k = 1..${n} (max error ${err.toExponential(1)})`);
  }
  // Concatenating the trials into one series adds false transitions, and the fit is no longer exact.
  const x = simulate(M, n, 6, 15, 'sim-6');
  const joined = havokDmd({ data: x.data, samples: 90, units: n }, { rank: n });
  const err = Math.max(...powerSums(joined.operator, n).map((v, k) => Math.abs(v - expected[k]!)));
  t.ok(err > 1e-3, `one joined series is not exact (error ${err.toFixed(3)})`);
  t.end();
});

test('delay embedding: an AR(2) signal gives the companion matrix (trace a, determinant -b)', (t) => {
  const [a, b] = [1.6, -0.8];
  const T = 50;
  const data = new Float64Array(T);
  data[0] = 1;
  data[1] = 0.3;
  for (let s = 2; s < T; s++) data[s] = a * data[s - 1]! + b * data[s - 2]!;
  const dmd = havokDmd({ data, samples: T, units: 1 }, { nDelays: 2 });
  t.equal(dmd.rank, 2, 'rank 2 = N D');
  const A = dmd.operator;
  t.ok(Math.abs(A[0]! + A[3]! - a) < 1e-9, `trace ${A[0]! + A[3]!} = a`);
  t.ok(Math.abs(A[0]! * A[3]! - A[1]! * A[2]! + b) < 1e-9, `determinant ${A[0]! * A[3]! - A[1]! * A[2]!} = -b`);
  // With a delay interval of 2 the embedding pairs x_{t+2} with x_t.
  const spaced = havokDmd({ data, samples: T, units: 1 }, { nDelays: 2, delayInterval: 2 });
  t.equal(spaced.rank, 2, 'interval 2: still rank 2');
  t.end();
});

test('DSA distance: 0 between a system and a rotated copy of it; > 0 for another system', (t) => {
  const n = 5;
  const M = stableDynamics(n, 'dsa-M');
  const x = simulate(M, n, 4, 30, 'dsa-x');
  const Q = randomOrthogonal(n, 'dsa-Q', true);
  const y = { ...x, data: new Float64Array(x.data.length) };
  for (let s = 0; s < x.trials * x.steps; s++) y.data.set(matmul(Q, x.data.subarray(s * n, (s + 1) * n), n, n, 1), s * n);
  // Noise-free linear dynamics give a Hankel matrix of rank n (x_{t+1} = M x_t): use rank n.
  const same = dsaDistance(x, y, { nDelays: 2, rank: n });
  t.ok(same.distance < 1e-8, `rotated observations, same dynamics: ${same.distance.toExponential(2)}`);
  const other = simulate(stableDynamics(n, 'dsa-other'), n, 4, 30, 'dsa-z');
  const diff = dsaDistance(x, other, { nDelays: 2, rank: n });
  t.ok(diff.distance > 0.05, `different dynamics: ${diff.distance.toFixed(4)}`);
  const euclid = dsaDistance(x, other, { nDelays: 2, rank: n, score: 'euclidean' });
  t.ok(Math.abs(euclid.distance - 2 * Math.sin(diff.distance / 2)) < 1e-9, 'euclidean score = |A^ - C B^ C^T|');
  t.end();
});

test('rank rules follow DSA c0793be', (t) => {
  const x = randomMatrix(100, 3, 'rank');
  const all = havokDmd(x, { nDelays: 4 });
  t.equal(all.rank, 12, 'default: every singular value (N D = 12)');
  const S = all.singularValues;
  const thr = (S[4]! + S[5]!) / 2;
  t.equal(havokDmd(x, { nDelays: 4, rankThreshold: thr }).rank, 5, 'threshold between S[4] and S[5] keeps 5');
  const total = S.reduce((s, v) => s + v * v, 0);
  let cum = 0;
  let expected = -1;
  for (let i = 0; i < S.length; i++) {
    cum += S[i]! ** 2;
    if (cum / total > 0.9 && expected < 0) expected = i;
  }
  t.equal(havokDmd(x, { nDelays: 4, rankExplainedVariance: 0.9 }).rank, expected, `explained variance 0.9: the 0-based index ${expected} of the first component past 90%`);
  t.equal(havokDmd(x, { nDelays: 4, rank: 100 }).rank, 12, 'a rank above N D is capped at N D, as DSA does');
  t.end();
});

test('bad DSA input: clear errors', (t) => {
  const x = randomMatrix(40, 3, 'bad-dsa');
  const y = randomMatrix(40, 5, 'bad-dsa-y');
  t.throws(() => dsaDistance(x, y), /options\.rank: expected the same DMD rank for X and Y .*received rank 3 for X and 5 for Y/, 'different ranks');
  t.throws(() => havokDmd(x, { nDelays: 40 }), /signal\.steps: expected at least 41 time steps for 40 delays 1 apart \(two embedded time points\), received 40$/, 'too many delays');
  t.throws(() => havokDmd({ data: new Float64Array(2 * 10 * 3), trials: 2, steps: 10, units: 3 }, { nDelays: 8 }), /options\.nDelays: expected a Hankel matrix with at least as many rows/, 'several trials, too few rows');
  t.throws(() => havokDmd(x, { rank: 2, rankThreshold: 0.1 }), /options: expected at most one of rank, rankThreshold and rankExplainedVariance/, 'two rank rules');
  t.throws(() => havokDmd(x, { rankExplainedVariance: 1 }), /options\.rankExplainedVariance: expected a number < 1/, 'explained variance 1');
  t.throws(() => havokDmd(x, { rankThreshold: 1e9 }), /options: expected a rank rule that keeps at least one component/, 'threshold above everything');
  t.throws(() => havokDmd(x, { delays: 2 } as never), /^TypeError: options\.delays: expected one of the keys/, 'unknown option');
  t.throws(() => alignOperators(new Float64Array(4), new Float64Array([1, 0, 0, 1]), 2), /A: expected an operator that is not all zero/, 'zero operator');
  t.throws(() => alignOperators(new Float64Array([1, 0, 0, 1]), new Float64Array(9), 2), /^RangeError: B: expected 4 values \(r x r with r = 2\), received Float64Array of length 9$/, 'wrong size');
  const nan = Float64Array.from(x.data);
  nan[5] = Infinity;
  t.throws(() => havokDmd({ ...x, data: nan }), /signal\.data\[0\]\[1\]\[2\]: expected a finite number, received Infinity/, 'Infinity named by index');
  t.end();
});
