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
 * Shares of a batch of B trials for `threads` threads: two per thread when every share keeps at
 * least 8 trials (so a thread that is descheduled holds back at most a small share while the
 * others take the rest), else one per thread; never more than B. Depends on B and threads only,
 * so the result of a split gradient does not depend on scheduling.
 */
inline int64_t splitParts(int64_t B, int64_t threads) {
  threads = threads < 1 ? 1 : threads;
  const int64_t wanted = 2 * threads < B / 8 ? 2 * threads : B / 8;
  const int64_t parts = wanted > threads ? wanted : threads;
  return parts < B ? parts : B;
}

/**
 * Elements of scratch the driver needs for `threads` threads (the caller allocates it; nothing
 * is allocated here): per share its inputs, targets, mask, noise (if any), states, rates,
 * outputs, output gradient and parameter gradient.
 */
int64_t splitScratchLength(const Dims& d, LossKind kind, bool hasNoise, int64_t threads);

/**
 * Loss and BPTT gradient of the whole batch on `threads` threads (the calling thread is one of
 * them). The batch is cut into splitParts(B, threads) shares of consecutive trials; each thread
 * takes the next unclaimed share (its forward pass, loss and backward pass) until none is left.
 * Arguments as rnnForward / lossAndGrad / bpttBackward over the full batch (x [T][B][nIn],
 * targets [T][B][nOut] or [T][B], mask [T][B] or nullptr, noise [T][B][N] or nullptr); grads is
 * overwritten. Each share's loss and gradient are normalised by its own mask sum M_p, and the
 * batch's are sum_p (M_p / M) of them, added in share order: equal to the one-thread result up
 * to rounding, and bit-identical run to run for the same B and threads.
 * Returns false if a class index is invalid (badIndex then holds its flat index in the batch).
 * If a thread cannot be started, the others (at least the calling thread) do its shares.
 */
template <typename R>
bool bpttGradientSplit(const Dims& d, Activation act, R alpha, LossKind kind, const R* params,
                       const R* x, const R* targets, const R* mask, const R* noise, R* grads,
                       int64_t threads, R* scratch, double* loss, int64_t* badIndex);

}  // namespace rnnlab
