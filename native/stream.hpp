// One forward step of the leaky RNN for a whole batch, shared by every kernel that runs the model
// (the stored-trajectory forward pass, the online e-prop / node-perturbation sweep, RTRL and the
// loss-only forward of evolution strategies), so that they all compute bit-identical states.
#pragma once
#include <vector>

#include "blas.hpp"
#include "model.hpp"

namespace rnnlab {

/** The weights as the forward step reads them, with Wh and Wx transposed once per call. */
template <typename R>
struct StepWeights {
  const Dims d;
  const ParamLayout L;
  Weights<R> w;
  std::vector<R> WhT, WxT;

  StepWeights(const Dims& dims, const R* params)
      : d(dims), L(dims), w(params, L), WhT(dims.N * dims.N), WxT(dims.nIn * dims.N) {
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
 * One GEMM (B x N x N, skipped when rprevIsZero) and one fused pass per trial that adds the input
 * drive, leak, noise, activation and readout while the row is in cache. noiset may be nullptr.
 */
template <typename F, typename R>
void forwardStep(const StepWeights<R>& sw, R alpha, const R* Hprev, const R* Rprev, bool rprevIsZero,
                 const R* xt, const R* noiset, R* Ht, R* Rt, R* Yt) {
  const int64_t N = sw.d.N, nIn = sw.d.nIn, nOut = sw.d.nOut, B = sw.d.B;
  const R* bias = sw.w.b;
  const R* Wout = sw.w.Wout;
  const R* bOut = sw.w.bOut;
  const R* WxT = sw.WxT.data();
  const R beta = R(1) - alpha;
  if (rprevIsZero) {
    for (int64_t k = 0; k < B * N; ++k) Ht[k] = R(0);
  } else {
    gemm(false, false, int(B), int(N), int(N), R(1), Rprev, int(N), sw.WhT.data(), int(N), R(0), Ht,
         int(N));
  }
  for (int64_t bi = 0; bi < B; ++bi) {
    R* h = Ht + bi * N;
    R* r = Rt + bi * N;
    const R* hp = Hprev + bi * N;
    const R* x = xt + bi * nIn;
    for (int64_t i = 0; i < N; ++i) h[i] += bias[i];
    for (int64_t k = 0; k < nIn; ++k) {
      const R xk = x[k];
      const R* wk = WxT + k * N;
      for (int64_t i = 0; i < N; ++i) h[i] += xk * wk[i];
    }
    for (int64_t i = 0; i < N; ++i) h[i] = alpha * hp[i] + beta * h[i];
    if (noiset) {
      const R* nz = noiset + bi * N;
      for (int64_t i = 0; i < N; ++i) h[i] += nz[i];
    }
    for (int64_t i = 0; i < N; ++i) r[i] = F::f(h[i]);
    R* y = Yt + bi * nOut;
    for (int64_t o = 0; o < nOut; ++o) {
      const R* wo = Wout + o * N;
      R acc = 0;
#pragma omp simd reduction(+ : acc)
      for (int64_t i = 0; i < N; ++i) acc += wo[i] * r[i];
      y[o] = acc + bOut[o];
    }
  }
}

}  // namespace rnnlab
