/**
 * Dynamics: Lyapunov spectra, gradient flossing, weight eigenspectra.
 * @module
 */
export { QR_METHODS, lyapunovSpectrum, maxLyapunov, taskInputSequences } from './lyapunov.js';
export type { DriveOptions, LyapunovOptions, LyapunovProtocol, LyapunovResult, LyapunovTiming, MaxLyapunovOptions, MaxLyapunovResult, QrMethod } from './lyapunov.js';
export { FLOSS_GRADIENT_PARAMS, FLOSS_MODES, FlossSchedule, Flosser, flossPretrain, flossingGradient, resolveFlossSettings } from './flossing.js';
export type { FlossMode, FlossPhase, FlossPhaseResult, FlossPretrainOptions, FlossProgress, FlossSettings, FlossTrainOptions, FlossingGradientOptions, FlossingGradientResult, ResolvedFlossSettings } from './flossing.js';
export { eigenvalues, recurrentEigenvalues } from './spectra.js';
export type { Eigenvalues } from './spectra.js';
export { DynamicsRecorder } from './record.js';
export type { TrainDynamics } from './record.js';
