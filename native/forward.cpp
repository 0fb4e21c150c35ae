#include "forward.hpp"

#include <vector>

#include "blas.hpp"

namespace rnnlab {

template <typename R>
void rnnForward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* noise,
                R* H, R* Rate, R* Y) {
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
        for (int64_t k = 0; k < B * N; ++k) Ht[k] = R(0);
      } else {
        gemm(false, false, int(B), int(N), int(N), R(1), Rprev, int(N), WhT.data(), int(N), R(0), Ht,
             int(N));
      }
      for (int64_t bi = 0; bi < B; ++bi) {
        R* h = Ht + bi * N;
        R* r = Rt + bi * N;
        const R* hp = Hprev + bi * N;
        const R* xt = x + ((t - 1) * B + bi) * nIn;
        for (int64_t i = 0; i < N; ++i) h[i] += w.b[i];
        for (int64_t k = 0; k < nIn; ++k) {
          const R xk = xt[k];
          const R* wk = WxT.data() + k * N;
          for (int64_t i = 0; i < N; ++i) h[i] += xk * wk[i];
        }
        for (int64_t i = 0; i < N; ++i) h[i] = alpha * hp[i] + beta * h[i];
        if (noise) {
          const R* nz = noise + ((t - 1) * B + bi) * N;
          for (int64_t i = 0; i < N; ++i) h[i] += nz[i];
        }
        for (int64_t i = 0; i < N; ++i) r[i] = F::f(h[i]);
        R* y = Y + ((t - 1) * B + bi) * nOut;
        for (int64_t o = 0; o < nOut; ++o) {
          const R* wo = w.Wout + o * N;
          R acc = 0;
#pragma omp simd reduction(+ : acc)
          for (int64_t i = 0; i < N; ++i) acc += wo[i] * r[i];
          y[o] = acc + w.bOut[o];
        }
      }
    }
  });
}

template void rnnForward<float>(const Dims&, Activation, float, const float*, const float*,
                                const float*, float*, float*, float*);
template void rnnForward<double>(const Dims&, Activation, double, const double*, const double*,
                                 const double*, double*, double*, double*);

}  // namespace rnnlab
