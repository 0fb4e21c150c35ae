// The activity L2 regulariser of Liu, Yang & Cueva 2025 (LearningRuleSimilarities
// main_train_model.py): lambda * mean over steps t = 1..T, trials and units of f(h_t)^2, added to
// the task loss. f(h_0) is not included (the reference stores the rates of steps 1..T only).
// Every kernel that computes a loss or its gradient takes the coefficient lambda (0 = off, the
// default, which leaves the kernels' arithmetic exactly as without it).
#pragma once
#include <cstdint>

#include "model.hpp"

namespace rnnlab {

/** The regulariser of one call: lambda / (T B N) per squared rate, and its derivative factor. */
struct ActivityL2 {
  /** lambda / (T B N): the regulariser is scale * sum_{t >= 1, b, i} f(h_t,b,i)^2. */
  double scale = 0;
  ActivityL2() = default;
  ActivityL2(double lambda, const Dims& d)
      : scale(lambda == 0 ? 0.0 : lambda / (double(d.T) * double(d.B) * double(d.N))) {}
  bool on() const { return scale != 0; }
  /** dReg / df(h_t,b,i) = grad() * f(h_t,b,i). */
  double grad() const { return 2.0 * scale; }
};

/** Where a kernel reports its loss split into terms (nullptr = not wanted). */
struct LossTerms {
  double task = 0;
  double activityL2 = 0;
};

}  // namespace rnnlab
