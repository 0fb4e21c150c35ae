#include "smallgemm.hpp"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include "simd.hpp"

#define RNNLAB_GEMM_AVX512 RNNLAB_SIMD_AVX512
#define RNNLAB_GEMM_AVX2 RNNLAB_SIMD_AVX2

namespace rnnlab {
namespace {

using std::ptrdiff_t;
using simd::Scalar;
#if RNNLAB_GEMM_AVX2
using simd::Avx2Double;
using simd::Avx2Float;
#endif
#if RNNLAB_GEMM_AVX512
using simd::Avx512Double;
using simd::Avx512Float;
#endif

// ---------------------------------------------------------------------------------------------
// The microkernel: an MR x (NV * W) tile of C, accumulated in registers over all K, then
// combined with C once. A is read in place (row i, column k at A[i*lda + k], or A[k*lda + i]
// when TA); B is row-major K x N (row k at B + k*ldb), already packed when the caller's B was
// transposed. MASK: the last vector of each row is partial (columns beyond the mask are neither
// read nor written).

template <class S, typename R, int MR, int NV, bool MASK, bool TA>
void microTile(int K, const R* A, int lda, const R* B, int ldb, R* C, int ldc, R alpha, R beta,
               typename S::Mask last) {
  using V = typename S::V;
  constexpr int W = S::W;
  V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[i][v] = S::zero();

  for (int k = 0; k < K; ++k) {
    const R* b = B + ptrdiff_t(k) * ldb;
    V bv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v)
      bv[v] = (MASK && v == NV - 1) ? S::loadMasked(last, b + v * W) : S::load(b + v * W);
    const R* a = TA ? A + ptrdiff_t(k) * lda : A + k;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const V ai = S::set1(TA ? a[i] : a[ptrdiff_t(i) * lda]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[i][v] = S::fma(ai, bv[v], acc[i][v]);
    }
  }

  const V va = S::set1(alpha), vb = S::set1(beta);
  const bool alphaOne = alpha == R(1);
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    R* c = C + ptrdiff_t(i) * ldc;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      const bool partial = MASK && v == NV - 1;
      // Explicit fused forms only, so no build contracts a multiply and an add differently.
      V out;
      if (beta == R(0)) {
        out = alphaOne ? acc[i][v] : S::mul(va, acc[i][v]);
      } else {
        const V cv = partial ? S::loadMasked(last, c + v * W) : S::load(c + v * W);
        const V scaled = beta == R(1) ? cv : S::mul(vb, cv);
        out = alphaOne ? S::add(acc[i][v], scaled) : S::fma(va, acc[i][v], scaled);
      }
      if (partial)
        S::storeMasked(last, c + v * W, out);
      else
        S::store(c + v * W, out);
    }
  }
}

template <class S, typename R>
using TileFn = void (*)(int, const R*, int, const R*, int, R*, int, R, R, typename S::Mask);

/** Tile functions for 1..MR rows with NV vectors, as a table indexed by rows - 1. */
template <class S, typename R, int NV, bool MASK, bool TA, int... Rows>
constexpr std::array<TileFn<S, R>, sizeof...(Rows)> rowTable(std::integer_sequence<int, Rows...>) {
  return {&microTile<S, R, Rows + 1, NV, MASK, TA>...};
}

/** Table [nv - 1][rows - 1] of masked tiles with 1..NV vectors (the last one partial). */
template <class S, typename R, int MR, bool TA, int... Vs>
constexpr std::array<std::array<TileFn<S, R>, MR>, sizeof...(Vs)> maskedTable(
    std::integer_sequence<int, Vs...>) {
  return {rowTable<S, R, Vs + 1, true, TA>(std::make_integer_sequence<int, MR>{})...};
}

/** Register tile of each kernel family: MR rows x NV vectors. */
template <class S> struct Tile;
template <typename R> struct Tile<Scalar<R>> { static constexpr int MR = 4, NV = 8; };
#if RNNLAB_GEMM_AVX2
template <> struct Tile<Avx2Float> { static constexpr int MR = 6, NV = 2; };
template <> struct Tile<Avx2Double> { static constexpr int MR = 6, NV = 2; };
#endif
#if RNNLAB_GEMM_AVX512
template <> struct Tile<Avx512Float> { static constexpr int MR = 8, NV = 2; };
template <> struct Tile<Avx512Double> { static constexpr int MR = 8, NV = 2; };
#endif

/** Largest K slice packed at once when B is transposed (the stack buffer holds KC x NV*W). */
constexpr int KC = 256;

/**
 * One column panel (columns j0 .. j0 + nc of C, nc <= NV*W) over all rows: row tiles of MR,
 * B pointing at the panel's first column (row-major, row stride ldb).
 */
template <class S, typename R, bool TA>
void panel(int M, int nc, int K, R alpha, const R* A, int lda, const R* B, int ldb, R beta, R* C,
           int ldc) {
  constexpr int MR = Tile<S>::MR, NV = Tile<S>::NV, W = S::W;
  static constexpr auto full = rowTable<S, R, NV, false, TA>(std::make_integer_sequence<int, MR>{});
  static constexpr auto masked = maskedTable<S, R, MR, TA>(std::make_integer_sequence<int, NV>{});
  const int nv = (nc + W - 1) / W;
  const bool partial = nc != NV * W;
  const typename S::Mask last = S::mask(nc - (nv - 1) * W);
  for (int i = 0; i < M; i += MR) {
    const int mr = std::min(MR, M - i);
    const R* a = TA ? A + i : A + ptrdiff_t(i) * lda;
    R* c = C + ptrdiff_t(i) * ldc;
    const TileFn<S, R> fn = partial ? masked[nv - 1][mr - 1] : full[mr - 1];
    fn(K, a, lda, B, ldb, c, ldc, alpha, beta, last);
  }
}

/** C = alpha op(A) op(B) + beta C with kernel family S; alpha != 0, K > 0, M, N > 0. */
template <class S, typename R>
void gemmWith(bool transA, bool transB, int M, int N, int K, R alpha, const R* A, int lda,
              const R* B, int ldb, R beta, R* C, int ldc) {
  constexpr int P = Tile<S>::NV * S::W;
  auto run = [&](int nc, int k, const R* a, const R* b, int lb, R be, R* c) {
    if (transA)
      panel<S, R, true>(M, nc, k, alpha, a, lda, b, lb, be, c, ldc);
    else
      panel<S, R, false>(M, nc, k, alpha, a, lda, b, lb, be, c, ldc);
  };
  if (!transB) {
    for (int j = 0; j < N; j += P) run(std::min(P, N - j), K, A, B + j, ldb, beta, C + j);
    return;
  }
  // op(B) = B^T with B stored N x K: pack B^T[k0 .. k0+kc][j .. j+nc] as a kc x P row-major
  // block, one K slice at a time; slices after the first accumulate into C (beta = 1).
  alignas(64) R packed[KC * P];
  for (int j = 0; j < N; j += P) {
    const int nc = std::min(P, N - j);
    for (int k0 = 0; k0 < K; k0 += KC) {
      const int kc = std::min(KC, K - k0);
      for (int jj = 0; jj < nc; ++jj) {
        const R* src = B + ptrdiff_t(j + jj) * ldb + k0;
        for (int k = 0; k < kc; ++k) packed[k * P + jj] = src[k];
      }
      const R* a = transA ? A + ptrdiff_t(k0) * lda : A + k0;
      run(nc, kc, a, packed, P, k0 == 0 ? beta : R(1), C + j);
    }
  }
}

// ---------------------------------------------------------------------------------------------

inline void blasGemm(bool tA, bool tB, int M, int N, int K, float alpha, const float* A, int lda,
                     const float* B, int ldb, float beta, float* C, int ldc) {
  cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, M, N,
              K, alpha, A, lda, B, ldb, beta, C, ldc);
}
inline void blasGemm(bool tA, bool tB, int M, int N, int K, double alpha, const double* A, int lda,
                     const double* B, int ldb, double beta, double* C, int ldc) {
  cblas_dgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, M, N,
              K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <typename R> struct Families;
template <> struct Families<float> {
  using Portable = Scalar<float>;
#if RNNLAB_GEMM_AVX2
  using Avx2 = Avx2Float;
#endif
#if RNNLAB_GEMM_AVX512
  using Avx512 = Avx512Float;
#endif
};
template <> struct Families<double> {
  using Portable = Scalar<double>;
#if RNNLAB_GEMM_AVX2
  using Avx2 = Avx2Double;
#endif
#if RNNLAB_GEMM_AVX512
  using Avx512 = Avx512Double;
#endif
};

/** The best kernel family compiled into this build. */
GemmKernel bestOwn() {
#if RNNLAB_GEMM_AVX512
  return GemmKernel::Avx512;
#elif RNNLAB_GEMM_AVX2
  return GemmKernel::Avx2;
#else
  return GemmKernel::Portable;
#endif
}

template <typename R>
bool dispatch(GemmKernel kernel, bool tA, bool tB, int M, int N, int K, R alpha, const R* A,
              int lda, const R* B, int ldb, R beta, R* C, int ldc) {
  if (kernel == GemmKernel::Auto)
    kernel = smallGemmPreferred(tA, tB, M, N, K, sizeof(R) == 8) ? GemmKernel::Own : GemmKernel::Blas;
  if (kernel == GemmKernel::Own) kernel = bestOwn();
  if (!smallGemmHas(kernel)) return false;
  if (kernel == GemmKernel::Blas) {
    blasGemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return true;
  }
  if (M <= 0 || N <= 0) return true;
  if (alpha == R(0) || K <= 0) {
    // C = beta C, without reading A or B (and without reading C when beta == 0).
    for (int i = 0; i < M; ++i) {
      R* c = C + ptrdiff_t(i) * ldc;
      if (beta == R(0))
        std::fill(c, c + N, R(0));
      else if (beta != R(1))
        for (int j = 0; j < N; ++j) c[j] *= beta;
    }
    return true;
  }
  switch (kernel) {
#if RNNLAB_GEMM_AVX512
    case GemmKernel::Avx512:
      gemmWith<typename Families<R>::Avx512>(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
      return true;
#endif
#if RNNLAB_GEMM_AVX2
    case GemmKernel::Avx2:
      gemmWith<typename Families<R>::Avx2>(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
      return true;
#endif
    default:
      gemmWith<typename Families<R>::Portable>(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C,
                                               ldc);
      return true;
  }
}

}  // namespace

const char* smallGemmIsa() {
#if RNNLAB_GEMM_AVX512
  return "avx512";
#elif RNNLAB_GEMM_AVX2
  return "avx2";
#else
  return "portable";
#endif
}

bool smallGemmHas(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::Auto:
    case GemmKernel::Blas:
    case GemmKernel::Own:
    case GemmKernel::Portable:
      return true;
    case GemmKernel::Avx2:
#if RNNLAB_GEMM_AVX2
      return true;
#else
      return false;
#endif
    case GemmKernel::Avx512:
#if RNNLAB_GEMM_AVX512
      return true;
#else
      return false;
#endif
  }
  return false;
}

bool smallGemmPreferred(bool transA, bool transB, int M, int N, int K, bool isDouble) {
  // Measured (native/README.md): with AVX-512 our kernel ran at 85-97% of the FMA peak from
  // 32x64x64 up to 512^3 and beat OpenBLAS at every shape tried; it does no cache blocking, so
  // it stops at 512^3 worth of work and 1024 per side. AVX2 only: on par with OpenBLAS above
  // ~128^3, so it stops there. When OpenBLAS has several threads, it takes the larger products
  // (ours is single-threaded). Portable builds always use OpenBLAS, which picks its kernels for
  // the CPU at run time.
#if RNNLAB_GEMM_AVX512 || RNNLAB_GEMM_AVX2
  if (M > 1024 || N > 1024 || K > 1024) return false;
  const double work = double(M) * double(N) * double(K);
#if RNNLAB_GEMM_AVX512
  const double limit = 134217728.0;  // 2^27 = 512^3
#else
  const double limit = 2097152.0;  // 2^21 = 128^3
#endif
  if (work > limit) return false;
  return work <= 2097152.0 || openblas_get_num_threads() <= 1;
#else
  return false;
#endif
}

bool smallGemm(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, float alpha,
               const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  return dispatch<float>(kernel, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
bool smallGemm(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, double alpha,
               const double* A, int lda, const double* B, int ldb, double beta, double* C,
               int ldc) {
  return dispatch<double>(kernel, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace rnnlab
