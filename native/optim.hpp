// Optimiser updates over flat parameter arrays (state passed in explicitly).
#pragma once
#include <cstdint>

namespace rnnlab {

/**
 * One Adam step, exactly as torch.optim.Adam (1.13, non-fused, amsgrad off):
 *   g' = g + weightDecay p;  m = beta1 m + (1 - beta1) g';  v = beta2 v + (1 - beta2) g'^2
 *   p -= (lr / (1 - beta1^step)) m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
 * step counts from 1. All arrays have length n; p, m, v are updated in place.
 */
template <typename R>
void adamStep(int64_t n, R* p, const R* g, R* m, R* v, int64_t step, double lr, double beta1,
              double beta2, double eps, double weightDecay);

/**
 * One SGD step as torch.optim.SGD (dampening 0, no Nesterov):
 *   g' = g + weightDecay p; buf = g' at step 1, else momentum buf + g'; p -= lr buf
 * buf may be nullptr when momentum is 0.
 */
template <typename R>
void sgdStep(int64_t n, R* p, const R* g, R* buf, int64_t step, double lr, double momentum,
             double weightDecay);

/** Sum of squares, accumulated in double. */
template <typename R>
double sumSquares(int64_t n, const R* a);

/** a *= s. */
template <typename R>
void scaleInPlace(int64_t n, R* a, double s);

}  // namespace rnnlab
