// Small dense kernels for the Lyapunov / flossing hot loop, where the matrices are a few tens
// to a few hundred wide and live in L1/L2: one step is a k x N by N x N product (J Q) and a
// CholeskyQR2 (two Gram matrices, two Cholesky factorisations, two triangular solves).
// At these sizes per-call overheads and the generic (AVX2) kernels of the system OpenBLAS leave
// a lot on the table; these register-blocked loops use AVX-512 when the compiler targets it
// (-march=native on a machine that has it) and fall back to plain loops otherwise.
// All matrices are row-major.
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace rnnlab {
namespace tk {

/**
 * Widest N for which the kernels here are used instead of BLAS: they do not block for cache,
 * so beyond a few hundred columns the tuned BLAS is the better choice.
 */
constexpr int64_t kSmallLimit = 512;

// ---- generic versions (any R, any CPU) -------------------------------------------------------

/** G [k][k] upper triangle (j >= i) = A A^T for A [k][n]. The strict lower triangle is not written. */
template <typename R>
inline void gramUpperGeneric(int64_t k, int64_t n, const R* A, R* G) {
  for (int64_t i = 0; i < k; ++i) {
    const R* ai = A + i * n;
    for (int64_t j = i; j < k; ++j) {
      const R* aj = A + j * n;
      R acc = 0;
#pragma omp simd reduction(+ : acc)
      for (int64_t t = 0; t < n; ++t) acc += ai[t] * aj[t];
      G[i * k + j] = acc;
    }
  }
}

/** X [k][n] <- U^{-T} X for U [k][k] upper triangular (forward substitution over rows). */
template <typename R>
inline void solveUpperTransposedGeneric(int64_t k, int64_t n, const R* U, R* X) {
  for (int64_t i = 0; i < k; ++i) {
    R* xi = X + i * n;
    for (int64_t p = 0; p < i; ++p) {
      const R u = U[p * k + i];
      const R* xp = X + p * n;
#pragma omp simd
      for (int64_t t = 0; t < n; ++t) xi[t] -= u * xp[t];
    }
    const R inv = R(1) / U[i * k + i];
#pragma omp simd
    for (int64_t t = 0; t < n; ++t) xi[t] *= inv;
  }
}

/**
 * In place: G [k][k] (upper triangle read) -> U, upper triangular with G = U^T U (the strict
 * lower triangle is zeroed). False when a pivot is not positive and finite (G not numerically
 * positive definite).
 */
template <typename R>
inline bool choleskyUpperGeneric(int64_t k, R* G) {
  for (int64_t j = 0; j < k; ++j) {
    R* gj = G + j * k;
    const R pivot = gj[j];
    if (!(pivot > R(0)) || !std::isfinite(pivot)) return false;
    const R d = std::sqrt(pivot);
    gj[j] = d;
    const R inv = R(1) / d;
    for (int64_t i = j + 1; i < k; ++i) gj[i] *= inv;
    for (int64_t i = j + 1; i < k; ++i) {
      const R u = gj[i];
      R* gi = G + i * k;
#pragma omp simd
      for (int64_t l = i; l < k; ++l) gi[l] -= u * gj[l];
    }
  }
  for (int64_t i = 1; i < k; ++i)
    for (int64_t j = 0; j < i; ++j) G[i * k + j] = R(0);
  return true;
}

/** C [k][k] = A B for upper triangular A, B [k][k] (lower triangles zero); C upper triangular. */
template <typename R>
inline void upperProductGeneric(int64_t k, const R* A, const R* B, R* C) {
  for (int64_t i = 0; i < k; ++i) {
    R* ci = C + i * k;
    for (int64_t j = 0; j < k; ++j) ci[j] = R(0);
    for (int64_t p = i; p < k; ++p) {
      const R a = A[i * k + p];
      const R* bp = B + p * k;
#pragma omp simd
      for (int64_t j = p; j < k; ++j) ci[j] += a * bp[j];
    }
  }
}

/** Z [m][n] = a F + b (F diag(d)) B for F [m][K], d [K], B [K][n] (K == n when a != 0). */
template <typename R>
inline void scaledProductGeneric(int64_t m, int64_t K, int64_t n, R a, R b, const R* F, const R* d, const R* B, R* Z) {
  for (int64_t i = 0; i < m; ++i) {
    R* z = Z + i * n;
    const R* f = F + i * K;
    for (int64_t t = 0; t < n; ++t) z[t] = R(0);
    for (int64_t q = 0; q < K; ++q) {
      const R s = f[q] * d[q];
      const R* bq = B + q * n;
#pragma omp simd
      for (int64_t t = 0; t < n; ++t) z[t] += s * bq[t];
    }
    for (int64_t t = 0; t < n; ++t) z[t] = a * f[t] + b * z[t];
  }
}

#if defined(__AVX512F__)

// GCC 12's AVX-512 headers build several intrinsics on a deliberately uninitialised
// `_mm*_undefined_*` value, which -Wmaybe-uninitialized flags wherever they are inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// ---- AVX-512, double ------------------------------------------------------------------------

inline __mmask8 tailMask(int64_t remaining) {
  return remaining >= 8 ? __mmask8(0xFF) : __mmask8((1u << remaining) - 1u);
}

/** The lane sums of four vectors, written to out[0..3] (one shuffle tree for all four). */
inline void hsum4(__m512d v0, __m512d v1, __m512d v2, __m512d v3, double* out) {
  // Pairwise sums inside each 128-bit lane: t01 = [v0 pair sums | v1 pair sums] per lane.
  const __m512d t01 = _mm512_add_pd(_mm512_unpacklo_pd(v0, v1), _mm512_unpackhi_pd(v0, v1));
  const __m512d t23 = _mm512_add_pd(_mm512_unpacklo_pd(v2, v3), _mm512_unpackhi_pd(v2, v3));
  // Lanes [t01.0 + t01.1, t01.2 + t01.3, t23.0 + t23.1, t23.2 + t23.3].
  const __m512d y = _mm512_add_pd(_mm512_shuffle_f64x2(t01, t23, 0x88), _mm512_shuffle_f64x2(t01, t23, 0xDD));
  // Lane 0 = (sum v0, sum v1), lane 2 = (sum v2, sum v3).
  const __m512d z = _mm512_add_pd(y, _mm512_shuffle_f64x2(y, y, 0xB1));
  _mm_storeu_pd(out, _mm512_castpd512_pd128(z));
  _mm_storeu_pd(out + 2, _mm512_extractf64x2_pd(z, 2));
}

/** Sum of the 8 lanes (shuffles within the register; avoids a GCC 12 header warning). */
inline double hsum(__m512d v) {
  __m512d t = _mm512_add_pd(v, _mm512_shuffle_f64x2(v, v, 0x4E));  // + the other 256-bit half
  t = _mm512_add_pd(t, _mm512_shuffle_f64x2(t, t, 0xB1));          // + the neighbouring 128-bit pair
  t = _mm512_add_pd(t, _mm512_permute_pd(t, 0x55));                // + the other element of the pair
  return _mm512_cvtsd_f64(t);
}

// The loops over the register block (r, c, v) have constant bounds and are unrolled, so the
// accumulators stay in registers; edge blocks compute on clamped rows and store only valid ones.
#define RNNLAB_UNROLL _Pragma("GCC unroll 4")

/** gramUpper for double: 4 x 4 blocks of dot products, 16 vector accumulators. */
inline void gramUpper(int64_t k, int64_t n, const double* A, double* G) {
  for (int64_t i0 = 0; i0 < k; i0 += 4) {
    const int64_t ni = k - i0 < 4 ? k - i0 : 4;
    const double* ar[4];
    RNNLAB_UNROLL for (int r = 0; r < 4; ++r) ar[r] = A + (i0 + (r < ni ? r : 0)) * n;
    for (int64_t j0 = i0; j0 < k; j0 += 4) {
      const int64_t nj = k - j0 < 4 ? k - j0 : 4;
      const double* bc[4];
      RNNLAB_UNROLL for (int c = 0; c < 4; ++c) bc[c] = A + (j0 + (c < nj ? c : 0)) * n;
      __m512d acc00 = _mm512_setzero_pd(), acc01 = acc00, acc02 = acc00, acc03 = acc00;
      __m512d acc10 = acc00, acc11 = acc00, acc12 = acc00, acc13 = acc00;
      __m512d acc20 = acc00, acc21 = acc00, acc22 = acc00, acc23 = acc00;
      __m512d acc30 = acc00, acc31 = acc00, acc32 = acc00, acc33 = acc00;
      for (int64_t t = 0; t < n; t += 8) {
        const __mmask8 m = tailMask(n - t);
        const __m512d b0 = _mm512_maskz_loadu_pd(m, bc[0] + t), b1 = _mm512_maskz_loadu_pd(m, bc[1] + t);
        const __m512d b2 = _mm512_maskz_loadu_pd(m, bc[2] + t), b3 = _mm512_maskz_loadu_pd(m, bc[3] + t);
        __m512d a = _mm512_maskz_loadu_pd(m, ar[0] + t);
        acc00 = _mm512_fmadd_pd(a, b0, acc00), acc01 = _mm512_fmadd_pd(a, b1, acc01);
        acc02 = _mm512_fmadd_pd(a, b2, acc02), acc03 = _mm512_fmadd_pd(a, b3, acc03);
        a = _mm512_maskz_loadu_pd(m, ar[1] + t);
        acc10 = _mm512_fmadd_pd(a, b0, acc10), acc11 = _mm512_fmadd_pd(a, b1, acc11);
        acc12 = _mm512_fmadd_pd(a, b2, acc12), acc13 = _mm512_fmadd_pd(a, b3, acc13);
        a = _mm512_maskz_loadu_pd(m, ar[2] + t);
        acc20 = _mm512_fmadd_pd(a, b0, acc20), acc21 = _mm512_fmadd_pd(a, b1, acc21);
        acc22 = _mm512_fmadd_pd(a, b2, acc22), acc23 = _mm512_fmadd_pd(a, b3, acc23);
        a = _mm512_maskz_loadu_pd(m, ar[3] + t);
        acc30 = _mm512_fmadd_pd(a, b0, acc30), acc31 = _mm512_fmadd_pd(a, b1, acc31);
        acc32 = _mm512_fmadd_pd(a, b2, acc32), acc33 = _mm512_fmadd_pd(a, b3, acc33);
      }
      double out[4][4];
      hsum4(acc00, acc01, acc02, acc03, out[0]);
      hsum4(acc10, acc11, acc12, acc13, out[1]);
      hsum4(acc20, acc21, acc22, acc23, out[2]);
      hsum4(acc30, acc31, acc32, acc33, out[3]);
      for (int r = 0; r < ni; ++r)
        for (int c = 0; c < nj; ++c)
          if (j0 + c >= i0 + r) G[(i0 + r) * k + j0 + c] = out[r][c];
    }
  }
}

/** solveUpperTransposed for double: blocks of 4 rows x 32 columns held in registers. */
inline void solveUpperTransposed(int64_t k, int64_t n, const double* U, double* X) {
  for (int64_t i0 = 0; i0 < k; i0 += 4) {
    const int64_t ni = k - i0 < 4 ? k - i0 : 4;
    // U entries of this block (zero / one outside the matrix) so the block code is branch-free.
    double tri[4][4], inv[4];
    RNNLAB_UNROLL for (int r = 0; r < 4; ++r) {
      RNNLAB_UNROLL for (int q = 0; q < 4; ++q) tri[q][r] = (q < r && r < ni) ? U[(i0 + q) * k + i0 + r] : 0.0;
      inv[r] = r < ni ? 1.0 / U[(i0 + r) * k + i0 + r] : 1.0;
    }
    const double* xr[4];
    RNNLAB_UNROLL for (int r = 0; r < 4; ++r) xr[r] = X + (i0 + (r < ni ? r : 0)) * n;
    for (int64_t t0 = 0; t0 < n; t0 += 32) {
      __mmask8 mk[4];
      RNNLAB_UNROLL for (int v = 0; v < 4; ++v) mk[v] = t0 + 8 * v < n ? tailMask(n - t0 - 8 * v) : __mmask8(0);
      __m512d acc[4][4];
      RNNLAB_UNROLL for (int r = 0; r < 4; ++r)
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_maskz_loadu_pd(mk[v], xr[r] + t0 + 8 * v);
      // Subtract the rows already solved: x_i -= U[p][i] x_p for p < i0.
      for (int64_t p = 0; p < i0; ++p) {
        const double* up = U + p * k + i0;
        __m512d u[4];
        RNNLAB_UNROLL for (int r = 0; r < 4; ++r) u[r] = _mm512_set1_pd(r < ni ? up[r] : 0.0);
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) {
          const __m512d xp = _mm512_maskz_loadu_pd(mk[v], X + p * n + t0 + 8 * v);
          RNNLAB_UNROLL for (int r = 0; r < 4; ++r) acc[r][v] = _mm512_fnmadd_pd(u[r], xp, acc[r][v]);
        }
      }
      // The triangle inside the block.
      RNNLAB_UNROLL for (int r = 0; r < 4; ++r) {
        RNNLAB_UNROLL for (int q = 0; q < 4; ++q) {
          if (q < r) {
            const __m512d u = _mm512_set1_pd(tri[q][r]);
            RNNLAB_UNROLL for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_fnmadd_pd(u, acc[q][v], acc[r][v]);
          }
        }
        const __m512d s = _mm512_set1_pd(inv[r]);
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_mul_pd(acc[r][v], s);
      }
      RNNLAB_UNROLL for (int r = 0; r < 4; ++r)
        if (r < ni)
          RNNLAB_UNROLL for (int v = 0; v < 4; ++v) _mm512_mask_storeu_pd(X + (i0 + r) * n + t0 + 8 * v, mk[v], acc[r][v]);
    }
  }
}

/**
 * Z [m][n] = a F + b (F diag(d)) B with F [m][K], d [K], B [K][n] (double): blocks of 4 rows x
 * 32 columns accumulated in registers over K; the diagonal scaling is applied on the fly.
 * Requires K == n when a != 0 (F and Z have the same width).
 */
inline void scaledProduct(int64_t m, int64_t K, int64_t n, double a, double b, const double* F, const double* d, const double* B, double* Z) {
  const __m512d va = _mm512_set1_pd(a), vb = _mm512_set1_pd(b);
  for (int64_t i0 = 0; i0 < m; i0 += 4) {
    const int64_t ni = m - i0 < 4 ? m - i0 : 4;
    const double* fr[4];
    RNNLAB_UNROLL for (int r = 0; r < 4; ++r) fr[r] = F + (i0 + (r < ni ? r : 0)) * K;
    for (int64_t t0 = 0; t0 < n; t0 += 32) {
      __mmask8 mk[4];
      RNNLAB_UNROLL for (int v = 0; v < 4; ++v) mk[v] = t0 + 8 * v < n ? tailMask(n - t0 - 8 * v) : __mmask8(0);
      __m512d acc[4][4];
      RNNLAB_UNROLL for (int r = 0; r < 4; ++r)
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_setzero_pd();
      for (int64_t q = 0; q < K; ++q) {
        __m512d bq[4];
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) bq[v] = _mm512_maskz_loadu_pd(mk[v], B + q * n + t0 + 8 * v);
        const double dq = d[q];
        RNNLAB_UNROLL for (int r = 0; r < 4; ++r) {
          const __m512d s = _mm512_set1_pd(fr[r][q] * dq);
          RNNLAB_UNROLL for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_fmadd_pd(s, bq[v], acc[r][v]);
        }
      }
      RNNLAB_UNROLL for (int r = 0; r < 4; ++r) {
        if (r < ni) {
          RNNLAB_UNROLL for (int v = 0; v < 4; ++v) {
            const __m512d f = _mm512_maskz_loadu_pd(mk[v], fr[r] + t0 + 8 * v);
            _mm512_mask_storeu_pd(Z + (i0 + r) * n + t0 + 8 * v, mk[v], _mm512_fmadd_pd(va, f, _mm512_mul_pd(vb, acc[r][v])));
          }
        }
      }
    }
  }
}

/**
 * choleskyUpperGeneric for double, blocked by 4 rows: the contributions of all finished rows are
 * accumulated in registers (as in solveUpperTransposed), then the 4-row block is finished by a
 * small right-looking pass.
 */
inline bool choleskyUpper(int64_t k, double* G) {
  for (int64_t j0 = 0; j0 < k; j0 += 4) {
    const int64_t nj = k - j0 < 4 ? k - j0 : 4;
    if (j0 > 0) {
      for (int64_t t0 = j0; t0 < k; t0 += 32) {
        __mmask8 mk[4];
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) mk[v] = t0 + 8 * v < k ? tailMask(k - t0 - 8 * v) : __mmask8(0);
        __m512d acc[4][4];
        RNNLAB_UNROLL for (int r = 0; r < 4; ++r)
          RNNLAB_UNROLL for (int v = 0; v < 4; ++v)
            acc[r][v] = _mm512_maskz_loadu_pd(mk[v], G + (j0 + (r < nj ? r : 0)) * k + t0 + 8 * v);
        for (int64_t p = 0; p < j0; ++p) {
          const double* up = G + p * k;
          __m512d u[4];
          RNNLAB_UNROLL for (int r = 0; r < 4; ++r) u[r] = _mm512_set1_pd(r < nj ? up[j0 + r] : 0.0);
          RNNLAB_UNROLL for (int v = 0; v < 4; ++v) {
            const __m512d x = _mm512_maskz_loadu_pd(mk[v], up + t0 + 8 * v);
            RNNLAB_UNROLL for (int r = 0; r < 4; ++r) acc[r][v] = _mm512_fnmadd_pd(u[r], x, acc[r][v]);
          }
        }
        RNNLAB_UNROLL for (int r = 0; r < 4; ++r)
          if (r < nj)
            RNNLAB_UNROLL for (int v = 0; v < 4; ++v) _mm512_mask_storeu_pd(G + (j0 + r) * k + t0 + 8 * v, mk[v], acc[r][v]);
      }
    }
    for (int64_t r = 0; r < nj; ++r) {
      const int64_t j = j0 + r;
      double* gj = G + j * k;
      const double pivot = gj[j];
      if (!(pivot > 0.0) || !std::isfinite(pivot)) return false;
      const double d = std::sqrt(pivot);
      gj[j] = d;
      const double inv = 1.0 / d;
      for (int64_t i = j + 1; i < k; ++i) gj[i] *= inv;
      for (int64_t r2 = r + 1; r2 < nj; ++r2) {
        const int64_t i = j0 + r2;
        const double u = gj[i];
        double* gi = G + i * k;
        for (int64_t l = i; l < k; ++l) gi[l] -= u * gj[l];
      }
    }
  }
  for (int64_t i = 1; i < k; ++i)
    for (int64_t j = 0; j < i; ++j) G[i * k + j] = 0.0;
  return true;
}

/** upperProductGeneric for double: blocks of 4 rows x 32 columns accumulated in registers. */
inline void upperProduct(int64_t k, const double* A, const double* B, double* C) {
  for (int64_t i0 = 0; i0 < k; i0 += 4) {
    const int64_t ni = k - i0 < 4 ? k - i0 : 4;
    const double* ar[4];
    RNNLAB_UNROLL for (int r = 0; r < 4; ++r) ar[r] = A + (i0 + (r < ni ? r : 0)) * k;
    for (int64_t t0 = 0; t0 < k; t0 += 32) {
      __mmask8 mk[4];
      RNNLAB_UNROLL for (int v = 0; v < 4; ++v) mk[v] = t0 + 8 * v < k ? tailMask(k - t0 - 8 * v) : __mmask8(0);
      __m512d acc[4][4];
      RNNLAB_UNROLL for (int r = 0; r < 4; ++r)
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_setzero_pd();
      // A and B are zero below the diagonal: row r of the block needs p >= i0 + r (A[i][p] = 0
      // before that, read as such), and rows p past the chunk's last column of B are zero.
      const int64_t pEnd = t0 + 32 < k ? t0 + 32 : k;
      for (int64_t p = i0; p < pEnd; ++p) {
        __m512d bp[4];
        RNNLAB_UNROLL for (int v = 0; v < 4; ++v) bp[v] = _mm512_maskz_loadu_pd(mk[v], B + p * k + t0 + 8 * v);
        RNNLAB_UNROLL for (int r = 0; r < 4; ++r) {
          const __m512d a = _mm512_set1_pd(ar[r][p]);
          RNNLAB_UNROLL for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_fmadd_pd(a, bp[v], acc[r][v]);
        }
      }
      RNNLAB_UNROLL for (int r = 0; r < 4; ++r)
        if (r < ni)
          RNNLAB_UNROLL for (int v = 0; v < 4; ++v) _mm512_mask_storeu_pd(C + (i0 + r) * k + t0 + 8 * v, mk[v], acc[r][v]);
    }
  }
}

#undef RNNLAB_UNROLL

#pragma GCC diagnostic pop

/** Whether the AVX-512 kernels are compiled in. */
constexpr bool kHaveAvx512 = true;

#else

inline void gramUpper(int64_t k, int64_t n, const double* A, double* G) { gramUpperGeneric(k, n, A, G); }
inline void solveUpperTransposed(int64_t k, int64_t n, const double* U, double* X) {
  solveUpperTransposedGeneric(k, n, U, X);
}
inline void scaledProduct(int64_t m, int64_t K, int64_t n, double a, double b, const double* F, const double* d, const double* B, double* Z) {
  scaledProductGeneric(m, K, n, a, b, F, d, B, Z);
}
inline bool choleskyUpper(int64_t k, double* G) { return choleskyUpperGeneric(k, G); }
inline void upperProduct(int64_t k, const double* A, const double* B, double* C) { upperProductGeneric(k, A, B, C); }
constexpr bool kHaveAvx512 = false;

#endif

}  // namespace tk
}  // namespace rnnlab
