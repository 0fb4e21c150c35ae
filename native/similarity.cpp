// Similarity metrics: netrep LinearMetric, linear CKA, DSA (HAVOK DMD + orthogonal similarity
// transform). See similarity.hpp for the definitions. Internally every matrix is column-major
// (LAPACK's order); inputs and outputs are row-major as everywhere else in rnnlab.
#include "similarity.hpp"

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace rnnlab {
namespace {

using Vec = std::vector<double>;

/** C = alpha op(A) op(B) + beta C, column-major. */
void gemm(bool tA, bool tB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
          int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasColMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans,
              int(M), int(N), int(K), alpha, A, int(lda), B, int(ldb), beta, C, int(ldc));
}

double dot(int64_t n, const double* a, const double* b) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

/**
 * Copies the row-major m x p matrix X into the column-major m x n matrix out (n >= p), with
 * every column centred; columns p .. n-1 are zero (netrep's zero padding, then centring).
 */
void centreColumns(int64_t m, int64_t p, int64_t n, const double* X, double* out) {
  std::fill(out, out + m * n, 0.0);
  for (int64_t j = 0; j < p; ++j) {
    double mean = 0;
    for (int64_t i = 0; i < m; ++i) mean += X[i * p + j];
    mean /= double(m);
    double* col = out + j * m;
    for (int64_t i = 0; i < m; ++i) col[i] = X[i * p + j] - mean;
  }
}

/**
 * netrep utils.whiten(Xc, alpha, preserve_variance=True, eigval_tol=1e-7) for alpha < 1 - 1e-7:
 * Z = V diag(d) V^T from the eigendecomposition of the scatter Xc^T Xc (n x n, column-major).
 */
int whitening(int64_t m, int64_t n, const double* Xc, double alpha, double* Z) {
  constexpr double kEigvalTol = 1e-7;
  Vec V(static_cast<size_t>(n * n)), w(static_cast<size_t>(n));
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, int(n), int(m), 1.0, Xc, int(m), 0.0,
              V.data(), int(n));
  if (LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', int(n), V.data(), int(n), w.data()) != 0)
    return kSimLapackFailed;
  Vec d(static_cast<size_t>(n));
  double sumLam = 0, newVar = 0;
  for (int64_t k = 0; k < n; ++k) {
    const double lam = std::max(w[k], kEigvalTol);
    d[k] = alpha + (1 - alpha) / std::sqrt(lam);
    sumLam += lam;
    const double s = alpha * std::sqrt(lam) + (1 - alpha);
    newVar += s * s;
  }
  const double scale = std::sqrt(sumLam / newVar);
  Vec Vd(V);
  for (int64_t k = 0; k < n; ++k)
    for (int64_t i = 0; i < n; ++i) Vd[i + k * n] *= d[k] * scale;
  gemm(false, true, n, n, n, 1.0, Vd.data(), n, V.data(), n, 0.0, Z, n);
  return kSimOk;
}

/** Angle between two equally sized matrices, 2 atan2(|a - b|, |a + b|) for unit-norm a, b. */
int angle(int64_t len, const double* a, const double* b, double* radians, double* cosine) {
  const double na = std::sqrt(dot(len, a, a)), nb = std::sqrt(dot(len, b, b));
  if (!(na > 0) || !(nb > 0)) return kSimZeroNorm;
  double diff = 0, sum = 0;
  for (int64_t k = 0; k < len; ++k) {
    const double x = a[k] / na, y = b[k] / nb;
    diff += (x - y) * (x - y);
    sum += (x + y) * (x + y);
  }
  *radians = 2 * std::atan2(std::sqrt(diff), std::sqrt(sum));
  *cosine = dot(len, a, b) / (na * nb);
  return kSimOk;
}

}  // namespace

namespace {

/**
 * The explicit netrep computation on the zero-padded matrices: whitening transforms, SVD
 * alignment, tX = Xc Wx and tY = Yc Wy, and the angle between them by atan2 (accurate near 0).
 */
int shapeMetricExplicit(int64_t m, int64_t p, int64_t q, const double* X, const double* Y,
                        double alpha, double* out) {
  const int64_t n = std::max(p, q);
  Vec Xc(static_cast<size_t>(m * n)), Yc(static_cast<size_t>(m * n));
  centreColumns(m, p, n, X, Xc.data());
  centreColumns(m, q, n, Y, Yc.data());
  const bool whiten = !(alpha > 1 - 1e-7);
  Vec Zx, Zy, Xw, Yw;
  if (whiten) {
    Zx.resize(size_t(n * n));
    Zy.resize(size_t(n * n));
    int status = whitening(m, n, Xc.data(), alpha, Zx.data());
    if (status == kSimOk) status = whitening(m, n, Yc.data(), alpha, Zy.data());
    if (status != kSimOk) return status;
    Xw.resize(size_t(m * n));
    Yw.resize(size_t(m * n));
    gemm(false, false, m, n, n, 1.0, Xc.data(), m, Zx.data(), n, 0.0, Xw.data(), m);
    gemm(false, false, m, n, n, 1.0, Yc.data(), m, Zy.data(), n, 0.0, Yw.data(), m);
  }
  const double* xw = whiten ? Xw.data() : Xc.data();
  const double* yw = whiten ? Yw.data() : Yc.data();
  // Alignment: SVD of Xw^T Yw = U S V^T.
  Vec M(static_cast<size_t>(n * n)), U(static_cast<size_t>(n * n)), VT(static_cast<size_t>(n * n)), s(static_cast<size_t>(n));
  gemm(true, false, n, n, m, 1.0, xw, m, yw, m, 0.0, M.data(), n);
  if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'A', int(n), int(n), M.data(), int(n), s.data(), U.data(),
                     int(n), VT.data(), int(n)) != 0)
    return kSimLapackFailed;
  // Wx = Zx U, Wy = Zy V (V = VT^T); then tX = Xc Wx, tY = Yc Wy.
  Vec Wx(static_cast<size_t>(n * n)), Wy(static_cast<size_t>(n * n));
  if (whiten) {
    gemm(false, false, n, n, n, 1.0, Zx.data(), n, U.data(), n, 0.0, Wx.data(), n);
    gemm(false, true, n, n, n, 1.0, Zy.data(), n, VT.data(), n, 0.0, Wy.data(), n);
  } else {
    Wx = U;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) Wy[i + j * n] = VT[j + i * n];
  }
  Vec tX(static_cast<size_t>(m * n)), tY(static_cast<size_t>(m * n));
  gemm(false, false, m, n, n, 1.0, Xc.data(), m, Wx.data(), n, 0.0, tX.data(), m);
  gemm(false, false, m, n, n, 1.0, Yc.data(), m, Wy.data(), n, 0.0, tY.data(), m);
  return angle(m * n, tX.data(), tY.data(), &out[0], &out[1]);
}

/**
 * The same whitening as `whitening` for the unpadded m x p matrix Xc of a pair padded to n
 * columns: the n - p padded eigenvalues (0, clipped to 1e-7) enter the trace-preserving
 * rescale, and the padded block of Z, which only ever multiplies zeros, is left out.
 * Z is p x p; *norm2 = |Xc Z|_F^2 = sum_k d_k^2 lambda_k.
 */
int partialWhitening(int64_t m, int64_t p, int64_t n, const double* Xc, double alpha, double* Z,
                     double* norm2) {
  constexpr double kEigvalTol = 1e-7;
  Vec V(static_cast<size_t>(p * p)), w(static_cast<size_t>(p)), d(static_cast<size_t>(p));
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, int(p), int(m), 1.0, Xc, int(m), 0.0,
              V.data(), int(p));
  if (LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', int(p), V.data(), int(p), w.data()) != 0)
    return kSimLapackFailed;
  const double padS = alpha * std::sqrt(kEigvalTol) + (1 - alpha);
  double sumLam = double(n - p) * kEigvalTol, newVar = double(n - p) * padS * padS;
  for (int64_t k = 0; k < p; ++k) {
    const double lam = std::max(w[size_t(k)], kEigvalTol);
    d[size_t(k)] = alpha + (1 - alpha) / std::sqrt(lam);
    sumLam += lam;
    const double sk = alpha * std::sqrt(lam) + (1 - alpha);
    newVar += sk * sk;
  }
  const double scale = std::sqrt(sumLam / newVar);
  *norm2 = 0;
  Vec Vd(V);
  for (int64_t k = 0; k < p; ++k) {
    const double dk = d[size_t(k)] * scale;
    *norm2 += dk * dk * std::max(w[size_t(k)], 0.0);
    for (int64_t i = 0; i < p; ++i) Vd[size_t(i + k * p)] *= dk;
  }
  gemm(false, true, p, p, p, 1.0, Vd.data(), p, V.data(), p, 0.0, Z, p);
  return kSimOk;
}

/**
 * The cosine of netrep's angle without forming tX and tY: <tX, tY> = sum of the singular values
 * of Zx Xc^T Yc Zy (the padded blocks are zero), |tX|^2 = |Xc Zx|_F^2 (U is orthogonal), all
 * from p x p, q x q and p x q matrices. arccos of it is accurate to ~1e-16 / sin(angle).
 */
int shapeCosine(int64_t m, int64_t p, int64_t q, const double* X, const double* Y, double alpha,
                double* cosine) {
  const int64_t n = std::max(p, q), k = std::min(p, q);
  Vec Xc(static_cast<size_t>(m * p)), Yc(static_cast<size_t>(m * q)), M(static_cast<size_t>(p * q));
  centreColumns(m, p, p, X, Xc.data());
  centreColumns(m, q, q, Y, Yc.data());
  gemm(true, false, p, q, m, 1.0, Xc.data(), m, Yc.data(), m, 0.0, M.data(), p);
  double nx2 = 0, ny2 = 0;
  if (alpha > 1 - 1e-7) {
    nx2 = dot(m * p, Xc.data(), Xc.data());
    ny2 = dot(m * q, Yc.data(), Yc.data());
  } else {
    Vec Zx(static_cast<size_t>(p * p)), Zy(static_cast<size_t>(q * q)), T(static_cast<size_t>(p * q));
    int status = partialWhitening(m, p, n, Xc.data(), alpha, Zx.data(), &nx2);
    if (status == kSimOk) status = partialWhitening(m, q, n, Yc.data(), alpha, Zy.data(), &ny2);
    if (status != kSimOk) return status;
    gemm(false, false, p, q, p, 1.0, Zx.data(), p, M.data(), p, 0.0, T.data(), p);
    gemm(false, false, p, q, q, 1.0, T.data(), p, Zy.data(), q, 0.0, M.data(), p);
  }
  if (!(nx2 > 0) || !(ny2 > 0)) return kSimZeroNorm;
  Vec s(static_cast<size_t>(k));
  double unusedU = 0, unusedVT = 0;
  if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', int(p), int(q), M.data(), int(p), s.data(), &unusedU, 1,
                     &unusedVT, 1) != 0)
    return kSimLapackFailed;
  double sum = 0;
  for (double v : s) sum += v;
  *cosine = sum / std::sqrt(nx2 * ny2);
  return kSimOk;
}

}  // namespace

int shapeMetric(int64_t m, int64_t p, int64_t q, const double* X, const double* Y, double alpha,
                double* out) {
  // Cheap path first; near 0 (cos > 1 - 1e-4, angle < 0.014) arccos loses digits, so the
  // explicit computation takes over there.
  double cosine = 0;
  const int status = shapeCosine(m, p, q, X, Y, alpha, &cosine);
  if (status != kSimOk) return status;
  if (cosine < 1 - 1e-4) {
    out[0] = std::acos(std::max(-1.0, std::min(1.0, cosine)));
    out[1] = cosine;
    return kSimOk;
  }
  return shapeMetricExplicit(m, p, q, X, Y, alpha, out);
}

namespace {

/** |Xc^T Xc|_F for the m x p column-major Xc, from the upper triangle of a syrk. */
double scatterNorm(int64_t m, int64_t p, const double* Xc) {
  Vec C(static_cast<size_t>(p * p));
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, int(p), int(m), 1.0, Xc, int(m), 0.0,
              C.data(), int(p));
  double diag = 0, off = 0;
  for (int64_t j = 0; j < p; ++j) {
    for (int64_t i = 0; i < j; ++i) off += C[size_t(i + j * p)] * C[size_t(i + j * p)];
    diag += C[size_t(j + j * p)] * C[size_t(j + j * p)];
  }
  return std::sqrt(diag + 2 * off);
}

}  // namespace

int linearCka(int64_t m, int64_t p, int64_t q, const double* X, const double* Y, double* cka) {
  Vec Xc(static_cast<size_t>(m * p)), Yc(static_cast<size_t>(m * q));
  centreColumns(m, p, p, X, Xc.data());
  centreColumns(m, q, q, Y, Yc.data());
  Vec Cxy(static_cast<size_t>(p * q));
  gemm(true, false, p, q, m, 1.0, Xc.data(), m, Yc.data(), m, 0.0, Cxy.data(), p);
  const double nxy = dot(p * q, Cxy.data(), Cxy.data());
  const double nxx = scatterNorm(m, p, Xc.data());
  const double nyy = scatterNorm(m, q, Yc.data());
  if (!(nxx > 0) || !(nyy > 0)) return kSimZeroNorm;
  *cka = nxy / (nxx * nyy);
  return kSimOk;
}

int havokDmd(int64_t K, int64_t T, int64_t N, const double* data, int64_t nDelays,
             int64_t delayInterval, int rankRule, double rankValue, double lambda, double* Av,
             double* S, int64_t* rank) {
  const int64_t Tp = T - (nDelays - 1) * delayInterval;
  if (Tp < 2) return kSimTooFewSteps;
  const int64_t R = K * Tp, P = N * nDelays, k = std::min(R, P);
  if (K > 1 && R < P) return kSimTooFewRows;
  // Hankel matrix, column-major R x P: row (trial, t), column block d = x_{t + (D-1-d) tau}.
  Vec H(static_cast<size_t>(R * P));
  for (int64_t trial = 0; trial < K; ++trial)
    for (int64_t t = 0; t < Tp; ++t) {
      const int64_t row = trial * Tp + t;
      for (int64_t d = 0; d < nDelays; ++d) {
        const double* x = data + (trial * T + t + (nDelays - 1 - d) * delayInterval) * N;
        for (int64_t u = 0; u < N; ++u) H[size_t(row + (d * N + u) * R)] = x[u];
      }
    }
  // H = V S U^T: V = left singular vectors of H (R x k), one row per embedded time point.
  Vec V(static_cast<size_t>(R * k)), UT(static_cast<size_t>(k * P)), s(static_cast<size_t>(k));
  if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', int(R), int(P), H.data(), int(R), s.data(), V.data(),
                     int(R), UT.data(), int(k)) != 0)
    return kSimLapackFailed;
  std::copy(s.begin(), s.end(), S);

  int64_t r = k;
  if (rankRule == kRankFixed) {
    r = std::min(int64_t(rankValue), P);  // DSA caps the rank at the Hankel width N D
    if (r > k) return kSimRankTooLarge;
  } else if (rankRule == kRankThreshold) {
    r = k;
    for (int64_t i = 0; i < k; ++i)
      if (s[i] < rankValue) {
        r = i;
        break;
      }
  } else if (rankRule == kRankExplainedVariance) {
    double total = 0;
    for (int64_t i = 0; i < k; ++i) total += s[i] * s[i];
    double cumulative = 0;
    r = 0;  // DSA: argmax over an all-false mask is 0
    for (int64_t i = 0; i < k; ++i) {
      cumulative += s[i] * s[i];
      if (cumulative / total > rankValue) {
        r = i;
        break;
      }
    }
  }
  if (r < 1) return kSimRankZero;

  // V- and V+ (per trial, so no transition crosses a trial boundary), first r columns.
  const int64_t Rm = K * (Tp - 1);
  Vec Vm(static_cast<size_t>(Rm * r)), Vp(static_cast<size_t>(Rm * r));
  for (int64_t c = 0; c < r; ++c)
    for (int64_t trial = 0; trial < K; ++trial)
      for (int64_t t = 0; t + 1 < Tp; ++t) {
        const int64_t row = trial * (Tp - 1) + t;
        Vm[size_t(row + c * Rm)] = V[size_t(trial * Tp + t + c * R)];
        Vp[size_t(row + c * Rm)] = V[size_t(trial * Tp + t + 1 + c * R)];
      }
  Vec G(static_cast<size_t>(r * r)), Bm(static_cast<size_t>(r * r));
  gemm(true, false, r, r, Rm, 1.0, Vm.data(), Rm, Vm.data(), Rm, 0.0, G.data(), r);
  for (int64_t i = 0; i < r; ++i) G[size_t(i + i * r)] += lambda;
  gemm(true, false, r, r, Rm, 1.0, Vm.data(), Rm, Vp.data(), Rm, 0.0, Bm.data(), r);
  // Solve G X = Vm^T Vp; A_v = X^T, whose row-major layout is X's column-major layout.
  if (LAPACKE_dposv(LAPACK_COL_MAJOR, 'U', int(r), int(r), G.data(), int(r), Bm.data(), int(r)) != 0)
    return kSimSingular;
  std::copy(Bm.begin(), Bm.end(), Av);
  *rank = r;
  return kSimOk;
}

namespace {

/** Buffers and fixed data of one DSA alignment problem (all r x r, column-major). */
struct Align {
  int64_t r;
  Vec A, B;              // unit-norm operators
  Vec t1, t2, W, L, Rm;  // scratch
  std::vector<lapack_int> ipiv;

  explicit Align(int64_t r_)
      : r(r_), A(size_t(r_ * r_)), B(size_t(r_ * r_)), t1(size_t(r_ * r_)), t2(size_t(r_ * r_)),
        W(size_t(r_ * r_)), L(size_t(r_ * r_)), Rm(size_t(r_ * r_)), ipiv(size_t(r_)) {}

  /** f(C) = <A, C B C^T>; leaves C B C^T in t2. */
  double objective(const double* C) {
    gemm(false, false, r, r, r, 1.0, C, r, B.data(), r, 0.0, t1.data(), r);
    gemm(false, true, r, r, r, 1.0, t1.data(), r, C, r, 0.0, t2.data(), r);
    return dot(r * r, A.data(), t2.data());
  }

  /** Omega = skew(C^T G), G = A C B^T + A^T C B; returns |Omega|_F. */
  double direction(const double* C, double* Omega) {
    gemm(false, false, r, r, r, 1.0, A.data(), r, C, r, 0.0, t1.data(), r);
    gemm(false, true, r, r, r, 1.0, t1.data(), r, B.data(), r, 0.0, W.data(), r);
    gemm(true, false, r, r, r, 1.0, A.data(), r, C, r, 0.0, t1.data(), r);
    gemm(false, false, r, r, r, 1.0, t1.data(), r, B.data(), r, 1.0, W.data(), r);  // W = G
    gemm(true, false, r, r, r, 1.0, C, r, W.data(), r, 0.0, t1.data(), r);          // C^T G
    for (int64_t i = 0; i < r; ++i)
      for (int64_t j = 0; j < r; ++j)
        Omega[i + j * r] = 0.5 * (t1[size_t(i + j * r)] - t1[size_t(j + i * r)]);
    return std::sqrt(dot(r * r, Omega, Omega));
  }

  /** out = C (I - t/2 Omega)^-1 (I + t/2 Omega). */
  bool retract(const double* C, const double* Omega, double t, double* out) {
    for (int64_t k = 0; k < r * r; ++k) {
      L[size_t(k)] = -0.5 * t * Omega[k];
      Rm[size_t(k)] = 0.5 * t * Omega[k];
    }
    for (int64_t i = 0; i < r; ++i) {
      L[size_t(i + i * r)] += 1;
      Rm[size_t(i + i * r)] += 1;
    }
    if (LAPACKE_dgesv(LAPACK_COL_MAJOR, int(r), int(r), L.data(), int(r), ipiv.data(), Rm.data(),
                      int(r)) != 0)
      return false;
    gemm(false, false, r, r, r, 1.0, C, r, Rm.data(), r, 0.0, out, r);
    return true;
  }

  /** Replaces C by the nearest orthogonal matrix (polar factor U V^T of its SVD). */
  bool polar(double* C) {
    Vec M(C, C + r * r), U(static_cast<size_t>(r * r)), VT(static_cast<size_t>(r * r)), s(static_cast<size_t>(r));
    if (LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'A', int(r), int(r), M.data(), int(r), s.data(),
                       U.data(), int(r), VT.data(), int(r)) != 0)
      return false;
    gemm(false, false, r, r, r, 1.0, U.data(), r, VT.data(), r, 0.0, C, r);
    return true;
  }
};

struct RunResult {
  double f;
  double gradNorm;
  int64_t iterations;
};

/**
 * Riemannian gradient ascent from C (in place) with Barzilai-Borwein steps and the nonmonotone
 * Armijo rule of Zhang & Hager (2004) as used on the Stiefel manifold by Wen & Yin (2013): a
 * step t is accepted when f(C(t)) >= ref + 1e-4 t |Omega|^2, where ref is a weighted average of
 * past values (eta = 0.85), which lets BB steps through where a monotone rule would cut them.
 */
RunResult ascend(Align& a, double* C, int64_t maxIter, double gradTol) {
  const int64_t n2 = a.r * a.r;
  Vec Omega(static_cast<size_t>(n2)), Cprev(static_cast<size_t>(n2)), Cnew(static_cast<size_t>(n2));
  Vec gradPrev(static_cast<size_t>(n2)), grad(static_cast<size_t>(n2));  // ambient directions C Omega
  constexpr double kEta = 0.85, kArmijo = 1e-4;
  double f = a.objective(C);
  double gnorm = a.direction(C, Omega.data());
  double ref = f, weight = 1;
  double step = 1.0;
  int64_t it = 0;
  for (; it < maxIter && gnorm > gradTol; ++it) {
    double t = step;
    double fNew = f;
    bool accepted = false;
    for (int halvings = 0; halvings < 60; ++halvings) {
      if (a.retract(C, Omega.data(), t, Cnew.data())) {
        fNew = a.objective(Cnew.data());
        if (fNew >= ref + kArmijo * t * gnorm * gnorm) {
          accepted = true;
          break;
        }
      }
      t *= 0.5;
    }
    if (!accepted) break;  // no ascent left at rounding level
    gemm(false, false, a.r, a.r, a.r, 1.0, C, a.r, Omega.data(), a.r, 0.0, gradPrev.data(), a.r);
    std::copy(C, C + n2, Cprev.begin());
    std::copy(Cnew.begin(), Cnew.end(), C);
    f = fNew;
    const double newWeight = kEta * weight + 1;
    ref = (kEta * weight * ref + f) / newWeight;
    weight = newWeight;
    gnorm = a.direction(C, Omega.data());
    gemm(false, false, a.r, a.r, a.r, 1.0, C, a.r, Omega.data(), a.r, 0.0, grad.data(), a.r);
    // Barzilai-Borwein in the ambient space for the minimisation of -f:
    // s = C_k - C_{k-1}, y = -(grad_k - grad_{k-1}).
    double ss = 0, sy = 0, yy = 0;
    for (int64_t k = 0; k < n2; ++k) {
      const double sk = C[k] - Cprev[static_cast<size_t>(k)];
      const double yk = -(grad[static_cast<size_t>(k)] - gradPrev[static_cast<size_t>(k)]);
      ss += sk * sk;
      sy += sk * yk;
      yy += yk * yk;
    }
    if (sy > 0) step = (it % 2 == 0) ? ss / sy : sy / yy;
    else step = std::min(2 * t, 1e10);
    step = std::min(std::max(step, 1e-10), 1e10);
  }
  // The best point seen is the current one only for a monotone run; f never decreases below ref,
  // and the caller re-evaluates after the polar projection.
  return {f, gnorm, it};
}

/** Orthonormalises the r x r column-major G in place: Q of its QR with R's diagonal positive. */
bool orthonormalise(int64_t r, double* G) {
  Vec tau(static_cast<size_t>(r));
  if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, int(r), int(r), G, int(r), tau.data()) != 0) return false;
  Vec sign(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) sign[size_t(i)] = G[i + i * r] < 0 ? -1.0 : 1.0;
  if (LAPACKE_dorgqr(LAPACK_COL_MAJOR, int(r), int(r), int(r), G, int(r), tau.data()) != 0)
    return false;
  for (int64_t j = 0; j < r; ++j)
    for (int64_t i = 0; i < r; ++i) G[i + j * r] *= sign[size_t(j)];
  return true;
}

/** Sign of det(C) for an orthogonal C (from an LU factorisation). */
double detSign(int64_t r, const double* C) {
  Vec M(C, C + r * r);
  std::vector<lapack_int> ipiv(static_cast<size_t>(r));
  LAPACKE_dgetrf(LAPACK_COL_MAJOR, int(r), int(r), M.data(), int(r), ipiv.data());
  double sign = 1;
  for (int64_t i = 0; i < r; ++i) {
    if (M[size_t(i + i * r)] < 0) sign = -sign;
    if (ipiv[size_t(i)] != lapack_int(i + 1)) sign = -sign;
  }
  return sign;
}

/** Eigenvectors (columns, ascending eigenvalues) of the symmetric matrix S (overwritten). */
bool eigenvectors(int64_t r, double* S) {
  Vec w(static_cast<size_t>(r));
  return LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', int(r), S, int(r), w.data()) == 0;
}

/**
 * A start aligned on matching bases: given orthonormal EA, EB (eigenvectors of matching
 * symmetric functions of A and B, or the identity), C0 = EA D EB^T with the signs D = diag(+-1)
 * chosen by a greedy local search on f(C0) = sum_ij (EA^T A EA)_ij (EB^T B EB)_ij d_i d_j
 * (eigenvectors have arbitrary signs, and for B = C A C^T the right signs recover C exactly).
 */
void alignedStart(Align& a, const double* EA, const double* EB, double* C0) {
  const int64_t r = a.r;
  Vec At(static_cast<size_t>(r * r)), Bt(static_cast<size_t>(r * r)), W(static_cast<size_t>(r * r));
  gemm(true, false, r, r, r, 1.0, EA, r, a.A.data(), r, 0.0, a.t1.data(), r);
  gemm(false, false, r, r, r, 1.0, a.t1.data(), r, EA, r, 0.0, At.data(), r);
  gemm(true, false, r, r, r, 1.0, EB, r, a.B.data(), r, 0.0, a.t1.data(), r);
  gemm(false, false, r, r, r, 1.0, a.t1.data(), r, EB, r, 0.0, Bt.data(), r);
  for (int64_t k = 0; k < r * r; ++k) W[static_cast<size_t>(k)] = At[static_cast<size_t>(k)] * Bt[static_cast<size_t>(k)];
  Vec d(static_cast<size_t>(r), 1.0);
  // Each accepted flip strictly increases the quadratic form, so this terminates; cap anyway.
  for (int64_t sweep = 0; sweep < 4 * r + 4; ++sweep) {
    bool flipped = false;
    for (int64_t i = 0; i < r; ++i) {
      double field = 0;
      for (int64_t j = 0; j < r; ++j)
        if (j != i) field += (W[static_cast<size_t>(i + j * r)] + W[static_cast<size_t>(j + i * r)]) * d[static_cast<size_t>(j)];
      if (-2 * d[static_cast<size_t>(i)] * field > 1e-15) {
        d[static_cast<size_t>(i)] = -d[static_cast<size_t>(i)];
        flipped = true;
      }
    }
    if (!flipped) break;
  }
  Vec EAd(EA, EA + r * r);
  for (int64_t j = 0; j < r; ++j)
    for (int64_t i = 0; i < r; ++i) EAd[static_cast<size_t>(i + j * r)] *= d[static_cast<size_t>(j)];
  gemm(false, true, r, r, r, 1.0, EAd.data(), r, EB, r, 0.0, C0, r);
}

}  // namespace

int dsaAlign(int64_t r, const double* A, const double* B, int64_t nGaussians,
             const double* gaussians, bool special, int64_t maxIter, double gradTol, double* C,
             double* stats) {
  const int64_t n2 = r * r;
  Align a(r);
  // Row-major in, column-major inside: the column-major reading of row-major A is A^T, so
  // transpose explicitly.
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < r; ++j) {
      a.A[size_t(i + j * r)] = A[i * r + j];
      a.B[size_t(i + j * r)] = B[i * r + j];
    }
  const double na = std::sqrt(dot(n2, a.A.data(), a.A.data()));
  const double nb = std::sqrt(dot(n2, a.B.data(), a.B.data()));
  if (!(na > 0) || !(nb > 0)) return kSimZeroNorm;
  for (auto& v : a.A) v /= na;
  for (auto& v : a.B) v /= nb;

  // Starting points: sign-aligned matching bases (identity; eigenvectors of the symmetric parts,
  // of M M^T and of M^T M), then random rotations.
  std::vector<Vec> starts;
  {
    Vec EA(static_cast<size_t>(n2)), EB(static_cast<size_t>(n2)), C0(static_cast<size_t>(n2));
    for (int kind = 0; kind < 4; ++kind) {
      if (kind == 0) {
        std::fill(EA.begin(), EA.end(), 0.0);
        for (int64_t i = 0; i < r; ++i) EA[static_cast<size_t>(i + i * r)] = 1;
        EB = EA;
      } else {
        for (int side = 0; side < 2; ++side) {
          const double* M = side == 0 ? a.A.data() : a.B.data();
          double* E = side == 0 ? EA.data() : EB.data();
          if (kind == 1) {
            for (int64_t i = 0; i < r; ++i)
              for (int64_t j = 0; j < r; ++j) E[i + j * r] = 0.5 * (M[i + j * r] + M[j + i * r]);
          } else {
            gemm(kind == 3, kind == 2, r, r, r, 1.0, M, r, M, r, 0.0, E, r);  // M M^T or M^T M
          }
          if (!eigenvectors(r, E)) return kSimLapackFailed;
        }
      }
      alignedStart(a, EA.data(), EB.data(), C0.data());
      starts.push_back(C0);
    }
  }
  for (int64_t g = 0; g < nGaussians; ++g) {
    Vec Q(static_cast<size_t>(n2));
    for (int64_t i = 0; i < r; ++i)
      for (int64_t j = 0; j < r; ++j) Q[size_t(i + j * r)] = gaussians[g * n2 + i * r + j];
    if (!orthonormalise(r, Q.data())) return kSimLapackFailed;
    starts.push_back(Q);
  }

  double bestF = -INFINITY, bestGrad = 0;
  int64_t bestRun = -1, runs = 0, iterations = 0;
  Vec best(static_cast<size_t>(n2)), Cw(static_cast<size_t>(n2));
  for (const Vec& start : starts) {
    for (int component = 0; component < 2; ++component) {
      Cw = start;
      const double det = detSign(r, Cw.data());
      // Component 0 keeps the start's determinant, component 1 flips it (first column negated);
      // for SO(r) only a start with determinant +1 is run.
      const bool flip = special ? det < 0 : component == 1;
      if (special && component == 1) continue;
      if (flip)
        for (int64_t i = 0; i < r; ++i) Cw[size_t(i)] = -Cw[size_t(i)];
      const RunResult res = ascend(a, Cw.data(), maxIter, gradTol);
      if (!a.polar(Cw.data())) return kSimLapackFailed;
      const double f = a.objective(Cw.data());
      iterations += res.iterations;
      if (f > bestF) {
        bestF = f;
        bestGrad = res.gradNorm;
        bestRun = runs;
        best = Cw;
      }
      ++runs;
    }
  }
  // Final score at the best C: C B C^T is left in a.t2 by objective().
  const double f = a.objective(best.data());
  double diff = 0, sum = 0;
  for (int64_t k = 0; k < n2; ++k) {
    const double x = a.A[size_t(k)], y = a.t2[size_t(k)];
    diff += (x - y) * (x - y);
    sum += (x + y) * (x + y);
  }
  stats[0] = f;
  stats[1] = std::sqrt(diff);
  stats[2] = std::sqrt(sum);
  stats[3] = 2 * std::atan2(stats[1], stats[2]);
  stats[4] = double(iterations);
  stats[5] = double(runs);
  stats[6] = double(bestRun);
  stats[7] = bestGrad;
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < r; ++j) C[i * r + j] = best[size_t(i + j * r)];
  return kSimOk;
}

}  // namespace rnnlab
