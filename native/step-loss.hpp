// The loss of loss.hpp one time step at a time, for kernels that never store the whole output
// sequence (online e-prop, node perturbation, RTRL, evolution strategies). Same formulas and the
// same double-precision arithmetic as lossAndGrad, with the normaliser known before the sweep.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "loss.hpp"

namespace rnnlab {

/**
 * 1 / normaliser of the loss over rows = T * B rows with mask [rows] (nullptr = all ones):
 * 1 / (nOut * sum m) for mse, 1 / sum m for ce; 0 when sum m = 0 (then the loss is 0).
 */
template <typename R>
double lossScale(LossKind kind, int64_t rows, int64_t nOut, const R* mask) {
  double maskSum = 0;
  for (int64_t r = 0; r < rows; ++r) maskSum += mask ? double(mask[r]) : 1.0;
  if (maskSum == 0) return 0;
  return kind == LossKind::Mse ? 1.0 / (double(nOut) * maskSum) : 1.0 / maskSum;
}

/** Whether every ce target in [rows] is an integer class index in [0, nOut); else *bad = index. */
template <typename R>
bool checkClassTargets(int64_t rows, int64_t nOut, const R* targets, int64_t* bad) {
  for (int64_t r = 0; r < rows; ++r) {
    const R c = targets[r];
    if (!(c >= 0 && c < R(nOut) && c == std::floor(c))) {
      *bad = r;
      return false;
    }
  }
  return true;
}

/**
 * Loss of one row (one trial at one step): y [nOut], target [nOut] (mse) or one class index (ce),
 * mask weight m, scale from lossScale. If dy is not nullptr it receives dLoss/dy [nOut].
 */
template <typename R>
inline double rowLoss(LossKind kind, int64_t nOut, const R* y, const R* target, double m,
                      double scale, R* dy) {
  if (kind == LossKind::Mse) {
    double total = 0;
    for (int64_t k = 0; k < nOut; ++k) {
      const double e = double(y[k]) - double(target[k]);
      total += m * e * e;
      if (dy) dy[k] = R(2.0 * m * e * scale);
    }
    return total * scale;
  }
  const int64_t c = int64_t(target[0]);
  double yMax = double(y[0]);
  for (int64_t k = 1; k < nOut; ++k) yMax = std::max(yMax, double(y[k]));
  double z = 0;
  for (int64_t k = 0; k < nOut; ++k) z += std::exp(double(y[k]) - yMax);
  const double logZ = yMax + std::log(z);
  if (dy) {
    for (int64_t k = 0; k < nOut; ++k) {
      const double p = std::exp(double(y[k]) - logZ);
      dy[k] = R(m * (p - (k == c ? 1.0 : 0.0)) * scale);
    }
  }
  return m * (logZ - double(y[c])) * scale;
}

/**
 * Loss contribution of the B rows of one step and (when dY is not nullptr) dLoss/dY [B][nOut].
 * Y [B][nOut]; targets of this step: [B][nOut] (mse) or [B] (ce); mask of this step [B] or nullptr.
 */
template <typename R>
inline double stepLoss(LossKind kind, int64_t B, int64_t nOut, const R* Y, const R* targets,
                       const R* mask, double scale, R* dY) {
  double total = 0;
  const int64_t tStride = kind == LossKind::Mse ? nOut : 1;
  for (int64_t b = 0; b < B; ++b) {
    total += rowLoss(kind, nOut, Y + b * nOut, targets + b * tStride, mask ? double(mask[b]) : 1.0,
                     scale, dY ? dY + b * nOut : nullptr);
  }
  return total;
}

}  // namespace rnnlab
