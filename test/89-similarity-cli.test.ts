// `rnnlab similarity` as users run it (node bin/rnnlab.js over dist/): the DESIGN.md contract,
// .npy and .mat inputs, DSA, and one-line errors with exit code 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { writeNpy } from '../ts/index.js';
import { matBytes, toColumnMajor } from './io-fixtures.js';
import { CASE_A, randomMatrix } from './similarity-helpers.js';

function rnnlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'rnnlab.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function caseAFiles(): { dir: string; X: string; Y: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-sim-'));
  const X = join(dir, 'X.npy');
  const Y = join(dir, 'Y.npy');
  writeNpy(X, { shape: [6, 3], data: CASE_A.X.data });
  writeNpy(Y, { shape: [6, 4], data: CASE_A.Y.data });
  return { dir, X, Y };
}

test('similarity --json: { distance } in radians for procrustes, cca, shape; cka adds similarity', (t) => {
  const { X, Y } = caseAFiles();
  const cases: [string[], Record<string, number>][] = [
    [['--metric', 'procrustes'], { distance: CASE_A.procrustes }],
    [['--metric', 'cca'], { distance: CASE_A.cca }],
    [['--metric', 'shape', '--alpha', '0.5'], { distance: CASE_A.shapeHalf }],
    [['--metric', 'shape', '--alpha', '1'], { distance: CASE_A.procrustes }],
    [['--metric', 'cka'], { distance: CASE_A.ckaDistance, similarity: CASE_A.cka }],
  ];
  for (const [args, want] of cases) {
    const r = rnnlab('similarity', X, Y, ...args, '--json');
    t.equal(r.status, 0, `${args.join(' ')}: exit 0 ${r.stderr}`);
    t.equal(r.stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
    const out = JSON.parse(r.stdout) as Record<string, number>;
    t.deepEqual(Object.keys(out).sort(), Object.keys(want).sort(), `keys ${Object.keys(want).join(', ')}`);
    for (const [k, v] of Object.entries(want)) t.ok(Math.abs(out[k]! - v) < 1e-9, `${k} ${out[k]} = ${v}`);
  }
  const human = rnnlab('similarity', X, Y, '--metric', 'procrustes');
  t.match(human.stdout, /^procrustes distance 1\.09906754011\d* rad \(0\.699688 of pi\/2\)\n$/, 'human-readable line');
  t.end();
});

test('similarity reads .mat files (one variable, or --a-var/--b-var) and runs DSA on 3-D arrays', (t) => {
  const { dir, Y } = caseAFiles();
  const one = join(dir, 'X.mat');
  writeFileSync(one, matBytes([{ name: 'X', mxClass: 6, dims: [6, 3], values: toColumnMajor(Array.from(CASE_A.X.data), [6, 3]), compress: true }]));
  const r1 = rnnlab('similarity', one, Y, '--metric', 'procrustes', '--json');
  t.ok(r1.status === 0 && Math.abs((JSON.parse(r1.stdout) as { distance: number }).distance - CASE_A.procrustes) < 1e-9, '.mat with one variable');
  const two = join(dir, 'two.mat');
  writeFileSync(two, matBytes([
    { name: 'X', mxClass: 6, dims: [6, 3], values: toColumnMajor(Array.from(CASE_A.X.data), [6, 3]) },
    { name: 'Y', mxClass: 6, dims: [6, 4], values: toColumnMajor(Array.from(CASE_A.Y.data), [6, 4]) },
  ]));
  const r2 = rnnlab('similarity', two, two, '--a-var', 'X', '--b-var', 'Y', '--metric', 'cca', '--json');
  t.ok(r2.status === 0 && Math.abs((JSON.parse(r2.stdout) as { distance: number }).distance - CASE_A.cca) < 1e-9, '.mat with --a-var/--b-var');
  const r3 = rnnlab('similarity', two, Y, '--metric', 'cca');
  t.equal(r3.status, 2, 'ambiguous .mat: exit 2');
  t.match(r3.stderr, /^rnnlab: A: expected a \.mat file with one numeric variable, or --a-var <name>, received ".*two\.mat" with 2 \(X, Y\)\n$/, r3.stderr.trim());
  // DSA: trials x time x units.
  const sig = randomMatrix(3 * 40, 2, 'cli-dsa');
  const A = join(dir, 'A3.npy');
  writeNpy(A, { shape: [3, 40, 2], data: sig.data });
  const r4 = rnnlab('similarity', A, A, '--metric', 'dsa', '--delays', '3', '--rank', '4', '--json');
  t.equal(r4.status, 0, `dsa: exit 0 ${r4.stderr}`);
  const out = JSON.parse(r4.stdout) as Record<string, number>;
  t.deepEqual(Object.keys(out), ['distance'], 'dsa prints { distance }');
  t.ok(out.distance! < 1e-9, `a signal against itself: ${out.distance}`);
  t.end();
});

test('bad similarity input: one clear line on stderr and exit code 2', (t) => {
  const { dir, X, Y } = caseAFiles();
  const short = join(dir, 'short.npy');
  writeNpy(short, { shape: [5, 4], data: new Float64Array(20).map((_, k) => Math.sin(k)) });
  const cube = join(dir, 'cube.npy');
  writeNpy(cube, { shape: [2, 3, 4], data: new Float64Array(24).map((_, k) => k) });
  const bad = join(dir, 'bad.npy');
  writeFileSync(bad, 'not an array');
  const cases: [string[], RegExp][] = [
    [['similarity', X, short, '--metric', 'procrustes'], /Y\.samples: expected 6 samples, the same as X .*received 5/],
    [['similarity', X, Y, '--metric', 'shape'], /--alpha: expected a number in \[0, 1\] \(required for --metric shape\), received nothing/],
    [['similarity', X, Y, '--metric', 'shape', '--alpha', '2'], /--alpha: expected a finite number in \[0, 1\], received 2/],
    [['similarity', X, Y, '--metric', 'cca', '--alpha', '0.5'], /--alpha: expected --alpha 0 for --metric cca/],
    [['similarity', X, Y, '--metric', 'procrustes', '--rank', '3'], /--rank: expected no DSA option unless --metric dsa/],
    [['similarity', X, Y, '--metric', 'euclid'], /option '--metric <name>' argument 'euclid' is invalid/],
    [['similarity', X, cube, '--metric', 'cka'], /B: expected a 2-D array of samples x units .*received an array of shape 2 x 3 x 4/],
    [['similarity', X, join(dir, 'missing.npy'), '--metric', 'cka'], /B: expected a readable \.npy file, received ".*missing\.npy" \(no such file\)/],
    [['similarity', X, bad, '--metric', 'cka'], /B ".*bad\.npy": expected a NumPy \.npy file/],
    [['similarity', X, Y, '--metric', 'dsa'], /^rnnlab: --rank: expected the same DMD rank for X and Y \(set --rank; DSA compares r x r operators\), received rank 3 for X and 4 for Y\n$/],
  ];
  for (const [args, pattern] of cases) {
    const r = rnnlab(...args);
    t.equal(r.status, 2, `${args.slice(3).join(' ')}: exit code 2`);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.match(r.stderr, pattern, r.stderr.trim());
    t.equal(r.stdout, '', 'nothing on stdout');
  }
  t.end();
});
