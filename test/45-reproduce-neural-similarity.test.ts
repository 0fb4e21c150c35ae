// The neural-similarity preset's machinery at a tiny size (not the quick preset itself): sweep in
// worker threads, resume, tables, figures, report and verdicts; the preset definitions; --rules.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import test from 'tape';
import { expandSweep } from '../ts/experiment/sweep-spec.js';
import { getPaperPreset, paperNames } from '../ts/experiment/reproduce/index.js';
import { NEURAL_SIMILARITY_PRESETS, neuralSimilaritySweep, resolveRules, runNeuralSimilarity } from '../ts/experiment/reproduce/neural-similarity.js';
import type { NeuralSimilaritySettings } from '../ts/experiment/reproduce/neural-similarity.js';

const TINY: NeuralSimilaritySettings = { preset: 'quick', hidden: 10, batch: 6, iters: 12, seeds: [1, 2], iniGains: [0.5, 1], referenceIniGain: 1, lr: { bptt: 1e-2, eprop: 1e-2 }, defaultLr: 1e-2, evalBatch: 6, noiseFloorSplits: 4 };

test('neural-similarity presets: registered, the authors\' settings, the rules option', (t) => {
  t.ok(paperNames().includes('neural-similarity'), 'in the registry');
  const preset = getPaperPreset('neural-similarity');
  t.deepEqual(preset.rules, { default: ['bptt', 'eprop'], optional: ['tbptt', 'np', 'es'] });
  const full = NEURAL_SIMILARITY_PRESETS.full;
  t.deepEqual([full.hidden, full.batch, full.iters, full.lr.bptt, full.lr.eprop], [200, 100, 1000, 1e-3, 3e-4], 'full: 200 units, batch 100, 1000 updates, Adam 1e-3 / 3e-4');
  const runs = expandSweep(neuralSimilaritySweep(full, resolveRules(undefined)));
  t.equal(runs.length, 32, 'full: 2 rules x 4 gains x 4 seeds');
  const c = runs.find((r) => r.config.rule === 'eprop' && r.config.gain === 1.5)!.config;
  t.deepEqual([c.task, c.activation, c.init, c.activityL2, c.neuralData, c.checkpoints, c.noise, c.lr], ['reach8', 'retanh', 'liu2025', 10, 'hatsopoulos2007', 'liu2025', 0, 3e-4], 'reach8, retanh, liu2025 init, lambda0 10, the recording, the authors\' checkpoints, no noise');
  t.ok(c.trainable!.includes('h0'), 'h0 learned');
  t.deepEqual([...new Set(runs.map((r) => r.config.gain))], [0, 0.75, 1.5, 2.25], 'g = 1.5 x ini_gain 0, 0.5, 1, 1.5');
  t.equal(expandSweep(neuralSimilaritySweep(NEURAL_SIMILARITY_PRESETS.quick, resolveRules(['np', 'tbptt']))).length, 12 + 6, 'quick: 12 runs, plus 3 seeds per added rule at the reference gain');
  t.deepEqual(resolveRules(['tbptt', 'es', 'eprop']), ['bptt', 'eprop', 'tbptt:10', 'es'], 'bptt and e-prop always; tbptt is tbptt:10');
  t.throws(() => resolveRules(['rtrl']), /rules\[0\]: expected one of "bptt", "eprop", "tbptt", "np", "es"/, 'unknown rule');
  t.end();
});

test('neural-similarity at a tiny size (with node perturbation): runs in workers, report, figures, tables, verdicts; resumes', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'rnnlab-ns-'));
  try {
    const progress: [number, number][] = [];
    const lines: string[] = [];
    const result = await runNeuralSimilarity({ quick: true, out, workers: 2, rules: ['np'], log: (l) => lines.push(l), onSweepProgress: (_s, done, total) => progress.push([done, total]) }, TINY);
    t.equal(progress.at(-1)![0], 10, '10 runs (2 rules x 2 gains x 2 seeds, np x 2 seeds)');
    t.equal(result.aborted, false);
    t.ok(existsSync(result.report) && readFileSync(result.report, 'utf8').includes('Table 3, Hatsopoulos 2007'), 'report written with Table 3');
    t.deepEqual(result.figures.map((f) => f.split('/').at(-1)), ['fig1b-distance-vs-accuracy.png', 'fig9-rules.png', 'fig2-gains.png', 'fig5-noise-floor.png', 'fig6-pairwise.png', 'fig6-umap.png']);
    t.ok(Object.keys(result.tables).some((k) => k.startsWith('Rules at normalised accuracy')), 'the rules compared at equal accuracy');
    t.ok(result.verdicts.some((v) => v.claim.startsWith('Node perturbation')), 'and the Figure 9 verdict for np');
    t.ok(result.figures.every((f) => statSync(f).size > 2000), 'PNG figures rendered');
    const t3 = result.tables['Table 3, Hatsopoulos 2007 (Procrustes / (pi/2), half of the neurons and units)']!;
    t.deepEqual(t3[1], ['paper', '0.401 ± 0.024', '0.395 ± 0.020', '0.442 ± 0.030', '0.538 ± 0.041', 'p = 0.311'], 'the paper\'s row beside ours');
    t.match(t3[2]![1]!, /^0\.\d{3} ± 0\.\d{3}$/, 'our noise floor');
    t.ok(Object.keys(result.tables).some((k) => k.startsWith('Table 1 style')), 'gain table');
    t.ok(result.verdicts.length >= 5 && result.verdicts.every((v) => typeof v.holds === 'boolean' && v.evidence.length > 20), `${result.verdicts.length} verdicts with evidence`);
    const summary = JSON.parse(readFileSync(join(out, 'neural-similarity.json'), 'utf8'));
    t.equal(summary.summary.pairwise.labels.length, 1 + 6 + 2, 'pairwise: data, 6 trained models (bptt, eprop, np), 2 untrained');
    const again: [number, number][] = [];
    const second = await runNeuralSimilarity({ quick: true, out, workers: 2, rules: ['np'], log: () => {}, onSweepProgress: (_s, done, total) => again.push([done, total]) }, TINY);
    t.deepEqual(again[0], [10, 10], 'running again resumes: every run is already done');
    t.deepEqual(second.verdicts, result.verdicts, 'and gives the same verdicts');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

function rnnlab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'rnnlab.js'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('neural-similarity refuses a folder with other files; the CLI checks --rules', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'rnnlab-ns-'));
  try {
    writeFileSync(join(out, 'mine.txt'), 'x');
    let refused: unknown = null;
    await runNeuralSimilarity({ quick: true, out, log: () => {} }, TINY).catch((e: unknown) => (refused = e));
    t.match(String(refused), /--out: expected a new or empty folder, or the folder of an earlier `rnnlab reproduce neural-similarity`/, 'a folder of the user\'s is left alone');
    const bad = rnnlab('reproduce', 'neural-similarity', '--quick', '--out', join(out, 'x'), '--rules', 'rtrl', '--no-progress');
    t.equal(bad.status, 2, 'exit code 2');
    t.match(bad.stderr, /^rnnlab: rules\[0\]: expected one of "bptt", "eprop", "tbptt", "np", "es"/, 'one line naming the field');
    t.notOk(existsSync(join(out, 'x', 'sweep-quick')), 'nothing was run');
    const help = rnnlab('reproduce', '--help');
    t.match(help.stdout, /--rules <list>/, '--rules is documented');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
