// NumPy .npy: round trips, format versions 1-3, Fortran order, byte orders, dtypes, the atomic
// never-overwriting writer, the shipped data, and (optionally) numpy on both sides.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { Rng, encodeNpy, parseNpy, readNpy, writeNpy } from '../ts/index.js';
import { encode, npyBytes, toColumnMajor } from './io-fixtures.js';
import { numpyAvailable, runNumpy } from './similarity-helpers.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'rnnlab-npy-'));
}

test('write then read: float64 and float32, any shape, bit-exact; headers 64-byte aligned', (t) => {
  const dir = tmp();
  const rng = new Rng(1);
  for (const shape of [[], [0], [7], [3, 4], [2, 3, 4], [2, 1, 3, 2]]) {
    for (const kind of ['f8', 'f4'] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = kind === 'f8' ? new Float64Array(n) : new Float32Array(n);
      rng.fillNormal(data);
      if (n > 1) data[1] = kind === 'f8' ? 1e-310 : 1e-40; // subnormal survives
      const path = join(dir, `a-${kind}-${shape.join('x') || 'scalar'}.npy`);
      writeNpy(path, { shape, data });
      const back = readNpy(path);
      t.deepEqual(back.shape, shape, `${kind} ${JSON.stringify(shape)}: shape`);
      t.equal(back.data.constructor, data.constructor, 'same element type');
      t.deepEqual(Array.from(back.data), Array.from(data), 'same values');
      const bytes = readFileSync(path);
      const headerEnd = 10 + bytes.readUInt16LE(8);
      t.equal(headerEnd % 64, 0, 'data starts on a 64-byte boundary');
    }
  }
  t.end();
});

test('the writer never overwrites, writes atomically, and checks its input', (t) => {
  const dir = tmp();
  const path = join(dir, 'x.npy');
  writeNpy(path, { shape: [2], data: new Float64Array([1, 2]) });
  const before = readFileSync(path);
  t.throws(() => writeNpy(path, { shape: [2], data: new Float64Array([3, 4]) }), /^RangeError: path: expected a file that does not exist yet/, 'existing file refused');
  t.deepEqual(readFileSync(path), before, 'the file is unchanged');
  writeNpy(path, { shape: [2], data: new Float64Array([3, 4]) }, { overwrite: true });
  t.deepEqual(Array.from(readNpy(path).data), [3, 4], 'overwrite: true replaces it');
  t.deepEqual(readdirSync(dir), ['x.npy'], 'no temporary file left behind');
  t.throws(() => writeNpy(join(dir, 'y.npy'), { shape: [3], data: new Float64Array(2) }), /^RangeError: array\.data: expected 3 elements \(shape 3\)/, 'length vs shape');
  t.throws(() => writeNpy(join(dir, 'y.npy'), { shape: [2], data: [1, 2] as never }), /^TypeError: array\.data: expected a Float64Array or Float32Array/, 'plain array');
  t.throws(() => writeNpy(join(dir, 'y.npy'), { shape: [-1], data: new Float64Array(0) }), /^TypeError: array\.shape: expected an array of non-negative integers/, 'negative dimension');
  t.notOk(existsSync(join(dir, 'y.npy')), 'nothing written on error');
  t.end();
});

test('reader: Fortran order, big-endian, versions 2.0 and 3.0, every numeric dtype', (t) => {
  const values = [1, -2, 3, 4, -5, 6];
  const rowMajor = (a: { data: ArrayLike<number> }): number[] => Array.from(a.data);
  const cases: [string, Uint8Array, number[], string][] = [
    ['C order <f8', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'Float64')), values, 'float64'],
    ['Fortran order <f8', npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", encode(toColumnMajor(values, [2, 3]), 'Float64')), values, 'float64'],
    ['big-endian >f8', npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'Float64', false)), values, 'float64'],
    ['big-endian Fortran >f4', npyBytes("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", encode(toColumnMajor(values, [2, 3]), 'Float32', false)), values, 'float32'],
    ['version 2.0', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'Float64'), 2), values, 'float64'],
    ['version 3.0 (UTF-8 header)', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'Float64'), 3), values, 'float64'],
    ['<i2', npyBytes("{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'Int16')), values, 'int16'],
    ['<i4', npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'Int32')), values, 'int32'],
    ['|i1', npyBytes("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'Int8')), values, 'int8'],
    ['<i8', npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", encode(values, 'BigInt64')), values, 'int64'],
    ['|u1', npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), }", encode([0, 1, 2, 250, 255, 7], 'Uint8')), [0, 1, 2, 250, 255, 7], 'uint8'],
    ['<u4', npyBytes("{'descr': '<u4', 'fortran_order': False, 'shape': (2,), }", encode([0, 4294967295], 'Uint32')), [0, 4294967295], 'uint32'],
    ['|b1', npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", new Uint8Array([1, 0, 1])), [1, 0, 1], 'bool'],
    ['<f2', npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", encode([0x3c00, 0xc000, 0x3555, 0x0001], 'Uint16')), [1, -2, 0.333251953125, 2 ** -24], 'float16'],
    ['key order and spacing', npyBytes("{'shape':(2,3),'fortran_order':False,'descr':'<f8'}", encode(values, 'Float64')), values, 'float64'],
    ['Python 2 long ints', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }", encode(values, 'Float64')), values, 'float64'],
  ];
  for (const [name, bytes, expected, dtype] of cases) {
    const a = parseNpy(bytes);
    t.deepEqual(rowMajor(a), expected, `${name}: values in row-major order`);
    t.equal(a.dtype, dtype, `${name}: dtype ${dtype}`);
  }
  const f32 = parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", encode([0.1], 'Float32')));
  t.ok(f32.data instanceof Float32Array, 'float32 stays a Float32Array');
  t.end();
});

test('reader: refused dtypes and malformed headers give clear errors', (t) => {
  const payload = new Uint8Array(16);
  const bad: [string, Uint8Array, RegExp][] = [
    ['pickled object array', npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (), }", new Uint8Array(8)), /^TypeError: npy dtype: expected a numeric array \(this file holds pickled Python objects, which rnnlab never unpickles/],
    ['complex', npyBytes("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", payload), /^TypeError: npy dtype: expected a real numeric dtype.*received "<c16" \(complex\)$/],
    ['structured', npyBytes("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", payload), /^TypeError: npy dtype: expected a plain numeric dtype/],
    ['string', npyBytes("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(12)), /received "<U3" \(string\)/],
    ['missing shape', npyBytes("{'descr': '<f8', 'fortran_order': False}", payload), /^RangeError: npy header: expected the key 'shape'/],
    ['negative dimension', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", payload), /npy header\.shape: expected a tuple of non-negative integers/],
    ['not a dict', npyBytes('[1, 2]', payload), /npy header: expected a dict/],
    ['unterminated', npyBytes("{'descr': '<f8', 'fortran_order': Fals", payload), /npy header: expected a valid Python literal/],
    ['code in the header', npyBytes("{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,), }", payload), /npy header: expected a valid Python literal/],
    ['too few bytes', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", payload), /^RangeError: npy: expected 24 bytes of float64 data for shape \(3\), received 16 bytes \(the file is truncated\)$/],
    ['trailing bytes', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", payload), /received 16 bytes \(8 unexpected trailing bytes\)/],
    ['version 4', (() => { const b = npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", payload); b[6] = 4; return b; })(), /npy: expected \.npy format version 1\.0, 2\.0 or 3\.0, received version 4\.0/],
    ['not npy at all', new TextEncoder().encode('hello, world: this is text'), /^RangeError: npy: expected a NumPy \.npy file/],
    ['empty', new Uint8Array(0), /npy: expected a NumPy \.npy file .*received 0 bytes/],
    ['absurd shape', npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", payload), /npy shape: expected at most 2147483647 elements/],
  ];
  for (const [name, bytes, pattern] of bad) t.throws(() => parseNpy(bytes), pattern, name);
  t.throws(() => readNpy('/nonexistent/x.npy'), /^RangeError: npy: expected a readable \.npy file, received "\/nonexistent\/x\.npy" \(no such file\)$/, 'missing file');
  t.end();
});

test('the shipped Hatsopoulos firing rates read as 141 x 121 x 8 float64 in Hz', (t) => {
  const a = readNpy(join(import.meta.dirname, '..', 'data', 'hatsopoulos2007', 'firing_rate.npy'));
  t.deepEqual(a.shape, [141, 121, 8]);
  t.equal(a.dtype, 'float64');
  let max = -Infinity;
  let sum = 0;
  for (const v of a.data) {
    max = Math.max(max, v);
    sum += v;
  }
  t.ok(Math.abs(max - 93.3) < 0.05 && Math.abs(sum / a.data.length - 3.55) < 0.01, `max ${max.toFixed(2)} Hz, mean ${(sum / a.data.length).toFixed(3)} Hz (SOURCE.md: 93.3, 3.55)`);
  t.end();
});

test('numpy reference: files numpy writes read back exactly, and numpy reads ours', (t) => {
  if (!numpyAvailable()) {
    t.skip('numpy not available for /usr/bin/python3: skipping the optional reference');
    t.end();
    return;
  }
  const dir = tmp();
  const script = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
rng = np.random.default_rng(0)
base = rng.standard_normal((3, 4, 5))
files = {}
def save(name, arr, version=None):
    path = d['dir'] + '/' + name + '.npy'
    if version is None:
        np.save(path, arr)
    else:
        with open(path, 'wb') as f:
            np.lib.format.write_array(f, arr, version=version)
    files[name] = np.asarray(arr, dtype=np.float64).ravel(order='C').tolist()
save('f8', base)
save('f4_fortran', np.asfortranarray(base.astype(np.float32)))
save('f8_big', base.astype('>f8'))
save('i2_fortran', np.asfortranarray((base * 100).astype(np.int16)))
save('u8', np.arange(10, dtype=np.uint64))
save('bool', base > 0)
save('f2', base.astype(np.float16))
save('v2', base, (2, 0))
save('v3', base, (3, 0))
save('scalar', np.float64(2.5))
save('empty', np.zeros((0, 3)))
ours = {}
for name in ['ours_f8', 'ours_f4']:
    a = np.load(d['dir'] + '/' + name + '.npy', allow_pickle=False)
    ours[name] = {'dtype': str(a.dtype), 'shape': list(a.shape), 'values': a.ravel().astype(np.float64).tolist()}
print(json.dumps({'files': files, 'ours': ours}))
`;
  const rng = new Rng(4);
  const f8 = new Float64Array(24);
  rng.fillNormal(f8);
  writeNpy(join(dir, 'ours_f8.npy'), { shape: [2, 3, 4], data: f8 });
  const f4 = new Float32Array(6);
  rng.fillNormal(f4);
  writeNpy(join(dir, 'ours_f4.npy'), { shape: [6], data: f4 });
  const out = runNumpy(script, { dir }) as { files: Record<string, number[]>; ours: Record<string, { dtype: string; shape: number[]; values: number[] }> };
  for (const [name, values] of Object.entries(out.files)) {
    const a = readNpy(join(dir, `${name}.npy`));
    t.deepEqual(Array.from(a.data), values, `numpy's ${name}: ${a.dtype}, shape [${a.shape.join(', ')}], values exact`);
  }
  t.deepEqual(out.ours.ours_f8, { dtype: 'float64', shape: [2, 3, 4], values: Array.from(f8) }, 'numpy reads our float64 file exactly');
  t.deepEqual(out.ours.ours_f4, { dtype: 'float32', shape: [6], values: Array.from(f4) }, 'numpy reads our float32 file exactly');
  t.end();
});

test('encodeNpy produces what parseNpy reads (no file needed)', (t) => {
  const data = new Float64Array([1.5, -2, 3]);
  const bytes = encodeNpy({ shape: [3], data });
  t.deepEqual(Array.from(parseNpy(bytes).data), [1.5, -2, 3]);
  writeFileSync(join(tmp(), 'z.npy'), bytes);
  t.end();
});
