#include "rtrl.hpp"

#include <algorithm>
#include <vector>

#include "blas.hpp"
#include "step-loss.hpp"
#include "stream.hpp"

namespace rnnlab {

template <typename R>
double rtrlGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                    const R* noise, LossKind kind, const R* targets, const R* mask, R* grads,
                    double activityL2, LossTerms* terms) {
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const int64_t P = rtrlColumns(d);
  const int64_t cWx = N * N, cB = cWx + N * nIn, cH0 = cB + N;
  Dims one = d;
  one.B = 1;
  const StepWeights<R> sw(one, params);
  const Weights<R>& w = sw.w;
  const ParamLayout L(d);
  GradientView<R> g(grads, L);
  std::fill(grads, grads + L.total, R(0));
  const R beta = R(1) - alpha;
  const double scale = lossScale(kind, T * B, nOut, mask);
  const int64_t targetStride = kind == LossKind::Mse ? nOut : 1;

  std::vector<R> M(N * P), S(N * P), G(P, R(0));
  std::vector<R> hPrev(N), rPrev(N), hCur(N), rCur(N), y(nOut), dy(nOut), c(N);
  double loss = 0;
  const ActivityL2 reg(activityL2, d);
  const R regGrad = R(reg.grad());
  double regSum = 0;

  withActivation(act, [&](auto A) {
    using F = decltype(A);
    for (int64_t bi = 0; bi < B; ++bi) {
      std::fill(M.begin(), M.end(), R(0));
      for (int64_t i = 0; i < N; ++i) M[i * P + cH0 + i] = R(1);
      initialState<F>(one, w.h0, hPrev.data(), rPrev.data());
      for (int64_t t = 1; t <= T; ++t) {
        const int64_t row = (t - 1) * B + bi;
        const R* xt = x + row * nIn;
        // S = diag(f'(h_{t-1})) M_{t-1};  M_t = (1 - alpha) Wh S + alpha M_{t-1} + explicit part.
        for (int64_t m = 0; m < N; ++m) {
          const R dm = F::df(hPrev[m], rPrev[m]);
          const R* src = M.data() + m * P;
          R* dst = S.data() + m * P;
          for (int64_t k = 0; k < P; ++k) dst[k] = dm * src[k];
        }
        gemm(false, false, int(N), int(P), int(N), beta, w.Wh, int(N), S.data(), int(P), alpha,
             M.data(), int(P));
        for (int64_t i = 0; i < N; ++i) {
          R* Mi = M.data() + i * P;
          for (int64_t j = 0; j < N; ++j) Mi[i * N + j] += beta * rPrev[j];
          for (int64_t k = 0; k < nIn; ++k) Mi[cWx + i * nIn + k] += beta * xt[k];
          Mi[cB + i] += beta;
        }
        forwardStep<F>(sw, alpha, hPrev.data(), rPrev.data(), false, xt,
                       noise ? noise + row * N : nullptr, hCur.data(), rCur.data(), y.data());
        const double m = mask ? double(mask[row]) : 1.0;
        loss += rowLoss(kind, nOut, y.data(), targets + row * targetStride, m, scale, dy.data());
        bool anySignal = false;
        std::fill(c.begin(), c.end(), R(0));
        for (int64_t o = 0; o < nOut; ++o) {
          const R e = dy[o];
          const R* wo = w.Wout + o * N;
          R* gWo = g.Wout + o * N;
          for (int64_t i = 0; i < N; ++i) {
            c[i] += e * wo[i];
            gWo[i] += e * rCur[i];
          }
          g.bOut[o] += e;
          anySignal = anySignal || e != R(0);
        }
        if (reg.on()) {
          anySignal = true;
          for (int64_t i = 0; i < N; ++i) {
            c[i] += regGrad * rCur[i];
            regSum += double(rCur[i]) * double(rCur[i]);
          }
        }
        if (anySignal) {
          for (int64_t i = 0; i < N; ++i) c[i] *= F::df(hCur[i], rCur[i]);
          // G += c^T M_t
          gemm(false, false, 1, int(P), int(N), R(1), c.data(), int(N), M.data(), int(P), R(1),
               G.data(), int(P));
        }
        std::swap(hPrev, hCur);
        std::swap(rPrev, rCur);
      }
    }
  });
  std::copy(G.begin(), G.begin() + N * N, g.Wh);
  std::copy(G.begin() + cWx, G.begin() + cB, g.Wx);
  std::copy(G.begin() + cB, G.begin() + cH0, g.b);
  std::copy(G.begin() + cH0, G.end(), g.h0);
  const double regValue = reg.scale * regSum;
  if (terms) {
    terms->task = loss;
    terms->activityL2 = regValue;
  }
  return loss + regValue;
}

template double rtrlGradient<float>(const Dims&, Activation, float, const float*, const float*,
                                    const float*, LossKind, const float*, const float*, float*,
                                    double, LossTerms*);
template double rtrlGradient<double>(const Dims&, Activation, double, const double*, const double*,
                                     const double*, LossKind, const double*, const double*, double*,
                                     double, LossTerms*);

}  // namespace rnnlab
