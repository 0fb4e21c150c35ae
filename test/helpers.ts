// Shared test fixtures: small random models and batches, finite differences, error measures.
import { spawnSync } from 'node:child_process';
import { LeakyRNN, ParamSet, Rng, evaluate } from '../ts/index.js';
import type { Activation, DType, LeakyRNNConfig, LossKind, ParamName, Trials } from '../ts/index.js';

export function smallConfig(activation: Activation, overrides: Partial<LeakyRNNConfig> = {}): LeakyRNNConfig {
  return { nIn: 2, nHidden: 5, nOut: 3, alpha: 0.6, activation, trainable: ['Wh', 'Wx', 'b', 'Wout', 'bOut', 'h0'], ...overrides };
}

/** A model with every parameter random (biases and h0 included), in float64 by default. */
export function randomModel(config: LeakyRNNConfig, seed: number, gain = 1.2, dtype: DType = 'float64'): LeakyRNN {
  const rng = new Rng(seed);
  const model = LeakyRNN.create(config, { rng: rng.fork('create'), gain, dtype });
  const extra = rng.fork('biases');
  for (const name of ['b', 'bOut', 'h0'] as const) extra.fillNormal(model.params.get(name), 0.5);
  return model;
}

/** A random batch with a random 0/1 mask (never all zero). */
export function randomTrials(model: LeakyRNN, T: number, B: number, loss: LossKind, seed: number, withMask = true): Trials {
  const rng = new Rng(seed);
  const { nIn, nOut } = model.config;
  const inputs = new Float64Array(T * B * nIn);
  rng.fillNormal(inputs);
  const targets = new Float64Array(loss === 'ce' ? T * B : T * B * nOut);
  if (loss === 'ce') for (let k = 0; k < targets.length; k++) targets[k] = rng.int(nOut);
  else rng.fillNormal(targets, 0.5);
  let mask: Float64Array | null = null;
  if (withMask) {
    mask = new Float64Array(T * B);
    for (let k = 0; k < mask.length; k++) mask[k] = rng.uniform() < 0.7 ? 1 : 0;
    mask[0] = 1;
  }
  return { T, B, nIn, nOut, loss, inputs, targets, mask };
}

/** Central finite-difference gradient of the loss with respect to every parameter. */
export function finiteDifferenceGradient(model: LeakyRNN, trials: Trials, eps = 1e-5): ParamSet {
  const fd = new ParamSet(model.params.dims, 'float64');
  const flat = model.params.flat;
  for (let k = 0; k < flat.length; k++) {
    const saved = flat[k]!;
    flat[k] = saved + eps;
    const plus = evaluate(model, trials).loss;
    flat[k] = saved - eps;
    const minus = evaluate(model, trials).loss;
    flat[k] = saved;
    fd.flat[k] = (plus - minus) / (2 * eps);
  }
  return fd;
}

/** max |a - b| / max |b| over one parameter (b is the reference). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < a.length; k++) {
    num = Math.max(num, Math.abs(a[k]! - b[k]!));
    den = Math.max(den, Math.abs(b[k]!));
  }
  return den === 0 ? num : num / den;
}

export function worstRelativeError(a: ParamSet, b: ParamSet, names: readonly ParamName[]): { name: ParamName; error: number } {
  let worst = { name: names[0]!, error: -1 };
  for (const name of names) {
    const error = relativeError(a.get(name), b.get(name));
    if (error > worst.error) worst = { name, error };
  }
  return worst;
}

/** Whether /usr/bin/python3 can import torch (the optional independent reference). */
export function torchAvailable(): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Runs a Python script with /usr/bin/python3, feeding JSON on stdin, returning parsed JSON. */
export function runPython(script: string, input: unknown): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}
