// Fuzz-style robustness of the readers: every truncation of small valid files, thousands of
// seeded random corruptions, and random bytes. Each attempt either parses or throws one of our
// TypeError/RangeError with the `<field>: expected ..., received ...` message; nothing crashes,
// hangs, or throws anything else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'tape';
import { Rng, RnnlabRangeError, RnnlabTypeError, encodeNpy, parseMat, parseNpy } from '../ts/index.js';
import { encode, matBytes, npyBytes } from './io-fixtures.js';

type Outcome = 'parsed' | 'refused';

function attempt(parse: (b: Uint8Array) => unknown, bytes: Uint8Array): Outcome | Error {
  try {
    parse(bytes);
    return 'parsed';
  } catch (error) {
    if ((error instanceof RnnlabRangeError || error instanceof RnnlabTypeError) && /^[^:]+: expected .+, received .+/s.test(error.message)) return 'refused';
    return error as Error;
  }
}

/** Runs every mutation through `parse`; returns counts and the first unexpected error. */
function fuzz(parse: (b: Uint8Array) => unknown, inputs: Iterable<Uint8Array>): { parsed: number; refused: number; bad?: Error } {
  let parsed = 0;
  let refused = 0;
  for (const bytes of inputs) {
    const r = attempt(parse, bytes);
    if (r === 'parsed') parsed++;
    else if (r === 'refused') refused++;
    else return { parsed, refused, bad: r };
  }
  return { parsed, refused };
}

function* truncations(bytes: Uint8Array, step = 1): Generator<Uint8Array> {
  for (let n = 0; n < bytes.length; n += step) yield bytes.subarray(0, n);
}

function* corruptions(bytes: Uint8Array, count: number, seed: string): Generator<Uint8Array> {
  const rng = new Rng(seed);
  for (let k = 0; k < count; k++) {
    const copy = Uint8Array.from(bytes);
    const flips = 1 + rng.int(4);
    for (let f = 0; f < flips; f++) {
      const at = rng.int(copy.length);
      // Mix of bit flips, random bytes and the values that break lengths most often.
      const choice = rng.int(4);
      copy[at] = choice === 0 ? copy[at]! ^ (1 << rng.int(8)) : choice === 1 ? rng.int(256) : choice === 2 ? 0xff : 0;
    }
    yield copy;
  }
}

function* randomFiles(count: number, seed: string, prefix?: Uint8Array): Generator<Uint8Array> {
  const rng = new Rng(seed);
  for (let k = 0; k < count; k++) {
    const bytes = new Uint8Array(rng.int(600));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    if (prefix) bytes.set(prefix.subarray(0, Math.min(prefix.length, bytes.length)));
    yield bytes;
  }
}

const npyFixtures = [
  encodeNpy({ shape: [3, 4], data: Float64Array.from({ length: 12 }, (_, k) => k / 3) }),
  npyBytes("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", encode([1, 2, 3, 4, 5, 6], 'Float32', false)),
  npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", encode([1, -2, 3], 'BigInt64'), 3),
];

const matFixture = matBytes([
  { name: 'A', mxClass: 6, dims: [2, 3], miType: 9, values: [1, 2, 3, 4, 5, 6] },
  { name: 'B', mxClass: 6, dims: [3, 2], miType: 3, values: [1, -2, 3, -4, 5, -6], compress: true },
  { name: 'flag', mxClass: 9, dims: [1, 2], miType: 2, values: [1, 0], logical: true },
]);

test('npy: every truncation, 3000 corruptions and 300 random files are parsed or clearly refused', (t) => {
  for (const [k, fixture] of npyFixtures.entries()) {
    const trunc = fuzz((b) => parseNpy(b), truncations(fixture));
    t.notOk(trunc.bad, `fixture ${k}: ${fixture.length} truncations: ${trunc.refused} refused${trunc.bad ? ` - unexpected: ${trunc.bad.stack}` : ''}`);
    t.equal(trunc.parsed, 0, 'no truncated file parses');
    const corrupt = fuzz((b) => parseNpy(b), corruptions(fixture, 1000, `npy-${k}`));
    t.notOk(corrupt.bad, `fixture ${k}: 1000 corruptions: ${corrupt.parsed} parsed (payload bytes), ${corrupt.refused} refused${corrupt.bad ? ` - unexpected: ${corrupt.bad.stack}` : ''}`);
  }
  const random = fuzz((b) => parseNpy(b), randomFiles(300, 'npy-random', new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])));
  t.notOk(random.bad, `300 random files behind a valid magic: ${random.refused} refused${random.bad ? ` - unexpected: ${random.bad.stack}` : ''}`);
  t.end();
});

test('mat: every truncation, 3000 corruptions and 300 random files are parsed or clearly refused', (t) => {
  const trunc = fuzz((b) => parseMat(b), truncations(matFixture));
  t.notOk(trunc.bad, `${matFixture.length} truncations: ${trunc.parsed} parsed, ${trunc.refused} refused${trunc.bad ? ` - unexpected: ${trunc.bad.stack}` : ''}`);
  // A prefix that ends exactly between two variables is a valid file with fewer variables.
  t.ok(trunc.parsed <= 3, `only prefixes ending on a variable boundary parse (${trunc.parsed})`);
  const corrupt = fuzz((b) => parseMat(b), corruptions(matFixture, 3000, 'mat'));
  t.notOk(corrupt.bad, `3000 corruptions: ${corrupt.parsed} parsed, ${corrupt.refused} refused${corrupt.bad ? ` - unexpected: ${corrupt.bad.stack}` : ''}`);
  const random = fuzz((b) => parseMat(b), randomFiles(300, 'mat-random', matFixture.subarray(0, 128)));
  t.notOk(random.bad, `300 random bodies behind a valid header: ${random.refused} refused${random.bad ? ` - unexpected: ${random.bad.stack}` : ''}`);
  t.end();
});

test('the real compressed Churchland file: 200 truncations and 300 corruptions', (t) => {
  const real = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'data', 'churchland2012', 'exampleData.mat')));
  const trunc = fuzz((b) => parseMat(b), truncations(real, Math.floor(real.length / 200)));
  t.notOk(trunc.bad, `truncations: ${trunc.parsed} parsed, ${trunc.refused} refused${trunc.bad ? ` - unexpected: ${trunc.bad.stack}` : ''}`);
  const corrupt = fuzz((b) => parseMat(b), corruptions(real, 300, 'real'));
  t.notOk(corrupt.bad, `corruptions: ${corrupt.parsed} parsed, ${corrupt.refused} refused${corrupt.bad ? ` - unexpected: ${corrupt.bad.stack}` : ''}`);
  t.end();
});
