#include "optim.hpp"

#include <cmath>

namespace rnnlab {

template <typename R>
void adamStep(int64_t n, R* p, const R* g, R* m, R* v, int64_t step, double lr, double beta1,
              double beta2, double eps, double weightDecay) {
  const R b1 = R(beta1), b2 = R(beta2), wd = R(weightDecay), e = R(eps);
  const R stepSize = R(lr / (1.0 - std::pow(beta1, double(step))));
  const R bc2Sqrt = R(std::sqrt(1.0 - std::pow(beta2, double(step))));
  for (int64_t k = 0; k < n; ++k) {
    const R gk = wd != R(0) ? g[k] + wd * p[k] : g[k];
    m[k] = m[k] * b1 + gk * (R(1) - b1);
    v[k] = v[k] * b2 + (R(1) - b2) * gk * gk;
    const R denom = std::sqrt(v[k]) / bc2Sqrt + e;
    p[k] -= stepSize * (m[k] / denom);
  }
}

template <typename R>
void sgdStep(int64_t n, R* p, const R* g, R* buf, int64_t step, double lr, double momentum,
             double weightDecay) {
  const R mu = R(momentum), wd = R(weightDecay), eta = R(lr);
  for (int64_t k = 0; k < n; ++k) {
    R gk = wd != R(0) ? g[k] + wd * p[k] : g[k];
    if (mu != R(0)) {
      buf[k] = step == 1 ? gk : mu * buf[k] + gk;
      gk = buf[k];
    }
    p[k] -= eta * gk;
  }
}

template <typename R>
double sumSquares(int64_t n, const R* a) {
  double s = 0;
  for (int64_t k = 0; k < n; ++k) s += double(a[k]) * double(a[k]);
  return s;
}

template <typename R>
void scaleInPlace(int64_t n, R* a, double s) {
  const R sr = R(s);
  for (int64_t k = 0; k < n; ++k) a[k] *= sr;
}

#define RNNLAB_INSTANTIATE(R)                                                                  \
  template void adamStep<R>(int64_t, R*, const R*, R*, R*, int64_t, double, double, double,     \
                            double, double);                                                   \
  template void sgdStep<R>(int64_t, R*, const R*, R*, int64_t, double, double, double);        \
  template double sumSquares<R>(int64_t, const R*);                                            \
  template void scaleInPlace<R>(int64_t, R*, double);
RNNLAB_INSTANTIATE(float)
RNNLAB_INSTANTIATE(double)
#undef RNNLAB_INSTANTIATE

}  // namespace rnnlab
