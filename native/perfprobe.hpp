// Native micro-benchmarks for the benchmark harness (bench/): GEMM throughput at given shapes and
// the FMA peak of one core. They time loops natively, so no Node-API call sits inside a timed loop.
#pragma once
#include <cstdint>

#include "smallgemm.hpp"

namespace rnnlab {

struct GemmTiming {
  double medianSeconds;  ///< median over rounds of the mean seconds per call within a round
  double bestSeconds;    ///< fastest round's mean seconds per call
  int64_t callsPerRound;
};

/**
 * Times C = op(A) op(B) + beta C (alpha 1) for one shape and kernel: `rounds` rounds of
 * callsPerRound back-to-back calls on the same operands (in cache, as per-time-step products
 * are), callsPerRound chosen so that a round lasts about seconds / rounds. Operands hold a fixed
 * pattern of values in [-1, 1); with beta = 1, C is reset between rounds so it stays bounded.
 * Returns callsPerRound = 0 if the kernel is not compiled into this build.
 */
template <typename R>
GemmTiming timeGemm(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, R beta,
                    double seconds, int rounds);

/**
 * Floating-point throughput of one core in GFLOP/s (multiply-add = 2) from a loop of independent
 * register-resident FMAs: vector width 512 or 256 bits (0 = scalar), whichever is compiled in
 * (returns 0 when the width is not available in this build).
 */
double fmaPeakGflops(bool isDouble, int widthBits, double seconds);

}  // namespace rnnlab
