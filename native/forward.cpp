#include "forward.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "act_simd.hpp"
#include "blas.hpp"
#include "simd.hpp"

namespace rnnlab {

namespace {

/** Input and readout weights kept in registers during the fused pass. */
constexpr int kHeld = 4;

/**
 * The fused pass of step t over G consecutive trials, after Ht holds the recurrent drive
 * Wh f(h_{t-1}) of each trial:
 *   h = alpha hp + (1 - alpha)(drive + b + Wx x) (+ noise);  r = f(h)
 * and, for the first kHeld outputs, the readout partial sums (one vector per trial and output,
 * lanes = units) left in part for reduceReadout. Chunks of units are the outer loop, so the
 * chunk's b, Wx and Wout stay in registers across the G trials, and the G x kHeld readout
 * accumulators stay in registers across the chunks.
 * Shapes: Hprev, Ht, Rt, nz [G][N]; xt [G][nIn]; WxT [nIn][N]; Wout [nOut][N]; part [G][kHeld][W].
 */
template <class S, class F, typename R, int G>
void forwardRows(long N, long nIn, long nOut, R alpha, R beta, const R* Hprev, const R* b,
                 const R* WxT, const R* xt, const R* nz, const R* Wout, R* Ht, R* Rt, R* part) {
  using V = typename S::V;
  constexpr int W = S::W;
  constexpr bool vecF = VecAct<F>::kVectorF;
  const V va = S::set1(alpha), vb = S::set1(beta);
  const long heldIn = std::min<long>(nIn, kHeld), heldOut = vecF ? std::min<long>(nOut, kHeld) : 0;
  V acc[G][kHeld];
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g)
#pragma GCC unroll 4
    for (int o = 0; o < kHeld; ++o) acc[g][o] = S::zero();
  simd::forChunks<S>(N, [&](long i, auto lanes) {
    const V bv = lanes.load(b + i);
    V wx[kHeld] = {}, wo[kHeld] = {};
    // Loops over held weights run to the constant kHeld (unrolled: the arrays stay in registers).
#pragma GCC unroll 4
    for (long k = 0; k < kHeld; ++k) {
      if (k >= heldIn) break;
      wx[k] = lanes.load(WxT + k * N + i);
    }
#pragma GCC unroll 4
    for (long o = 0; o < kHeld; ++o) {
      if (o >= heldOut) break;
      wo[o] = lanes.load(Wout + o * N + i);
    }
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) {
      const long row = g * N + i;
      const R* x = xt + g * nIn;
      V z = S::add(lanes.load(Ht + row), bv);
#pragma GCC unroll 4
      for (long k = 0; k < kHeld; ++k) {
        if (k >= heldIn) break;
        z = S::fma(S::set1(x[k]), wx[k], z);
      }
      for (long k = heldIn; k < nIn; ++k) z = S::fma(S::set1(x[k]), lanes.load(WxT + k * N + i), z);
      V h = S::fma(va, lanes.load(Hprev + row), S::mul(vb, z));
      if (nz) h = S::add(h, lanes.load(nz + row));
      lanes.store(Ht + row, h);
      if constexpr (vecF) {
        const V r = VecAct<F>::template f<S>(h);
        lanes.store(Rt + row, r);
#pragma GCC unroll 4
        for (long o = 0; o < kHeld; ++o) {
          if (o >= heldOut) break;
          acc[g][o] = S::fma(wo[o], r, acc[g][o]);
        }
      }
    }
  });
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g)
#pragma GCC unroll 4
    for (long o = 0; o < kHeld; ++o) {
      if (o >= heldOut) break;
      S::store(part + (g * kHeld + o) * W, acc[g][o]);
    }
}

/** Trials per group of the fused pass: the readout accumulators (G x kHeld) fit in registers. */
template <class S> constexpr int kGroup = S::W >= 8 ? 4 : 2;

/**
 * y[bi][o] = Wout[o] . r[bi] + bOut[o] for every trial of a step. Outputs o < kHeld come from the
 * partial sums the fused pass left in part (reduced W trials at a time); others (and all of them
 * for activations applied element by element) take a pass over the rates.
 */
template <class S, typename R>
void reduceReadout(long N, long B, long nOut, long fromPart, const R* Rt, const R* Wout,
                   const R* bOut, R* part, R* Y) {
  using V = typename S::V;
  constexpr int W = S::W;
  V group[W];
  alignas(64) R sums[W];
  for (long o = 0; o < fromPart; ++o) {
    for (long b0 = 0; b0 < B; b0 += W) {
      const long n = std::min<long>(W, B - b0);
      for (long j = 0; j < W; ++j) group[j] = j < n ? S::load(part + ((b0 + j) * kHeld + o) * W) : S::zero();
      simd::sumEach<S>(group, sums);
      for (long j = 0; j < n; ++j) Y[(b0 + j) * nOut + o] = sums[j] + bOut[o];
    }
  }
  for (long o = fromPart; o < nOut; ++o) {
    for (long bi = 0; bi < B; ++bi) {
      V acc = S::zero();
      simd::forChunks<S>(N, [&](long i, auto lanes) {
        acc = S::fma(lanes.load(Wout + o * N + i), lanes.load(Rt + bi * N + i), acc);
      });
      Y[bi * nOut + o] = S::sum(acc) + bOut[o];
    }
  }
}

}  // namespace

template <typename R>
void rnnForward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* noise,
                R* H, R* Rate, R* Y) {
  using S = simd::Best<R>;
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const ParamLayout L(d);
  const Weights<R> w(params, L);
  const R beta = R(1) - alpha;

  std::vector<R> WhT(N * N), WxT(nIn * N);
  transpose(w.Wh, N, N, WhT.data());
  transpose(w.Wx, N, nIn, WxT.data());

  std::vector<R> part(B * kHeld * S::W);

  withActivation(act, [&](auto A) {
    using F = decltype(A);
    constexpr bool vecF = VecAct<F>::kVectorF;
    bool rate0IsZero = true;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < N; ++i) {
        H[b * N + i] = w.h0[i];
        Rate[b * N + i] = F::f(w.h0[i]);
        rate0IsZero = rate0IsZero && Rate[b * N + i] == R(0);
      }

    for (int64_t t = 1; t <= T; ++t) {
      const R* Rprev = Rate + (t - 1) * B * N;
      const R* Hprev = H + (t - 1) * B * N;
      R* Ht = H + t * B * N;
      R* Rt = Rate + t * B * N;
      // Ht <- f(h_{t-1}) Wh^T, the recurrent drive of every trial.
      if (t == 1 && rate0IsZero) {
        std::fill(Ht, Ht + B * N, R(0));
      } else {
        gemm(false, false, int(B), int(N), int(N), R(1), Rprev, int(N), WhT.data(), int(N), R(0), Ht,
             int(N));
      }
      auto rows = [&](int64_t b0, auto group) {
        constexpr int G = decltype(group)::value;
        const int64_t off = b0 * N;
        forwardRows<S, F, R, G>(N, nIn, nOut, alpha, beta, Hprev + off, w.b, WxT.data(),
                                x + ((t - 1) * B + b0) * nIn,
                                noise ? noise + (t - 1) * B * N + off : nullptr, w.Wout, Ht + off,
                                Rt + off, part.data() + b0 * kHeld * S::W);
      };
      constexpr int G = kGroup<S>;
      int64_t b0 = 0;
      for (; b0 + G <= B; b0 += G) rows(b0, std::integral_constant<int, G>{});
      for (; b0 < B; ++b0) rows(b0, std::integral_constant<int, 1>{});
      if constexpr (!vecF)
        for (int64_t k = 0; k < B * N; ++k) Rt[k] = F::f(Ht[k]);
      reduceReadout<S, R>(N, B, nOut, vecF ? std::min<int64_t>(nOut, kHeld) : 0, Rt, w.Wout,
                          w.bOut, part.data(), Y + (t - 1) * B * nOut);
    }
  });
}

template void rnnForward<float>(const Dims&, Activation, float, const float*, const float*,
                                const float*, float*, float*, float*);
template void rnnForward<double>(const Dims&, Activation, double, const double*, const double*,
                                 const double*, double*, double*, double*);

}  // namespace rnnlab
