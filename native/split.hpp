// Split-batch driver: one BPTT gradient computed on several threads, each taking a contiguous
// share of the trials (its own forward, loss and backward pass), the shares' gradients combined
// once at the end. No synchronisation inside the time loop.
#pragma once
#include <cstdint>

#include "loss.hpp"
#include "model.hpp"

namespace rnnlab {

/** Trials of part p when B trials are split into `parts` (the first B % parts get one more). */
inline void splitRange(int64_t B, int64_t parts, int64_t p, int64_t* begin, int64_t* count) {
  const int64_t base = B / parts, extra = B % parts;
  *begin = p * base + (p < extra ? p : extra);
  *count = base + (p < extra ? 1 : 0);
}

/**
 * Elements of scratch the driver needs for `parts` parts (the caller allocates it; nothing is
 * allocated here): per part its inputs, targets, mask, noise (if any), states, rates, outputs,
 * output gradient and parameter gradient.
 */
int64_t splitScratchLength(const Dims& d, LossKind kind, bool hasNoise, int64_t parts);

/**
 * Loss and BPTT gradient of the whole batch, computed by `parts` threads (the calling thread runs
 * part 0). Arguments as rnnForward / lossAndGrad / bpttBackward over the full batch (x [T][B][nIn],
 * targets [T][B][nOut] or [T][B], mask [T][B] or nullptr, noise [T][B][N] or nullptr); grads is
 * overwritten. Each part's loss and gradient are normalised by its own mask sum M_p, so the
 * batch's are sum_p (M_p / M) of them: equal to the single-threaded result up to rounding, and
 * bit-identical run to run for the same `parts`.
 * Returns false if a class index is invalid (badIndex then holds its flat index in the batch).
 * If a thread cannot be started, the remaining parts run on the calling thread.
 */
template <typename R>
bool bpttGradientSplit(const Dims& d, Activation act, R alpha, LossKind kind, const R* params,
                       const R* x, const R* targets, const R* mask, const R* noise, R* grads,
                       int64_t parts, R* scratch, double* loss, int64_t* badIndex);

}  // namespace rnnlab
