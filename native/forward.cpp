#include "forward.hpp"

#include <algorithm>
#include <vector>

#include "act_simd.hpp"
#include "blas.hpp"
#include "simd.hpp"

namespace rnnlab {

namespace {

/** Readout outputs accumulated in registers during one pass over a row. */
constexpr int kOutGroup = 4;

/**
 * The fused pass over one trial's row at step t, after h holds the recurrent drive Wh f(h_{t-1}):
 *   h = alpha hp + (1 - alpha)(h + b + Wx x) (+ noise);  r = f(h);  y = Wout r + bOut.
 * Shapes: h, hp, b, r, nz [N]; WxT [nIn][N]; xt [nIn]; Wout [nOut][N]; bOut, y [nOut].
 * One vector pass computes h, r (relu and linear) and up to kOutGroup outputs; further outputs
 * take another pass over r, which is in L1.
 */
template <class S, class F, typename R>
void forwardRow(long N, long nIn, long nOut, R alpha, R beta, const R* hp, const R* b,
                const R* WxT, const R* xt, const R* nz, const R* Wout, const R* bOut, R* h, R* r,
                R* y) {
  using V = typename S::V;
  constexpr bool vecF = VecAct<F>::kVectorF;
  const V va = S::set1(alpha), vb = S::set1(beta);
  const long fused = vecF ? std::min<long>(nOut, kOutGroup) : 0;
  V acc[kOutGroup];
  for (int o = 0; o < kOutGroup; ++o) acc[o] = S::zero();

  simd::forChunks<S>(N, [&](long i, auto lanes) {
    V z = S::add(lanes.load(h + i), lanes.load(b + i));
    for (long k = 0; k < nIn; ++k) z = S::fma(S::set1(xt[k]), lanes.load(WxT + k * N + i), z);
    V hv = S::fma(va, lanes.load(hp + i), S::mul(vb, z));
    if (nz) hv = S::add(hv, lanes.load(nz + i));
    lanes.store(h + i, hv);
    if constexpr (vecF) {
      const V rv = VecAct<F>::template f<S>(hv);
      lanes.store(r + i, rv);
      for (long o = 0; o < fused; ++o) acc[o] = S::fma(lanes.load(Wout + o * N + i), rv, acc[o]);
    }
  });
  if constexpr (!vecF)
    for (long i = 0; i < N; ++i) r[i] = F::f(h[i]);
  for (long o = 0; o < fused; ++o) y[o] = S::sum(acc[o]) + bOut[o];

  for (long o0 = fused; o0 < nOut; o0 += kOutGroup) {
    const long group = std::min<long>(kOutGroup, nOut - o0);
    for (int o = 0; o < kOutGroup; ++o) acc[o] = S::zero();
    simd::forChunks<S>(N, [&](long i, auto lanes) {
      const V rv = lanes.load(r + i);
      for (long o = 0; o < group; ++o)
        acc[o] = S::fma(lanes.load(Wout + (o0 + o) * N + i), rv, acc[o]);
    });
    for (long o = 0; o < group; ++o) y[o0 + o] = S::sum(acc[o]) + bOut[o0 + o];
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

  withActivation(act, [&](auto A) {
    using F = decltype(A);
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
      for (int64_t bi = 0; bi < B; ++bi) {
        const R* nz = noise ? noise + ((t - 1) * B + bi) * N : nullptr;
        forwardRow<S, F, R>(N, nIn, nOut, alpha, beta, Hprev + bi * N, w.b, WxT.data(),
                            x + ((t - 1) * B + bi) * nIn, nz, w.Wout, w.bOut, Ht + bi * N,
                            Rt + bi * N, Y + ((t - 1) * B + bi) * nOut);
      }
    }
  });
}

template void rnnForward<float>(const Dims&, Activation, float, const float*, const float*,
                                const float*, float*, float*, float*);
template void rnnForward<double>(const Dims&, Activation, double, const double*, const double*,
                                 const double*, double*, double*, double*);

}  // namespace rnnlab
