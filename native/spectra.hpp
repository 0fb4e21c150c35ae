// Eigenvalues of a general real square matrix (LAPACK ?geev, no eigenvectors), for the
// eigenspectrum of the recurrent weights Wh.
#pragma once
#include <cstdint>

namespace rnnlab {

/**
 * Eigenvalues of A [n][n] (row-major; A is not modified). Writes real parts to re [n] and
 * imaginary parts to im [n] in LAPACK's order (complex-conjugate pairs adjacent, positive
 * imaginary part first). Returns LAPACK's info (0 = success; > 0 = the QR algorithm failed to
 * converge and only re/im[info..n-1] are valid).
 */
template <typename R>
int64_t eigenvaluesGeneral(int64_t n, const R* A, R* re, R* im);

}  // namespace rnnlab
