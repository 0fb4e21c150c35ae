// Our own GEMM for the small products the kernels run once per time step (M, N, K up to a few
// hundred), and the rule that decides when it runs instead of OpenBLAS.
//
// Why: at these sizes a GEMM call is only a few microseconds, and OpenBLAS spends a large part of
// it outside its inner kernel (argument handling, packing) or, when it does not know the CPU
// (OpenBLAS 0.3.21 falls back to its Haswell kernels on Zen 5), runs 256-bit code on a core with
// 512-bit units. A register-blocked kernel that reads the row-major operands in place (no
// packing, except the transposed right operand) is faster here. See native/README.md for the
// measurements behind the dispatch rule.
//
// Kernels (chosen at compile time from the target the addon is built for; -march=native by default):
//   avx512    zmm microkernels, 8 x 32 floats / 8 x 16 doubles per register tile, masked column tails
//   avx2      ymm microkernels (AVX2 + FMA), 6 x 16 floats / 6 x 8 doubles, masked column tails
//   portable  plain C++ (whatever the compiler makes of it); always compiled
// Every kernel computes each C element as the sum over k in increasing order (one multiply-add
// per k), then alpha * sum + beta * C. The result does not depend on the element's position in
// the tiling, so it is bit-identical run to run and whichever rows of C a call covers.
#pragma once

namespace rnnlab {

/** Which implementation runs a product (Auto = the dispatch rule; the others force one). */
enum class GemmKernel : int { Auto = 0, Blas = 1, Own = 2, Portable = 3, Avx2 = 4, Avx512 = 5 };

/** Name of the best own kernel compiled into this build: "avx512", "avx2" or "portable". */
const char* smallGemmIsa();

/** Whether `kernel` is compiled into this build (Auto, Blas, Own and Portable always are). */
bool smallGemmHas(GemmKernel kernel);

/**
 * The dispatch rule of rnnlab::gemm: true when our own kernel should run op(A)[M][K] op(B)[K][N],
 * false when OpenBLAS should. It depends on the shapes and the build only (never on timing or
 * on the data), so a given product always takes the same path.
 */
bool smallGemmPreferred(bool transA, bool transB, int M, int N, int K, bool isDouble);

/**
 * C[M][N] = alpha op(A) op(B) + beta C, row-major, op(X) = X or X^T, with the chosen kernel
 * (Auto = smallGemmPreferred, then ours or OpenBLAS; Own = our best compiled kernel).
 * A is M x K (K x M when transA) with row stride lda; B is K x N (N x K when transB) with row
 * stride ldb; C has row stride ldc. As in BLAS, C is not read when beta == 0 (so NaN there
 * does not propagate) and A, B are not read when alpha == 0 or K == 0.
 * Returns false (and does nothing) when `kernel` is not compiled into this build.
 * No heap allocation: the transposed right operand is packed through a fixed stack buffer.
 */
bool smallGemm(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, float alpha,
               const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
bool smallGemm(GemmKernel kernel, bool transA, bool transB, int M, int N, int K, double alpha,
               const double* A, int lda, const double* B, int ldb, double beta, double* C,
               int ldc);

}  // namespace rnnlab
