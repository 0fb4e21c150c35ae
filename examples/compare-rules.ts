// How well does each learning rule's update align with the exact gradient? One Romo batch, a
// fresh 64-unit leaky ReLU network with Dale's law (so that ModProp applies), every rule.
//
//   npx tsx examples/compare-rules.ts [gain] [seed]
//
// The same comparison for any saved model and trials file: rnnlab grad --rule all.
import { LeakyRNN, Rng, compareRules, createTask } from 'rnnlab';

const gain = Number(process.argv[2] ?? 1);
const seed = Number(process.argv[3] ?? 1);
const rng = new Rng(seed);
const task = createTask('romo');
const model = LeakyRNN.create({ nIn: 1, nHidden: 64, nOut: 2, alpha: 0.5, activation: 'relu', dale: true }, { rng: rng.fork('init'), gain, dtype: 'float64' });
const batch = task.sample(rng.fork('data'), 32);
const result = compareRules(model, batch, { rng: rng.fork('rules') });
console.log(`Romo batch (B = 32, T = ${batch.T}), N = 64, relu, Dale, gain ${gain}, seed ${seed}; loss ${result.loss.toFixed(5)}`);
console.log(`rule                      cos(rule, bptt)  cos on Wh  |rule|/|bptt|  ms`);
for (const r of result.rules) {
  if ('skipped' in r) console.log(`${r.label.padEnd(24)}  skipped: ${r.skipped}`);
  else console.log(`${r.label.padEnd(24)}  ${r.cosine!.toFixed(4).padStart(15)}  ${(r.cosineByParam.Wh ?? NaN).toFixed(4).padStart(9)}  ${r.normRatio!.toFixed(4).padStart(13)}  ${(r.seconds * 1000).toFixed(2).padStart(7)}`);
}
