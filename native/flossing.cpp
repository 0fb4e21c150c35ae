#include "flossing.hpp"

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <vector>

#include "blas.hpp"

namespace rnnlab {

namespace {

/** f''(h) given h and r = f(h); 0 for relu and linear (almost everywhere). */
template <typename F, typename R>
inline R secondDerivative(R h, R r) {
  if constexpr (std::is_same_v<F, Act<Activation::Tanh>>) {
    return R(-2) * r * (R(1) - r * r);
  } else if constexpr (std::is_same_v<F, Act<Activation::Retanh>>) {
    return h > R(0) ? R(-2) * r * (R(1) - r * r) : R(0);
  } else {
    return R(0);
  }
}

}  // namespace

template <typename R>
double flossingGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                        const R* noise, const R* q0, const LyapunovSettings& s, FlossMode mode,
                        double target, R* exponents, R* grads, LyapunovStats* stats, bool timing) {
  using Clock = std::chrono::steady_clock;
  const auto callStart = Clock::now();
  const int64_t N = d.N, nIn = d.nIn, nTraj = d.B, k = s.k;
  const int64_t A = s.warmupState, Bq = s.warmupQ, S = s.steps, T = s.total(), nTan = Bq + S;
  const R a = alpha, beta = R(1) - alpha;
  const ParamLayout L(d);
  std::fill(grads, grads + L.total, R(0));
  GradientView<R> g(grads, L);
  lyap::Dynamics<R> dyn(d, act, alpha, params);
  const Weights<R>& w = dyn.weights();
  ThinQR<R> qr(N, k, s.qr);
  LyapunovStats st;

  const bool keep = mode != FlossMode::Local;
  // Per-step scratch (allocated once) and, for the reverse modes, one trajectory's history.
  std::vector<R> rate(static_cast<size_t>(N)), df(static_cast<size_t>(N)), d2f(static_cast<size_t>(N)), P(static_cast<size_t>(k * N)), Rk(static_cast<size_t>(k * k));
  std::vector<R> hA(static_cast<size_t>(N)), hB(static_cast<size_t>(N)), FA(static_cast<size_t>(k * N)), FB(static_cast<size_t>(k * N));
  std::vector<R> Hs, Fs, Rs;
  if (keep) {
    Hs.resize(size_t((T + 1) * N));
    Fs.resize(size_t((nTan + 1) * k * N));
    Rs.resize(size_t(nTan * k * k));
  }
  std::vector<double> logSum(static_cast<size_t>(k));
  std::vector<R> coef(static_cast<size_t>(k));  // c_i = dL/dlambda_i for the current trajectory
  std::vector<R> Zbar(static_cast<size_t>(k * N)), V(static_cast<size_t>(k * N)), Fbar(static_cast<size_t>(k * N)), M(static_cast<size_t>(k * k));
  std::vector<R> hbar(static_cast<size_t>(N)), hbarPrev(static_cast<size_t>(N)), gvec(static_cast<size_t>(N)), u(static_cast<size_t>(N));

  auto isQrStep = [&](int64_t n) { return n <= 0 || n % s.qrEvery == 0 || n == S; };

  // One pass over trajectory b. With `store`, states, frames and R factors are kept in Hs, Fs,
  // Rs; otherwise two rotating buffers are used. `atAccumulatedQR(Fprev, Q, R)` runs after every
  // QR of the accumulation window, with df = f'(h_{t-1}) in scratch.
  auto run = [&](int64_t b, bool store, auto&& atAccumulatedQR) {
    std::fill(logSum.begin(), logSum.end(), 0.0);
    R* h = store ? Hs.data() : hA.data();
    R* hSpare = hB.data();
    R* F = store ? Fs.data() : FA.data();
    R* FSpare = FB.data();
    std::copy(w.h0, w.h0 + N, h);
    lyap::initialFrame(N, k, q0, qr, Rk.data(), F);
    for (int64_t t = 1; t <= T; ++t) {
      const R* xt = x + ((t - 1) * nTraj + b) * nIn;
      const R* nz = noise ? noise + ((t - 1) * nTraj + b) * N : nullptr;
      if (t > A) {
        const int64_t j = t - A, n = j - Bq;
        R* Z = store ? Fs.data() + j * k * N : FSpare;
        dyn.derivative(N, h, df.data());
        dyn.tangent(1, k, F, df.data(), P.data(), Z);
        if (isQrStep(n)) {
          R* Rj = store ? Rs.data() + (j - 1) * k * k : Rk.data();
          qr.factor(Z, Rj);
          ++st.qrCalls;
          if (n > 0) {
            for (int64_t i = 0; i < k; ++i) logSum[i] += lyap::safeLog(Rj[i * k + i], &st.zeroPivots);
            atAccumulatedQR(F, Z, Rj);
          }
        }
        if (!store) FSpare = F;
        F = Z;
      }
      R* hn = store ? Hs.data() + t * N : hSpare;
      dyn.step(1, h, xt, nz, rate.data(), hn);
      if (!store) hSpare = h;
      h = hn;
    }
  };

  double loss = 0;
  for (int64_t b = 0; b < nTraj; ++b) {
    run(b, keep, [](const R*, const R*, const R*) {});
    double lossB = 0;
    for (int64_t i = 0; i < k; ++i) {
      const double lambda = logSum[i] / double(S);
      exponents[b * k + i] = R(lambda);
      lossB += (lambda - target) * (lambda - target);
      coef[i] = R(2.0 * (lambda - target) / double(k * nTraj));
    }
    loss += lossB / double(k * nTraj);

    if (mode == FlossMode::Local) {
      // Pass 2: replay; at each accumulated QR, G^T = R^{-1} diag(c/S) Q^T and
      // dWh += (1 - alpha) G (F_{t-1} D)^T.
      run(b, false, [&](const R* Fprev, const R* Qt, const R* Rj) {
        for (int64_t m = 0; m < k; ++m)
          for (int64_t i = 0; i < N; ++i) P[m * N + i] = Fprev[m * N + i] * df[i];
        for (int64_t i = 0; i < k; ++i) {
          const R ci = coef[i] / R(S);
          for (int64_t n = 0; n < N; ++n) Zbar[i * N + n] = ci * Qt[i * N + n];
        }
        solveUpper(k, N, Rj, Zbar.data());
        gemm(true, false, int(N), int(N), int(k), beta, Zbar.data(), int(N), P.data(), int(N), R(1),
             g.Wh, int(N));
      });
      continue;
    }

    // Reverse pass over the stored trajectory (Full and HDetached).
    const bool full = mode == FlossMode::Full;
    std::fill(Fbar.begin(), Fbar.end(), R(0));
    std::fill(hbar.begin(), hbar.end(), R(0));
    withActivation(act, [&](auto Af) {
      using F = decltype(Af);
      for (int64_t t = T; t >= 1; --t) {
        const R* hp = Hs.data() + (t - 1) * N;
        for (int64_t i = 0; i < N; ++i) {
          rate[i] = F::f(hp[i]);
          df[i] = F::df(hp[i], rate[i]);
          d2f[i] = secondDerivative<F>(hp[i], rate[i]);
        }
        if (full) {
          // State step t: h_t = a h_{t-1} + (1 - a)(Wh f(h_{t-1}) + Wx x_t + b) + noise_t.
          const R* xt = x + ((t - 1) * nTraj + b) * nIn;
          for (int64_t i = 0; i < N; ++i) gvec[i] = beta * hbar[i];
          for (int64_t i = 0; i < N; ++i) {
            const R gi = gvec[i];
            R* gw = g.Wh + i * N;
#pragma omp simd
            for (int64_t j = 0; j < N; ++j) gw[j] += gi * rate[j];
            R* gx = g.Wx + i * nIn;
            for (int64_t j = 0; j < nIn; ++j) gx[j] += gi * xt[j];
            g.b[i] += gi;
          }
          // u = Wh^T gvec.
          if constexpr (sizeof(R) == 8)
            cblas_dgemv(CblasRowMajor, CblasTrans, int(N), int(N), 1.0, w.Wh, int(N), gvec.data(), 1, 0.0, u.data(), 1);
          else
            cblas_sgemv(CblasRowMajor, CblasTrans, int(N), int(N), 1.0f, w.Wh, int(N), gvec.data(), 1, 0.0f, u.data(), 1);
          for (int64_t i = 0; i < N; ++i) hbarPrev[i] = a * hbar[i] + df[i] * u[i];
        }
        if (t > A) {
          const int64_t j = t - A, n = j - Bq;
          const R* Q = Fs.data() + j * k * N;
          const R* Fp = Fs.data() + (j - 1) * k * N;
          if (isQrStep(n)) {
            // QR adjoint (specs.md 2.1) with Rbar = diag(c / (S R_ii)) on accumulated steps:
            // M = R Rbar^T - Qbar^T Q, Sym = copyltu(M), Zbar = (Qbar + Q Sym) R^{-T}.
            // Transposed: Zbar^T = R^{-1} (Qbar^T + Sym Q^T).
            gemm(false, true, int(k), int(k), int(N), R(1), Fbar.data(), int(N), Q, int(N), R(0), M.data(),
                 int(k));
            for (int64_t i = 0; i < k; ++i) {
              for (int64_t l = 0; l < i; ++l) {
                const R v = -M[i * k + l];
                M[i * k + l] = v;
                M[l * k + i] = v;
              }
              M[i * k + i] = (n > 0 ? coef[i] / R(S) : R(0)) - M[i * k + i];
            }
            std::copy(Fbar.begin(), Fbar.end(), Zbar.begin());
            gemm(false, false, int(k), int(N), int(k), R(1), M.data(), int(k), Q, int(N), R(1), Zbar.data(),
                 int(N));
            solveUpper(k, N, Rs.data() + (j - 1) * k * k, Zbar.data());
          } else {
            std::copy(Fbar.begin(), Fbar.end(), Zbar.begin());
          }
          // Z_t = a F_{t-1} + (1 - a) Wh D F_{t-1}; in transposed form V = Zbar^T Wh = (Wh^T Zbar)^T.
          gemm(false, false, int(k), int(N), int(N), R(1), Zbar.data(), int(N), w.Wh, int(N), R(0), V.data(),
               int(N));
          for (int64_t m = 0; m < k; ++m) {
            const R* fp = Fp + m * N;
            R* p = P.data() + m * N;
#pragma omp simd
            for (int64_t i = 0; i < N; ++i) p[i] = fp[i] * df[i];
          }
          gemm(true, false, int(N), int(N), int(k), beta, Zbar.data(), int(N), P.data(), int(N), R(1), g.Wh,
               int(N));
          if (full) {
            for (int64_t i = 0; i < N; ++i) {
              R acc = 0;
              for (int64_t m = 0; m < k; ++m) acc += V[m * N + i] * Fp[m * N + i];
              hbarPrev[i] += beta * acc * d2f[i];
            }
          }
          for (int64_t m = 0; m < k; ++m) {
            const R* z = Zbar.data() + m * N;
            const R* v = V.data() + m * N;
            R* fb = Fbar.data() + m * N;
#pragma omp simd
            for (int64_t i = 0; i < N; ++i) fb[i] = a * z[i] + beta * v[i] * df[i];
          }
        }
        if (full) std::swap(hbar, hbarPrev);
      }
    });
  }
  st.qrFallbacks = qr.fallbacks();
  if (timing) st.totalSeconds = std::chrono::duration<double>(Clock::now() - callStart).count();
  if (stats) *stats = st;
  return loss;
}

template double flossingGradient<float>(const Dims&, Activation, float, const float*, const float*,
                                        const float*, const float*, const LyapunovSettings&,
                                        FlossMode, double, float*, float*, LyapunovStats*, bool);
template double flossingGradient<double>(const Dims&, Activation, double, const double*,
                                         const double*, const double*, const double*,
                                         const LyapunovSettings&, FlossMode, double, double*,
                                         double*, LyapunovStats*, bool);

}  // namespace rnnlab
