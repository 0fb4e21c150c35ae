// Thin QR with a positive diagonal, for the Lyapunov spectrum and gradient flossing.
//
// Layout: the N x k matrix Z (N >= k) is stored transposed, Zt [k][N] row-major: row m of Zt is
// column m of Z (equivalently, Z in column-major order with leading dimension N, which is what
// LAPACK reads). R is returned as [k][k] row-major, upper triangular, with R_ii >= 0.
//
// Two methods give the same factorisation (the thin QR with positive diagonal is unique for a
// full-column-rank Z):
// - Householder: LAPACK ?geqrf + ?orgqr (Fortran symbols, workspace queried once), then the
//   signs are fixed: s = sign(diag R) (0 counts as +1), Q <- Q diag(s), R <- diag(s) R.
// - CholeskyQR2: G = Z^T Z, G = U^T U (Cholesky), Q1 = Z U^{-1}; repeated once on Q1, R = U2 U1.
//   Positive diagonal by construction. It needs cond(Z) well below 1/sqrt(eps); when the first
//   Cholesky breaks down or the second Gram matrix is far from the identity
//   (||Q1^T Q1 - I||_F > 0.1), the step falls back to Householder on the saved Z (counted).
// All workspace is allocated by the constructor; factor() allocates nothing.
#pragma once
#include <cstdint>
#include <vector>

namespace rnnlab {

enum class QrMethod : int { Householder = 0, CholeskyQR2 = 1 };

template <typename R>
class ThinQR {
 public:
  ThinQR(int64_t N, int64_t k, QrMethod method);

  /**
   * Overwrites Zt [k][N] with Qt (the orthonormal factor, transposed) and writes R [k][k]
   * (strict lower triangle zeroed). Returns the number of diagonal entries of R that are
   * exactly zero (Z rank deficient; their logarithm is -infinity).
   */
  int64_t factor(R* Zt, R* Rout);

  /** Number of CholeskyQR2 steps that fell back to Householder so far. */
  int64_t fallbacks() const { return fallbacks_; }
  QrMethod method() const { return method_; }

 private:
  int64_t householder(R* Zt, R* Rout);
  bool choleskyQR2(R* Zt, R* Rout);

  int64_t N_, k_;
  QrMethod method_;
  int lwork_ = 0;
  std::vector<R> tau_, work_, G_, U1_, saved_;
  int64_t fallbacks_ = 0;
};

/** In place: G [k][k] row-major (upper triangle read) -> U with G = U^T U, U upper. False on breakdown. */
template <typename R>
bool choleskyUpper(int64_t k, R* G);

/** X [k][n] <- U^{-T} X for U [k][k] upper triangular (forward substitution over rows). */
template <typename R>
void solveUpperTransposed(int64_t k, int64_t n, const R* U, R* X);

/** X [k][n] <- U^{-1} X for U [k][k] upper triangular (back substitution over rows). */
template <typename R>
void solveUpper(int64_t k, int64_t n, const R* U, R* X);

}  // namespace rnnlab
