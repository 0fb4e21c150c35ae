// Dynamics of constrained models (Dale's law, sparsity masks): the spectrum, the eigenvalues and
// the flossing gradient follow the effective weights |Wh| * mask that the network runs on, and
// the flossing gradient is the derivative with respect to the raw (trained) weights.
import test from 'tape';
import { LeakyRNN, ParamSet, Rng, effectiveParamSet, flossingGradient, lyapunovSpectrum, recurrentEigenvalues } from '../ts/index.js';
import { relativeError } from './helpers.js';

function constrained(): LeakyRNN {
  const model = LeakyRNN.create({ nIn: 2, nHidden: 6, nOut: 1, alpha: 0.6, activation: 'tanh', dale: true, connectivity: 0.7 }, { rng: new Rng(3), gain: 1.5, dtype: 'float64' });
  new Rng(4).fillNormal(model.params.b, 0.3);
  return model;
}

/** An unconstrained model whose weights are the constrained model's effective weights. */
function plainTwin(model: LeakyRNN): LeakyRNN {
  const { dale: _dale, connectivity: _connectivity, excitatoryFraction: _e, ...config } = model.config as unknown as Record<string, unknown>;
  return new LeakyRNN(config as never, new ParamSet(model.params.dims, 'float64', effectiveParamSet(model).flat.slice()));
}

test('constrained models: Lyapunov spectrum and eigenvalues of the effective weights', (t) => {
  const model = constrained();
  const twin = plainTwin(model);
  const inputs = new Float64Array(40 * 2);
  new Rng(5).fillNormal(inputs);
  const a = lyapunovSpectrum(model, { inputs, warmupQ: 5, steps: 35 }).exponents;
  const b = lyapunovSpectrum(twin, { inputs, warmupQ: 5, steps: 35 }).exponents;
  t.ok(relativeError(a, b) < 1e-14, `spectrum equals that of the effective weights (${relativeError(a, b).toExponential(1)})`);
  t.notOk(relativeError(lyapunovSpectrum(new LeakyRNN({ ...twin.config }, model.params.clone()), { inputs, warmupQ: 5, steps: 35 }).exponents, a) < 1e-6, 'and differs from the raw weights\' spectrum');
  t.deepEqual(recurrentEigenvalues(model), recurrentEigenvalues(twin), 'eigenvalues of the effective weights');
  t.end();
});

test('constrained models: the flossing gradient is the derivative with respect to the raw weights', (t) => {
  const model = constrained();
  const inputs = new Float64Array(20 * 2);
  new Rng(6).fillNormal(inputs);
  const options = { mode: 'full' as const, k: 3, warmupQ: 3, steps: 17, inputs, target: 0.05 };
  const r = flossingGradient(model, options);
  const eps = 1e-6;
  const fd = new Float64Array(model.params.Wh.length);
  for (let i = 0; i < fd.length; i++) {
    const saved = model.params.Wh[i]!;
    model.params.Wh[i] = saved + eps;
    const plus = flossingGradient(model, options).loss;
    model.params.Wh[i] = saved - eps;
    const minus = flossingGradient(model, options).loss;
    model.params.Wh[i] = saved;
    fd[i] = (plus - minus) / (2 * eps);
  }
  const error = relativeError(r.grads.Wh, fd);
  t.ok(error < 1e-6, `dWh (raw) equals central finite differences to ${error.toExponential(2)}`);
  const masked = Array.from(model.params.Wh).map((_, i) => i).filter((i) => effectiveParamSet(model).Wh[i] === 0 && model.params.Wh[i] !== 0);
  t.ok(masked.length > 0 && masked.every((i) => r.grads.Wh[i] === 0), `zero gradient on the ${masked.length} masked-out entries`);
  t.end();
});
