// MATLAB v5 .mat: the real compressed Churchland file against its .npy copy, hand-built files
// in both byte orders with every numeric class and storage type, skipped classes, and the
// refusal of v7.3 (HDF5) and v4 files with a message that says what to do.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { parseMat, readMat, readMatVariable, readNpy } from '../ts/index.js';
import { matBytes, toColumnMajor } from './io-fixtures.js';
import type { MatVariable } from './io-fixtures.js';

const DATA = join(import.meta.dirname, '..', 'data', 'churchland2012');

test('the Churchland exampleData.mat (miCOMPRESSED) equals its .npy conversion exactly', (t) => {
  const mat = readMat(join(DATA, 'exampleData.mat'));
  t.match(mat.description, /^MATLAB 5\.0 MAT-file, Platform: MACI64/, 'header text');
  t.deepEqual(Object.keys(mat.variables).sort(), ['dataTensor', 't'], 'two numeric variables');
  t.deepEqual(mat.skipped, [], 'nothing skipped');
  const tensor = mat.variables.dataTensor!;
  t.deepEqual(tensor.shape, [61, 50, 10], 'time x neurons x conditions');
  t.equal(tensor.dtype, 'float64');
  const npy = readNpy(join(DATA, 'dataTensor_TxNxC.npy'));
  t.deepEqual(Array.from(tensor.data), Array.from(npy.data), 'every value identical to scipy.io.loadmat + np.save (row-major)');
  const time = readMatVariable(join(DATA, 'exampleData.mat'), 't');
  t.deepEqual(time.shape, [61, 1], 'a MATLAB column vector stays 61 x 1');
  t.deepEqual(Array.from(time.data), Array.from(readNpy(join(DATA, 't_ms.npy')).data), 't matches t_ms.npy');
  t.equal(time.data[0], -50, 't starts at -50 ms');
  t.throws(() => readMatVariable(join(DATA, 'exampleData.mat'), 'data'), /expected a variable named "data", received a file with "dataTensor", "t"/, 'unknown variable lists the names');
  t.end();
});

test('hand-built v5 files: classes, storage types, compression, both byte orders', (t) => {
  const A = [1, 2, 3, 4, 5, 6]; // row-major 2 x 3
  const cube = Array.from({ length: 24 }, (_, k) => k - 7.25); // row-major 2 x 3 x 4
  const variables: MatVariable[] = [
    { name: 'A', mxClass: 6, dims: [2, 3], miType: 9, values: toColumnMajor(A, [2, 3]) },
    { name: 'cube', mxClass: 6, dims: [2, 3, 4], miType: 9, values: toColumnMajor(cube, [2, 3, 4]), compress: true },
    { name: 'asUint8', mxClass: 6, dims: [1, 3], miType: 2, values: [0, 200, 255] },
    { name: 'asInt16', mxClass: 6, dims: [3, 1], miType: 3, values: [-300, 0, 300], compress: true },
    { name: 'single', mxClass: 7, dims: [1, 2], miType: 7, values: [0.5, -1.25] },
    { name: 'int32', mxClass: 12, dims: [1, 2], miType: 5, values: [-7, 2147483647] },
    { name: 'mask', mxClass: 9, dims: [1, 3], miType: 2, values: [1, 0, 1], logical: true },
    { name: 'empty', mxClass: 6, dims: [0, 0], miType: 9, values: [] },
    { name: 'cells', mxClass: 1, dims: [1, 1] },
    { name: 'text', mxClass: 4, dims: [1, 2], miType: 4, values: [104, 105] },
    { name: 'z', mxClass: 6, dims: [1, 1], miType: 9, values: [1], complex: true },
  ];
  for (const bigEndian of [false, true]) {
    const label = bigEndian ? 'big-endian' : 'little-endian';
    const mat = parseMat(matBytes(variables, { bigEndian }));
    t.deepEqual(Object.keys(mat.variables), ['A', 'cube', 'asUint8', 'asInt16', 'single', 'int32', 'mask', 'empty'], `${label}: numeric variables in file order`);
    t.deepEqual(mat.skipped, [
      { name: 'cells', reason: 'cell array' },
      { name: 'text', reason: 'char array' },
      { name: 'z', reason: 'complex array' },
    ], `${label}: cell, char and complex arrays are listed as skipped`);
    const v = mat.variables;
    t.deepEqual([v.A!.shape, Array.from(v.A!.data)], [[2, 3], A], `${label}: 2 x 3 double, column-major on disk, row-major here`);
    t.deepEqual([v.cube!.shape, Array.from(v.cube!.data)], [[2, 3, 4], cube], `${label}: compressed 2 x 3 x 4`);
    t.deepEqual([v.asUint8!.dtype, Array.from(v.asUint8!.data)], ['float64', [0, 200, 255]], `${label}: double class stored as uint8`);
    t.deepEqual(Array.from(v.asInt16!.data), [-300, 0, 300], `${label}: double class stored as int16, compressed`);
    t.ok(v.single!.data instanceof Float32Array && v.single!.dtype === 'float32', `${label}: single stays float32`);
    t.deepEqual(Array.from(v.int32!.data), [-7, 2147483647], `${label}: int32`);
    t.deepEqual([v.mask!.dtype, Array.from(v.mask!.data)], ['bool', [1, 0, 1]], `${label}: logical`);
    t.deepEqual(v.empty!.shape, [0, 0], `${label}: empty matrix`);
  }
  t.throws(() => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-mat-'));
    writeFileSync(join(dir, 'f.mat'), matBytes(variables));
    readMatVariable(join(dir, 'f.mat'), 'cells');
  }, /^TypeError: mat ".*f\.mat"\.cells: expected a numeric or logical array, received a cell array$/, 'asking for a skipped variable says what it is');
  t.end();
});

test('v7.3 (HDF5), v4 and other files are refused with advice', (t) => {
  // A v7.3 file: a 512-byte MATLAB text header, then the HDF5 signature.
  const v73 = new Uint8Array(1024);
  v73.set(new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: ... HDF5 schema 1.00 .'));
  v73.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 512);
  t.throws(() => parseMat(v73), /^RangeError: mat: expected a MATLAB v5\/v7 MAT-file \(this is a v7\.3 file, which is HDF5; convert it: in MATLAB, .*save\('f_v7\.mat', '-struct', 'S', '-v7'\).*scipy\.io\.savemat.*received an HDF5 file$/, 'v7.3: says how to convert');
  const header73 = matBytes([]);
  new DataView(header73.buffer).setUint16(124, 0x0200, true);
  t.throws(() => parseMat(header73), /this is a v7\.3 file.*received a v7\.3 header/, 'a v7.3 version field');
  const v4 = new Uint8Array(200);
  new DataView(v4.buffer).setInt32(4, 3, true);
  t.throws(() => parseMat(v4), /mat: expected a MATLAB v5\/v7 MAT-file \(MATLAB v4 files are not supported; re-save with save -v7 or scipy\.io\.savemat\)/, 'v4');
  t.throws(() => parseMat(new Uint8Array(10)), /mat: expected a MATLAB MAT-file \(at least a 128-byte header\), received 10 bytes/, 'too short');
  t.throws(() => readMat('/nonexistent/f.mat'), /^RangeError: mat: expected a readable \.mat file, received "\/nonexistent\/f\.mat" \(no such file\)$/, 'missing file');
  t.end();
});
