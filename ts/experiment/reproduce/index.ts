/**
 * The paper reproductions `rnnlab reproduce <paper>` can run.
 * @module
 */
import { expectOneOf } from '../../validate.js';
import { initialConnectivity } from './initial-connectivity.js';
import { neuralSimilarityPreset } from './neural-similarity.js';
import type { PaperPreset } from './preset.js';

const PRESETS: PaperPreset[] = [initialConnectivity, neuralSimilarityPreset];

/** Names of the papers that can be reproduced. */
export function paperNames(): string[] {
  return PRESETS.map((p) => p.name);
}

/**
 * The reproduction of paper `name` (see {@link paperNames}).
 * @throws RangeError for an unknown name (listing the known ones, with a did-you-mean hint);
 *   TypeError when `name` is not a string
 */
export function getPaperPreset(name: string, field = 'paper'): PaperPreset {
  const which = expectOneOf(name, field, paperNames());
  return PRESETS.find((p) => p.name === which)!;
}

export type { PaperPreset, ReproduceOptions, ReproduceResult, Verdict } from './preset.js';
