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
 * The fused backward pass of step t over the trials still reached by a loss signal, for the units
 * of one chunk [i, i + W):
 *   q = Fo^T dy_t (+ regGrad f(h_t) when Reg)       (Fo = readout feedback or Wout)
 *   exact path:  g_t = f'(h_t) (P + q) + alpha g_{t+1}
 *   ModProp:     g_t = f'(h_t) q + mu P + alpha g_{t+1}
 *   d_t = (1 - alpha) g_t;  dWout += dy_t f(h_t)^T, db += d_t, dWx^T += x_t d_t^T
 * with P = V^T d_{t+1} from the caller's GEMM: trial b's row is P[prow[b]], or 0 when prow is
 * nullptr (t = T, across a cut) or prow[b] < 0 (no d_{t+1} for that trial).
 * Trial b takes part when t <= last[b], its last step with a signal: after it g_t = 0 exactly
 * (every term above is 0), so its G row stays 0 and it adds nothing. The taking-part trials' d_t
 * and f(h_{t-1}) rows are written packed, in trial order, into Dp and Rp for the two products
 * (Rp nullptr: every trial takes part, the products read Rprev itself).
 * The chunk's accumulators (db, dWx^T, dWout columns) stay in registers across the trials; the
 * per-element order of every sum (over t descending, then trials ascending) is that of a
 * trial-by-trial loop. f'(h_t) comes from the rates (act_simd.hpp).
 * Shapes: G, Rt, Rprev [B][N]; P, Dp, Rp [packed rows][N]; dy [B][nOut]; xt [B][nIn];
 * last, prow [B]; Fo, gWout [nOut][N]; gb [N]; dWxT [nIn][N].
 */
template <class S, class F, typename R, bool ModProp, bool Reg, class Lanes>
void backwardChunk(long i, const Lanes& lanes, long t, long N, long B, long nIn, long nOut,
                   R alpha, R beta, R mu, R regGrad, const R* P, const int* prow, const int64_t* last,
                   const R* dy, const R* xt, const R* Rt, const R* Rprev, const R* Fo, R* G, R* Dp,
                   R* Rp, R* gb, R* dWxT, R* gWout) {
  using V = typename S::V;
  const V va = S::set1(alpha), vb = S::set1(beta);
  HeldColumns<S, R> held(lanes, i, N, nIn, nOut, Fo, gWout, dWxT);
  V gbv = lanes.load(gb + i);
  long packed = 0;
  for (long bi = 0; bi < B; ++bi) {
    if (t > last[bi]) continue;
    const long row = bi * N + i;
    const V rv = lanes.load(Rt + row);
    const V recurrent = P && prow[bi] >= 0 ? lanes.load(P + prow[bi] * N + i) : S::zero();
    // The exact path adds the readout error onto the recurrent one (one f' for both); ModProp
    // keeps them apart (f' on the readout part, mu on the recurrent part).
    V pv = held.readout(lanes, i, dy + bi * nOut, rv, ModProp ? S::zero() : recurrent, Fo, gWout);
    if constexpr (Reg) pv = S::fma(S::set1(regGrad), rv, pv);
    V local = VecAct<F>::template dfTimes<S>(rv, pv);
    if constexpr (ModProp) local = S::fma(S::set1(mu), recurrent, local);
    const V g = S::fma(va, lanes.load(G + row), local);
    lanes.store(G + row, g);
    const V dv = S::mul(vb, g);
    lanes.store(Dp + packed * N + i, dv);
    if (Rp) lanes.store(Rp + packed * N + i, lanes.load(Rprev + row));
    ++packed;
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

  std::vector<R> G(B * N, R(0)), D(B * N, R(0)), P(B * N), Rp(B * N), dWxT(nIn * N, R(0));
  // dY summed over the steps per trial and output, reduced over the trials into dbOut at the end
  // (independent sums per element instead of a serial chain through bOut at every step).
  std::vector<R> dYsum(B * nOut, R(0));
  const bool rate0IsZero = std::all_of(Rate, Rate + B * N, [](R v) { return v == R(0); });
  // last[b]: trial b's last step with a loss signal (dy != 0; every step with the regulariser),
  // 0 if none. After it g_t = 0 exactly, so the sweep leaves the trial out from there on; the
  // products then run on the packed rows of the trials still in (D, Rp, P hold packed rows).
  std::vector<int64_t> last(B, reg.on() ? T : 0);
  if (!reg.on())
    for (int64_t bi = 0; bi < B; ++bi)
      for (int64_t t = T; t >= 1 && last[bi] == 0; --t)
        for (int64_t o = 0; o < nOut; ++o)
          if (dY[((t - 1) * B + bi) * nOut + o] != R(0)) last[bi] = t;
  // prow[b]: the packed row of trial b in the last P product (-1: not in it).
  std::vector<int> prow(B, -1);
  auto packedRows = [&](int64_t t) {
    int64_t n = 0;
    for (int64_t bi = 0; bi < B; ++bi) n += t <= last[bi];
    return n;
  };
  auto setPackedRows = [&](int64_t t) {
    int j = 0;
    for (int64_t bi = 0; bi < B; ++bi) prow[bi] = t <= last[bi] ? j++ : -1;
  };

  auto sweep = [&](auto A, auto modProp, auto regOn) {
    using F = decltype(A);
    constexpr bool ModProp = decltype(modProp)::value, Reg = decltype(regOn)::value;
    bool haveP = false;
    for (int64_t t = T; t >= 1; --t) {
      const R* Rt = Rate + t * B * N;
      const R* Rprev = Rate + (t - 1) * B * N;
      const R* dy = dY + (t - 1) * B * nOut;
      const R* xt = x + (t - 1) * B * nIn;
      for (int64_t k = 0; k < B * nOut; ++k) dYsum[k] += dy[k];
      const int64_t rows = packedRows(t);
      if (rows == 0) {
        haveP = false;
        continue;
      }
      // With every trial in, the packed rows are the rows themselves: no copy of f(h_{t-1}).
      R* packedRates = rows < B ? Rp.data() : nullptr;
      simd::forChunks<S>(N, [&](long i, auto lanes) {
        backwardChunk<S, F, R, ModProp, Reg>(i, lanes, long(t), N, B, nIn, nOut, alpha, beta,
                                             variant.mu, regGrad, haveP ? P.data() : nullptr,
                                             prow.data(), last.data(), dy, xt, Rt, Rprev, readout,
                                             G.data(), D.data(), packedRates, g.b, dWxT.data(),
                                             g.Wout);
      });
      if (!(t == 1 && rate0IsZero)) {
        gemm(true, false, int(N), int(N), int(rows), R(1), D.data(), int(N),
             packedRates ? packedRates : Rprev, int(N), R(1), g.Wh, int(N));
      }
      // P <- d_t V, i.e. V^T d_t for every trial still in, for step t - 1 (none across a cut;
      // at t = 1 it leads back to h0, below).
      haveP = !cutInto(t);
      if (haveP) {
        setPackedRows(t);
        gemm(false, false, int(rows), int(N), int(N), R(1), D.data(), int(N), back, int(N), R(0),
             P.data(), int(N));
      }
    }
    // h_1 = alpha h0 + (1 - alpha)(Wh f(h0) + ...): both paths lead back to the shared h0.
    for (int64_t bi = 0; bi < B; ++bi) {
      const R* p = haveP && prow[bi] >= 0 ? P.data() + prow[bi] * N : nullptr;
      const R* gb = G.data() + bi * N;
      for (int64_t i = 0; i < N; ++i) {
        R v = alpha * gb[i];
        if (p) {
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
