// Losses on the outputs of a batch and their gradient with respect to the outputs.
#pragma once
#include <cstdint>

namespace rnnlab {

enum class LossKind : int { Mse = 0, Ce = 1 };

/**
 * Masked loss of outputs Y [T][B][nOut] and its gradient dY (same shape), as DESIGN.md defines:
 *   mse: sum_{t,b,k} m (y - y*)^2 / (nOut * sum m), targets [T][B][nOut]
 *   ce:  sum_{t,b} m (-log softmax(y_{t,b})[c_{t,b}]) / sum m, targets [T][B] class indices
 * mask [T][B] (nullptr = all ones). With sum m = 0 the loss and dY are 0.
 * Returns false (and leaves dY unspecified) if a class index is not an integer in [0, nOut);
 * badIndex then holds the flat index of the offending target.
 */
template <typename R>
bool lossAndGrad(LossKind kind, int64_t T, int64_t B, int64_t nOut, const R* Y, const R* targets,
                 const R* mask, R* dY, double* loss, int64_t* badIndex);

}  // namespace rnnlab
