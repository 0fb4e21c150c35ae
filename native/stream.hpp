// One forward step of the leaky RNN for a whole batch, shared by every kernel that runs the model
// (the stored-trajectory forward pass, the online e-prop / node-perturbation sweep, RTRL and the
// loss-only forward of evolution strategies), so that they all compute bit-identical states.
//
// The step is one GEMM (the recurrent drive) and one explicit-SIMD fused pass (simd.hpp): chunks
// of units are the outer loop and a group of trials the inner one, so that the chunk's bias, input
// and readout weights and the group's readout accumulators stay in registers.
#pragma once
#include <algorithm>
#include <type_traits>
#include <vector>

#include "act_simd.hpp"
#include "blas.hpp"
#include "model.hpp"
#include "simd.hpp"

namespace rnnlab {

namespace stepdetail {

/** Input and readout weights kept in registers during the fused pass. */
constexpr int kHeld = 4;

/** Trials per group of the fused pass: the readout accumulators (G x kHeld) fit in registers. */
template <class S>
constexpr int kGroup = S::W >= 8 ? 4 : 2;

/**
 * The fused pass of one step over G consecutive trials, after Ht holds the recurrent drive
 * Wh f(h_{t-1}) of each trial:
 *   h = alpha hp + (1 - alpha)(drive + b + Wx x) (+ noise);  r = f(h)  (f with a vector form)
 * and, for the first kHeld outputs, the readout partial sums (one vector per trial and output,
 * lanes = units) left in part for reduceReadout. Chunks of units are the outer loop, so the
 * chunk's b, Wx and Wout stay in registers across the G trials, and the G x kHeld readout
 * accumulators stay in registers across the chunks. Every element's arithmetic is the same
 * whatever G is, so a trial's state does not depend on the batch it is in.
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

/**
 * y[bi][o] = Wout[o] . r[bi] + bOut[o] for every trial of a step. Outputs o < fromPart come from
 * the partial sums the fused pass left in part (reduced W trials at a time); others (and all of
 * them for activations applied element by element) take a pass over the rates.
 */
template <class S, typename R>
void reduceReadout(long N, long B, long nOut, long fromPart, const R* Rt, const R* Wout,
                   const R* bOut, const R* part, R* Y) {
  using V = typename S::V;
  constexpr int W = S::W;
  V group[W];
  alignas(64) R sums[W];
  for (long o = 0; o < fromPart; ++o) {
    for (long b0 = 0; b0 < B; b0 += W) {
      const long n = std::min<long>(W, B - b0);
      for (long j = 0; j < W; ++j)
        group[j] = j < n ? S::load(part + ((b0 + j) * kHeld + o) * W) : S::zero();
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

}  // namespace stepdetail

/**
 * The weights as the forward step reads them, with Wh and Wx transposed once per call, and the
 * step's scratch (the readout partial sums, [B][kHeld][W]). One StepWeights per thread: the
 * scratch is written by every step.
 */
template <typename R>
struct StepWeights {
  using S = simd::Best<R>;
  const Dims d;
  const ParamLayout L;
  Weights<R> w;
  std::vector<R> WhT, WxT;
  /** Readout partial sums of the fused pass (scratch, rewritten by every forwardStep). */
  mutable std::vector<R> part;

  StepWeights(const Dims& dims, const R* params)
      : d(dims),
        L(dims),
        w(params, L),
        WhT(dims.N * dims.N),
        WxT(dims.nIn * dims.N),
        part(dims.B * stepdetail::kHeld * S::W) {
    load(params);
  }

  /** Points at new parameters (same sizes) and re-transposes; no allocation. */
  void load(const R* params) {
    w = Weights<R>(params, L);
    transpose(w.Wh, d.N, d.N, WhT.data());
    transpose(w.Wx, d.N, d.nIn, WxT.data());
  }
};

/** H0[b] = h0 and R0[b] = f(h0) for every trial b ([B][N] each); returns whether every r_0 is 0. */
template <typename F, typename R>
bool initialState(const Dims& d, const R* h0, R* H0, R* R0) {
  bool rateIsZero = true;
  for (int64_t b = 0; b < d.B; ++b)
    for (int64_t i = 0; i < d.N; ++i) {
      H0[b * d.N + i] = h0[i];
      R0[b * d.N + i] = F::f(h0[i]);
      rateIsZero = rateIsZero && R0[b * d.N + i] == R(0);
    }
  return rateIsZero;
}

/**
 * One step for all B trials ([B][N] states, [B][nIn] inputs, [B][nOut] outputs):
 *   Ht = alpha Hprev + (1 - alpha)(Wh Rprev + Wx xt + b) + noiset,  Rt = f(Ht),  Yt = Wout Rt + bOut
 * One GEMM (B x N x N with Wh transposed, skipped when rprevIsZero) and one fused SIMD pass that
 * adds the input drive, leak, noise, activation and readout while the rows are in registers.
 * Each trial's result depends on that trial only (not on B or its place in the batch).
 * noiset may be nullptr.
 */
template <typename F, typename R>
void forwardStep(const StepWeights<R>& sw, R alpha, const R* Hprev, const R* Rprev, bool rprevIsZero,
                 const R* xt, const R* noiset, R* Ht, R* Rt, R* Yt) {
  using S = typename StepWeights<R>::S;
  using namespace stepdetail;
  constexpr bool vecF = VecAct<F>::kVectorF;
  const int64_t N = sw.d.N, nIn = sw.d.nIn, nOut = sw.d.nOut, B = sw.d.B;
  const R beta = R(1) - alpha;
  if (rprevIsZero) {
    std::fill(Ht, Ht + B * N, R(0));
  } else {
    gemm(false, false, int(B), int(N), int(N), R(1), Rprev, int(N), sw.WhT.data(), int(N), R(0), Ht,
         int(N));
  }
  R* part = sw.part.data();
  auto rows = [&](int64_t b0, auto group) {
    constexpr int G = decltype(group)::value;
    const int64_t off = b0 * N;
    forwardRows<S, F, R, G>(N, nIn, nOut, alpha, beta, Hprev + off, sw.w.b, sw.WxT.data(),
                            xt + b0 * nIn, noiset ? noiset + off : nullptr, sw.w.Wout, Ht + off,
                            Rt + off, part + b0 * kHeld * S::W);
  };
  constexpr int G = kGroup<S>;
  int64_t b0 = 0;
  for (; b0 + G <= B; b0 += G) rows(b0, std::integral_constant<int, G>{});
  for (; b0 < B; ++b0) rows(b0, std::integral_constant<int, 1>{});
  if constexpr (!vecF)
    for (int64_t k = 0; k < B * N; ++k) Rt[k] = F::f(Ht[k]);
  reduceReadout<S, R>(N, B, nOut, vecF ? std::min<int64_t>(nOut, kHeld) : 0, Rt, sw.w.Wout,
                      sw.w.bOut, part, Yt);
}

}  // namespace rnnlab
