#include "spectra.hpp"

#include <lapack.h>

#include <algorithm>
#include <vector>

namespace rnnlab {

namespace {

void geev(int n, double* A, double* wr, double* wi, double* work, int lwork, int* info) {
  const char no = 'N';
  int one = 1;
  double dummy = 0;
  LAPACK_dgeev(&no, &no, &n, A, &n, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, info);
}
void geev(int n, float* A, float* wr, float* wi, float* work, int lwork, int* info) {
  const char no = 'N';
  int one = 1;
  float dummy = 0;
  LAPACK_sgeev(&no, &no, &n, A, &n, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, info);
}

}  // namespace

template <typename R>
int64_t eigenvaluesGeneral(int64_t n, const R* A, R* re, R* im) {
  // Row-major A read as column-major is A^T, which has the same eigenvalues.
  std::vector<R> a(A, A + n * n);
  int info = 0;
  R query = 0;
  geev(int(n), a.data(), re, im, &query, -1, &info);
  std::vector<R> work(size_t(std::max<int64_t>(int64_t(query), 4 * n)));
  geev(int(n), a.data(), re, im, work.data(), int(work.size()), &info);
  return info;
}

template int64_t eigenvaluesGeneral<float>(int64_t, const float*, float*, float*);
template int64_t eigenvaluesGeneral<double>(int64_t, const double*, double*, double*);

}  // namespace rnnlab
