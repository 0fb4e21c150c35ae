// Dale's law and fixed sparsity masks on the recurrent weights: the effective weights the kernels
// run on, and the chain rule from a gradient on the effective weights back to the raw ones.
#pragma once
#include <cstdint>

namespace rnnlab {

/**
 * Effective recurrent weights, elementwise over n = N * N entries:
 *   out = |W| * M   (absolute, Dale's law: M holds +1 / -1 by presynaptic column, 0 on the diagonal,
 *                    times the sparsity mask)
 *   out = W * M     (otherwise: M is the 0/1 sparsity mask)
 */
template <typename R>
void constrainWeights(int64_t n, const R* W, const R* M, bool absolute, R* out);

/** gW <- gW * M * (absolute ? sign(W) : 1), with sign(0) = 0 (as PyTorch's abs). In place. */
template <typename R>
void constrainGradient(int64_t n, const R* W, const R* M, bool absolute, R* gW);

}  // namespace rnnlab
