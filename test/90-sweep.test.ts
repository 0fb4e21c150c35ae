// Sweeps: spec validation, expansion, the worker pool, resuming, divergence, export.
import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { parquetReadObjects } from 'hyparquet';
import { expandSweep, parseSweepSpec, readSweepSpec } from '../ts/experiment/sweep-spec.js';
import { runSweep } from '../ts/experiment/sweep.js';
import { SweepStore } from '../ts/experiment/store.js';
import { runOne } from '../ts/experiment/run.js';
import { bestLearningRates, finalScore, runRows } from '../ts/experiment/aggregate.js';
import { writeCsv, writeParquet } from '../ts/experiment/export.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rnnlab-sweep-'));
const small = { task: 'romo', rule: 'bptt', iters: 30, hidden: 8, batch: 4, evalBatch: 16, logEvery: 10 };

test('sweep specs: expansion, duplicates, and errors that say where', (t) => {
  const runs = expandSweep(parseSweepSpec({ fixed: small, axes: { gain: [0.5, 1], seed: [1, 2, 3] } }));
  t.equal(runs.length, 6, '2 gains x 3 seeds');
  t.equal(new Set(runs.map((r) => r.id)).size, 6, 'distinct ids');
  t.deepEqual(expandSweep(parseSweepSpec({ fixed: small, axes: { seed: [3, 2, 1], gain: [1, 0.5] } })).map((r) => r.id).sort(), runs.map((r) => r.id).sort(), 'axis order does not change the runs');
  const union = expandSweep(parseSweepSpec({ fixed: small, grids: [{ axes: { gain: [0.5, 1] } }, { axes: { gain: [1, 2] } }] }));
  t.equal(union.length, 3, 'grids are unioned without duplicates');
  t.throws(() => expandSweep(parseSweepSpec({ fixed: small, axes: { gian: [1] } })), /sweep\.axes\.gian: expected a run setting .*did you mean "gain"/, 'unknown setting');
  t.throws(() => expandSweep(parseSweepSpec({ fixed: small, axes: { gain: [1, -2] } })), /sweep\.axes\.gain\[1\]: expected a number >= 0, received -2/, 'bad axis value located');
  t.throws(() => expandSweep(parseSweepSpec({ fixed: { ...small, lr: 'fast' }, axes: { gain: [1] } })), /sweep\.fixed\.lr: expected a finite number, received "fast"/, 'bad fixed value located');
  t.throws(() => expandSweep(parseSweepSpec({ fixed: small, axes: { iters: [1, 2] } })), /sweep\.axes\.iters: expected a setting that is not also fixed/, 'axis also fixed');
  t.throws(() => parseSweepSpec({ fixed: small, axes: { gain: [] } }), /sweep\.axes\.gain: expected an array with length >= 1/, 'empty axis');
  t.throws(() => parseSweepSpec({ fixed: small }), /sweep\.axes: expected an object of axes/, 'no axes');
  const dir = tmp();
  writeFileSync(join(dir, 's.yaml'), 'fixed: {task: romo, rule: bptt}\naxes:\n  gain: [1, 2\n');
  t.throws(() => readSweepSpec(join(dir, 's.yaml')), /expected a file of valid YAML/, 'malformed YAML');
  t.end();
});

test('a sweep runs in parallel workers, gives the same numbers as a sequential run, and resumes', async (t) => {
  const dir = join(tmp(), 'out');
  const spec = { fixed: small, axes: { gain: [0.5, 1.5], lr: [1e-3, 3e-3], seed: [1, 2] } };
  const first = await runSweep(spec, dir, { workers: 2 });
  t.equal(first.done, 8, 'all 8 runs finished');
  t.equal(first.ranNow, 8);
  const store = SweepStore.load(dir);
  const records = store.readRecords();
  t.equal(records.length, 8, '8 records on disk');
  const sequential = runOne(records[3]!.config);
  t.deepEqual(sequential.curve, records[3]!.curve, 'a worker run equals the same run in the main thread, bit for bit');
  const again = await runSweep(spec, dir, { workers: 2 });
  t.equal(again.ranNow, 0, 'running the same sweep again runs nothing');
  t.equal(again.skipped, 8);
  await runSweep({ ...spec, axes: { ...spec.axes, seed: [1, 2, 3] } }, dir, { workers: 2 }).then(
    () => t.fail('a changed spec must be refused'),
    (error: Error) => t.match(error.message, /the spec has changed .*--extend/, 'a changed spec is refused'),
  );
  const extended = await runSweep({ ...spec, axes: { ...spec.axes, seed: [1, 2, 3] } }, dir, { workers: 2, extend: true });
  t.equal(extended.ranNow, 4, 'with extend only the 4 new runs run');
  t.equal(readdirSync(join(dir, 'runs')).length, 12, '12 records, none duplicated');
  t.end();
});

test('an interrupted sweep leaves only whole records and finishes on the next run', async (t) => {
  const dir = join(tmp(), 'out');
  const spec = { fixed: { ...small, iters: 200 }, axes: { seed: [1, 2, 3, 4, 5, 6] } };
  const controller = new AbortController();
  const partial = await runSweep(spec, dir, {
    workers: 2,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.ranNow >= 1) controller.abort();
    },
  });
  t.ok(partial.aborted, 'the sweep stopped');
  t.ok(partial.done < 6, `stopped with ${partial.done} of 6 done`);
  const stale = join(dir, 'runs', '.deadbeef.json.123.456.tmp');
  writeFileSync(stale, '{"half": ');
  utimesSync(stale, new Date(Date.now() - 3600e3), new Date(Date.now() - 3600e3));
  const fresh = join(dir, 'runs', '.cafebabe.json.124.457.tmp');
  writeFileSync(fresh, '{"being written": ');
  const rest = await runSweep(spec, dir, { workers: 2 });
  t.equal(rest.done, 6, 'all runs finished');
  t.equal(rest.skipped + rest.ranNow, 6, 'each run done exactly once');
  t.notOk(existsSync(stale), 'a stale temporary file (an hour old) is removed');
  t.ok(existsSync(fresh), 'a fresh temporary file (maybe another shard writing) is left alone');
  t.end();
});

test('a diverging run is recorded as diverged and the sweep goes on', async (t) => {
  const dir = join(tmp(), 'out');
  const result = await runSweep({ fixed: { ...small, gain: 1, divergenceLoss: 1e3, iters: 100 }, axes: { lr: [1e-3, 50] } }, dir, { workers: 2 });
  t.equal(result.done, 2, 'both runs have records');
  t.equal(result.diverged, 1, 'one diverged');
  const records = SweepStore.load(dir).readRecords();
  const bad = records.find((r) => r.config.lr === 50)!;
  t.ok(bad.diverged && bad.diverged.iter >= 1, `diverged at iteration ${bad.diverged?.iter}: ${bad.diverged?.reason}`);
  t.equal(finalScore(bad), Infinity, 'a diverged run scores +Infinity');
  t.equal(bestLearningRates(records)[0]!.lr, 1e-3, 'the best learning rate avoids the diverged one');
  t.end();
});

test('results export to CSV and Parquet', async (t) => {
  const dir = join(tmp(), 'out');
  await runSweep({ fixed: small, axes: { seed: [1, 2] } }, dir, { workers: 1 });
  const rows = runRows(SweepStore.load(dir).readRecords());
  writeCsv(join(dir, 'r.csv'), rows);
  writeParquet(join(dir, 'r.parquet'), rows);
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync(join(dir, 'r.csv'), 'utf8').trim().split('\n');
  t.equal(csv.length, 3, 'header and two rows');
  t.ok(csv[0]!.startsWith('id,task,'), 'columns');
  const buf = readFileSync(join(dir, 'r.parquet'));
  const back = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
  t.equal(back.length, 2, 'two Parquet rows');
  t.equal(back[0]!.seed, rows[0]!.seed, 'values survive');
  t.equal(back[0]!.finalLoss, rows[0]!.finalLoss);
  t.throws(() => writeCsv(join(dir, 'r.csv'), rows), /never overwrites/, 'an existing export is not overwritten');
  t.end();
});
