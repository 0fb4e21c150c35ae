#include "eprop.hpp"

#include <algorithm>
#include <vector>

#include "blas.hpp"
#include "random.hpp"
#include "step-loss.hpp"
#include "stream.hpp"

namespace rnnlab {

template <typename R>
double onlineGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                      const R* noise, LossKind kind, const R* targets, const R* mask,
                      const LearningSignal<R>& signal, R* grads, double activityL2,
                      LossTerms* terms) {
  using Kind = typename LearningSignal<R>::Kind;
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const StepWeights<R> sw(d, params);
  const Weights<R>& w = sw.w;
  GradientView<R> g(grads, sw.L);
  std::fill(grads, grads + sw.L.total, R(0));
  const R beta = R(1) - alpha;
  const double scale = lossScale(kind, T * B, nOut, mask);
  const int64_t targetStride = kind == LossKind::Mse ? nOut : 1;
  const R* feedback = signal.feedback ? signal.feedback : w.Wout;
  const bool perturb = signal.kind == Kind::NodePerturbation;
  const double sigma = signal.sigma;
  NormalStream stream(signal.seed);
  const ActivityL2 reg(activityL2, d);
  const R regGrad = R(reg.grad());
  double regSum = 0;

  // O(B N) state: two states and rates (previous, current), the learning signal, the traces.
  std::vector<R> Hbuf(2 * B * N), Rbuf(2 * B * N), Y(B * nOut), dY(B * nOut), Lsig(B * N);
  std::vector<R> eps(B * N, R(0)), epsX(B * nIn, R(0)), dWxT(nIn * N, R(0));
  std::vector<R> xi(perturb ? N : 0), dr(perturb ? N : 0), yPert(perturb ? nOut : 0);
  R epsB = 0, leakPower = 1;
  double loss = 0;

  withActivation(act, [&](auto A) {
    using F = decltype(A);
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
      // Traces of step t: eps_t from f(h_{t-1}), epsx_t from x_t, epsb_t, and alpha^t for h0.
      for (int64_t k = 0; k < B * N; ++k) eps[k] = alpha * eps[k] + beta * Rprev[k];
      for (int64_t k = 0; k < B * nIn; ++k) epsX[k] = alpha * epsX[k] + beta * xt[k];
      epsB = alpha * epsB + beta;
      leakPower *= alpha;
      loss += stepLoss(kind, B, nOut, Y.data(), tg, mt, scale, dY.data());

      bool anySignal = false;
      for (int64_t bi = 0; bi < B; ++bi) {
        const R* h = Hcur + bi * N;
        const R* r = Rcur + bi * N;
        const R* dyb = dY.data() + bi * nOut;
        R* l = Lsig.data() + bi * N;
        if (reg.on()) {
          double s = 0;
#pragma omp simd reduction(+ : s)
          for (int64_t i = 0; i < N; ++i) s += double(r[i]) * double(r[i]);
          regSum += s;
        }
        for (int64_t o = 0; o < nOut; ++o) {
          const R e = dyb[o];
          R* gWo = g.Wout + o * N;
          for (int64_t i = 0; i < N; ++i) gWo[i] += e * r[i];
          g.bOut[o] += e;
        }
        if (!perturb) {
          std::fill(l, l + N, R(0));
          for (int64_t o = 0; o < nOut; ++o) {
            const R e = dyb[o];
            if (e == R(0)) continue;
            anySignal = true;
            const R* fo = feedback + o * N;
            for (int64_t i = 0; i < N; ++i) l[i] += e * fo[i];
          }
          if (reg.on()) {
            anySignal = true;
            for (int64_t i = 0; i < N; ++i) l[i] += regGrad * r[i];
          }
          for (int64_t i = 0; i < N; ++i) l[i] *= F::df(h[i], r[i]);
        } else {
          // The probe is drawn for every row (masked or not) so the stream does not depend on the mask.
          for (int64_t i = 0; i < N; ++i) xi[i] = R(sigma * stream.normal());
          const double m = mt ? double(mt[bi]) : 1.0;
          const R* yb = Y.data() + bi * nOut;
          const R* tb = tg + bi * targetStride;
          double coef = 0;
          if (m != 0 || reg.on()) {
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
            if (reg.on()) {
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
        }
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
      // dWh += L_t^T eps_t (skipped when either factor is zero).
      if (anySignal && !prevIsZero) {
        gemm(true, false, int(N), int(N), int(B), R(1), Lsig.data(), int(N), eps.data(), int(N), R(1),
             g.Wh, int(N));
      }
      std::swap(Hprev, Hcur);
      std::swap(Rprev, Rcur);
    }
  });
  transpose(dWxT.data(), nIn, N, g.Wx);
  const double regValue = reg.scale * regSum;
  if (terms) {
    terms->task = loss;
    terms->activityL2 = regValue;
  }
  return loss + regValue;
}

template double onlineGradient<float>(const Dims&, Activation, float, const float*, const float*,
                                      const float*, LossKind, const float*, const float*,
                                      const LearningSignal<float>&, float*, double, LossTerms*);
template double onlineGradient<double>(const Dims&, Activation, double, const double*, const double*,
                                       const double*, LossKind, const double*, const double*,
                                       const LearningSignal<double>&, double*, double, LossTerms*);

}  // namespace rnnlab
