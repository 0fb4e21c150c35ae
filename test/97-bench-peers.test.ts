// The benchmark's PyTorch peers (bench/peers/torch_peer.py) compute the same thing as rnnlab:
// the same loss and BPTT gradient in both styles (tuned and the papers' CTRNN), e-prop as the
// detached graph (both styles agree, and differ from BPTT), and the sweep peer's Romo trials equal
// ours. Skipped when PyTorch is not installed. No timing here (speed lives in bench/).
import test from 'tape';
import { PARAM_NAMES, computeGradient, createTask, Rng } from '../ts/index.js';
import type { LeakyRNN, ParamName, Trials } from '../ts/index.js';
import { PeerProcess, torchInfo } from '../bench/peer.js';
import { randomModel, randomTrials, relativeError, smallConfig } from './helpers.js';

const torch = torchInfo();
const COMPARED: ParamName[] = ['Wh', 'Wx', 'b', 'Wout', 'bOut'];

interface SetupReply {
  loss0: number;
  grads: Record<string, number[]>;
}

function setupMessage(model: LeakyRNN, trials: Trials, style: 'tuned' | 'paper', rule: 'bptt' | 'eprop') {
  return {
    cmd: 'setup', kind: 'iteration', style, rule, dtype: 'float64', returnGradients: true,
    N: model.N, B: trials.B, T: trials.T, nIn: trials.nIn, nOut: trials.nOut,
    alpha: model.config.alpha, activation: model.config.activation, lr: 1e-3,
    params: Object.fromEntries(PARAM_NAMES.map((name) => [name, Array.from(model.params.get(name))])),
    batch: { inputs: Array.from(trials.inputs), targets: Array.from(trials.targets), mask: Array.from(trials.mask!) },
  };
}

if (!torch.available) {
  test('bench peers (skipped: PyTorch is not installed)', (t) => {
    t.comment(torch.reason);
    t.end();
  });
} else {
  test('bench peers: loss and BPTT gradient equal rnnlab (float64), tuned and paper styles', async (t) => {
    const peer = new PeerProcess(['serve']);
    try {
      for (const activation of ['relu', 'tanh'] as const) {
        const model = randomModel(smallConfig(activation, { nHidden: 7, nIn: 2, nOut: 3 }), 5);
        const trials = randomTrials(model, 9, 4, 'mse', 6);
        const ours = computeGradient(model, trials);
        for (const style of ['tuned', 'paper'] as const) {
          const reply = await peer.request<SetupReply>(setupMessage(model, trials, style, 'bptt'));
          t.ok(Math.abs(reply.loss0 - ours.loss) <= 1e-12 * ours.loss, `${activation}/${style}: loss ${reply.loss0} equals ours ${ours.loss}`);
          const worst = Math.max(...COMPARED.map((name) => relativeError(reply.grads[name]!, ours.grads.get(name))));
          t.ok(worst < 1e-10, `${activation}/${style}: BPTT gradient within ${worst.toExponential(2)} of ours`);
        }
      }
    } finally {
      await peer.close();
    }
  });

  test('bench peers: e-prop (detached recurrent drive) agrees across styles and differs from BPTT', async (t) => {
    const peer = new PeerProcess(['serve']);
    try {
      const model = randomModel(smallConfig('relu', { nHidden: 8, nIn: 2, nOut: 2 }), 7);
      const trials = randomTrials(model, 12, 3, 'mse', 8);
      const tuned = await peer.request<SetupReply>(setupMessage(model, trials, 'tuned', 'eprop'));
      const paper = await peer.request<SetupReply>(setupMessage(model, trials, 'paper', 'eprop'));
      const bptt = computeGradient(model, trials);
      const agree = Math.max(...COMPARED.map((name) => relativeError(tuned.grads[name]!, paper.grads[name]!)));
      t.ok(agree < 1e-10, `tuned and paper e-prop gradients agree (${agree.toExponential(2)})`);
      const differ = relativeError(tuned.grads.Wh!, bptt.grads.get('Wh'));
      t.ok(differ > 1e-3, `e-prop's dWh differs from BPTT's (${differ.toExponential(2)} relative)`);
      const readout = Math.max(relativeError(tuned.grads.Wout!, bptt.grads.get('Wout')), relativeError(tuned.grads.bOut!, bptt.grads.get('bOut')));
      t.ok(readout < 1e-10, `readout gradients are exact in both (${readout.toExponential(2)})`);
    } finally {
      await peer.close();
    }
  });

  test("bench peers: the sweep peer's Romo trials equal rnnlab's for the same conditions", async (t) => {
    const peer = new PeerProcess(['serve']);
    try {
      const conditions = [
        { a1: 0.6, a2: 1.1, delay: 2 },
        { a1: 1.4, a2: 0.7, delay: 8 },
        { a1: 0.9, a2: 1.3, delay: 4.9 },
        { a1: 1.2, a2: 0.5, delay: 5.3 },
      ];
      const ours = createTask('romo').sample(new Rng(1), conditions.length, { conditions });
      const theirs = await peer.request<{ inputs: number[]; targets: number[]; mask: number[] }>({ cmd: 'romo', conditions });
      t.equal(ours.T, 56, 'Romo has 56 steps');
      t.deepEqual(theirs.inputs, Array.from(ours.inputs), 'inputs equal');
      t.deepEqual(theirs.targets, Array.from(ours.targets), 'targets equal');
      t.deepEqual(theirs.mask, Array.from(ours.mask!), 'masks equal');
    } finally {
      await peer.close();
    }
  });
}
