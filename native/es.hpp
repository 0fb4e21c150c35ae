// Evolution strategies (paper 2, eq. 11): a gradient estimate from forward passes only.
#pragma once
#include <cstdint>

#include "loss.hpp"
#include "model.hpp"
#include "regularizer.hpp"

namespace rnnlab {

struct EsSettings {
  /** S, the number of loss evaluations at perturbed parameters (even when antithetic). */
  int64_t samples = 50;
  /** Standard deviation of the parameter perturbation (parameter units). */
  double sigma = 0.01;
  /** Mirrored sampling: S / 2 directions eps, each evaluated at theta + sigma eps and theta - sigma eps. */
  bool antithetic = false;
  /** Subtract the unperturbed loss L(theta) from each L^(s) (same expectation, lower variance). */
  bool baseline = true;
  /** Seed of the perturbation stream (from the caller's Rng). */
  uint64_t seed = 0;
};

/**
 * g = 1 / (sigma S) sum_s (L(theta + sigma eps_s) - b) eps_s with eps_s ~ N(0, I) on the entries
 * where perturbable is nonzero (0 elsewhere), b = L(theta) when baseline, else 0; antithetic:
 * g = 1 / (sigma S) sum_{s <= S/2} (L(theta + sigma eps_s) - L(theta - sigma eps_s)) eps_s.
 * Every L is the loss of a full forward pass (memory O(B N + P), nothing stored over time), with
 * the same state noise for every sample. theta are the raw parameters; when multiplier is not
 * nullptr the recurrent weights are constrained (constrainWeights) before each forward pass.
 *   params [P] raw parameters; perturbable [P] (0 = keep fixed); multiplier [N][N] or nullptr
 *   x, noise, kind, targets, mask as for onlineGradient; grads out [P] (overwritten)
 * Returns L(theta). activityL2 (lambda, 0 = off) adds the activity regulariser to every L (so
 * ES estimates the gradient of the regularised loss); `terms` (optional) receives L(theta)'s task
 * loss and regulariser separately.
 */
template <typename R>
double esGradient(const Dims& d, Activation act, R alpha, const R* params, const R* perturbable,
                  const R* multiplier, bool absolute, const R* x, const R* noise, LossKind kind,
                  const R* targets, const R* mask, const EsSettings& settings, R* grads,
                  double activityL2 = 0, LossTerms* terms = nullptr);

}  // namespace rnnlab
