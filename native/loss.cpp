#include "loss.hpp"

#include <algorithm>
#include <cmath>

namespace rnnlab {

template <typename R>
bool lossAndGrad(LossKind kind, int64_t T, int64_t B, int64_t nOut, const R* Y, const R* targets,
                 const R* mask, R* dY, double* loss, int64_t* badIndex) {
  const int64_t rows = T * B;
  double maskSum = 0;
  for (int64_t r = 0; r < rows; ++r) maskSum += mask ? double(mask[r]) : 1.0;

  if (kind == LossKind::Ce) {
    for (int64_t r = 0; r < rows; ++r) {
      const R c = targets[r];
      if (!(c >= 0 && c < R(nOut) && c == std::floor(c))) {
        *badIndex = r;
        return false;
      }
    }
  }
  if (maskSum == 0) {
    std::fill(dY, dY + rows * nOut, R(0));
    *loss = 0;
    return true;
  }

  double total = 0;
  if (kind == LossKind::Mse) {
    const double scale = 1.0 / (double(nOut) * maskSum);
    for (int64_t r = 0; r < rows; ++r) {
      const double m = mask ? double(mask[r]) : 1.0;
      for (int64_t k = 0; k < nOut; ++k) {
        const double e = double(Y[r * nOut + k]) - double(targets[r * nOut + k]);
        total += m * e * e;
        dY[r * nOut + k] = R(2.0 * m * e * scale);
      }
    }
    *loss = total * scale;
  } else {
    const double scale = 1.0 / maskSum;
    for (int64_t r = 0; r < rows; ++r) {
      const double m = mask ? double(mask[r]) : 1.0;
      const R* y = Y + r * nOut;
      R* g = dY + r * nOut;
      const int64_t c = int64_t(targets[r]);
      double yMax = double(y[0]);
      for (int64_t k = 1; k < nOut; ++k) yMax = std::max(yMax, double(y[k]));
      double z = 0;
      for (int64_t k = 0; k < nOut; ++k) z += std::exp(double(y[k]) - yMax);
      const double logZ = yMax + std::log(z);
      total += m * (logZ - double(y[c]));
      for (int64_t k = 0; k < nOut; ++k) {
        const double p = std::exp(double(y[k]) - logZ);
        g[k] = R(m * (p - (k == c ? 1.0 : 0.0)) * scale);
      }
    }
    *loss = total * scale;
  }
  return true;
}

template bool lossAndGrad<float>(LossKind, int64_t, int64_t, int64_t, const float*, const float*,
                                 const float*, float*, double*, int64_t*);
template bool lossAndGrad<double>(LossKind, int64_t, int64_t, int64_t, const double*, const double*,
                                  const double*, double*, double*, int64_t*);

}  // namespace rnnlab
