// Optional independent reference: numpy (when /usr/bin/python3 has it) computes netrep's
// LinearMetric from its definition (pad, centre, partial whitening, SVD alignment, angle), the
// closed forms for alpha 1 (nuclear norm) and alpha 0 (canonical correlations), linear CKA, and
// the HAVOK/DMD operator of a delay embedding. Skips cleanly without numpy.
import test from 'tape';
import { havokDmd, linearCka, loadHatsopoulos2007, selectUnits, shapeDistance, toSampleMatrix } from '../ts/index.js';
import type { SampleMatrix } from '../ts/index.js';
import { numpyAvailable, randomMatrix, runNumpy } from './similarity-helpers.js';

const SHAPE_SCRIPT = `
import json, sys
import numpy as np
def prep(X, n):
    X = np.hstack([X, np.zeros((X.shape[0], n - X.shape[1]))])
    return X - X.mean(axis=0)
def whiten(Xc, alpha):
    if alpha > 1 - 1e-7:
        return np.eye(Xc.shape[1])
    lam, V = np.linalg.eigh(Xc.T @ Xc)
    lam = np.maximum(lam, 1e-7)
    d = alpha + (1 - alpha) / np.sqrt(lam)
    d = d * np.sqrt(lam.sum() / ((alpha * np.sqrt(lam) + 1 - alpha) ** 2).sum())
    return (V * d) @ V.T
def shape(X, Y, alpha):
    n = max(X.shape[1], Y.shape[1])
    Xc, Yc = prep(X, n), prep(Y, n)
    Zx, Zy = whiten(Xc, alpha), whiten(Yc, alpha)
    U, s, Vt = np.linalg.svd((Xc @ Zx).T @ (Yc @ Zy))
    tX, tY = Xc @ Zx @ U, Yc @ Zy @ Vt.T
    c = np.sum(tX * tY) / (np.linalg.norm(tX) * np.linalg.norm(tY))
    return float(np.arccos(np.clip(c, -1, 1)))
def procrustes_closed(X, Y):
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    return float(np.arccos(np.linalg.svd(Xc.T @ Yc, compute_uv=False).sum() / (np.linalg.norm(Xc) * np.linalg.norm(Yc))))
def cca_closed(X, Y):
    def basis(A):
        A = A - A.mean(0)
        U, s, _ = np.linalg.svd(A, full_matrices=False)
        r = int((s > s[0] * 1e-10).sum())
        return U[:, :r], r
    Qx, rx = basis(X)
    Qy, ry = basis(Y)
    rho = np.linalg.svd(Qx.T @ Qy, compute_uv=False)
    return float(np.arccos(min(1.0, rho.sum() / np.sqrt(rx * ry))))
def cka(X, Y):
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    return float(np.linalg.norm(Yc.T @ Xc) ** 2 / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc)))
out = []
for case in json.load(sys.stdin):
    X = np.array(case['X']).reshape(case['m'], case['p'])
    Y = np.array(case['Y']).reshape(case['m'], case['q'])
    out.append({'shape': [shape(X, Y, a) for a in case['alphas']], 'procrustes': procrustes_closed(X, Y), 'cca': cca_closed(X, Y), 'cka': cka(X, Y)})
print(json.dumps(out))
`;

const DMD_SCRIPT = `
import json, sys
import numpy as np
out = []
for case in json.load(sys.stdin):
    K, T, N, D, tau, r, lam = case['K'], case['T'], case['N'], case['D'], case['tau'], case['r'], case['lam']
    x = np.array(case['data']).reshape(K, T, N)
    Tp = T - (D - 1) * tau
    H = np.zeros((K, Tp, N * D))
    for d in range(D):
        H[:, :, d * N:(d + 1) * N] = x[:, (D - 1 - d) * tau:(D - 1 - d) * tau + Tp]
    U, S, Vh = np.linalg.svd(H.reshape(K * Tp, N * D).T, full_matrices=False)
    V = Vh.T.reshape(K, Tp, -1)[:, :, :r]
    Vm = V[:, :-1].reshape(-1, r)
    Vp = V[:, 1:].reshape(-1, r)
    A = (np.linalg.inv(Vm.T @ Vm + lam * np.eye(r)) @ Vm.T @ Vp).T
    out.append({'absA': np.abs(A).ravel().tolist(), 'S': S.tolist()})
print(json.dumps(out))
`;

interface ShapeCase {
  X: SampleMatrix;
  Y: SampleMatrix;
  name: string;
}

test('numpy reference: LinearMetric at several alphas, closed forms, CKA (1e-9)', (t) => {
  if (!numpyAvailable()) {
    t.skip('numpy not available for /usr/bin/python3: skipping the optional reference');
    t.end();
    return;
  }
  const h = loadHatsopoulos2007().firingRate;
  const halves = [selectUnits(h, Array.from({ length: 70 }, (_, k) => 2 * k)), selectUnits(h, Array.from({ length: 70 }, (_, k) => 2 * k + 1))].map(toSampleMatrix);
  const cases: ShapeCase[] = [
    { name: '40 x 5 vs 40 x 5', X: randomMatrix(40, 5, 'np-a'), Y: randomMatrix(40, 5, 'np-b') },
    { name: '30 x 4 vs 30 x 9 (padding)', X: randomMatrix(30, 4, 'np-c'), Y: randomMatrix(30, 9, 'np-d') },
    { name: '12 x 6 vs 12 x 4 (m - 1 < p + q)', X: randomMatrix(12, 6, 'np-e'), Y: randomMatrix(12, 4, 'np-f') },
    { name: '200 x 30 vs 200 x 20', X: randomMatrix(200, 30, 'np-g'), Y: randomMatrix(200, 20, 'np-h') },
    { name: 'Hatsopoulos even vs odd neurons (968 x 70)', X: halves[0]!, Y: halves[1]! },
  ];
  const alphas = [1, 0.9, 0.5, 0.1, 0];
  const ref = runNumpy(
    SHAPE_SCRIPT,
    cases.map((c) => ({ m: c.X.samples, p: c.X.units, q: c.Y.units, X: Array.from(c.X.data), Y: Array.from(c.Y.data), alphas })),
  ) as { shape: number[]; procrustes: number; cca: number; cka: number }[];
  cases.forEach((c, k) => {
    const r = ref[k]!;
    const ours = alphas.map((a) => shapeDistance(c.X, c.Y, a));
    const worst = Math.max(...ours.map((d, i) => Math.abs(d - r.shape[i]!)));
    t.ok(worst < 1e-9, `${c.name}: alphas ${alphas.join(', ')} within ${worst.toExponential(1)} of numpy`);
    t.ok(Math.abs(ours[0]! - r.procrustes) < 1e-9, `${c.name}: alpha 1 = nuclear-norm closed form (${r.procrustes.toFixed(6)})`);
    t.ok(Math.abs(ours[4]! - r.cca) < 1e-9, `${c.name}: alpha 0 = canonical-correlation closed form (${r.cca.toFixed(6)})`);
    t.ok(Math.abs(linearCka(c.X, c.Y) - r.cka) < 1e-12, `${c.name}: CKA ${r.cka.toFixed(6)}`);
  });
  t.end();
});

test('numpy reference: HAVOK/DMD operator of a delay embedding (up to the SVD signs)', (t) => {
  if (!numpyAvailable()) {
    t.skip('numpy not available for /usr/bin/python3: skipping the optional reference');
    t.end();
    return;
  }
  const make = (K: number, T: number, N: number, seed: string): { data: Float64Array; trials: number; steps: number; units: number } => {
    const m = randomMatrix(K * T, N, seed);
    // Smooth along time so the embedding has structure: cumulative sums within each trial.
    for (let k = 0; k < K; k++)
      for (let s = 1; s < T; s++) for (let u = 0; u < N; u++) m.data[(k * T + s) * N + u]! += 0.9 * m.data[(k * T + s - 1) * N + u]!;
    return { data: m.data, trials: K, steps: T, units: N };
  };
  const cases = [
    { x: make(1, 80, 3, 'dmd-a'), D: 4, tau: 1, r: 6, lam: 0 },
    { x: make(5, 30, 2, 'dmd-b'), D: 3, tau: 2, r: 5, lam: 0 },
    { x: make(3, 40, 4, 'dmd-c'), D: 2, tau: 1, r: 8, lam: 0.3 },
  ];
  const ref = runNumpy(
    DMD_SCRIPT,
    cases.map((c) => ({ K: c.x.trials, T: c.x.steps, N: c.x.units, D: c.D, tau: c.tau, r: c.r, lam: c.lam, data: Array.from(c.x.data) })),
  ) as { absA: number[]; S: number[] }[];
  cases.forEach((c, k) => {
    const ours = havokDmd(c.x, { nDelays: c.D, delayInterval: c.tau, rank: c.r, lambda: c.lam });
    t.equal(ours.rank, c.r, 'rank');
    const dS = Math.max(...ref[k]!.S.map((s, i) => Math.abs(s - ours.singularValues[i]!) / ref[k]!.S[0]!));
    t.ok(dS < 1e-12, `case ${k}: singular values match (rel ${dS.toExponential(1)})`);
    // A_v is defined up to D A_v D with D = diag(+-1) (SVD signs): compare |A_v| elementwise.
    const dA = Math.max(...ref[k]!.absA.map((a, i) => Math.abs(a - Math.abs(ours.operator[i]!))));
    t.ok(dA < 1e-9, `case ${k} (K ${c.x.trials}, D ${c.D}, tau ${c.tau}, lambda ${c.lam}): |A_v| within ${dA.toExponential(1)}`);
  });
  t.end();
});
