/**
 * Paper 1: Liu, Zhang & Liu 2025, "The influence of initial connectivity on biologically
 * plausible learning". Leaky ReLU RNNs (64 units, batch 32, Adam) on Romo (Schuessler et al.
 * 2020), 2AF and DMS (neurogym, paper 1's 8-step timing), trained with BPTT and e-prop across
 * initial gains, with the best learning rate per gain chosen from a grid; the maximum Lyapunov
 * exponent before and after training; e-prop with and without 100 iterations of local gradient
 * flossing pretraining. Figures 1-5 and the paper's claims, checked on the data of this run.
 * @module
 */
import { join } from 'node:path';
import { lyapunovVsGainFigure, learningCurvesFigure } from '../../plot/figures.js';
import type { Figure } from '../../plot/figures.js';
import { writeReport } from '../../plot/report.js';
import { welchTTest } from '../../analysis/stats.js';
import { bestLearningRates, finalScore, mean, std } from '../aggregate.js';
import type { RunRecord } from '../run.js';
import { SweepStore } from '../store.js';
import { runSweep } from '../sweep.js';
import type { SweepSpec } from '../sweep-spec.js';
import type { PaperPreset, ReproduceOptions, ReproduceResult, Verdict } from './preset.js';

/** The size of a reproduction (the presets are FULL and QUICK; tests use smaller ones). */
export interface Scale {
  gains: number[];
  lrs: number[];
  seeds: number[];
  iters: number;
  logEvery: number;
  /** Where the learning-curve figures start (the paper starts Figure 1 at 200, Figure 4 at 2000). */
  curvesFrom: number;
  flossCurvesFrom: number;
}

/** The paper's grid: gains 0.2-1.5 with intermediate values (Figure 5), 4 rates, 5 seeds. */
const FULL: Scale = { gains: [0.2, 0.3, 0.5, 0.7, 1.0, 1.2, 1.5], lrs: [1e-4, 3e-4, 1e-3, 3e-3], seeds: [1, 2, 3, 4, 5], iters: 5000, logEvery: 25, curvesFrom: 200, flossCurvesFrom: 2000 };
/** The same figures from fewer gains, rates, seeds and iterations (under 10 minutes on 2 cores). */
const QUICK: Scale = { gains: [0.2, 0.5, 1.0, 1.5], lrs: [1e-3, 3e-3], seeds: [1, 2, 3], iters: 2000, logEvery: 20, curvesFrom: 200, flossCurvesFrom: 0 };

/** The tasks: Romo as Schuessler et al. 2020; 2AF and DMS with paper 1's 8-step neurogym timing. */
const TASKS = [
  { name: 'romo', label: 'Romo', options: {} },
  { name: 'pdm', label: '2AF', options: { preset: 'liu2025' } },
  { name: 'dms', label: 'DMS', options: { preset: 'liu2025' } },
] as const;

/** Flossing pretraining of Figure 4: 100 iterations, local (time-local, bio-plausible) gradient. */
const FLOSS = { flossPretrain: 100, flossMode: 'local' } as const;

/** The sweep of one preset: per task, BPTT and e-prop over the grid, and e-prop after flossing. */
export function initialConnectivitySpec(quick: boolean, scale?: Scale): SweepSpec {
  const s = scale ?? (quick ? QUICK : FULL);
  const common = { hidden: 64, batch: 32, optimizer: 'adam', activation: 'relu', init: 'yang2020', logEvery: s.logEvery, evalBatch: 256, iters: s.iters };
  const grids = TASKS.flatMap((task) => {
    // Figure 3 is Romo's (as in the paper). On 2AF and DMS the network has no leak (alpha = 0):
    // a trajectory whose ReLU units all fall silent has a zero Jacobian and an exponent of -inf.
    const fixed = { ...common, task: task.name, taskOptions: task.options, lyapunov: task.name === 'romo' };
    return [
      { fixed, axes: { rule: ['bptt', 'eprop'], gain: s.gains, lr: s.lrs, seed: s.seeds } },
      { fixed: { ...fixed, rule: 'eprop', ...FLOSS }, axes: { gain: s.gains, lr: s.lrs, seed: s.seeds } },
    ];
  });
  return {
    name: `initial-connectivity-${quick ? 'quick' : 'full'}`,
    description: 'Liu, Zhang & Liu 2025: gain x rule x learning rate x seed on Romo, 2AF, DMS; max Lyapunov exponent before/after; e-prop with 100 local flossing iterations.',
    grids,
  };
}

/** One (task, rule, gain, flossing) setting at its best learning rate. */
interface Cell {
  task: string;
  rule: string;
  gain: number;
  floss: boolean;
  lr: number;
  scores: number[];
  records: RunRecord[];
}

function cells(records: readonly RunRecord[]): Cell[] {
  return bestLearningRates(records).map((b) => ({
    task: b.settings.task,
    rule: b.settings.rule,
    gain: b.settings.gain,
    floss: b.settings.flossPretrain > 0,
    lr: b.lr,
    scores: b.records.map(finalScore),
    records: b.records,
  }));
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toPrecision(digits) : Number.isNaN(x) ? '-' : 'inf');
const pm = (xs: number[]) => (xs.length === 0 ? '-' : `${fmt(mean(xs))} ± ${fmt(std(xs), 2)}`);
const pText = (a: number[], b: number[]) => {
  if (a.length < 2 || b.length < 2 || !a.every(Number.isFinite) || !b.every(Number.isFinite)) return 'p n/a';
  const p = welchTTest(a, b).p;
  return Number.isNaN(p) ? 'p n/a' : `Welch p = ${p < 1e-4 ? p.toExponential(1) : p.toFixed(3)}`;
};

/** Mean and std of the max Lyapunov exponent of a cell's runs, before or after training. */
function exponents(cell: Cell, phase: 'before' | 'after'): number[] {
  return cell.records.map((r) => r.dynamics?.maxLyapunov?.[phase]?.mean).filter((v): v is number => v !== undefined && Number.isFinite(v));
}

/** Non-overlapping mean ± std intervals, a separates above b. */
function separated(above: number[], below: number[]): boolean {
  if (!above.every(Number.isFinite)) return below.every(Number.isFinite);
  return mean(above) - std(above) > mean(below) + std(below);
}

/**
 * Gain changes learning when some gain's final loss is clearly apart from the best gain's:
 * non-overlapping mean ± std across seeds and at least 1.5 times higher.
 */
function gainVerdict(all: Cell[], rule: string, label: string, figures: string): Verdict {
  const parts: string[] = [];
  let romoHolds = false;
  for (const task of TASKS) {
    const row = all.filter((c) => c.task === task.name && c.rule === rule && !c.floss);
    if (row.length < 2) continue;
    const best = [...row].sort((a, b) => mean(a.scores) - mean(b.scores))[0]!;
    const apart = row.filter((c) => c !== best && separated(c.scores, best.scores) && mean(c.scores) >= 1.5 * mean(best.scores));
    const shown = apart.length ? apart.sort((a, b) => mean(b.scores) - mean(a.scores))[0]! : [...row].sort((a, b) => mean(b.scores) - mean(a.scores))[0]!;
    if (task.name === 'romo') romoHolds = apart.length > 0;
    parts.push(
      `${task.label}: final loss ${pm(best.scores)} at gain ${best.gain} (best) vs ${pm(shown.scores)} at gain ${shown.gain} (${fmt(mean(shown.scores) / mean(best.scores), 2)}x, ${pText(shown.scores, best.scores)}); ` +
        `gains clearly apart from the best: ${apart.length ? apart.map((c) => c.gain).sort((a, b) => a - b).join(', ') : 'none'}`,
    );
  }
  return {
    claim: `The initial gain changes how well ${label} learns (${figures}; judged on Romo, the main figure: some gain's final loss is at least 1.5x the best gain's, with non-overlapping mean ± std across seeds, each at its best learning rate)`,
    holds: romoHolds,
    evidence: `${parts.join('; ')}.`,
  };
}

function lyapunovVerdicts(all: Cell[]): Verdict[] {
  const rows = all.filter((c) => c.task === 'romo' && !c.floss);
  const gains = [...new Set(rows.map((c) => c.gain))].sort((a, b) => a - b);
  const smallest = gains[0]!;
  const reference = gains.includes(1) ? 1 : gains.at(-1)!;
  const before = (g: number) => rows.filter((c) => c.gain === g).flatMap((c) => exponents(c, 'before'));
  const b0 = before(smallest);
  const bRef = before(reference);
  const fartherBefore = gains.filter((g) => g !== smallest).every((g) => Math.abs(mean(b0)) > Math.abs(mean(before(g))));
  const v1: Verdict = {
    claim: 'Before training, smaller initial gains give a maximum Lyapunov exponent further from 0 (Figure 3)',
    holds: b0.length > 0 && fartherBefore,
    evidence: `Romo, max exponent per step before training: ${gains.map((g) => `gain ${g}: ${pm(before(g))}`).join(', ')}; |λ| at gain ${smallest} is ${fartherBefore ? 'the largest' : 'not the largest'} (vs ${fmt(Math.abs(mean(bRef)))} at gain ${reference}).`,
  };
  const parts: string[] = [];
  let holds = b0.length > 0;
  for (const rule of ['bptt', 'eprop']) {
    const change = (g: number) => {
      const c = rows.find((x) => x.rule === rule && x.gain === g);
      return c ? { before: mean(exponents(c, 'before')), after: mean(exponents(c, 'after')) } : null;
    };
    const small = change(smallest);
    const ref = change(reference);
    if (!small || !ref || !Number.isFinite(small.after)) {
      holds = false;
      continue;
    }
    const nearer = Math.abs(small.after) < Math.abs(small.before);
    const largest = Math.abs(small.after - small.before) >= Math.abs(ref.after - ref.before);
    holds = holds && nearer && largest;
    parts.push(`${rule}: gain ${smallest} ${fmt(small.before)} -> ${fmt(small.after)} (change ${fmt(small.after - small.before)}), gain ${reference} ${fmt(ref.before)} -> ${fmt(ref.after)} (change ${fmt(ref.after - ref.before)})`);
  }
  const v2: Verdict = {
    claim: 'Training brings the maximum Lyapunov exponent towards 0, and changes it most at a small initial gain (Figure 3)',
    holds,
    evidence: `Romo, at the best learning rates: ${parts.join('; ')}.`,
  };
  return [v1, v2];
}

function flossVerdict(all: Cell[]): Verdict {
  const parts: string[] = [];
  let romoHolds = false;
  for (const task of TASKS) {
    const e = all.filter((c) => c.task === task.name && c.rule === 'eprop');
    const gains = [...new Set(e.map((c) => c.gain))].sort((a, b) => a - b);
    const at = (g: number, floss: boolean) => e.find((c) => c.gain === g && c.floss === floss);
    const without = gains.map((g) => at(g, false)).filter((c): c is Cell => c !== undefined);
    if (without.length === 0) continue;
    const optimal = [...without].sort((a, b) => mean(a.scores) - mean(b.scores))[0]!.gain;
    const suboptimal = gains[0]!;
    const gainAt = (g: number) => {
      const a = at(g, false);
      const b = at(g, true);
      return a && b ? { without: a.scores, with: b.scores, ratio: mean(a.scores) / mean(b.scores) } : null;
    };
    const sub = gainAt(suboptimal);
    const opt = gainAt(optimal);
    if (!sub || !opt) continue;
    const helps = mean(sub.with) < mean(sub.without);
    if (task.name === 'romo') romoHolds = helps && sub.ratio >= opt.ratio;
    parts.push(
      `${task.label}: at gain ${suboptimal} final loss ${pm(sub.without)} without vs ${pm(sub.with)} with flossing (${fmt(sub.ratio, 2)}x, ${pText(sub.without, sub.with)}); at the best gain ${optimal}: ${fmt(opt.ratio, 2)}x`,
    );
  }
  return {
    claim: 'Pretraining with local gradient flossing (100 iterations) improves e-prop, particularly at a suboptimal initial gain (Figure 4; judged on Romo: lower final loss with flossing at the smallest gain, and a larger improvement there than at the best gain)',
    holds: romoHolds,
    evidence: `${parts.join('; ')}.`,
  };
}

function summaryTable(all: Cell[]): string[][] {
  const rows = [['task', 'rule', 'flossing', 'gain', 'best lr', 'final loss (mean ± std)', 'max LE before', 'max LE after']];
  for (const task of TASKS) {
    for (const c of all.filter((x) => x.task === task.name).sort((a, b) => a.rule.localeCompare(b.rule) || Number(a.floss) - Number(b.floss) || a.gain - b.gain)) {
      rows.push([task.label, c.rule, c.floss ? '100 local' : '-', String(c.gain), String(c.lr), pm(c.scores), pm(exponents(c, 'before')), pm(exponents(c, 'after'))]);
    }
  }
  return rows;
}

function figuresOf(records: RunRecord[], scale: Scale): Figure[] {
  const figures: Figure[] = [];
  for (const task of TASKS) {
    const mine = records.filter((r) => r.config.task === task.name);
    const plain = mine.filter((r) => r.config.flossPretrain === 0);
    figures.push(learningCurvesFigure(`curves-${task.name}`, `${task.label}: learning curves across initial gains (Figures 1, 2, 5)`, plain, { colorBy: 'gain', columnBy: 'rule', fromIter: scale.curvesFrom }));
    if (plain.some((r) => r.dynamics?.maxLyapunov)) {
      figures.push(lyapunovVsGainFigure(`lyapunov-${task.name}`, `${task.label}: max Lyapunov exponent before and after training (Figure 3)`, plain, { columnBy: 'rule' }));
    }
    figures.push(
      learningCurvesFigure(`flossing-${task.name}`, `${task.label}: e-prop with and without flossing pretraining (Figure 4)`, mine.filter((r) => r.config.rule === 'eprop'), {
        colorBy: 'flossPretrain',
        columnBy: 'gain',
        fromIter: scale.flossCurvesFrom,
        sharedY: true,
        label: (v) => (v === 0 ? 'e-prop' : `e-prop after ${String(v)} flossing iterations`),
      }),
    );
  }
  return figures;
}

/** Runs the reproduction at `scale` (default: the quick or full preset). */
export async function runInitialConnectivity(options: ReproduceOptions, scale: Scale = options.quick ? QUICK : FULL): Promise<ReproduceResult> {
  const start = performance.now();
  const spec = initialConnectivitySpec(options.quick, scale);
  const sweepDir = join(options.out, 'sweep');
  options.log(`rnnlab reproduce initial-connectivity (${options.quick ? 'quick' : 'full'}): results in ${sweepDir}`);
  // extend: a folder made by another version of the preset keeps its finished runs.
  const summary = await runSweep(spec, sweepDir, {
    extend: true,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => options.onSweepProgress?.('sweep', p.done, p.total, p.diverged),
  });
  const store = SweepStore.load(sweepDir);
  const records = store.readRecords();
  const all = cells(records);
  const verdicts = [
    gainVerdict(all, 'bptt', 'BPTT', 'Figures 1B, 2A, 2C'),
    gainVerdict(all, 'eprop', 'e-prop', 'Figures 1C, 2B, 2D'),
    ...lyapunovVerdicts(all),
    flossVerdict(all),
  ];
  const table = summaryTable(all);
  const figures = figuresOf(records, scale);
  options.log(`rendering ${figures.length} figures`);
  const report = await writeReport(options.out, {
    title: `Reproduction: Liu, Zhang & Liu 2025, initial connectivity (${options.quick ? 'quick' : 'full'} preset)`,
    sections: [
      {
        heading: 'Claims',
        paragraphs: ['Each claim of the paper, checked on the data of this run (mean ± std across seeds at each setting\'s best learning rate; final loss = mean of the last 10% of logged training losses).'],
        table: [['claim', 'holds here', 'evidence'], ...verdicts.map((v) => [v.claim, v.holds ? 'yes' : 'no', v.evidence])],
      },
      { heading: 'Results per setting', table },
      {
        heading: 'Set-up',
        paragraphs: [
          `${records.length} of ${store.manifest.runIds.length} runs finished (${records.filter((r) => r.diverged).length} diverged). Leaky ReLU RNN, 64 units, batch 32, Adam, input/readout initialised as Yang & Wang 2020, Wh ~ N(0, gain^2/N); gains ${scale.gains.join(', ')}; learning rates ${scale.lrs.join(', ')} (best per setting); seeds ${scale.seeds.join(', ')}; ${scale.iters} iterations.`,
          'Tasks: Romo (Schuessler et al. 2020: dt = 0.5 tau, 56 steps, mse), 2AF and DMS (neurogym, 8 steps of 100 ms, cross-entropy, no leak as in Yang & Wang 2020). Max Lyapunov exponent (Romo, as in the paper): QR method on 15 trajectories of task inputs, 100 warm-up and 100 accumulation steps, natural log per step, random initial frame. Flossing: 100 Adam iterations (lr 1e-3) of the local flossing gradient on Wh, Wx and b before training.',
        ],
      },
    ],
    figures,
    settings: spec,
    computeSeconds: records.reduce((a, r) => a + r.wallSeconds, 0),
    elapsedSeconds: (performance.now() - start) / 1000,
  });
  return {
    paper: 'initial-connectivity',
    preset: options.quick ? 'quick' : 'full',
    verdicts,
    report,
    figures: figures.map((f) => join(options.out, 'figures', `${f.id}.png`)),
    tables: { 'results per setting (best learning rate)': table },
    seconds: (performance.now() - start) / 1000,
    aborted: summary.aborted,
  };
}

export const initialConnectivity: PaperPreset = {
  name: 'initial-connectivity',
  title: 'Liu, Zhang & Liu 2025, The influence of initial connectivity on biologically plausible learning',
  run: (options) => runInitialConnectivity(options),
  description: `full: gains ${FULL.gains.join(', ')} x rates ${FULL.lrs.join(', ')} x ${FULL.seeds.length} seeds, ${FULL.iters} iterations; quick: gains ${QUICK.gains.join(', ')} x rates ${QUICK.lrs.join(', ')} x ${QUICK.seeds.length} seeds, ${QUICK.iters} iterations; both on Romo, 2AF, DMS with BPTT, e-prop and e-prop after flossing`,
};
