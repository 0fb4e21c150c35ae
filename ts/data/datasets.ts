/**
 * Loaders for the recordings shipped in the package's `data/` folder (see data/README.md and
 * each folder's SOURCE.md for origin and licence).
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UnitsTimeConditions } from '../analysis/layout.js';
import { toUnitsTimeConditions } from '../analysis/layout.js';
import { readMat } from '../io/mat.js';
import { formatShape } from '../io/ndarray.js';
import type { NdArray } from '../io/ndarray.js';
import { readNpy } from '../io/npy.js';
import { rangeError, typeError } from '../validate.js';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder of the shipped data (`<package>/data`). */
export function dataDirectory(): string {
  return join(packageRoot, 'data');
}

function readShaped(dir: string, file: string, shape: readonly number[]): NdArray {
  const path = join(dir, file);
  if (!existsSync(path)) throw rangeError('dir', `a folder holding ${file}`, dir, `${JSON.stringify(dir)} (no ${file})`);
  const a = readNpy(path, { field: file });
  if (a.shape.length !== shape.length || a.shape.some((d, k) => d !== shape[k])) {
    throw rangeError(file, `shape ${formatShape(shape)}`, undefined, formatShape(a.shape));
  }
  return a;
}

/** Hand and joint kinematics of the Hatsopoulos reaches, each `[condition][step]` (8 x 121), normalised to about [-1, 1]. */
export interface ReachKinematics {
  /** Horizontal hand position, [condition][step] (8 x 121). */
  xHandPosition: NdArray;
  /** Vertical hand position, [condition][step] (8 x 121). */
  yHandPosition: NdArray;
  /** Horizontal hand velocity, [condition][step] (8 x 121). */
  xHandSpeed: NdArray;
  /** Vertical hand velocity, [condition][step] (8 x 121). */
  yHandSpeed: NdArray;
  /** Shoulder joint angle, [condition][step] (8 x 121); reach8 trains on it. */
  shoulderAngle: NdArray;
  /** Elbow joint angle, [condition][step] (8 x 121); reach8 trains on it. */
  elbowAngle: NdArray;
}

/** The Hatsopoulos 2007 M1 centre-out reaching data as preprocessed by Liu, Yang & Cueva (2025). */
export interface Hatsopoulos2007 {
  /** Trial-averaged firing rates in Hz (Gaussian-smoothed, SD 25 ms): 141 units x 121 steps x 8 conditions. */
  firingRate: UnitsTimeConditions;
  /** Time of each step in ms relative to movement onset: -800, -790, ..., +400 (121 values). */
  timeMs: Float64Array;
  /** Reach direction of each condition in degrees: 0, 45, ..., 315 (counter-clockwise from rightward). */
  reachAngleDeg: Float64Array;
  /** Hand and joint kinematics on the same 121 steps. */
  kinematics: ReachKinematics;
  /** Movement duration per condition in ms (mean and median over trials), 8 values each. */
  movementDurationMs: {
    /** Mean over trials, ms, one per condition. */
    mean: Float64Array;
    /** Median over trials, ms, one per condition. */
    median: Float64Array;
  };
}

/**
 * Loads the Hatsopoulos 2007 recording (141 neurons x 121 bins x 8 reaches).
 * @param dir the folder with the .npy files (default: the copy shipped in `data/hatsopoulos2007`)
 * @throws TypeError when dir is not a string; RangeError when a file is missing (field `dir`) or
 *   has another shape than expected; the errors of {@link readNpy} for an unreadable file
 */
export function loadHatsopoulos2007(dir: string = join(dataDirectory(), 'hatsopoulos2007')): Hatsopoulos2007 {
  if (typeof dir !== 'string') throw typeError('dir', 'a folder path (string)', dir);
  const rate = readShaped(dir, 'firing_rate.npy', [141, 121, 8]);
  const time = readShaped(dir, 'time_ms.npy', [121]);
  const k = (file: string): NdArray => readShaped(dir, file, [8, 121]);
  return {
    firingRate: toUnitsTimeConditions(rate, 'utc', 'firing_rate.npy'),
    timeMs: Float64Array.from(time.data),
    reachAngleDeg: Float64Array.from({ length: 8 }, (_, c) => 45 * c),
    kinematics: {
      xHandPosition: k('xhandposition.npy'),
      yHandPosition: k('yhandposition.npy'),
      xHandSpeed: k('xhandspeed.npy'),
      yHandSpeed: k('yhandspeed.npy'),
      shoulderAngle: k('shoulderangle.npy'),
      elbowAngle: k('elbowangle.npy'),
    },
    movementDurationMs: {
      mean: Float64Array.from(readShaped(dir, 'time_startmovement_to_endmovement_mean.npy', [8]).data),
      median: Float64Array.from(readShaped(dir, 'time_startmovement_to_endmovement_median.npy', [8]).data),
    },
  };
}

/** The Churchland et al. 2012 reaching subset shipped with TME (normalised units, not Hz). */
export interface Churchland2012 {
  /** 50 units x 61 steps x 10 conditions. */
  activity: UnitsTimeConditions;
  /** -50, -40, ..., 550 ms (61 values). */
  timeMs: Float64Array;
}

/**
 * Loads the Churchland 2012 subset from its original MATLAB file (`exampleData.mat`,
 * `dataTensor` time x neurons x conditions, `t` in ms).
 * @param dir the folder with exampleData.mat (default: `data/churchland2012`)
 * @throws TypeError when dir is not a string; RangeError when exampleData.mat is missing (field
 *   `dir`) or lacks a 3-D dataTensor and a matching t; the errors of {@link readMat}
 */
export function loadChurchland2012(dir: string = join(dataDirectory(), 'churchland2012')): Churchland2012 {
  if (typeof dir !== 'string') throw typeError('dir', 'a folder path (string)', dir);
  const path = join(dir, 'exampleData.mat');
  if (!existsSync(path)) throw rangeError('dir', 'a folder holding exampleData.mat', dir, `${JSON.stringify(dir)} (no exampleData.mat)`);
  const mat = readMat(path, { field: 'exampleData.mat' });
  const tensor = mat.variables.dataTensor;
  const t = mat.variables.t;
  if (!tensor || tensor.shape.length !== 3) throw rangeError('exampleData.mat.dataTensor', 'a 3-D array time x neurons x conditions', undefined, tensor ? formatShape(tensor.shape) : 'no such variable');
  if (!t || t.data.length !== tensor.shape[0]) throw rangeError('exampleData.mat.t', `${tensor.shape[0]} time points`, undefined, t ? formatShape(t.shape) : 'no such variable');
  return { activity: toUnitsTimeConditions(tensor, 'tuc', 'exampleData.mat.dataTensor'), timeMs: Float64Array.from(t.data) };
}
