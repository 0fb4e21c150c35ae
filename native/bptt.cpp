#include "bptt.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "act_simd.hpp"
#include "blas.hpp"
#include "held-columns.hpp"
#include "simd.hpp"

namespace rnnlab {

namespace {

/**
 * The fused backward pass of step t over all B trials, for the units of one chunk [i, i + W):
 *   q = Fo^T dy_t (+ regGrad f(h_t) when Reg)       (Fo = readout feedback or Wout)
 *   exact path:  g_t = f'(h_t) (P + q) + alpha g_{t+1}
 *   ModProp:     g_t = f'(h_t) q + mu P + alpha g_{t+1}
 *   d_t = (1 - alpha) g_t;  dWout += dy_t f(h_t)^T, db += d_t, dWx^T += x_t d_t^T
 * with P = V^T d_{t+1} from the caller's GEMM (nullptr: 0, at t = T or across a cut). The chunk's
 * accumulators (db, dWx^T, dWout columns) stay in registers across the B trials; the per-element
 * order of every sum (over t descending, then trials ascending) is that of a trial-by-trial loop.
 * f'(h_t) comes from the rates (act_simd.hpp), so the states H are not read here.
 * Shapes: P, G, D, Rt [B][N]; dy [B][nOut]; xt [B][nIn]; Fo, gWout [nOut][N]; gb [N]; dWxT [nIn][N].
 */
template <class S, class F, typename R, bool ModProp, bool Reg, class Lanes>
void backwardChunk(long i, const Lanes& lanes, long N, long B, long nIn, long nOut, R alpha,
                   R beta, R mu, R regGrad, const R* P, const R* dy, const R* xt, const R* Rt,
                   const R* Fo, R* G, R* D, R* gb, R* dWxT, R* gWout) {
  using V = typename S::V;
  const V va = S::set1(alpha), vb = S::set1(beta);
  HeldColumns<S, R> held(lanes, i, N, nIn, nOut, Fo, gWout, dWxT);
  V gbv = lanes.load(gb + i);

  for (long bi = 0; bi < B; ++bi) {
    const long row = bi * N + i;
    const V rv = lanes.load(Rt + row);
    const V recurrent = P ? lanes.load(P + row) : S::zero();
    // The exact path adds the readout error onto the recurrent one (one f' for both); ModProp
    // keeps them apart (f' on the readout part, mu on the recurrent part).
    V pv = held.readout(lanes, i, dy + bi * nOut, rv, ModProp ? S::zero() : recurrent, Fo, gWout);
    if constexpr (Reg) pv = S::fma(S::set1(regGrad), rv, pv);
    V local = VecAct<F>::template dfTimes<S>(rv, pv);
    if constexpr (ModProp) local = S::fma(S::set1(mu), recurrent, local);
    const V g = S::fma(va, lanes.load(G + row), local);
    lanes.store(G + row, g);
    const V dv = S::mul(vb, g);
    lanes.store(D + row, dv);
    gbv = S::add(gbv, dv);
    held.addInputs(lanes, i, xt + bi * nIn, dv, dWxT);
  }
  held.store(lanes, i, gWout, dWxT);
  lanes.store(gb + i, gbv);
}

}  // namespace

template <typename R>
void bpttBackward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* H,
                  const R* Rate, const R* dY, R* grads, const BackwardVariant<R>& variant,
                  const ActivityL2& reg) {
  using S = simd::Best<R>;
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const ParamLayout L(d);
  const Weights<R> w(params, L);
  GradientView<R> g(grads, L);
  const R beta = R(1) - alpha;
  std::fill(grads, grads + L.total, R(0));
  // dReg/df(h_t) = regGrad * f(h_t) (without the regulariser the pass skips the term entirely).
  const R regGrad = R(reg.grad());

  const R* back = variant.recurrentFeedback ? variant.recurrentFeedback : w.Wh;
  const R* readout = variant.readoutFeedback ? variant.readoutFeedback : w.Wout;
  const int64_t K = variant.truncation;
  // Whether the recurrent path into step s (from h_{s-1}) is cut.
  auto cutInto = [&](int64_t s) { return K > 0 && (T - s + 1) % K == 0; };

  std::vector<R> G(B * N, R(0)), D(B * N, R(0)), P(B * N), dWxT(nIn * N, R(0));
  // dY summed over the steps per trial and output, reduced over the trials into dbOut at the end
  // (independent sums per element instead of a serial chain through bOut at every step).
  std::vector<R> dYsum(B * nOut, R(0));
  const bool rate0IsZero = std::all_of(Rate, Rate + B * N, [](R v) { return v == R(0); });

  auto sweep = [&](auto A, auto modProp, auto regOn) {
    using F = decltype(A);
    constexpr bool ModProp = decltype(modProp)::value, Reg = decltype(regOn)::value;
    for (int64_t t = T; t >= 1; --t) {
      const R* Rt = Rate + t * B * N;
      const R* Rprev = Rate + (t - 1) * B * N;
      const R* dy = dY + (t - 1) * B * nOut;
      const R* xt = x + (t - 1) * B * nIn;
      // P <- d_{t+1} V, i.e. V^T d_{t+1} for every trial (absent at the end or across a cut).
      const bool fromNext = t < T && !cutInto(t + 1);
      if (fromNext)
        gemm(false, false, int(B), int(N), int(N), R(1), D.data(), int(N), back, int(N), R(0),
             P.data(), int(N));
      for (int64_t k = 0; k < B * nOut; ++k) dYsum[k] += dy[k];
      simd::forChunks<S>(N, [&](long i, auto lanes) {
        backwardChunk<S, F, R, ModProp, Reg>(i, lanes, N, B, nIn, nOut, alpha, beta, variant.mu,
                                             regGrad, fromNext ? P.data() : nullptr, dy, xt, Rt,
                                             readout, G.data(), D.data(), g.b, dWxT.data(), g.Wout);
      });
      if (!(t == 1 && rate0IsZero)) {
        gemm(true, false, int(N), int(N), int(B), R(1), D.data(), int(N), Rprev, int(N), R(1), g.Wh,
             int(N));
      }
    }
    // h_1 = alpha h0 + (1 - alpha)(Wh f(h0) + ...): both paths lead back to the shared h0.
    const bool recurrentToH0 = !cutInto(1);
    if (recurrentToH0)
      gemm(false, false, int(B), int(N), int(N), R(1), D.data(), int(N), back, int(N), R(0),
           P.data(), int(N));
    for (int64_t bi = 0; bi < B; ++bi) {
      const R* p = P.data() + bi * N;
      const R* gb = G.data() + bi * N;
      for (int64_t i = 0; i < N; ++i) {
        R v = alpha * gb[i];
        if (recurrentToH0) {
          const R deriv = ModProp ? variant.mu : F::df(H[bi * N + i], Rate[bi * N + i]);
          v += deriv * p[i];
        }
        g.h0[i] += v;
      }
    }
  };
  withActivation(act, [&](auto A) {
    using Yes = std::true_type;
    using No = std::false_type;
    if (variant.constantDerivative) {
      if (reg.on()) sweep(A, Yes{}, Yes{});
      else sweep(A, Yes{}, No{});
    } else {
      if (reg.on()) sweep(A, No{}, Yes{});
      else sweep(A, No{}, No{});
    }
  });
  transpose(dWxT.data(), nIn, N, g.Wx);
  for (int64_t bi = 0; bi < B; ++bi)
    for (int64_t o = 0; o < nOut; ++o) g.bOut[o] += dYsum[bi * nOut + o];
}

template <typename R>
void bpttBackward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* H,
                  const R* Rate, const R* dY, R* grads, const BackwardVariant<R>& variant,
                  double activityL2) {
  bpttBackward<R>(d, act, alpha, params, x, H, Rate, dY, grads, variant, ActivityL2(activityL2, d));
}

#define RNNLAB_BPTT_INSTANCES(R)                                                                   \
  template void bpttBackward<R>(const Dims&, Activation, R, const R*, const R*, const R*, const R*, \
                                const R*, R*, const BackwardVariant<R>&, double);                  \
  template void bpttBackward<R>(const Dims&, Activation, R, const R*, const R*, const R*, const R*, \
                                const R*, R*, const BackwardVariant<R>&, const ActivityL2&);
RNNLAB_BPTT_INSTANCES(float)
RNNLAB_BPTT_INSTANCES(double)
#undef RNNLAB_BPTT_INSTANCES

}  // namespace rnnlab
