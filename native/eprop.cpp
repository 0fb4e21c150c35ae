#include "eprop.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "act_simd.hpp"
#include "blas.hpp"
#include "held-columns.hpp"
#include "random.hpp"
#include "simd.hpp"
#include "step-loss.hpp"
#include "stream.hpp"

namespace rnnlab {

namespace {

/**
 * The fused pass of step t of the e-prop sweep (readout learning signal) over all B trials, for
 * the units of one chunk [i, i + W):
 *   eps_t = alpha eps_{t-1} + (1 - alpha) f(h_{t-1})                  (every trial: the trace)
 *   L_t = f'(h_t) (Fb^T dy_t (+ regGrad f(h_t) when Reg))
 *   dWout += dy_t f(h_t)^T;  dWx^T += epsx_t L_t^T;  lsum = sum over trials of L_t
 * A trial whose L_t row is zero (active[b] = 0: dy_t = 0 and no regulariser) adds nothing, so
 * only the trace moves for it. The active trials' L_t and eps_t rows are written packed, in trial
 * order, into Lc and Ec (row j = the j-th active trial) for the dWh GEMM, whose sum then skips
 * the zero rows (same value: only exact zeros are left out).
 * The chunk's dWout and dWx^T columns and lsum stay in registers across the trials; f'(h_t)
 * comes from the rates (act_simd.hpp).
 * Shapes: Rcur, Rprev, eps [B][N]; Lc, Ec [active trials][N]; dy [B][nOut]; epsX [B][nIn];
 * active [B]; Fb, gWout [nOut][N]; dWxT [nIn][N]; lsum [N] (written).
 */
template <class S, class F, typename R, bool Reg, class Lanes>
void signalChunk(long i, const Lanes& lanes, long N, long B, long nIn, long nOut, R alpha, R beta,
                 R regGrad, const R* Rcur, const R* Rprev, const R* dy, const R* epsX,
                 const unsigned char* active, const R* Fb, R* eps, R* Lc, R* Ec, R* lsum,
                 R* gWout, R* dWxT) {
  using V = typename S::V;
  const V va = S::set1(alpha), vb = S::set1(beta);
  HeldColumns<S, R> held(lanes, i, N, nIn, nOut, Fb, gWout, dWxT);
  V ls = S::zero();
  long packed = 0;
  for (long bi = 0; bi < B; ++bi) {
    const long row = bi * N + i;
    const V e = S::fma(va, lanes.load(eps + row), S::mul(vb, lanes.load(Rprev + row)));
    lanes.store(eps + row, e);
    if (!active[bi]) continue;
    const V rv = lanes.load(Rcur + row);
    V pv = held.readout(lanes, i, dy + bi * nOut, rv, S::zero(), Fb, gWout);
    if constexpr (Reg) pv = S::fma(S::set1(regGrad), rv, pv);
    const V l = VecAct<F>::template dfTimes<S>(rv, pv);
    lanes.store(Lc + packed * N + i, l);
    lanes.store(Ec + packed * N + i, e);
    ++packed;
    ls = S::add(ls, l);
    held.addInputs(lanes, i, epsX + bi * nIn, l, dWxT);
  }
  held.store(lanes, i, gWout, dWxT);
  lanes.store(lsum + i, ls);
}

/** sum of f(h)^2 over [n] rates, accumulated in R lanes and returned in double. */
template <class S, typename R>
double sumOfSquares(const R* r, long n) {
  typename S::V acc = S::zero();
  simd::forChunks<S>(n, [&](long i, auto lanes) {
    const auto v = lanes.load(r + i);
    acc = S::fma(v, v, acc);
  });
  return double(S::sum(acc));
}

}  // namespace

template <typename R>
double onlineGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                      const R* noise, LossKind kind, const R* targets, const R* mask,
                      const LearningSignal<R>& signal, R* grads, double scale,
                      const ActivityL2& reg, LossTerms* terms) {
  using Kind = typename LearningSignal<R>::Kind;
  using S = simd::Best<R>;
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const StepWeights<R> sw(d, params);
  const Weights<R>& w = sw.w;
  GradientView<R> g(grads, sw.L);
  std::fill(grads, grads + sw.L.total, R(0));
  const R beta = R(1) - alpha;
  const int64_t targetStride = kind == LossKind::Mse ? nOut : 1;
  const R* feedback = signal.feedback ? signal.feedback : w.Wout;
  const bool perturb = signal.kind == Kind::NodePerturbation;
  const double sigma = signal.sigma;
  NormalStream stream(signal.seed);
  const R regGrad = R(reg.grad());
  double regSum = 0;

  // O(B N) state: two states and rates (previous, current), the learning signal, the traces.
  // Lsig: node perturbation's L_t [B][N]; for the readout signal, the active trials' L_t rows
  // packed (with epsPacked their eps_t rows), for up to two steps: the dWh product runs once
  // rows of more than B trials are pending, so it sums over about 2B rows at a time (half the
  // passes over dWh) whatever the mask leaves out.
  std::vector<R> Hbuf(2 * B * N), Rbuf(2 * B * N), Y(B * nOut), dY(B * nOut);
  std::vector<R> Lsig(perturb ? B * N : 2 * B * N), epsPacked(perturb ? 0 : 2 * B * N);
  std::vector<unsigned char> active(B);
  int64_t pending = 0;
  // dWh += L^T eps over the pending packed rows.
  auto flushPending = [&]() {
    if (pending > 0)
      gemm(true, false, int(N), int(N), int(pending), R(1), Lsig.data(), int(N), epsPacked.data(),
           int(N), R(1), g.Wh, int(N));
    pending = 0;
  };
  std::vector<R> eps(B * N, R(0)), epsX(B * nIn, R(0)), dWxT(nIn * N, R(0)), lsum(N);
  // dY summed over the steps per trial and output; reduced over the trials into dbOut at the end
  // (one independent sum per element instead of a serial chain through bOut at every step).
  std::vector<R> dYsum(B * nOut, R(0));
  std::vector<R> xi(perturb ? N : 0), dr(perturb ? N : 0), yPert(perturb ? nOut : 0);
  R epsB = 0, leakPower = 1;
  double loss = 0;

  auto sweep = [&](auto A, auto regOn) {
    using F = decltype(A);
    constexpr bool Reg = decltype(regOn)::value;
    R* Hprev = Hbuf.data();
    R* Hcur = Hbuf.data() + B * N;
    R* Rprev = Rbuf.data();
    R* Rcur = Rbuf.data() + B * N;
    const bool rate0IsZero = initialState<F>(d, w.h0, Hprev, Rprev);
    for (int64_t t = 1; t <= T; ++t) {
      const R* xt = x + (t - 1) * B * nIn;
      const R* tg = targets + (t - 1) * B * targetStride;
      const R* mt = mask ? mask + (t - 1) * B : nullptr;
      const bool prevIsZero = t == 1 && rate0IsZero;
      forwardStep<F>(sw, alpha, Hprev, Rprev, prevIsZero, xt, noise ? noise + (t - 1) * B * N : nullptr,
                     Hcur, Rcur, Y.data());
      // Traces of step t: epsx_t from x_t, epsb_t, and alpha^t for h0 (eps_t below).
      for (int64_t k = 0; k < B * nIn; ++k) epsX[k] = alpha * epsX[k] + beta * xt[k];
      epsB = alpha * epsB + beta;
      leakPower *= alpha;
      loss += stepLoss(kind, B, nOut, Y.data(), tg, mt, scale, dY.data());
      if (Reg) regSum += sumOfSquares<S>(Rcur, long(B * N));

      bool anySignal = false;
      if (!perturb) {
        int64_t nActive = 0;
        for (int64_t bi = 0; bi < B; ++bi) {
          bool on = Reg;
          for (int64_t o = 0; o < nOut && !on; ++o) on = dY[bi * nOut + o] != R(0);
          active[bi] = on;
          nActive += on;
        }
        anySignal = nActive > 0;
        if (anySignal) {
          simd::forChunks<S>(N, [&](long i, auto lanes) {
            signalChunk<S, F, R, Reg>(i, lanes, N, B, nIn, nOut, alpha, beta, regGrad, Rcur, Rprev,
                                      dY.data(), epsX.data(), active.data(), feedback, eps.data(),
                                      Lsig.data() + pending * N, epsPacked.data() + pending * N,
                                      lsum.data(), g.Wout, dWxT.data());
          });
          // eps_1 = 0 when f(h_0) = 0: those rows add nothing to dWh.
          if (!prevIsZero) pending += nActive;
          if (pending > B) flushPending();
          for (int64_t i = 0; i < N; ++i) {
            g.b[i] += epsB * lsum[i];
            g.h0[i] += leakPower * lsum[i];
          }
        } else {
          // No learning signal at this step: only the trace moves on.
          for (int64_t k = 0; k < B * N; ++k) eps[k] = alpha * eps[k] + beta * Rprev[k];
        }
      } else {
        for (int64_t k = 0; k < B * N; ++k) eps[k] = alpha * eps[k] + beta * Rprev[k];
        for (int64_t bi = 0; bi < B; ++bi) {
          const R* h = Hcur + bi * N;
          const R* r = Rcur + bi * N;
          const R* dyb = dY.data() + bi * nOut;
          R* l = Lsig.data() + bi * N;
          for (int64_t o = 0; o < nOut; ++o) {
            const R e = dyb[o];
            R* gWo = g.Wout + o * N;
            for (int64_t i = 0; i < N; ++i) gWo[i] += e * r[i];
          }
          // The probe is drawn for every row (masked or not) so the stream does not depend on the mask.
          for (int64_t i = 0; i < N; ++i) xi[i] = R(sigma * stream.normal());
          const double m = mt ? double(mt[bi]) : 1.0;
          const R* yb = Y.data() + bi * nOut;
          const R* tb = tg + bi * targetStride;
          double coef = 0;
          if (m != 0 || Reg) {
            for (int64_t i = 0; i < N; ++i) dr[i] = F::f(h[i] + xi[i]) - r[i];
            double clean = 0, probed = 0;
            if (m != 0) {
              for (int64_t o = 0; o < nOut; ++o) {
                const R* wo = w.Wout + o * N;
                R acc = 0;
#pragma omp simd reduction(+ : acc)
                for (int64_t i = 0; i < N; ++i) acc += wo[i] * dr[i];
                yPert[o] = yb[o] + acc;
              }
              clean = rowLoss(kind, nOut, yb, tb, m, scale, static_cast<R*>(nullptr));
              probed = rowLoss(kind, nOut, yPert.data(), tb, m, scale, static_cast<R*>(nullptr));
            }
            if (Reg) {
              // The regulariser's share of l_t: scale * sum_i f(h_i)^2, probed at f(h_i + xi_i).
              double delta = 0;
              for (int64_t i = 0; i < N; ++i) {
                const double rp = double(r[i]) + double(dr[i]);
                delta += rp * rp - double(r[i]) * double(r[i]);
              }
              probed += reg.scale * delta;
            }
            coef = (probed - clean) / (sigma * sigma);
          }
          const R c = R(coef);
          if (c != R(0)) anySignal = true;
          for (int64_t i = 0; i < N; ++i) l[i] = c * xi[i];
          for (int64_t i = 0; i < N; ++i) {
            g.b[i] += epsB * l[i];
            g.h0[i] += leakPower * l[i];
          }
          for (int64_t k = 0; k < nIn; ++k) {
            const R ex = epsX[bi * nIn + k];
            R* gx = dWxT.data() + k * N;
            for (int64_t i = 0; i < N; ++i) gx[i] += ex * l[i];
          }
        }
      }
      for (int64_t k = 0; k < B * nOut; ++k) dYsum[k] += dY[k];
      // Node perturbation: dWh += L_t^T eps_t (skipped when either factor is zero).
      if (perturb && anySignal && !prevIsZero) {
        gemm(true, false, int(N), int(N), int(B), R(1), Lsig.data(), int(N), eps.data(), int(N),
             R(1), g.Wh, int(N));
      }
      std::swap(Hprev, Hcur);
      std::swap(Rprev, Rcur);
    }
  };
  withActivation(act, [&](auto A) {
    if (reg.on()) sweep(A, std::true_type{});
    else sweep(A, std::false_type{});
  });
  flushPending();
  transpose(dWxT.data(), nIn, N, g.Wx);
  for (int64_t bi = 0; bi < B; ++bi)
    for (int64_t o = 0; o < nOut; ++o) g.bOut[o] += dYsum[bi * nOut + o];
  const double regValue = reg.scale * regSum;
  if (terms) {
    terms->task = loss;
    terms->activityL2 = regValue;
  }
  return loss + regValue;
}

template <typename R>
double onlineGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                      const R* noise, LossKind kind, const R* targets, const R* mask,
                      const LearningSignal<R>& signal, R* grads, double activityL2,
                      LossTerms* terms) {
  return onlineGradient<R>(d, act, alpha, params, x, noise, kind, targets, mask, signal, grads,
                           lossScale(kind, d.T * d.B, d.nOut, mask), ActivityL2(activityL2, d),
                           terms);
}

#define RNNLAB_ONLINE_INSTANCES(R)                                                                 \
  template double onlineGradient<R>(const Dims&, Activation, R, const R*, const R*, const R*,      \
                                    LossKind, const R*, const R*, const LearningSignal<R>&, R*,    \
                                    double, LossTerms*);                                           \
  template double onlineGradient<R>(const Dims&, Activation, R, const R*, const R*, const R*,      \
                                    LossKind, const R*, const R*, const LearningSignal<R>&, R*,    \
                                    double, const ActivityL2&, LossTerms*);
RNNLAB_ONLINE_INSTANCES(float)
RNNLAB_ONLINE_INSTANCES(double)
#undef RNNLAB_ONLINE_INSTANCES

}  // namespace rnnlab
