// Model and trials files: round trips, optional parameters, and files never overwritten.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { computeGradient, modelFromJSON, readModelFile, readTrialsFile, writeModelFile, writeTrialsFile } from '../ts/index.js';
import { randomModel, randomTrials, smallConfig } from './helpers.js';

test('a model file round-trips exactly, and is never overwritten without asking', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-io-'));
  const model = randomModel(smallConfig('retanh', { noiseStd: 0.1, dt: 1, tau: 2.5, alpha: 0.6 }), 3);
  const path = join(dir, 'm.json');
  writeModelFile(path, model);
  const back = readModelFile(path);
  t.deepEqual(Array.from(back.params.flat), Array.from(model.params.flat), 'parameters identical');
  t.deepEqual(back.config, model.config, 'config identical');
  const before = readFileSync(path, 'utf8');
  t.throws(() => writeModelFile(path, model), /rnnlab never overwrites a file it was not asked to/, 'existing file refused');
  t.equal(readFileSync(path, 'utf8'), before, 'the file is unchanged');
  writeModelFile(path, model, { overwrite: true });
  t.end();
});

test('b, bOut and h0 may be absent from a model file (zeros)', (t) => {
  const m = modelFromJSON({
    format: 'rnnlab.model/1',
    config: { nIn: 1, nHidden: 2, nOut: 1, alpha: 0.8, activation: 'relu' },
    params: { Wh: [[0, 1], [1, 0]], Wx: [[1], [2]], Wout: [[1, 1]] },
  });
  t.deepEqual(Array.from(m.params.b), [0, 0]);
  t.deepEqual(Array.from(m.params.h0), [0, 0]);
  t.end();
});

test('a trials file round-trips, mse and ce, and missing or broken files are clear errors', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnnlab-io-'));
  const model = randomModel(smallConfig('tanh'), 4);
  for (const loss of ['mse', 'ce'] as const) {
    const trials = randomTrials(model, 4, 3, loss, 5);
    const path = join(dir, `${loss}.json`);
    writeTrialsFile(path, trials);
    const back = readTrialsFile(path, { nOut: 3 });
    t.deepEqual(Array.from(back.targets), Array.from(trials.targets), `${loss}: targets identical`);
    t.equal(computeGradient(model, back).loss, computeGradient(model, trials).loss, `${loss}: same loss`);
  }
  t.throws(() => readTrialsFile(join(dir, 'missing.json')), /trials: expected a readable JSON file, received ".*missing\.json" \(no such file\)/, 'missing file');
  writeFileSync(join(dir, 'bad.json'), '{"inputs": [');
  t.throws(() => readTrialsFile(join(dir, 'bad.json')), /trials: expected a file of valid JSON/, 'malformed JSON');
  t.end();
});
