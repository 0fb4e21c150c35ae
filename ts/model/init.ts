/**
 * Weight initialisation. The recurrent weights always follow Wh_ij ~ N(0, gain^2 / N); the
 * schemes differ in the input and readout weights, following the references:
 *
 * - `yang2020` (default; paper 1, "initialized as in Yang and Wang 2020"): PyTorch nn.Linear
 *   defaults, Wx_ij ~ U(-1/sqrt(nIn), 1/sqrt(nIn)) and Wout_ij ~ U(-1/sqrt(N), 1/sqrt(N)).
 * - `liu2025` (paper 2's code): Wx_ij ~ N(0, 1/nIn), Wout_ij ~ U(-1/sqrt(N), 1/sqrt(N)).
 * - `schuessler2020` (the Romo reference): each input column and each readout row is a N(0, 1)
 *   vector normalised to unit length, then scaled by sqrt(N) (inputs, entries O(1)) and by
 *   1/sqrt(N) (readout, entries O(1/N)).
 *
 * Biases b, bOut and the initial state h0 start at zero in every scheme.
 * @module
 */
import type { Rng } from '../rng.js';
import { expectNumber, expectOneOf } from '../validate.js';
import type { ParamSet } from './params.js';

/**
 * Input and readout initialisation schemes (Wh ~ N(0, gain^2 / N) in all of them):
 * - `yang2020` (default): Wx ~ U(-1/sqrt(nIn), 1/sqrt(nIn)), Wout ~ U(-1/sqrt(N), 1/sqrt(N))
 *   (PyTorch nn.Linear defaults; paper 1);
 * - `liu2025`: Wx ~ N(0, 1/nIn), Wout ~ U(-1/sqrt(N), 1/sqrt(N)) (paper 2's code);
 * - `schuessler2020`: each input column a unit-norm Gaussian vector times sqrt(N), each readout
 *   row one times 1/sqrt(N) (the Romo reference).
 * b, bOut and h0 start at zero.
 */
export const INIT_SCHEMES = ['yang2020', 'liu2025', 'schuessler2020'] as const;
/** One of {@link INIT_SCHEMES}. */
export type InitScheme = (typeof INIT_SCHEMES)[number];

/** @internal */
export interface InitOptions {
  /** Generator of the draw (forked per parameter: 'Wh', 'Wx', 'Wout'). */
  rng: Rng;
  /** Recurrent gain g >= 0. */
  gain: number;
  /** Input and readout scheme. */
  scheme: InitScheme;
}

/** Overwrites every parameter of `params` with a fresh draw. @internal */
export function initializeParams(params: ParamSet, options: InitOptions): void {
  const gain = expectNumber(options.gain, 'gain', { min: 0 });
  const scheme = expectOneOf(options.scheme, 'init', INIT_SCHEMES);
  const { rng } = options;
  const { nIn, nHidden: N, nOut } = params.dims;
  params.fill(0);

  rng.fork('Wh').fillNormal(params.Wh, gain / Math.sqrt(N));
  const inputRng = rng.fork('Wx');
  const readoutRng = rng.fork('Wout');
  switch (scheme) {
    case 'yang2020': {
      const bx = nIn > 0 ? 1 / Math.sqrt(nIn) : 0;
      inputRng.fillUniform(params.Wx, -bx, bx);
      const bo = 1 / Math.sqrt(N);
      readoutRng.fillUniform(params.Wout, -bo, bo);
      break;
    }
    case 'liu2025': {
      if (nIn > 0) inputRng.fillNormal(params.Wx, 1 / Math.sqrt(nIn));
      const bo = 1 / Math.sqrt(N);
      readoutRng.fillUniform(params.Wout, -bo, bo);
      break;
    }
    case 'schuessler2020': {
      // Input column k and readout row o: unit-norm Gaussian vectors over the N units.
      const column = new Float64Array(N);
      for (let k = 0; k < nIn; k++) {
        inputRng.fillNormal(column);
        const scale = Math.sqrt(N) / norm(column);
        for (let i = 0; i < N; i++) params.Wx[i * nIn + k] = column[i]! * scale;
      }
      for (let o = 0; o < nOut; o++) {
        readoutRng.fillNormal(column);
        const scale = 1 / (Math.sqrt(N) * norm(column));
        for (let i = 0; i < N; i++) params.Wout[o * N + i] = column[i]! * scale;
      }
      break;
    }
  }
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s) || 1;
}
