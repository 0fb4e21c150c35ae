// Representational and dynamical similarity metrics (float64 only: they are analysis, not
// training, and the reference values are matched to 1e-9): netrep's LinearMetric (any alpha),
// linear CKA, and the two halves of DSA (the HAVOK/DMD operator of a delay-embedded signal, and
// the angular distance between two operators after an optimised orthogonal similarity
// transform). SVDs, eigendecompositions, Cholesky and QR come from LAPACK (LAPACKE, column-major).
#pragma once
#include <cstdint>

namespace rnnlab {

/** Result codes of the similarity kernels (0 = success). */
enum SimilarityStatus : int {
  kSimOk = 0,
  kSimZeroNorm = 1,      // a centred matrix (or an operator) is all zero: the angle is undefined
  kSimLapackFailed = 2,  // an SVD / eigendecomposition did not converge
  kSimRankTooLarge = 3,  // requested rank exceeds the number of singular values
  kSimRankZero = 4,      // the rank rule selected no component
  kSimSingular = 5,      // V-^T V- + lambda I is not positive definite (use a smaller rank or lambda > 0)
  kSimTooFewRows = 6,    // trials > 1 need at least as many Hankel rows as columns (DSA's rule)
  kSimTooFewSteps = 7,   // fewer than two embedded time points per trial
};

/**
 * netrep LinearMetric(alpha, center_columns=True, zero_pad=True, score_method="angular").
 * X is m x p and Y is m x q, both row-major (samples x units). Zero-pads to n = max(p, q)
 * columns, centres every column, partially whitens each side (alpha < 1 - 1e-7: eigenvalues of
 * the scatter Xc^T Xc clipped at 1e-7, d = alpha + (1 - alpha) lambda^-1/2, rescaled to preserve
 * the trace), aligns by the SVD of Xw^T Yw = U S V^T (Wx = Zx U, Wy = Zy V) and scores the angle
 * between tX = Xc Wx and tY = Yc Wy.
 * out[0] = the distance in radians. Away from 0 it is arccos of the cosine, computed without
 *          forming tX and tY (<tX, tY> = the nuclear norm of Zx Xc^T Yc Zy, |tX| = |Xc Zx|_F, from
 *          p x p, q x q and p x q matrices); when the cosine exceeds 1 - 1e-4 (angle < 0.014),
 *          where arccos would lose digits, it is 2 atan2(|a - b|, |a + b|) for the unit-norm
 *          a = tX / |tX|, b = tY / |tY| from the explicit padded computation. Both equal netrep's
 *          arccos(clip(<tX, tY> / (|tX| |tY|))) in exact arithmetic;
 * out[1] = the cosine <tX, tY> / (|tX| |tY|).
 */
int shapeMetric(int64_t m, int64_t p, int64_t q, const double* X, const double* Y, double alpha,
                double* out);

/**
 * Linear CKA (Kornblith et al. 2019) of column-centred X (m x p) and Y (m x q), row-major:
 * |Yc^T Xc|_F^2 / (|Xc^T Xc|_F |Yc^T Yc|_F). Writes it to *cka.
 */
int linearCka(int64_t m, int64_t p, int64_t q, const double* X, const double* Y, double* cka);

/** How havokDmd chooses the rank (mitchellostrow/DSA @ c0793be, DMD.recalc_rank). */
enum RankRule : int {
  kRankAll = 0,                // every singular value: min(N D, rows)
  kRankFixed = 1,              // value = the rank
  kRankThreshold = 2,          // the singular values before the first one below value
  kRankExplainedVariance = 3,  // the 0-based index of the first component whose cumulative
                               // S^2 fraction exceeds value (that component itself excluded)
};

/**
 * HAVOK DMD operator of a delay embedding (DSA's DMD class, reduced_rank_reg = False).
 * data: K x T x N row-major (trials x time x units). The Hankel matrix H stacks, for every
 * trial and every t = 0 .. T' - 1 with T' = T - (D - 1) tau, the row
 * [x_{t+(D-1)tau}, x_{t+(D-2)tau}, ..., x_t] (N D columns, most recent block first).
 * H = V S U^T (the SVD of H^T = U S V^T, economy, k = min(K T', N D) values); the first r columns
 * of V give V- (time points 0 .. T'-2 of each trial) and V+ (1 .. T'-1), and
 * A_v = ((V-^T V- + lambda I)^-1 V-^T V+)^T, r x r.
 * Writes A_v row-major into Av[0 .. r*r) (Av must hold k*k values), the k singular values into
 * S, and r into *rank.
 */
int havokDmd(int64_t K, int64_t T, int64_t N, const double* data, int64_t nDelays,
             int64_t delayInterval, int rankRule, double rankValue, double lambda, double* Av,
             double* S, int64_t* rank);

/**
 * The DSA comparison of two r x r operators (SimilarityTransformDist, group "O(n)" or "SO(n)"):
 * with A^ = A / |A|_F and B^ = B / |B|_F, find C in O(r) (or SO(r)) maximising
 * f(C) = <A^, C B^ C^T>_F, i.e. minimising DSA's loss |A^ - C B^ C^T|_F^2 = 2 - 2 f(C).
 *
 * Optimiser (ours, not DSA's Adam over an MLP-parametrised Cayley map): Riemannian gradient
 * ascent on the orthogonal group. Euclidean gradient G = A^ C B^^T + A^^T C B^; direction
 * Omega = (C^T G - G^T C) / 2 (skew, so f'(0) = |Omega|_F^2 along C cay(t Omega)); Cayley
 * retraction C <- C (I - t/2 Omega)^-1 (I + t/2 Omega), which stays exactly orthogonal (up to
 * rounding, removed by a final polar projection); Barzilai-Borwein step lengths (alternating
 * BB1/BB2) safeguarded by the nonmonotone Armijo rule of Zhang & Hager (2004), as Wen & Yin
 * (2013) use it on the Stiefel manifold (increase 1e-4 t |Omega|^2 over a running average of
 * past values, eta = 0.85). It stops
 * when |Omega|_F <= gradTol or after maxIter iterations. Each start is run in both components
 * of O(r) (the start, and the start times diag(-1, 1, ..., 1)) unless `special` (SO(r) only).
 * Starts: four sign-aligned matching bases, C0 = EA D EB^T with EA, EB the identity or the
 * eigenvectors of the symmetric parts, of M M^T, or of M^T M (for B = C A C^T each of these is
 * conjugated by C, so with the right signs D = diag(+-1), found by a greedy local search, C0
 * is exact; for symmetric A and B the second is the global optimum); then one random orthogonal
 * matrix per r x r Gaussian block in `gaussians` (orthonormalised by QR, R's diagonal positive).
 *
 * A, B: r x r row-major. C (out): the best C, row-major. stats (out, 8 values):
 * [0] f = cos of the angle, [1] |A^ - C B^ C^T|_F, [2] |A^ + C B^ C^T|_F, [3] the angle
 * 2 atan2(stats[1], stats[2]) in radians, [4] iterations summed over runs, [5] runs,
 * [6] index of the best run, [7] |Omega|_F at the end of the best run.
 */
int dsaAlign(int64_t r, const double* A, const double* B, int64_t nGaussians,
             const double* gaussians, bool special, int64_t maxIter, double gradTol, double* C,
             double* stats);

}  // namespace rnnlab
