#include "constraints.hpp"

#include <cmath>

namespace rnnlab {

template <typename R>
void constrainWeights(int64_t n, const R* W, const R* M, bool absolute, R* out) {
  if (absolute) {
    for (int64_t k = 0; k < n; ++k) out[k] = std::abs(W[k]) * M[k];
  } else {
    for (int64_t k = 0; k < n; ++k) out[k] = W[k] * M[k];
  }
}

template <typename R>
void constrainGradient(int64_t n, const R* W, const R* M, bool absolute, R* gW) {
  if (absolute) {
    for (int64_t k = 0; k < n; ++k) {
      const R s = W[k] > R(0) ? R(1) : (W[k] < R(0) ? R(-1) : R(0));
      gW[k] *= M[k] * s;
    }
  } else {
    for (int64_t k = 0; k < n; ++k) gW[k] *= M[k];
  }
}

template void constrainWeights<float>(int64_t, const float*, const float*, bool, float*);
template void constrainWeights<double>(int64_t, const double*, const double*, bool, double*);
template void constrainGradient<float>(int64_t, const float*, const float*, bool, float*);
template void constrainGradient<double>(int64_t, const double*, const double*, bool, double*);

}  // namespace rnnlab
