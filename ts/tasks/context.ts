/**
 * `context`: context-dependent integration (Mante et al. 2013), as neurogym's
 * ContextDecisionMaking defines it (neurogym 8136bc7 / v2.2.0; reference/specs.md 4.4).
 *
 * Inputs [fixation, stim1_mod1, stim2_mod1, stim1_mod2, stim2_mod2, context1, context2]
 * (the last two only with an explicit context); outputs (classes) [fixate, choice1, choice2].
 * A trial has a correct choice g and an other choice o (each uniform in {1, 2}, independent, so
 * congruent and incongruent trials occur), a context (0 or 1) and coherences coh1, coh2 (each
 * uniform from `cohs`, default [5, 15, 50]). In context 0 modality 1 encodes g and modality 2
 * encodes o; in context 1 the other way round. Modality m's channels read
 * [0.5 + s cohm/200, 0.5 - s cohm/200] with s = +1 when it encodes choice 1 and -1 for choice 2
 * (neurogym: cos(theta - theta_choice) coh/200 + 0.5), during the stimulus period only, plus
 * independent N(0, (sigma/sqrt(dt))^2) noise on each of the four stimulus channels there.
 * The decision period has every channel 0 except the context channels. With an explicit
 * context, the context channel (context1 for context 0, context2 for context 1) is 1 in every
 * period. Target: class 0 except in the decision period, where it is g. Loss: cross-entropy on
 * every step. Trials differ in length (the delay is random): batches are padded to the longest
 * trial with mask 0.
 *
 * Defaults: dt 100 ms; timing fixation 300, stimulus 750 (floored: 700 ms, 7 steps at dt 100,
 * as neurogym does with its own default), delay truncated exponential (mean 600, in
 * [300, 3000)), decision 100 ms: 3 + 7 + 3..29 + 1 steps; cohs [5, 15, 50]; sigma 1.
 *
 * The context is explicit by default (`explicitContext: true`, 7 inputs, contexts 0 and 1 drawn
 * uniformly): that is Mante's task, and what `ContextDecisionMaking-v0` was in the neurogym
 * versions the papers' code used. neurogym >= v2.0 defaults to an implicit, fixed context
 * (`explicitContext: false`, 5 inputs, context = `contextModality`, default 0).
 * Fixation input: see {@link FIXATION_INPUTS} (default `until-decision`).
 *
 * Conditions: `groundTruth` (1 or 2), `otherChoice` (1 or 2), `context` (0 or 1), `coh1`,
 * `coh2` (coherences of modality 1 and 2, forced values in [0, 100]).
 * @module
 */
import { z } from 'zod';
import { parseWithSchema, rangeError } from '../validate.js';
import { DEFAULT_FIXATION_INPUT, FIXATION_INPUTS, commonSettingsToJSON, commonShape, expectChoice, neurogymInfo, resolveCommon } from './neurogym.js';
import type { FixationInput, NeurogymOptions, OptionsMatchSchema } from './neurogym.js';
import { defineTask } from './task.js';
import type { Task } from './task.js';
import { sampleTimingSteps } from './timing.js';
import type { TimingSpec } from './timing.js';

const PERIODS = ['fixation', 'stimulus', 'delay', 'decision'] as const;

/** Default durations of the context periods, in ms (neurogym's, stimulus floored to 700). */
export const CONTEXT_TIMING: Record<string, TimingSpec> = {
  fixation: 300,
  // neurogym's default 750 ms, floored to a multiple of its default dt as neurogym does.
  stimulus: 700,
  delay: ['truncated_exponential', [600, 300, 3000]],
  decision: 100,
};
/** neurogym's default coherences, in percent (for both modalities). */
export const CONTEXT_COHS = [5, 15, 50];

const ContextOptionsSchema = z.strictObject({
  ...commonShape(PERIODS, []),
  /** Coherences (percent) to draw from, for both modalities. */
  cohs: z.array(z.number().min(0).max(100)).min(1).optional(),
  /** Show the context on two input channels and draw it per trial (default true). */
  explicitContext: z.boolean().optional(),
  /** The fixed context when `explicitContext` is false (default 0: modality 1 is relevant). */
  contextModality: z.union([z.literal(0), z.literal(1)]).optional(),
  fixationInput: z.enum(FIXATION_INPUTS).optional(),
});
/** Options of {@link context}. */
export interface ContextOptions extends NeurogymOptions<(typeof PERIODS)[number]> {
  /** Coherences to draw from, in percent, each in [0, 100], for both modalities (default {@link CONTEXT_COHS}). */
  cohs?: number[] | undefined;
  /** Show the context on two input channels and draw it per trial (default true: 7 inputs). */
  explicitContext?: boolean | undefined;
  /** The fixed context when `explicitContext` is false: 0 (modality 1 relevant, the default) or 1. */
  contextModality?: 0 | 1 | undefined;
  /** Which steps the fixation input is on (default {@link DEFAULT_FIXATION_INPUT}). */
  fixationInput?: FixationInput | undefined;
}
true satisfies OptionsMatchSchema<ContextOptions, z.input<typeof ContextOptionsSchema>>;

/**
 * Creates the context task (see the module description).
 * @throws TypeError for options that are not an object, an unknown key (with a "did you mean"
 *   hint) or a value of the wrong type
 * @throws RangeError for values out of range: dt <= 0, sigma < 0, a timing spec that is invalid,
 *   not a multiple of dt (fixed durations) or gives no decision step, or a contextModality with explicitContext true
 */
export function context(options: ContextOptions = {}): Task {
  const o = parseWithSchema(ContextOptionsSchema, options, 'context options');
  const common = resolveCommon('context', PERIODS, CONTEXT_TIMING, {}, o);
  const cohs = o.cohs ?? CONTEXT_COHS;
  const explicitContext = o.explicitContext ?? true;
  if (explicitContext && o.contextModality !== undefined) {
    throw rangeError('context options.contextModality', 'no value with explicitContext true (the context is drawn per trial); set explicitContext to false', o.contextModality);
  }
  const contextModality = o.contextModality ?? 0;
  const contexts = explicitContext ? [0, 1] : [contextModality];
  const fixationInput = o.fixationInput ?? DEFAULT_FIXATION_INPUT;
  const info = neurogymInfo(
    {
      name: 'context',
      description: 'Context-dependent integration (Mante et al. 2013): report the sign of the relevant one of two noisy modalities.',
      source: 'neurogym ContextDecisionMaking (v2.2.0 timing and coherences; Mante et al. 2013), explicit context by default',
      inputs: ['fixation', 'stim1_mod1', 'stim2_mod1', 'stim1_mod2', 'stim2_mod2', ...(explicitContext ? ['context1', 'context2'] : [])],
      outputs: ['fixate', 'choice1', 'choice2'],
      conditions: ['groundTruth', 'otherChoice', 'context', 'coh1', 'coh2'],
    },
    common,
    PERIODS,
  );
  const coherence = (value: number | undefined, field: string, rng: { choice: (a: number[]) => number }): number => {
    const c = value ?? rng.choice(cohs);
    if (!(c >= 0 && c <= 100)) throw rangeError(field, 'a coherence in [0, 100]', c);
    return c;
  };
  return defineTask({
    info,
    settings: { ...commonSettingsToJSON(common), cohs: [...cohs], explicitContext, ...(explicitContext ? {} : { contextModality }), fixationInput },
    plan(rng, forced, index) {
      const field = `options.conditions[${index}]`;
      const groundTruth = forced.groundTruth === undefined ? 1 + rng.int(2) : expectChoice(forced.groundTruth, [1, 2], `${field}.groundTruth`);
      const otherChoice = forced.otherChoice === undefined ? 1 + rng.int(2) : expectChoice(forced.otherChoice, [1, 2], `${field}.otherChoice`);
      const ctx = forced.context === undefined ? rng.choice(contexts) : expectChoice(forced.context, contexts, `${field}.context`);
      const coh1 = coherence(forced.coh1, `${field}.coh1`, rng);
      const coh2 = coherence(forced.coh2, `${field}.coh2`, rng);
      return { conditions: { groundTruth, otherChoice, context: ctx, coh1, coh2 }, periods: sampleTimingSteps(common.timing, rng) };
    },
    write(out, plan, rng) {
      const { groundTruth, otherChoice, context: ctx, coh1, coh2 } = plan.conditions as Record<string, number> as {
        groundTruth: number;
        otherChoice: number;
        context: number;
        coh1: number;
        coh2: number;
      };
      const choice1 = ctx === 0 ? groundTruth : otherChoice;
      const choice2 = ctx === 0 ? otherChoice : groundTruth;
      out.setInput('fixation', fixationInput === 'until-decision' ? [0, out.period('decision')[0]] : 'fixation', 1);
      const s1 = choice1 === 1 ? 1 : -1;
      const s2 = choice2 === 1 ? 1 : -1;
      out.setInput('stim1_mod1', 'stimulus', 0.5 + (s1 * coh1) / 200);
      out.setInput('stim2_mod1', 'stimulus', 0.5 - (s1 * coh1) / 200);
      out.setInput('stim1_mod2', 'stimulus', 0.5 + (s2 * coh2) / 200);
      out.setInput('stim2_mod2', 'stimulus', 0.5 - (s2 * coh2) / 200);
      for (const channel of ['stim1_mod1', 'stim2_mod1', 'stim1_mod2', 'stim2_mod2']) out.addInputNoise(channel, 'stimulus', common.noiseStd, rng);
      if (explicitContext) out.setInput(ctx === 0 ? 'context1' : 'context2', out.all, 1);
      out.setClass('decision', groundTruth);
      out.setMask(out.all);
    },
  });
}
