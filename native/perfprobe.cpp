#include "perfprobe.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "simd.hpp"

namespace rnnlab {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/** A fixed pattern in [-1, 1) (a small linear congruential sequence; no global state). */
template <typename R>
void fillPattern(std::vector<R>& a, uint32_t seed) {
  uint32_t s = seed * 2654435761u + 1u;
  for (R& v : a) {
    s = s * 1664525u + 1013904223u;
    v = R(double(s >> 8) / double(1u << 24) * 2.0 - 1.0);
  }
}

/** Sixteen independent FMA chains on vectors of S, `iters` times; returns a value to keep. */
template <class S>
typename S::Real fmaChains(int64_t iters, typename S::Real seed) {
  using V = typename S::V;
  constexpr int kChains = 16;
  V acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = S::set1(seed * typename S::Real(c + 1));
  const V a = S::set1(seed), b = S::set1(typename S::Real(1) - seed);
  for (int64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = S::fma(acc[c], a, b);
  }
  V total = acc[0];
  for (int c = 1; c < kChains; ++c) total = S::add(total, acc[c]);
  return S::sum(total);
}

template <class S>
double peakWith(double seconds) {
  using R = typename S::Real;
  volatile R seedSource = R(0.999);  // from memory, so the compiler cannot fold the chains
  const R seed = seedSource;
  volatile R sink = 0;
  int64_t iters = 1 << 14;
  double best = 0;
  const auto start = Clock::now();
  while (since(start) < seconds) {
    const auto t0 = Clock::now();
    sink = sink + fmaChains<S>(iters, seed);
    const double dt = since(t0);
    if (dt < 1e-3) {
      iters *= 2;
      continue;
    }
    best = std::max(best, 2.0 * 16.0 * S::W * double(iters) / dt / 1e9);
  }
  return best;
}

}  // namespace

template <typename R>
GemmTiming timeGemm(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, R beta,
                    double seconds, int rounds) {
  GemmTiming out{0, 0, 0};
  if (!smallGemmHas(kernel) || M <= 0 || N <= 0 || K <= 0 || rounds <= 0) return out;
  const int lda = transA ? M : K, ldb = transB ? K : N;
  std::vector<R> A(size_t(M) * K), B(size_t(K) * N), C(size_t(M) * N), C0(size_t(M) * N);
  fillPattern(A, 1);
  fillPattern(B, 2);
  fillPattern(C0, 3);
  C = C0;
  // Calibrate: double the call count until one batch takes a measurable time.
  int64_t calls = 1;
  for (;;) {
    const auto t0 = Clock::now();
    for (int64_t n = 0; n < calls; ++n)
      smallGemm(kernel, transA, transB, M, N, K, R(1), A.data(), lda, B.data(), ldb, beta, C.data(), N);
    const double dt = since(t0);
    if (dt >= seconds / rounds || calls >= (int64_t(1) << 30)) break;
    calls = dt < 1e-5 ? calls * 16 : std::max<int64_t>(calls * 2, int64_t(calls * (seconds / rounds) / dt));
  }
  std::vector<double> perCall;
  for (int r = 0; r < rounds; ++r) {
    C = C0;
    const auto t0 = Clock::now();
    for (int64_t n = 0; n < calls; ++n)
      smallGemm(kernel, transA, transB, M, N, K, R(1), A.data(), lda, B.data(), ldb, beta, C.data(), N);
    perCall.push_back(since(t0) / double(calls));
  }
  std::sort(perCall.begin(), perCall.end());
  const size_t mid = perCall.size() / 2;
  out.medianSeconds = perCall.size() % 2 ? perCall[mid] : 0.5 * (perCall[mid - 1] + perCall[mid]);
  out.bestSeconds = perCall.front();
  out.callsPerRound = calls;
  return out;
}

template GemmTiming timeGemm<float>(GemmKernel, bool, bool, int, int, int, float, double, int);
template GemmTiming timeGemm<double>(GemmKernel, bool, bool, int, int, int, double, double, int);

double fmaPeakGflops(bool isDouble, int widthBits, double seconds) {
  switch (widthBits) {
#if RNNLAB_SIMD_AVX512
    case 512:
      return isDouble ? peakWith<simd::Avx512Double>(seconds) : peakWith<simd::Avx512Float>(seconds);
#endif
#if RNNLAB_SIMD_AVX2
    case 256:
      return isDouble ? peakWith<simd::Avx2Double>(seconds) : peakWith<simd::Avx2Float>(seconds);
#endif
    case 0:
      return isDouble ? peakWith<simd::Scalar<double>>(seconds) : peakWith<simd::Scalar<float>>(seconds);
    default:
      return 0;
  }
}

}  // namespace rnnlab
