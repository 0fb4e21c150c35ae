/**
 * rnnlab: train and analyse recurrent neural networks with hand-written exact gradients and
 * biologically plausible learning rules. This file is the whole public API; everything under
 * `internal/` (and any module not re-exported here) has no stability promise.
 *
 * Conventions: arrays are typed arrays, time-major ([T][B][...]) and row-major, matrices with
 * row = postsynaptic unit. Randomness always comes from an explicit {@link Rng}.
 * @module
 */
export { VERSION } from './version.js';
export { Rng } from './rng.js';
export type { Seed } from './rng.js';
export { RnnlabRangeError, RnnlabTypeError } from './validate.js';

export { LeakyRNN, ACTIVATIONS, DEFAULT_TRAINABLE, INIT_SCHEMES, resolveConfig } from './model/leaky-rnn.js';
export type { Activation, CreateOptions, InitScheme, LeakyRNNConfig, ResolvedConfig } from './model/leaky-rnn.js';
export { DTYPES, PARAM_NAMES, ParamSet, paramLayout, paramShapes } from './model/params.js';
export type { DType, FloatArray, ModelDims, ParamName } from './model/params.js';

export { LOSSES, checkTrials } from './trials.js';
export type { LossKind, Trials } from './trials.js';

export { bptt, computeGradient, getRule, ruleNames } from './rules/index.js';
export type { LearningRule, RuleContext } from './rules/index.js';
export { Workspace } from './rules/workspace.js';

// Learning rules and connectivity constraints (issue 3)
export { createBptt, createEprop, createEs, createModprop, createNodePerturbation, createRtrl, createTbptt } from './rules/index.js';
export type { BpttOptions } from './rules/bptt.js';
export type { EpropOptions } from './rules/eprop.js';
export type { EsOptions } from './rules/es.js';
export type { ModpropOptions } from './rules/modprop.js';
export type { NodePerturbationOptions } from './rules/node-perturbation.js';
export type { RtrlOptions } from './rules/rtrl.js';
export type { TbpttOptions } from './rules/tbptt.js';
export { FEEDBACK_MODES, RandomFeedback } from './rules/options.js';
export type { FeedbackMode } from './rules/options.js';
export { RTRL_MAX_HIDDEN } from './rules/rtrl.js';
export { DEFAULT_TRUNCATION } from './rules/tbptt.js';
export { DEFAULT_MODPROP_MU, blockAverage, cellTypeBounds } from './rules/modprop.js';
export { compareRules } from './rules/compare.js';
export type { CompareOptions, RuleComparison } from './rules/compare.js';
export { effectiveParamSet, excitatoryCount } from './model/constraints.js';
export type { WeightConstraint } from './model/constraints.js';
export type { ModelMasks } from './model/leaky-rnn.js';

export { OPTIMIZERS, adam, clipGradNorm, createOptimizer, gradNorm, sgd } from './optim/index.js';
export type { AdamOptions, AdamState, Optimizer, SgdOptions, SgdState } from './optim/index.js';

export { createTask, defineTask, romo, stepsIn, taskNames, TrialWriter } from './tasks/index.js';
export type { SampleOptions, Task, TaskBatch, TaskDefinition, TaskInfo, TrialPlan, TrialRecord } from './tasks/index.js';

export { train } from './experiment/train.js';
export type { LossPoint, TrainOptions, TrainProgress, TrainResult } from './experiment/train.js';
export { evaluate } from './experiment/evaluate.js';
export type { Evaluation } from './experiment/evaluate.js';

export { MODEL_FORMAT, modelFromJSON, modelToJSON, readModelFile, writeModelFile } from './io/model-file.js';
export { readTrialsFile, trialsFromJSON, trialsToJSON, writeTrialsFile } from './io/trials-file.js';

export { blasInfo, setBlasThreads } from './native.js';
