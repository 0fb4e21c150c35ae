// Row-major GEMM for float and double: the one entry point every kernel calls (templated code
// picks the overload). Small products run on our own kernels (native/smallgemm.cpp), larger ones
// on OpenBLAS; smallGemmPreferred() is the rule (shapes and build only, never timing).
#pragma once
#include <cblas.h>

#include <cstdint>

#include "smallgemm.hpp"

namespace rnnlab {

/** C[M][N] = alpha op(A) op(B) + beta C, all row-major; op(X) = X or X^T. */
inline void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A,
                 int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  if (smallGemmPreferred(transA, transB, M, N, K, false)) {
    smallGemm(GemmKernel::Own, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
inline void gemm(bool transA, bool transB, int M, int N, int K, double alpha, const double* A,
                 int lda, const double* B, int ldb, double beta, double* C, int ldc) {
  if (smallGemmPreferred(transA, transB, M, N, K, true)) {
    smallGemm(GemmKernel::Own, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/** out[cols][rows] = in[rows][cols]^T. */
template <typename R>
inline void transpose(const R* in, int64_t rows, int64_t cols, R* out) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[j * rows + i] = in[i * cols + j];
}

}  // namespace rnnlab
