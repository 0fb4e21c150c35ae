#include "bptt.hpp"

#include <algorithm>
#include <vector>

#include "blas.hpp"

namespace rnnlab {

template <typename R>
void bpttBackward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* H,
                  const R* Rate, const R* dY, R* grads, const BackwardVariant<R>& variant,
                  double activityL2) {
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const ParamLayout L(d);
  const Weights<R> w(params, L);
  GradientView<R> g(grads, L);
  const R beta = R(1) - alpha;
  std::fill(grads, grads + L.total, R(0));
  // dReg/df(h_t) = regGrad * f(h_t) (0 without the regulariser: then nothing below changes).
  const R regGrad = R(ActivityL2(activityL2, d).grad());

  const R* back = variant.recurrentFeedback ? variant.recurrentFeedback : w.Wh;
  const R* readout = variant.readoutFeedback ? variant.readoutFeedback : w.Wout;
  const int64_t K = variant.truncation;
  // Whether the recurrent path into step s (from h_{s-1}) is cut.
  auto cutInto = [&](int64_t s) { return K > 0 && (T - s + 1) % K == 0; };

  std::vector<R> G(B * N, R(0)), D(B * N, R(0)), P(B * N), dWxT(nIn * N, R(0));
  std::vector<R> Q(variant.constantDerivative ? N : 0);
  const bool rate0IsZero = std::all_of(Rate, Rate + B * N, [](R v) { return v == R(0); });

  withActivation(act, [&](auto A) {
    using F = decltype(A);
    for (int64_t t = T; t >= 1; --t) {
      const R* Ht = H + t * B * N;
      const R* Rt = Rate + t * B * N;
      const R* Rprev = Rate + (t - 1) * B * N;
      const R* dy = dY + (t - 1) * B * nOut;
      const R* xt = x + (t - 1) * B * nIn;
      // P <- d_{t+1} V, i.e. V^T d_{t+1} for every trial (zero at the end or across a cut).
      const bool fromNext = t < T && !cutInto(t + 1);
      if (fromNext) {
        gemm(false, false, int(B), int(N), int(N), R(1), D.data(), int(N), back, int(N), R(0),
             P.data(), int(N));
      } else {
        std::fill(P.begin(), P.end(), R(0));
      }
      for (int64_t bi = 0; bi < B; ++bi) {
        R* p = P.data() + bi * N;
        R* gb = G.data() + bi * N;
        R* db = D.data() + bi * N;
        const R* h = Ht + bi * N;
        const R* r = Rt + bi * N;
        const R* dyb = dy + bi * nOut;
        if (!variant.constantDerivative) {
          for (int64_t o = 0; o < nOut; ++o) {
            const R e = dyb[o];
            const R* wo = readout + o * N;
            R* gWo = g.Wout + o * N;
            for (int64_t i = 0; i < N; ++i) {
              p[i] += e * wo[i];
              gWo[i] += e * r[i];
            }
            g.bOut[o] += e;
          }
          if (regGrad != R(0))
            for (int64_t i = 0; i < N; ++i) p[i] += regGrad * r[i];
          for (int64_t i = 0; i < N; ++i) {
            const R gi = F::df(h[i], r[i]) * p[i] + alpha * gb[i];
            gb[i] = gi;
            db[i] = beta * gi;
            g.b[i] += db[i];
          }
        } else {
          // ModProp: the readout path keeps f'(h_t); the recurrent path uses the constant mu.
          R* q = Q.data();
          std::fill(q, q + N, R(0));
          for (int64_t o = 0; o < nOut; ++o) {
            const R e = dyb[o];
            const R* wo = readout + o * N;
            R* gWo = g.Wout + o * N;
            for (int64_t i = 0; i < N; ++i) {
              q[i] += e * wo[i];
              gWo[i] += e * r[i];
            }
            g.bOut[o] += e;
          }
          if (regGrad != R(0))
            for (int64_t i = 0; i < N; ++i) q[i] += regGrad * r[i];
          const R mu = variant.mu;
          for (int64_t i = 0; i < N; ++i) {
            const R gi = F::df(h[i], r[i]) * q[i] + mu * p[i] + alpha * gb[i];
            gb[i] = gi;
            db[i] = beta * gi;
            g.b[i] += db[i];
          }
        }
        for (int64_t k = 0; k < nIn; ++k) {
          const R xk = xt[bi * nIn + k];
          R* gx = dWxT.data() + k * N;
          for (int64_t i = 0; i < N; ++i) gx[i] += xk * db[i];
        }
      }
      if (!(t == 1 && rate0IsZero)) {
        gemm(true, false, int(N), int(N), int(B), R(1), D.data(), int(N), Rprev, int(N), R(1), g.Wh,
             int(N));
      }
    }
    // h_1 = alpha h0 + (1 - alpha)(Wh f(h0) + ...): both paths lead back to the shared h0.
    const bool recurrentToH0 = !cutInto(1);
    if (recurrentToH0) {
      gemm(false, false, int(B), int(N), int(N), R(1), D.data(), int(N), back, int(N), R(0),
           P.data(), int(N));
    }
    for (int64_t bi = 0; bi < B; ++bi) {
      const R* p = P.data() + bi * N;
      const R* gb = G.data() + bi * N;
      for (int64_t i = 0; i < N; ++i) {
        R v = alpha * gb[i];
        if (recurrentToH0) {
          const R deriv = variant.constantDerivative ? variant.mu
                                                     : F::df(H[bi * N + i], Rate[bi * N + i]);
          v += deriv * p[i];
        }
        g.h0[i] += v;
      }
    }
  });
  transpose(dWxT.data(), nIn, N, g.Wx);
}

template void bpttBackward<float>(const Dims&, Activation, float, const float*, const float*,
                                  const float*, const float*, const float*, float*,
                                  const BackwardVariant<float>&, double);
template void bpttBackward<double>(const Dims&, Activation, double, const double*, const double*,
                                   const double*, const double*, const double*, double*,
                                   const BackwardVariant<double>&, double);

}  // namespace rnnlab
