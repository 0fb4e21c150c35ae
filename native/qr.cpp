#include "qr.hpp"

#include <cblas.h>
#include <lapack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "tangent-kernels.hpp"

namespace rnnlab {

namespace {

// LAPACK (Fortran symbols through lapack.h), overloaded so the class can be templated.
void geqrf(int m, int n, double* A, int lda, double* tau, double* work, int lwork, int* info) {
  LAPACK_dgeqrf(&m, &n, A, &lda, tau, work, &lwork, info);
}
void geqrf(int m, int n, float* A, int lda, float* tau, float* work, int lwork, int* info) {
  LAPACK_sgeqrf(&m, &n, A, &lda, tau, work, &lwork, info);
}
void orgqr(int m, int n, int k, double* A, int lda, const double* tau, double* work, int lwork, int* info) {
  LAPACK_dorgqr(&m, &n, &k, A, &lda, tau, work, &lwork, info);
}
void orgqr(int m, int n, int k, float* A, int lda, const float* tau, float* work, int lwork, int* info) {
  LAPACK_sorgqr(&m, &n, &k, A, &lda, tau, work, &lwork, info);
}

// G [k][k] upper triangle = A A^T for A [k][n] row-major. Small double matrices go to our
// register-blocked kernel (tangent-kernels.hpp), larger ones to BLAS.
void gramUpper(int k, int n, const double* A, double* G) {
  if (tk::kHaveAvx512 && n <= tk::kSmallLimit)
    tk::gramUpper(k, n, A, G);
  else
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, k, n, 1.0, A, n, 0.0, G, k);
}
void gramUpper(int k, int n, const float* A, float* G) {
  cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, k, n, 1.0f, A, n, 0.0f, G, k);
}

}  // namespace

template <typename R>
bool choleskyUpper(int64_t k, R* G) {
  if constexpr (sizeof(R) == 8) {
    if (tk::kHaveAvx512 && k <= tk::kSmallLimit) return tk::choleskyUpper(k, G);
  }
  return tk::choleskyUpperGeneric(k, G);
}

template <typename R>
void solveUpperTransposed(int64_t k, int64_t n, const R* U, R* X) {
  if constexpr (sizeof(R) == 8) {
    if (tk::kHaveAvx512 && n <= tk::kSmallLimit) {
      tk::solveUpperTransposed(k, n, U, X);
      return;
    }
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, int(k), int(n), 1.0,
                U, int(k), X, int(n));
  } else {
    cblas_strsm(CblasRowMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, int(k), int(n), 1.0f,
                U, int(k), X, int(n));
  }
}

template <typename R>
void solveUpper(int64_t k, int64_t n, const R* U, R* X) {
  if constexpr (sizeof(R) == 8)
    cblas_dtrsm(CblasRowMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, int(k), int(n),
                1.0, U, int(k), X, int(n));
  else
    cblas_strsm(CblasRowMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, int(k), int(n),
                1.0f, U, int(k), X, int(n));
}

template <typename R>
ThinQR<R>::ThinQR(int64_t N, int64_t k, QrMethod method)
    : N_(N), k_(k), method_(method), tau_(size_t(k)), G_(size_t(k * k)), U1_(size_t(k * k)) {
  if (k < 1 || N < k) throw std::invalid_argument("ThinQR needs 1 <= k <= N");
  // Workspace query for both LAPACK calls, once.
  int info = 0;
  R query = 0;
  std::vector<R> probe(size_t(N * k));
  geqrf(int(N), int(k), probe.data(), int(N), tau_.data(), &query, -1, &info);
  int lwork = std::max<int>(int(query), int(k));
  orgqr(int(N), int(k), int(k), probe.data(), int(N), tau_.data(), &query, -1, &info);
  lwork = std::max<int>(lwork, int(query));
  lwork_ = lwork;
  work_.assign(size_t(lwork), R(0));
  if (method == QrMethod::CholeskyQR2) saved_.assign(size_t(N * k), R(0));
}

template <typename R>
int64_t ThinQR<R>::householder(R* Zt, R* Rout) {
  const int64_t N = N_, k = k_;
  int info = 0;
  geqrf(int(N), int(k), Zt, int(N), tau_.data(), work_.data(), lwork_, &info);
  // R is the upper triangle of the column-major result: R[i][j] = Zt[j][i] for i <= j.
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < k; ++j) Rout[i * k + j] = j >= i ? Zt[j * N + i] : R(0);
  orgqr(int(N), int(k), int(k), Zt, int(N), tau_.data(), work_.data(), lwork_, &info);
  int64_t zeros = 0;
  for (int64_t i = 0; i < k; ++i) {
    R* ri = Rout + i * k;
    if (ri[i] == R(0)) ++zeros;
    if (ri[i] < R(0)) {
      for (int64_t j = i; j < k; ++j) ri[j] = -ri[j];
      R* qi = Zt + i * N;
      for (int64_t n = 0; n < N; ++n) qi[n] = -qi[n];
    }
  }
  return zeros;
}

template <typename R>
bool ThinQR<R>::choleskyQR2(R* Zt, R* Rout) {
  const int64_t N = N_, k = k_;
  R* G = G_.data();
  R* U1 = U1_.data();
  gramUpper(int(k), int(N), Zt, U1);
  if (!choleskyUpper(k, U1)) return false;
  solveUpperTransposed(k, N, U1, Zt);
  gramUpper(int(k), int(N), Zt, G);
  // ||Q1^T Q1 - I||_F over the upper triangle (off-diagonal entries counted twice).
  R offsum = 0;
  for (int64_t i = 0; i < k; ++i) {
    const R di = G[i * k + i] - R(1);
    offsum += di * di;
    for (int64_t j = i + 1; j < k; ++j) offsum += R(2) * G[i * k + j] * G[i * k + j];
  }
  if (!(offsum < R(0.01))) return false;
  if (!choleskyUpper(k, G)) return false;
  solveUpperTransposed(k, N, G, Zt);
  // R = U2 U1 (both upper triangular, lower triangles zero).
  if constexpr (sizeof(R) == 8) {
    if (tk::kHaveAvx512 && k <= tk::kSmallLimit) {
      tk::upperProduct(k, G, U1, Rout);
      return true;
    }
  }
  tk::upperProductGeneric(k, G, U1, Rout);
  return true;
}

template <typename R>
int64_t ThinQR<R>::factor(R* Zt, R* Rout) {
  if (method_ == QrMethod::CholeskyQR2) {
    std::memcpy(saved_.data(), Zt, sizeof(R) * size_t(N_ * k_));
    if (choleskyQR2(Zt, Rout)) return 0;
    ++fallbacks_;
    std::memcpy(Zt, saved_.data(), sizeof(R) * size_t(N_ * k_));
  }
  return householder(Zt, Rout);
}

template class ThinQR<float>;
template class ThinQR<double>;
template bool choleskyUpper<float>(int64_t, float*);
template bool choleskyUpper<double>(int64_t, double*);
template void solveUpperTransposed<float>(int64_t, int64_t, const float*, float*);
template void solveUpperTransposed<double>(int64_t, int64_t, const double*, double*);
template void solveUpper<float>(int64_t, int64_t, const float*, float*);
template void solveUpper<double>(int64_t, int64_t, const double*, double*);

}  // namespace rnnlab
