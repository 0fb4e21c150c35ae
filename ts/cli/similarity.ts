/**
 * `rnnlab similarity A B --metric procrustes|cca|shape|cka|dsa [--alpha a] [--json]`:
 * the distance between two activity matrices read from .npy or .mat files (DESIGN.md contract).
 * @module
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { dsaDistance } from '../analysis/dsa.js';
import type { DsaOptions, TrialTensor } from '../analysis/dsa.js';
import { compareRepresentations, normalizedDistance, sampleMatrixFromNdArray } from '../analysis/similarity.js';
import type { SampleMatrix } from '../analysis/similarity.js';
import { readMat } from '../io/mat.js';
import { formatShape } from '../io/ndarray.js';
import type { NdArray } from '../io/ndarray.js';
import { readNpy } from '../io/npy.js';
import { Rng } from '../rng.js';
import { RnnlabRangeError, RnnlabTypeError, rangeError, typeError } from '../validate.js';
import { integerOption, numberOption, printJson } from './common.js';

const METRICS = ['procrustes', 'cca', 'shape', 'cka', 'dsa'] as const;

interface SimilarityCliOptions {
  metric: (typeof METRICS)[number];
  alpha?: number;
  aVar?: string;
  bVar?: string;
  delays?: number;
  delayInterval?: number;
  rank?: number;
  rankThreshold?: number;
  rankExplainedVariance?: number;
  lambda?: number;
  group?: 'O(n)' | 'SO(n)';
  randomStarts?: number;
  maxIter?: number;
  seed: number;
  json: boolean;
}

export function registerSimilarity(program: Command): void {
  program
    .command('similarity')
    .description(
      'Distance between two activity matrices (samples x units, same samples; .npy or MATLAB v5 .mat), in radians.\n' +
        'procrustes/cca/shape are netrep LinearMetric (alpha 1 / 0 / --alpha), cka prints arccos(CKA) and CKA;\n' +
        'dsa compares dynamics: each file is time x units (one trial) or trials x time x units.',
    )
    .argument('<A>', 'first array (.npy or .mat), samples x units')
    .argument('<B>', 'second array, samples x units (the same number of samples)')
    .addOption(new Option('--metric <name>', 'metric').choices([...METRICS]).makeOptionMandatory())
    .option('--alpha <a>', 'for --metric shape: 1 = Procrustes ... 0 = CCA', numberOption('--alpha', { min: 0, max: 1 }))
    .option('--a-var <name>', 'variable of A when it is a .mat file with several arrays')
    .option('--b-var <name>', 'variable of B when it is a .mat file with several arrays')
    .option('--delays <D>', 'dsa: number of delays (default 1)', integerOption('--delays', 1))
    .option('--delay-interval <tau>', 'dsa: steps between delays (default 1)', integerOption('--delay-interval', 1))
    .option('--rank <r>', 'dsa: DMD rank (default: all singular values)', integerOption('--rank', 1))
    .option('--rank-threshold <s>', 'dsa: keep singular values >= s', numberOption('--rank-threshold', { min: 0 }))
    .option('--rank-explained-variance <v>', 'dsa: rank from the cumulative explained variance', numberOption('--rank-explained-variance', { min: 0, max: 1, minExclusive: true, maxExclusive: true }))
    .option('--lambda <l>', 'dsa: ridge penalty of the DMD regression (default 0)', numberOption('--lambda', { min: 0 }))
    .addOption(new Option('--group <g>', 'dsa: orthogonal group of the alignment').choices(['O(n)', 'SO(n)']))
    .option('--random-starts <k>', 'dsa: random starting rotations of the alignment (default 2)', integerOption('--random-starts', 0))
    .option('--max-iter <n>', 'dsa: iterations per alignment run (default 2000)', integerOption('--max-iter', 0))
    .option('--seed <n>', 'dsa: seed of the random starts', integerOption('--seed', 0), 0)
    .option('--json', 'print { "distance": radians } (and "similarity" for cka) as JSON on stdout', false)
    .action((a: string, b: string, options: SimilarityCliOptions) => runSimilarity(a, b, options));
}

function readArray(path: string, variable: string | undefined, field: string): NdArray {
  if (/\.mat$/i.test(path)) {
    const mat = readMat(path, { field });
    const names = Object.keys(mat.variables);
    if (variable !== undefined) {
      const v = mat.variables[variable];
      if (!v) throw rangeError(`${field} variable`, `one of ${names.map((n) => JSON.stringify(n)).join(', ') || '(no numeric variables)'}`, variable);
      return v;
    }
    if (names.length !== 1) {
      throw rangeError(field, `a .mat file with one numeric variable, or --${field === 'A' ? 'a' : 'b'}-var <name>`, path, `${JSON.stringify(path)} with ${names.length} (${names.join(', ')})`);
    }
    return mat.variables[names[0]!]!;
  }
  if (variable !== undefined) throw new InvalidArgumentError(`--${field === 'A' ? 'a' : 'b'}-var: only applies to .mat files`);
  return readNpy(path, { field });
}

function asMatrix(array: NdArray, field: string): SampleMatrix {
  if (array.shape.length !== 2) {
    throw rangeError(field, 'a 2-D array of samples x units (reshape time x conditions into samples first, time fastest within condition)', undefined, `an array of shape ${formatShape(array.shape)}`);
  }
  return sampleMatrixFromNdArray(array, field);
}

function asSignal(array: NdArray, field: string): SampleMatrix | TrialTensor {
  if (array.shape.length === 2) return sampleMatrixFromNdArray(array, field);
  if (array.shape.length === 3) return { data: array.data, trials: array.shape[0]!, steps: array.shape[1]!, units: array.shape[2]! };
  throw rangeError(field, 'a 2-D (time x units) or 3-D (trials x time x units) array', undefined, `an array of shape ${formatShape(array.shape)}`);
}

/** DSA option names as the command line spells them. */
const CLI_NAMES: Record<string, string> = {
  'options.nDelays': '--delays',
  'options.delayInterval': '--delay-interval',
  'options.rank': '--rank',
  'options.rankThreshold': '--rank-threshold',
  'options.rankExplainedVariance': '--rank-explained-variance',
  'options.lambda': '--lambda',
  options: 'DSA options',
};

/** Runs fn, renaming API option fields (options.rank) to their flags (--rank) in errors. */
function withCliNames<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RnnlabRangeError || error instanceof RnnlabTypeError) {
      const rename = (text: string): string => text.replace(/options\.[A-Za-z]+/g, (m) => CLI_NAMES[m] ?? m);
      const field = CLI_NAMES[error.field] ?? rename(error.field);
      const make = error instanceof RnnlabRangeError ? rangeError : typeError;
      throw make(field, rename(error.expected), undefined, error.received);
    }
    throw error;
  }
}

function runSimilarity(pathA: string, pathB: string, o: SimilarityCliOptions): void {
  const dsaFlags = ['delays', 'delayInterval', 'rank', 'rankThreshold', 'rankExplainedVariance', 'lambda', 'group', 'randomStarts', 'maxIter'] as const;
  if (o.metric !== 'dsa') {
    const used = dsaFlags.find((k) => o[k] !== undefined);
    if (used) throw rangeError(`--${used.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, 'no DSA option unless --metric dsa', undefined, `--metric ${o.metric}`);
  }
  if (o.metric === 'shape' && o.alpha === undefined) throw rangeError('--alpha', 'a number in [0, 1] (required for --metric shape)', undefined, 'nothing');
  if (o.alpha !== undefined && o.metric !== 'shape') {
    const fixed = o.metric === 'procrustes' ? 1 : o.metric === 'cca' ? 0 : undefined;
    if (fixed !== o.alpha) throw rangeError('--alpha', `${fixed === undefined ? 'no --alpha' : `--alpha ${fixed}`} for --metric ${o.metric} (use --metric shape for other values)`, o.alpha);
  }
  const A = readArray(pathA, o.aVar, 'A');
  const B = readArray(pathB, o.bVar, 'B');
  let result: { distance: number; similarity?: number };
  let detail = '';
  if (o.metric === 'dsa') {
    const options: DsaOptions = {
      nDelays: o.delays,
      delayInterval: o.delayInterval,
      rank: o.rank,
      rankThreshold: o.rankThreshold,
      rankExplainedVariance: o.rankExplainedVariance,
      lambda: o.lambda,
      group: o.group,
      randomStarts: o.randomStarts,
      maxIter: o.maxIter,
      rng: new Rng(o.seed),
    };
    const r = withCliNames(() => dsaDistance(asSignal(A, 'A'), asSignal(B, 'B'), options));
    result = { distance: r.distance };
    detail = `  (DMD rank ${r.rank}, ${r.runs} alignment runs, ${r.iterations} iterations)`;
  } else {
    const spec = o.metric === 'shape' ? { metric: o.metric, alpha: o.alpha! } : { metric: o.metric };
    result = compareRepresentations(asMatrix(A, 'A'), asMatrix(B, 'B'), spec);
  }
  if (o.json) {
    printJson(result);
    return;
  }
  const name = o.metric === 'shape' ? `shape (alpha ${o.alpha})` : o.metric;
  const lines = [`${name} distance ${result.distance} rad (${normalizedDistance(result.distance).toFixed(6)} of pi/2)${detail}`];
  if (result.similarity !== undefined) lines.push(`linear CKA ${result.similarity}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
