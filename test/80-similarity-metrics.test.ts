// netrep's LinearMetric (any alpha) and linear CKA: the reference values of specs.md 3.4 Case A
// to 1e-9, and the self-checks that hold without numbers (invariances, symmetry, padding).
import test from 'tape';
import { RnnlabRangeError, RnnlabTypeError, ccaDistance, ckaDistance, compareRepresentations, linearCka, normalizedDistance, procrustesDistance, shapeDistance } from '../ts/index.js';
import { CASE_A, padColumns, randomMatrix, randomOrthogonal, transform } from './similarity-helpers.js';

const TOL = 1e-9;

test('Case A (specs.md 3.4): Procrustes, CCA, alpha 0.5 and CKA match netrep to 1e-9', (t) => {
  const { X, Y } = CASE_A;
  const cases: [string, number, number][] = [
    ['procrustes', procrustesDistance(X, Y), CASE_A.procrustes],
    ['procrustes / (pi/2)', normalizedDistance(procrustesDistance(X, Y)), CASE_A.procrustesNormalized],
    ['cca', ccaDistance(X, Y), CASE_A.cca],
    ['shape alpha 0.5', shapeDistance(X, Y, 0.5), CASE_A.shapeHalf],
    ['shape alpha 1 = procrustes', shapeDistance(X, Y, 1), CASE_A.procrustes],
    ['shape alpha 0 = cca', shapeDistance(X, Y, 0), CASE_A.cca],
    ['linear CKA', linearCka(X, Y), CASE_A.cka],
    ['arccos CKA', ckaDistance(X, Y), CASE_A.ckaDistance],
  ];
  for (const [name, got, want] of cases) t.ok(Math.abs(got - want) < TOL, `${name}: ${got} vs ${want} (|diff| ${Math.abs(got - want).toExponential(1)})`);
  // CCA closed form: canonical correlations 1, 1, 0.166108851836 with ranks 3 and 4.
  const closed = Math.acos((1 + 1 + 0.166108851836) / Math.sqrt(3 * 4));
  t.ok(Math.abs(ccaDistance(X, Y) - closed) < TOL, `cca = arccos(sum rho / sqrt(rx ry)) = ${closed}`);
  const cka = compareRepresentations(X, Y, { metric: 'cka' });
  t.deepEqual(Object.keys(cka).sort(), ['distance', 'similarity'], 'cka gives distance and similarity');
  t.ok(Math.abs(cka.distance - CASE_A.ckaDistance) < TOL && Math.abs(cka.similarity! - CASE_A.cka) < TOL, 'compareRepresentations(cka)');
  t.end();
});

test('an orthogonal transform plus an offset gives distance 0 (alpha 1, 0.5, 0) and CKA 1', (t) => {
  for (const [m, p] of [[50, 6], [20, 12], [200, 30]] as const) {
    const X = randomMatrix(m, p, `orth-${m}-${p}`);
    for (const reflect of [false, true]) {
      const Y = transform(X, randomOrthogonal(p, `Q-${m}-${p}`, reflect), p, 7);
      for (const alpha of [1, 0.5, 0]) {
        const d = shapeDistance(X, Y, alpha);
        t.ok(d >= 0 && d < 1e-12, `m ${m}, p ${p}, ${reflect ? 'reflection' : 'rotation'}: alpha ${alpha} gives ${d.toExponential(2)}`);
      }
      t.ok(Math.abs(linearCka(X, Y) - 1) < 1e-12, `CKA = 1 (${linearCka(X, Y)})`);
      t.ok(ckaDistance(X, Y) < 1e-5, 'arccos CKA ~ 0');
    }
  }
  // Isotropic scaling is invisible too.
  const X = randomMatrix(40, 5, 'scale');
  const Y = { ...X, data: X.data.map((v) => 3.7 * v) };
  t.ok(procrustesDistance(X, Y) < 1e-12 && ccaDistance(X, Y) < 1e-12, 'scaling by 3.7: distance 0');
  t.end();
});

test('an invertible linear map gives 0 only for CCA (alpha 0)', (t) => {
  const p = 6;
  const X = randomMatrix(80, p, 'lin');
  const M = randomMatrix(p, p, 'M').data; // a random Gaussian matrix is invertible with probability 1
  const Y = transform(X, M, p, 11);
  const cca = ccaDistance(X, Y);
  t.ok(cca < 1e-7, `cca: ${cca.toExponential(2)}`);
  for (const alpha of [1, 0.5, 0.1]) {
    const d = shapeDistance(X, Y, alpha);
    t.ok(d > 1e-3, `alpha ${alpha}: ${d.toFixed(4)} > 0`);
  }
  t.ok(linearCka(X, Y) < 1 - 1e-3, `CKA < 1 (${linearCka(X, Y).toFixed(4)})`);
  // Partial whitening interpolates: the distance grows with alpha here.
  const ds = [0, 0.25, 0.5, 0.75, 1].map((a) => shapeDistance(X, Y, a));
  t.ok(ds.every((d, k) => k === 0 || d > ds[k - 1]!), `monotone in alpha: ${ds.map((d) => d.toFixed(4)).join(' < ')}`);
  t.end();
});

test('small distances are accurate: d(X, X + eps N) / eps is constant across the switch to the explicit path', (t) => {
  // Angles below ~0.014 rad (cos > 1 - 1e-4) are computed from the aligned matrices by atan2,
  // larger ones from the cosine; the two must join without a jump.
  const X = randomMatrix(50, 5, 'small-x');
  const N = randomMatrix(50, 5, 'small-n');
  for (const alpha of [1, 0.5, 0]) {
    const ratios: number[] = [];
    for (const eps of [1e-9, 1e-7, 1e-5, 1e-3, 3e-3, 5e-3, 8e-3, 1.2e-2, 2e-2]) {
      const Y = { ...X, data: X.data.map((v, k) => v + eps * N.data[k]!) };
      ratios.push(shapeDistance(X, Y, alpha) / eps);
    }
    const spread = Math.max(...ratios) / Math.min(...ratios) - 1;
    t.ok(spread < 0.02, `alpha ${alpha}: d / eps from ${ratios[0]!.toFixed(6)} to ${ratios.at(-1)!.toFixed(6)} (spread ${(100 * spread).toFixed(2)}%)`);
    t.ok(Math.abs(ratios[0]! - ratios[2]!) < 1e-5 * ratios[0]!, `alpha ${alpha}: linear down to eps = 1e-9: d / eps = ${ratios[0]} (eps 1e-9) vs ${ratios[2]} (eps 1e-5)`);
  }
  t.end();
});

test('every metric is symmetric in its two arguments', (t) => {
  const X = randomMatrix(30, 4, 'sym-x');
  const Y = randomMatrix(30, 7, 'sym-y');
  for (const alpha of [1, 0.8, 0.5, 0.2, 0]) {
    const a = shapeDistance(X, Y, alpha);
    const b = shapeDistance(Y, X, alpha);
    t.ok(Math.abs(a - b) < 1e-12, `alpha ${alpha}: ${a} vs ${b}`);
  }
  t.ok(Math.abs(linearCka(X, Y) - linearCka(Y, X)) < 1e-15, 'CKA');
  t.end();
});

test('zero padding: adding zero units changes nothing; unequal widths are padded', (t) => {
  const X = randomMatrix(25, 3, 'pad-x');
  const Y = randomMatrix(25, 5, 'pad-y');
  for (const alpha of [1, 0.5, 0]) {
    const base = shapeDistance(X, Y, alpha);
    const padded = shapeDistance(padColumns(X, 2), Y, alpha); // now both 5 wide
    const both = shapeDistance(padColumns(X, 4), padColumns(Y, 2), alpha);
    t.ok(Math.abs(base - padded) < 1e-12, `alpha ${alpha}: X padded to Y's width: ${base} vs ${padded}`);
    t.ok(Math.abs(base - both) < 1e-12, `alpha ${alpha}: both padded further: ${both}`);
  }
  t.ok(Math.abs(linearCka(X, Y) - linearCka(padColumns(X, 3), Y)) < 1e-15, 'CKA ignores zero units');
  // Constant units are centred to zero, which is the same as padding.
  const Xc = padColumns(X, 1);
  for (let s = 0; s < Xc.samples; s++) Xc.data[s * Xc.units + 3] = 4.2;
  t.ok(Math.abs(procrustesDistance(Xc, Y) - procrustesDistance(X, Y)) < 1e-12, 'a constant unit acts as a zero one');
  t.end();
});

test('procrustes and cka lie in [0, pi/2]; float32 input is promoted', (t) => {
  for (let k = 0; k < 5; k++) {
    const X = randomMatrix(12, 3 + k, `range-x-${k}`);
    const Y = randomMatrix(12, 2 + 2 * k, `range-y-${k}`);
    for (const alpha of [1, 0.3, 0]) {
      const d = shapeDistance(X, Y, alpha);
      t.ok(d >= 0 && d <= Math.PI / 2, `alpha ${alpha}: ${d.toFixed(4)} in [0, pi/2]`);
    }
  }
  const X = randomMatrix(10, 3, 'f32-x');
  const Y = randomMatrix(10, 3, 'f32-y');
  const X32 = { ...X, data: Float32Array.from(X.data) };
  const d64 = procrustesDistance({ ...X, data: Float64Array.from(X32.data) }, Y);
  t.equal(procrustesDistance(X32, Y), d64, 'Float32Array input = the same values in float64');
  t.end();
});

test('bad input: different sample counts, shapes, NaN, constant data, alpha, metric names', (t) => {
  const X = randomMatrix(10, 3, 'bad-x');
  const Y = randomMatrix(9, 3, 'bad-y');
  t.throws(() => procrustesDistance(X, Y), /^RangeError: Y\.samples: expected 10 samples, the same as X .*received 9$/, 'different sample counts');
  t.throws(() => linearCka(X, Y), RnnlabRangeError, 'CKA too');
  t.throws(() => procrustesDistance({ ...X, units: 4 }, X), /X\.data: expected 40 values \(samples 10 x units 4\)/, 'data length vs shape');
  t.throws(() => procrustesDistance({ ...X, samples: 2.5 }, X), /^RangeError: X\.samples: expected an integer >= 1, received 2\.5$/, 'fractional size');
  t.throws(() => procrustesDistance({ data: [1, 2, 3], samples: 3, units: 1 } as never, X), /^TypeError: X\.data: expected a Float64Array or Float32Array, received an array of length 3$/, 'plain array');
  const nan = { ...X, data: Float64Array.from(X.data) };
  nan.data[7] = NaN;
  t.throws(() => procrustesDistance(nan, X), /^RangeError: X\.data\[2\]\[1\]: expected a finite number, received NaN$/, 'NaN named by index');
  const flat = { ...X, data: new Float64Array(30).fill(2) };
  t.throws(() => ccaDistance(X, flat), /Y: expected activity that varies across samples/, 'constant data');
  t.throws(() => shapeDistance(X, X, 1.5), /^RangeError: alpha: expected a finite number in \[0, 1\], received 1\.5$/, 'alpha > 1');
  t.throws(() => shapeDistance(X, X, NaN), /alpha: expected a finite number in \[0, 1\], received NaN/, 'alpha NaN');
  t.throws(() => compareRepresentations(X, X, { metric: 'procrustez' as never }), /metric\.metric: expected one of "procrustes", "cca", "shape", "cka"/, 'unknown metric');
  t.throws(() => compareRepresentations(X, X, { metric: 'shape' }), /^TypeError: metric\.alpha: expected a number in \[0, 1\] \(required for the shape metric\)/, 'shape needs alpha');
  t.throws(() => compareRepresentations(X, X, { metric: 'cca', alpha: 0.5 }), /metric\.alpha: expected alpha 0 for cca/, 'cca with another alpha');
  t.throws(() => compareRepresentations(X, X, { metric: 'cka', alhpa: 1 } as never), RnnlabTypeError, 'unknown key');
  const one = randomMatrix(1, 3, 'one');
  t.throws(() => procrustesDistance(one, one), /X\.samples: expected at least 2 samples, received 1/, 'one sample');
  t.end();
});
