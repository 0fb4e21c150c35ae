// Child process of the memory workload (bench/run.ts, workload 7): one training iteration of a
// learning rule at sequence length T in a fresh process, printing the peak resident set before and
// after it (KB, like ru_maxrss). Input: one JSON argument {rule, N, B, T}.
import { iterationData } from './workloads.js';
import { ParamSet, Workspace, adam, getRule } from '../ts/index.js';

const { rule, N, B, T } = JSON.parse(process.argv[2] ?? '{}') as { rule: string; N: number; B: number; T: number };
const { model, batch } = iterationData({ rule, N, B, T, nIn: 1, nOut: 2, task: 'random', dtype: 'float32', threads: 1 });
const learningRule = getRule(rule);
const grads = new ParamSet(model.params.dims, model.dtype);
const optimizer = adam({ lr: 1e-3 });
const state = optimizer.init(model.params);
const baselineKB = process.resourceUsage().maxRSS;
learningRule.gradient(model, batch, grads, { workspace: new Workspace() });
optimizer.update(state, model.params, grads, model.config.trainable);
const peakKB = process.resourceUsage().maxRSS;
process.stdout.write(`${JSON.stringify({ T, baselineKB, peakKB })}\n`);
