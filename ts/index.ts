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
export type { RngState, Seed } from './rng.js';
export { RnnlabRangeError, RnnlabTypeError } from './validate.js';

export { LeakyRNN, ACTIVATIONS, DEFAULT_TRAINABLE, INIT_SCHEMES, resolveConfig } from './model/leaky-rnn.js';
export type { Activation, CreateOptions, InitScheme, LeakyRNNConfig, ResolvedConfig } from './model/leaky-rnn.js';
export { DTYPES, PARAM_NAMES, ParamSet, paramLayout, paramShapes } from './model/params.js';
export type { DType, FloatArray, ModelDims, ParamName } from './model/params.js';

export { LOSSES, checkTrials } from './trials.js';
export type { LossKind, Trials } from './trials.js';

export { bptt, computeGradient, getRule, ruleNames } from './rules/index.js';
export type { GradientResult, LearningRule, RuleContext } from './rules/index.js';
export { Workspace } from './rules/workspace.js';

// ---- Learning rules and connectivity constraints.
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

export { createTask, defineTask, romo, stepsIn, taskNames, taskOrigin, TrialWriter } from './tasks/index.js';
export type { TaskOrigin } from './tasks/index.js';
export type { SampleOptions, Task, TaskBatch, TaskDefinition, TaskInfo, TrialPlan, TrialRecord } from './tasks/index.js';

export { train } from './experiment/train.js';
export type { ActivityL2Setting, Divergence, LossPoint, TrainOptions, TrainProgress, TrainResult } from './experiment/train.js';
export { evaluate } from './experiment/evaluate.js';
export { lyapunovAsync, runAsync, trainAsync } from './experiment/async.js';
export type { TrainAsyncOptions } from './experiment/async.js';
export type { Evaluation } from './experiment/evaluate.js';

// ---- Tasks and scoring.
export {
  CONTEXT_COHS,
  CONTEXT_TIMING,
  DEFAULT_FIXATION_INPUT,
  DELAYCOMPARISON_PAIRS,
  DELAYCOMPARISON_TIMING,
  DMS_PRESETS,
  DMS_TIMING,
  FIXATION_INPUTS,
  MANTE72_COHS,
  MANTE72_DT,
  MANTE72_TAU,
  MANTE72_TIMING,
  NEUROGYM_DT,
  NEUROGYM_TAU,
  PDM_COHS,
  PDM_PRESETS,
  PDM_TIMING,
  context,
  delaycomparison,
  dms,
  mante72,
  mante72Conditions,
  parseTimingSpec,
  pdm,
  sampleDuration,
} from './tasks/index.js';
export type {
  ContextOptions,
  DelayComparisonOptions,
  DmsOptions,
  FixationInput,
  Mante72Condition,
  Mante72Options,
  PdmOptions,
  ResolvedTiming,
  TimingPreset,
  TimingSpec,
} from './tasks/index.js';
export { decisionAccuracy, lossOf, normalizedAccuracy, normalizedError, scoreOutputs } from './experiment/score.js';
export type { DecisionScore, Score } from './experiment/score.js';
export { predict } from './experiment/evaluate.js';
export type { EvaluateOptions } from './experiment/evaluate.js';

export { MODEL_FORMAT, modelFromJSON, modelToJSON, readModelFile, writeModelFile } from './io/model-file.js';
export { readTrialsFile, trialsFromJSON, trialsToJSON, writeTrialsFile } from './io/trials-file.js';

export { blasInfo, setBlasThreads } from './native.js';
export type { BlasInfo } from './native.js';

// ---- Similarity to neural data: metrics, data IO, layouts, baselines, embeddings.
export { LINEAR_METRICS, ccaDistance, ckaDistance, compareRepresentations, linearCka, normalizedDistance, procrustesDistance, sampleMatrixFromNdArray, shapeDistance } from './analysis/similarity.js';
export type { Comparison, LinearMetricName, MetricSpec, SampleMatrix } from './analysis/similarity.js';
export { alignOperators, dsaDistance, havokDmd } from './analysis/dsa.js';
export type { AlignOptions, AlignResult, DmdOptions, DmdResult, DsaOptions, DsaResult, TrialTensor } from './analysis/dsa.js';
export { AXIS_ORDERS, crossConditionAverage, meanOverAxis, selectUnits, timeWindow, toSampleMatrix, toTrialTensor, toUnitsTimeConditions, trialAverage, windowIndices } from './analysis/layout.js';
export type { AxisOrder, UnitsTimeConditions } from './analysis/layout.js';
export { crossConditionAverageBaseline, noiseFloor, normalizeWithData, representationDistance, summarize } from './analysis/baselines.js';
export type { DistanceSpec, NoiseFloorOptions, NoiseFloorResult, Summary } from './analysis/baselines.js';
export { pairwiseDistances, umapEmbedding } from './analysis/pairwise.js';
export type { DistanceMatrix, UmapOptions } from './analysis/pairwise.js';
export { NUMERIC_DTYPES } from './io/ndarray.js';
export type { NdArray, NumericDType } from './io/ndarray.js';
export { encodeNpy, parseNpy, readNpy, writeNpy } from './io/npy.js';
export { fromNestedArray, toNestedArray } from './io/nested.js';
export type { ReadNpyOptions, WriteNpyOptions } from './io/npy.js';
export { parseMat, readMat, readMatVariable } from './io/mat.js';
export type { MatFile, ReadMatOptions } from './io/mat.js';
export { dataDirectory, loadChurchland2012, loadHatsopoulos2007 } from './data/datasets.js';
export type { Churchland2012, Hatsopoulos2007, ReachKinematics } from './data/datasets.js';
// ---- Dynamics: Lyapunov spectra, gradient flossing, weight eigenspectra.
export { DynamicsRecorder, FLOSS_GRADIENT_PARAMS, FLOSS_MODES, FlossSchedule, Flosser, QR_METHODS, eigenvalues, flossPretrain, flossingGradient, lyapunovSpectrum, maxLyapunov, recurrentEigenvalues, resolveFlossSettings, taskInputSequences } from './analysis/index.js';
export type { DriveOptions, Eigenvalues, FlossMode, FlossPhase, FlossPhaseResult, FlossPretrainOptions, FlossProgress, FlossSettings, FlossTrainOptions, FlossingGradientOptions, FlossingGradientResult, LyapunovOptions, LyapunovProtocol, LyapunovResult, LyapunovTiming, MaxLyapunovOptions, MaxLyapunovResult, QrMethod, ResolvedFlossSettings, TrainDynamics } from './analysis/index.js';

// ---- Neural-similarity pipeline: the reach task, the activity regulariser,
// checkpoints compared with recordings, statistics, the paper-2 reproduction.
export { REACH8_BUMP, REACH8_CONDITIONS, REACH8_DATA_WINDOW, REACH8_DEFAULTS, REACH8_DT, REACH8_KINEMATICS_FROM, REACH8_KINEMATICS_SAMPLES, REACH8_RAMP, REACH8_TAU, reach8 } from './tasks/index.js';
export type { Reach8Options } from './tasks/index.js';
export type { LossOptions, LossTerms } from './rules/index.js';
export { incompleteBeta, logGamma, mean, pearson, sampleStd, studentTCdf, studentTTwoSided, welchTTest } from './analysis/stats.js';
export type { TTest } from './analysis/stats.js';
export { NEURAL_DATASETS, NeuralTracker, dataComparison, decodeParams, encodeParams, liu2025Checkpoints, scoreAgainstData } from './experiment/data-comparison.js';
export type { CheckpointScore, DataComparison, EncodedParams, NeuralDataset, NeuralRecord, SummaryRecord } from './experiment/data-comparison.js';
export { accuracyDistanceCorrelation, atAccuracy, distanceCurve, gainTable, groupByRuleAndGain, matchedAccuracy, modelOfRecord, noiseFloorTable, pairwiseSummary, peakAccuracy, rulesAtAccuracy } from './experiment/neural-summary.js';
export type { DistanceAtAccuracy, DistanceCurve, FloorEntry, GainTable, NoiseFloorTable, PairwiseSummary, RulesAtAccuracy, RunGroup } from './experiment/neural-summary.js';
export { NEURAL_SIMILARITY_PRESETS, PAPER_TABLE3, neuralSimilaritySweep, runNeuralSimilarity, summarizeNeuralSimilarity } from './experiment/reproduce/neural-similarity.js';
export type { NeuralSimilaritySettings, NeuralSimilaritySummary } from './experiment/reproduce/neural-similarity.js';

// ---- Types that public functions take or return.
export type { NeurogymOptions, RomoOptions } from './tasks/index.js';
export type { ParamLayout } from './model/params.js';
export type { ModelJSON, ModelReadOptions } from './io/model-file.js';

// ---- Sweeps: run configurations, sweeps in worker threads, their records, tables and figures.
export { RUN_CONFIG_KEYS, resolveRunConfig, runId } from './experiment/run-config.js';
export type { RunConfig, RunConfigInput } from './experiment/run-config.js';
export { runOne } from './experiment/run.js';
export type { RunDynamics, RunRecord } from './experiment/run.js';
export { MAX_RUNS, expandSweep, parseSweepSpec, readSweepSpec } from './experiment/sweep-spec.js';
export type { PlannedRun, SweepGrid, SweepSpec } from './experiment/sweep-spec.js';
export { runSweep } from './experiment/sweep.js';
export type { SweepOptions, SweepProgress, SweepSummary } from './experiment/sweep.js';
export { SweepStore } from './experiment/store.js';
export { FINAL_FRACTION, bestLearningRates, finalScore, groupRuns, meanCurve, runRows } from './experiment/aggregate.js';
export type { BestRate, MeanCurve, SeedGroup } from './experiment/aggregate.js';
export { writeCsv, writeParquet } from './experiment/export.js';
export { learningCurvesFigure, lyapunovVsGainFigure } from './plot/figures.js';
export type { CurveOptions, Figure } from './plot/figures.js';
export { renderSvg, svgToPng } from './plot/render.js';
export { getPaperPreset, paperNames } from './experiment/reproduce/index.js';
export type { PaperPreset, ReproduceOptions, ReproduceResult, Verdict } from './experiment/reproduce/index.js';
