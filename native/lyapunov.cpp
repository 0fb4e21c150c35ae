#include "lyapunov.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "blas.hpp"
#include "tangent-kernels.hpp"

namespace rnnlab {

namespace {

// y = op(A) x for row-major A [m][n] (BLAS gemv): for one trajectory a gemm with one row would
// make OpenBLAS repack the whole weight matrix on every step.
inline void gemv(bool trans, int m, int n, const double* A, const double* x, double* y) {
  cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, m, n, 1.0, A, n, x, 1, 0.0, y, 1);
}
inline void gemv(bool trans, int m, int n, const float* A, const float* x, float* y) {
  cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, m, n, 1.0f, A, n, x, 1, 0.0f, y, 1);
}

}  // namespace

namespace lyap {

template <typename R>
Dynamics<R>::Dynamics(const Dims& d, Activation act, R alpha, const R* params)
    : N_(d.N),
      nIn_(d.nIn),
      act_(act),
      alpha_(alpha),
      layout_(d),
      w_(params, layout_),
      storage_(size_t(d.N * d.N)) {
  WhT_ = storage_.data();
  transpose(w_.Wh, N_, N_, WhT_);
}

template <typename R>
void Dynamics<R>::step(int64_t B, const R* h, const R* x, const R* noise, R* rate, R* hNext) const {
  const int64_t N = N_, nIn = nIn_;
  const R a = alpha_, beta = R(1) - alpha_;
  withActivation(act_, [&](auto A) {
    using F = decltype(A);
    for (int64_t i = 0; i < B * N; ++i) rate[i] = F::f(h[i]);
  });
  if (B == 1)
    gemv(false, int(N), int(N), w_.Wh, rate, hNext);
  else
    gemm(false, false, int(B), int(N), int(N), R(1), rate, int(N), WhT_, int(N), R(0), hNext, int(N));
  for (int64_t bi = 0; bi < B; ++bi) {
    R* hn = hNext + bi * N;
    const R* hp = h + bi * N;
    const R* xb = x + bi * nIn;
    for (int64_t i = 0; i < N; ++i) {
      R drive = hn[i] + w_.b[i];
      const R* wx = w_.Wx + i * nIn;
      for (int64_t j = 0; j < nIn; ++j) drive += wx[j] * xb[j];
      hn[i] = a * hp[i] + beta * drive;
    }
    if (noise) {
      const R* nz = noise + bi * N;
      for (int64_t i = 0; i < N; ++i) hn[i] += nz[i];
    }
  }
}

template <typename R>
void Dynamics<R>::derivative(int64_t n, const R* h, R* df) const {
  withActivation(act_, [&](auto A) {
    using F = decltype(A);
    for (int64_t i = 0; i < n; ++i) df[i] = F::df(h[i], F::f(h[i]));
  });
}

template <typename R>
void Dynamics<R>::tangent(int64_t B, int64_t k, const R* Ft, const R* df, R* P, R* Zt) const {
  const int64_t N = N_;
  if constexpr (sizeof(R) == 8) {
    if (tk::kHaveAvx512 && N <= tk::kSmallLimit) {
      for (int64_t bi = 0; bi < B; ++bi)
        tk::scaledProduct(k, N, N, alpha_, R(1) - alpha_, Ft + bi * k * N, df + bi * N, WhT_, Zt + bi * k * N);
      return;
    }
  }
  for (int64_t bi = 0; bi < B; ++bi) {
    const R* dfb = df + bi * N;
    for (int64_t m = 0; m < k; ++m) {
      const R* f = Ft + (bi * k + m) * N;
      R* p = P + (bi * k + m) * N;
      R* z = Zt + (bi * k + m) * N;
#pragma omp simd
      for (int64_t j = 0; j < N; ++j) {
        p[j] = f[j] * dfb[j];
        z[j] = alpha_ * f[j];
      }
    }
  }
  gemm(false, false, int(B * k), int(N), int(N), R(1) - alpha_, P, int(N), WhT_, int(N), R(1), Zt,
       int(N));
}

template <typename R>
void initialFrame(int64_t N, int64_t k, const R* q0, ThinQR<R>& qr, R* Rscratch, R* Ft) {
  if (q0 == nullptr) {
    std::fill(Ft, Ft + k * N, R(0));
    for (int64_t m = 0; m < k; ++m) Ft[m * N + m] = R(1);
    return;
  }
  std::copy(q0, q0 + k * N, Ft);
  qr.factor(Ft, Rscratch);
}

template <typename R>
double safeLog(R v, int64_t* zeroPivots) {
  if (v > R(0)) return std::log(double(v));
  if (zeroPivots) ++*zeroPivots;
  return std::log(std::numeric_limits<double>::min());
}

template class Dynamics<float>;
template class Dynamics<double>;
template void initialFrame<float>(int64_t, int64_t, const float*, ThinQR<float>&, float*, float*);
template void initialFrame<double>(int64_t, int64_t, const double*, ThinQR<double>&, double*,
                                   double*);
template double safeLog<float>(float, int64_t*);
template double safeLog<double>(double, int64_t*);

}  // namespace lyap

namespace {

using Clock = std::chrono::steady_clock;

/** Adds the time since `start` to `acc` and restarts `start` (only when timing). */
inline void lap(bool timing, Clock::time_point& start, double& acc) {
  if (!timing) return;
  const auto now = Clock::now();
  acc += std::chrono::duration<double>(now - start).count();
  start = now;
}

}  // namespace

template <typename R>
void lyapunovSpectrum(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                      const R* noise, const R* q0, const LyapunovSettings& s, R* exponents,
                      LyapunovStats* stats, bool timing) {
  const auto callStart = Clock::now();
  const int64_t N = d.N, nIn = d.nIn, B = d.B, k = s.k;
  const int64_t A = s.warmupState, Bq = s.warmupQ, S = s.steps, T = s.total();
  LyapunovStats st;

  lyap::Dynamics<R> dyn(d, act, alpha, params);
  ThinQR<R> qr(N, k, s.qr);
  const ParamLayout L(d);
  const R* h0 = params + L.h0;

  // Everything a step touches, allocated once.
  std::vector<R> h(static_cast<size_t>(B * N)), hNext(static_cast<size_t>(B * N)), rate(static_cast<size_t>(B * N)), df(static_cast<size_t>(B * N));
  std::vector<R> Ft(static_cast<size_t>(B * k * N)), Zt(static_cast<size_t>(B * k * N)), P(static_cast<size_t>(B * k * N));
  std::vector<R> Rk(static_cast<size_t>(k * k));
  std::vector<double> logSum(static_cast<size_t>(B * k), 0.0);

  for (int64_t bi = 0; bi < B; ++bi) std::copy(h0, h0 + N, h.begin() + bi * N);
  lyap::initialFrame(N, k, q0, qr, Rk.data(), Ft.data());
  for (int64_t bi = 1; bi < B; ++bi) std::copy(Ft.begin(), Ft.begin() + k * N, Ft.begin() + bi * k * N);

  auto t0 = Clock::now();
  for (int64_t t = 1; t <= T; ++t) {
    const R* xt = x + (t - 1) * B * nIn;
    const R* nt = noise ? noise + (t - 1) * B * N : nullptr;
    const bool tangentStep = t > A;
    if (tangentStep) {
      dyn.derivative(B * N, h.data(), df.data());
      dyn.tangent(B, k, Ft.data(), df.data(), P.data(), Zt.data());
      lap(timing, t0, st.tangentSeconds);
    }
    dyn.step(B, h.data(), xt, nt, rate.data(), hNext.data());
    std::swap(h, hNext);
    lap(timing, t0, st.stateSeconds);
    if (!tangentStep) continue;
    const int64_t n = t - A - Bq;  // accumulation step (<= 0 during the tangent warm-up)
    if (n <= 0 || n % s.qrEvery == 0 || n == S) {
      for (int64_t bi = 0; bi < B; ++bi) {
        qr.factor(Zt.data() + bi * k * N, Rk.data());
        ++st.qrCalls;
        if (n > 0) {
          double* acc = logSum.data() + bi * k;
          for (int64_t i = 0; i < k; ++i) acc[i] += lyap::safeLog(Rk[i * k + i], &st.zeroPivots);
        }
      }
      lap(timing, t0, st.qrSeconds);
    }
    std::swap(Ft, Zt);
  }
  for (int64_t i = 0; i < B * k; ++i) exponents[i] = R(logSum[i] / double(S));
  st.qrFallbacks = qr.fallbacks();
  if (timing) st.totalSeconds = std::chrono::duration<double>(Clock::now() - callStart).count();
  if (stats) *stats = st;
}

template void lyapunovSpectrum<float>(const Dims&, Activation, float, const float*, const float*,
                                      const float*, const float*, const LyapunovSettings&, float*,
                                      LyapunovStats*, bool);
template void lyapunovSpectrum<double>(const Dims&, Activation, double, const double*,
                                       const double*, const double*, const double*,
                                       const LyapunovSettings&, double*, LyapunovStats*, bool);

}  // namespace rnnlab
