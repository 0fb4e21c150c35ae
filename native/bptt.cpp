#include "bptt.hpp"

#include <algorithm>
#include <vector>

#include "act_simd.hpp"
#include "blas.hpp"
#include "simd.hpp"

namespace rnnlab {

namespace {

/** Readout and input weights kept in registers during the fused backward pass. */
constexpr int kMaxHeld = 4;

/**
 * The fused backward pass of step t over all B trials, for the units of one chunk [i, i + W):
 *   p = P (= Wh^T d_{t+1}, or 0 at t = T) + Wout^T dy_t
 *   g_t = f'(h_t) p + alpha g_{t+1};  d_t = (1 - alpha) g_t
 *   dWout += dy_t f(h_t)^T, db += d_t, dWx^T += x_t d_t^T
 * The chunk's accumulators (db, dWx^T, dWout columns) stay in registers across the B trials;
 * the per-element order of every sum (over t descending, then trials ascending) is that of a
 * trial-by-trial loop.
 * f'(h_t) comes from the rates (act_simd.hpp), so the states H are not read here.
 * Shapes: P, G, D, Rt [B][N]; dy [B][nOut]; xt [B][nIn]; Wout, gWout [nOut][N];
 * gb [N]; dWxT [nIn][N].
 */
template <class S, class F, typename R, class Lanes>
void backwardChunk(long i, const Lanes& lanes, long N, long B, long nIn, long nOut, R alpha,
                   R beta, const R* P, const R* dy, const R* xt, const R* Rt,
                   const R* Wout, R* G, R* D, R* gb, R* dWxT, R* gWout) {
  using V = typename S::V;
  const V va = S::set1(alpha), vb = S::set1(beta);
  const long heldOut = std::min<long>(nOut, kMaxHeld), heldIn = std::min<long>(nIn, kMaxHeld);
  V wo[kMaxHeld] = {}, gWo[kMaxHeld] = {}, gx[kMaxHeld] = {};
  // Loops over the held accumulators run to the constant kMaxHeld (fully unrolled, so the
  // arrays live in registers) and skip the slots beyond nOut / nIn.
#pragma GCC unroll 4
  for (long o = 0; o < kMaxHeld; ++o) {
    if (o >= heldOut) break;
    wo[o] = lanes.load(Wout + o * N + i);
    gWo[o] = lanes.load(gWout + o * N + i);
  }
#pragma GCC unroll 4
  for (long k = 0; k < kMaxHeld; ++k) {
    if (k >= heldIn) break;
    gx[k] = lanes.load(dWxT + k * N + i);
  }
  V gbv = lanes.load(gb + i);

  for (long bi = 0; bi < B; ++bi) {
    const long row = bi * N + i;
    const R* e = dy + bi * nOut;
    const V rv = lanes.load(Rt + row);
    V pv = P ? lanes.load(P + row) : S::zero();
#pragma GCC unroll 4
    for (long o = 0; o < kMaxHeld; ++o) {
      if (o >= heldOut) break;
      const V eo = S::set1(e[o]);
      pv = S::fma(eo, wo[o], pv);
      gWo[o] = S::fma(eo, rv, gWo[o]);
    }
    for (long o = heldOut; o < nOut; ++o) {
      const V eo = S::set1(e[o]);
      pv = S::fma(eo, lanes.load(Wout + o * N + i), pv);
      lanes.store(gWout + o * N + i, S::fma(eo, rv, lanes.load(gWout + o * N + i)));
    }
    const V g = S::fma(va, lanes.load(G + row), VecAct<F>::template dfTimes<S>(rv, pv));
    lanes.store(G + row, g);
    const V dv = S::mul(vb, g);
    lanes.store(D + row, dv);
    gbv = S::add(gbv, dv);
    const R* x = xt + bi * nIn;
#pragma GCC unroll 4
    for (long k = 0; k < kMaxHeld; ++k) {
      if (k >= heldIn) break;
      gx[k] = S::fma(S::set1(x[k]), dv, gx[k]);
    }
    for (long k = heldIn; k < nIn; ++k)
      lanes.store(dWxT + k * N + i, S::fma(S::set1(x[k]), dv, lanes.load(dWxT + k * N + i)));
  }

#pragma GCC unroll 4
  for (long o = 0; o < kMaxHeld; ++o) {
    if (o >= heldOut) break;
    lanes.store(gWout + o * N + i, gWo[o]);
  }
#pragma GCC unroll 4
  for (long k = 0; k < kMaxHeld; ++k) {
    if (k >= heldIn) break;
    lanes.store(dWxT + k * N + i, gx[k]);
  }
  lanes.store(gb + i, gbv);
}

}  // namespace

template <typename R>
void bpttBackward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* H,
                  const R* Rate, const R* dY, R* grads) {
  using S = simd::Best<R>;
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const ParamLayout L(d);
  const Weights<R> w(params, L);
  GradientView<R> g(grads, L);
  const R beta = R(1) - alpha;
  std::fill(grads, grads + L.total, R(0));

  std::vector<R> G(B * N, R(0)), D(B * N, R(0)), P(B * N), dWxT(nIn * N, R(0));
  const bool rate0IsZero = std::all_of(Rate, Rate + B * N, [](R v) { return v == R(0); });

  withActivation(act, [&](auto A) {
    using F = decltype(A);
    for (int64_t t = T; t >= 1; --t) {
      const R* Rt = Rate + t * B * N;
      const R* Rprev = Rate + (t - 1) * B * N;
      const R* dy = dY + (t - 1) * B * nOut;
      const R* xt = x + (t - 1) * B * nIn;
      // P <- d_{t+1} Wh, i.e. Wh^T d_{t+1} for every trial.
      if (t < T)
        gemm(false, false, int(B), int(N), int(N), R(1), D.data(), int(N), w.Wh, int(N), R(0),
             P.data(), int(N));
      for (int64_t o = 0; o < nOut; ++o) {
        R sum = g.bOut[o];
        for (int64_t bi = 0; bi < B; ++bi) sum += dy[bi * nOut + o];
        g.bOut[o] = sum;
      }
      simd::forChunks<S>(N, [&](long i, auto lanes) {
        backwardChunk<S, F, R>(i, lanes, N, B, nIn, nOut, alpha, beta, t < T ? P.data() : nullptr,
                               dy, xt, Rt, w.Wout, G.data(), D.data(), g.b, dWxT.data(),
                               g.Wout);
      });
      if (!(t == 1 && rate0IsZero)) {
        gemm(true, false, int(N), int(N), int(B), R(1), D.data(), int(N), Rprev, int(N), R(1), g.Wh,
             int(N));
      }
    }
    // h_1 = alpha h0 + (1 - alpha)(Wh f(h0) + ...): both paths lead back to the shared h0.
    gemm(false, false, int(B), int(N), int(N), R(1), D.data(), int(N), w.Wh, int(N), R(0), P.data(),
         int(N));
    for (int64_t bi = 0; bi < B; ++bi) {
      const R* p = P.data() + bi * N;
      const R* gb = G.data() + bi * N;
      for (int64_t i = 0; i < N; ++i) {
        g.h0[i] += alpha * gb[i] + F::df(H[bi * N + i], Rate[bi * N + i]) * p[i];
      }
    }
  });
  transpose(dWxT.data(), nIn, N, g.Wx);
}

template void bpttBackward<float>(const Dims&, Activation, float, const float*, const float*,
                                  const float*, const float*, const float*, float*);
template void bpttBackward<double>(const Dims&, Activation, double, const double*, const double*,
                                   const double*, const double*, const double*, double*);

}  // namespace rnnlab
