// Split-batch driver: one gradient (BPTT or e-prop) computed on several threads, each taking
// shares of the trials (its own forward pass, loss and gradient), the shares' gradients added
// once at the end. No synchronisation inside the time loop. Threads come from a persistent pool
// (threadpool.hpp).
#pragma once
#include <cstdint>

#include "bptt.hpp"
#include "loss.hpp"
#include "model.hpp"
#include "regularizer.hpp"

namespace rnnlab {

/** Trials of part p when B trials are split into `parts` (the first B % parts get one more). */
inline void splitRange(int64_t B, int64_t parts, int64_t p, int64_t* begin, int64_t* count) {
  const int64_t base = B / parts, extra = B % parts;
  *begin = p * base + (p < extra ? p : extra);
  *count = base + (p < extra ? 1 : 0);
}

/**
 * Shares of a batch of B trials for `threads` threads: two per thread when every share keeps at
 * least 32 trials (so a thread that is descheduled holds back at most a small share while the
 * others take the rest), else one per thread; never more than B. Smaller shares cost more than
 * they balance: at Romo scale (B = 32, 2 threads) four shares of 8 took 0.198 ms (BPTT) and
 * 0.197 ms (e-prop) per iteration, two shares of 16 took 0.174 and 0.131 ms (npm run bench). Depends on B and threads only,
 * so the result of a split gradient does not depend on scheduling.
 */
inline int64_t splitParts(int64_t B, int64_t threads) {
  threads = threads < 1 ? 1 : threads;
  const int64_t wanted = 2 * threads < B / 32 ? 2 * threads : B / 32;
  const int64_t parts = wanted > threads ? wanted : threads;
  return parts < B ? parts : B;
}

/** What the driver computes. */
template <typename R>
struct SplitRule {
  enum class Kind { Bptt = 0, Eprop = 1 };
  Kind kind = Kind::Bptt;
  /** Bptt: the reverse pass's approximation (default: exact BPTT). */
  BackwardVariant<R> variant;
  /** Eprop: readout feedback [nOut][N] in the learning signal (nullptr = Wout, exact e-prop). */
  const R* feedback = nullptr;
  /** lambda of the activity regulariser (regularizer.hpp), 0 = off. */
  double activityL2 = 0;
};

/**
 * Elements of scratch the driver needs for `threads` threads (the caller allocates it; nothing
 * is allocated here): per share its inputs, targets, mask, noise (if any) and parameter
 * gradient, and for Bptt its states, rates, outputs and output gradient ([T+1] x its trials).
 */
int64_t splitScratchLength(const Dims& d, int ruleKind, LossKind kind, bool hasNoise, int64_t threads);

/**
 * Loss and gradient of the whole batch on `threads` threads (the calling thread is one of them).
 * The batch is cut into splitParts(B, threads) shares of consecutive trials; each thread takes
 * the next unclaimed share (forward pass, loss and gradient: rnnForward + bpttBackward, or the
 * e-prop sweep onlineGradient) until none is left. Every share is normalised with the whole
 * batch's normalisers (the task loss's mask sum, the regulariser's T B N), so the batch's loss
 * and gradient are the sums of the shares', added in share order: equal to the one-thread result
 * up to rounding, and bit-identical run to run for the same B and threads.
 * Arguments as rnnForward / lossAndGrad over the full batch (x [T][B][nIn], targets [T][B][nOut]
 * or [T][B], mask [T][B] or nullptr, noise [T][B][N] or nullptr); grads is overwritten; terms
 * (optional) receives the task loss and the regulariser. Class indices must be valid (the binding
 * checks them once, for the whole batch).
 */
template <typename R>
void gradientSplit(const Dims& d, Activation act, R alpha, LossKind kind, const SplitRule<R>& rule,
                   const R* params, const R* x, const R* targets, const R* mask, const R* noise,
                   R* grads, int64_t threads, R* scratch, double* loss, LossTerms* terms);

}  // namespace rnnlab
