// Thin SIMD traits over AVX-512, AVX2 + FMA and plain scalars, so that a hot loop is written once
// and compiled for the widest vectors of the target (-march=native by default).
//
// Each traits type has a vector V of W elements of R, a column mask for a partial last vector,
// and the few operations the kernels use. `Best<R>` is the widest one compiled in. Masked loads
// read nothing outside the mask (no fault past the end of an array); masked stores write nothing
// outside it.
#pragma once

#include <cmath>
#include <cstring>

#if defined(__AVX2__) || defined(__AVX512F__)
// GCC 12's AVX-512 headers trip its own -Wmaybe-uninitialized (_mm512_undefined_*, GCC PR 105593);
// the pragma covers warnings located inside the header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#if defined(__AVX512F__)
#define RNNLAB_SIMD_AVX512 1
#endif
#if defined(__AVX2__) && defined(__FMA__)
#define RNNLAB_SIMD_AVX2 1
#endif

namespace rnnlab {
namespace simd {

template <typename R>
struct Scalar {
  using Real = R;
  using V = R;
  using Mask = int;
  static constexpr int W = 1;
  static V zero() { return R(0); }
  static V set1(R a) { return a; }
  static V load(const R* p) { return *p; }
  static V loadMasked(Mask, const R* p) { return *p; }  // W = 1: a vector is never partial
  static void store(R* p, V v) { *p = v; }
  static void storeMasked(Mask, R* p, V v) { *p = v; }
  // With FMA hardware, always one rounding (std::fma compiles to the instruction), so the result
  // does not depend on where the compiler would have contracted a * b + c; without it, never.
#if defined(__FMA__)
  static V fma(V a, V b, V c) { return std::fma(a, b, c); }
  /** c - a b */
  static V fnma(V a, V b, V c) { return std::fma(-a, b, c); }
#else
  static V fma(V a, V b, V c) { return a * b + c; }
  static V fnma(V a, V b, V c) { return c - a * b; }
#endif
  static V mul(V a, V b) { return a * b; }
  static V add(V a, V b) { return a + b; }
  /** max(a, 0), and 0 when a is NaN (as `a > 0 ? a : 0`). */
  static V relu(V a) { return a > R(0) ? a : R(0); }
  /** h > 0 ? v : 0 */
  static V wherePositive(V h, V v) { return h > R(0) ? v : R(0); }
  static R sum(V a) { return a; }
  static Mask mask(int) { return 1; }
};

/**
 * Portable short vectors (16 bytes) through the GCC/Clang vector extension: SSE2 on a baseline
 * x86-64 build, NEON on ARM. For builds without AVX2 + FMA.
 */
template <typename R>
struct Portable {
  using Real = R;
  static constexpr int W = int(16 / sizeof(R));
  typedef R V __attribute__((vector_size(16)));
  using Mask = int;  // number of valid lanes
  static V zero() { return V{}; }
  static V set1(R a) {
    V v;
    for (int i = 0; i < W; ++i) v[i] = a;
    return v;
  }
  static V load(const R* p) {
    V v;
    std::memcpy(&v, p, sizeof(V));
    return v;
  }
  static V loadMasked(Mask n, const R* p) {
    V v = V{};
    for (int i = 0; i < n; ++i) v[i] = p[i];
    return v;
  }
  static void store(R* p, V v) { std::memcpy(p, &v, sizeof(V)); }
  static void storeMasked(Mask n, R* p, V v) {
    for (int i = 0; i < n; ++i) p[i] = v[i];
  }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V fnma(V a, V b, V c) { return c - a * b; }
  static V mul(V a, V b) { return a * b; }
  static V add(V a, V b) { return a + b; }
  static V relu(V a) { return a > zero() ? a : zero(); }
  static V wherePositive(V h, V v) { return h > zero() ? v : zero(); }
  static R sum(V a) {
    R s = a[0];
    for (int i = 1; i < W; ++i) s += a[i];
    return s;
  }
  static Mask mask(int n) { return n; }
};

#if RNNLAB_SIMD_AVX2
struct Avx2Float {
  using Real = float;
  using V = __m256;
  using Mask = __m256i;
  static constexpr int W = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float a) { return _mm256_set1_ps(a); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V loadMasked(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void storeMasked(Mask m, float* p, V v) { _mm256_maskstore_ps(p, m, v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V relu(V a) { return _mm256_max_ps(a, zero()); }
  static V wherePositive(V h, V v) { return _mm256_and_ps(_mm256_cmp_ps(h, zero(), _CMP_GT_OQ), v); }
  static float sum(V a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static Mask mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
};
struct Avx2Double {
  using Real = double;
  using V = __m256d;
  using Mask = __m256i;
  static constexpr int W = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(double a) { return _mm256_set1_pd(a); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static V loadMasked(Mask m, const double* p) { return _mm256_maskload_pd(p, m); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static void storeMasked(Mask m, double* p, V v) { _mm256_maskstore_pd(p, m, v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm256_fnmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V relu(V a) { return _mm256_max_pd(a, zero()); }
  static V wherePositive(V h, V v) { return _mm256_and_pd(_mm256_cmp_pd(h, zero(), _CMP_GT_OQ), v); }
  static double sum(V a) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
    return _mm_cvtsd_f64(s);
  }
  static Mask mask(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
};
#endif

#if RNNLAB_SIMD_AVX512
struct Avx512Float {
  using Real = float;
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int W = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float a) { return _mm512_set1_ps(a); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V loadMasked(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void storeMasked(Mask m, float* p, V v) { _mm512_mask_storeu_ps(p, m, v); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V relu(V a) { return _mm512_max_ps(a, zero()); }  // max(a, 0): a > 0 ? a : 0, NaN and -0 included
  static V wherePositive(V h, V v) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(h, zero(), _CMP_GT_OQ), v);
  }
  static float sum(V a) {
    // lanes i + (i + 8), then the 8-lane sum (shuffle rather than extract: GCC 12 warns on the latter)
    const __m512 t = _mm512_add_ps(a, _mm512_shuffle_f32x4(a, a, _MM_SHUFFLE(1, 0, 3, 2)));
    return Avx2Float::sum(_mm512_castps512_ps256(t));
  }
  static Mask mask(int n) { return n >= 16 ? Mask(0xFFFF) : Mask((1u << n) - 1u); }
};
struct Avx512Double {
  using Real = double;
  using V = __m512d;
  using Mask = __mmask8;
  static constexpr int W = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(double a) { return _mm512_set1_pd(a); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V loadMasked(Mask m, const double* p) { return _mm512_maskz_loadu_pd(m, p); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static void storeMasked(Mask m, double* p, V v) { _mm512_mask_storeu_pd(p, m, v); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V relu(V a) { return _mm512_max_pd(a, zero()); }
  static V wherePositive(V h, V v) {
    return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(h, zero(), _CMP_GT_OQ), v);
  }
  static double sum(V a) {
    const __m512d t = _mm512_add_pd(a, _mm512_shuffle_f64x2(a, a, _MM_SHUFFLE(1, 0, 3, 2)));
    return Avx2Double::sum(_mm512_castpd512_pd256(t));
  }
  static Mask mask(int n) { return n >= 8 ? Mask(0xFF) : Mask((1u << n) - 1u); }
};
#endif

/**
 * Loads and stores of one chunk of W lanes: all of them (Masked = false) or the first few
 * (Masked = true, lanes beyond the mask read as 0 and are not written).
 */
template <class S, bool Masked>
struct Lanes {
  typename S::Mask mask;
  typename S::V load(const typename S::Real* p) const {
    if constexpr (Masked) return S::loadMasked(mask, p);
    else return S::load(p);
  }
  void store(typename S::Real* p, typename S::V v) const {
    if constexpr (Masked) S::storeMasked(mask, p, v);
    else S::store(p, v);
  }
};

/**
 * Calls body(i, lanes) for i = 0, W, 2W, ... < n: full chunks with Lanes<S, false>, and the
 * last partial chunk (if n is not a multiple of W) with Lanes<S, true>.
 */
template <class S, class Body>
inline void forChunks(long n, Body&& body) {
  constexpr int W = S::W;
  long i = 0;
  for (; i + W <= n; i += W) body(i, Lanes<S, false>{S::mask(W)});
  if (i < n) body(i, Lanes<S, true>{S::mask(int(n - i))});
}

/**
 * out[j] = sum of the lanes of v[j], for j = 0 .. W-1 (exactly W vectors), by a transposing
 * tree: about 3 W operations for all W sums instead of about W log W. The order of the
 * additions is fixed (not the same as S::sum's, so results may differ from it in the last bit).
 */
template <class S>
inline void sumEach(const typename S::V* v, typename S::Real* out) {
  for (int j = 0; j < S::W; ++j) out[j] = S::sum(v[j]);
}

#if RNNLAB_SIMD_AVX2
template <>
inline void sumEach<Avx2Float>(const __m256* v, float* out) {
  // hadd twice gives, per 128-bit half, the half-sums of four sources; then add the halves.
  const __m256 a = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
  const __m256 b = _mm256_hadd_ps(_mm256_hadd_ps(v[4], v[5]), _mm256_hadd_ps(v[6], v[7]));
  _mm256_storeu_ps(out, _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31)));
}
template <>
inline void sumEach<Avx2Double>(const __m256d* v, double* out) {
  const __m256d a = _mm256_hadd_pd(v[0], v[1]);  // [v0 lo, v1 lo, v0 hi, v1 hi]
  const __m256d b = _mm256_hadd_pd(v[2], v[3]);
  _mm256_storeu_pd(out, _mm256_add_pd(_mm256_permute2f128_pd(a, b, 0x20), _mm256_permute2f128_pd(a, b, 0x31)));
}
#endif

#if RNNLAB_SIMD_AVX512
template <>
inline void sumEach<Avx512Float>(const __m512* v, float* out) {
  // Level 1: fold the upper 8 lanes onto the lower 8, two sources per vector.
  __m512 c[8];
  for (int j = 0; j < 8; ++j)
    c[j] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * j], v[2 * j + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_f32x4(v[2 * j], v[2 * j + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  // Level 2: one source per 128-bit lane (lane L of e[j] holds source 4j + L).
  __m512 e[4];
  for (int j = 0; j < 4; ++j)
    e[j] = _mm512_add_ps(_mm512_shuffle_f32x4(c[2 * j], c[2 * j + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(c[2 * j], c[2 * j + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  // Levels 3 and 4 within 128-bit lanes: element 4L + m ends up holding source L + 4m.
  __m512 g[2];
  for (int j = 0; j < 2; ++j)
    g[j] = _mm512_add_ps(_mm512_shuffle_ps(e[2 * j], e[2 * j + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_ps(e[2 * j], e[2 * j + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  const __m512 f = _mm512_add_ps(_mm512_shuffle_ps(g[0], g[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                 _mm512_shuffle_ps(g[0], g[1], _MM_SHUFFLE(3, 1, 3, 1)));
  // Source s = L + 4m sits at 4L + m.
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  _mm512_storeu_ps(out, _mm512_permutexvar_ps(order, f));
}
template <>
inline void sumEach<Avx512Double>(const __m512d* v, double* out) {
  __m512d c[4];
  for (int j = 0; j < 4; ++j)
    c[j] = _mm512_add_pd(_mm512_shuffle_f64x2(v[2 * j], v[2 * j + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_f64x2(v[2 * j], v[2 * j + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  // Lane L (two doubles) of e[j] holds source 4j + L.
  __m512d e[2];
  for (int j = 0; j < 2; ++j)
    e[j] = _mm512_add_pd(_mm512_shuffle_f64x2(c[2 * j], c[2 * j + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f64x2(c[2 * j], c[2 * j + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  // Element 2L + m holds source L + 4m.
  const __m512d f = _mm512_add_pd(_mm512_unpacklo_pd(e[0], e[1]), _mm512_unpackhi_pd(e[0], e[1]));
  const __m512i order = _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7);
  _mm512_storeu_pd(out, _mm512_permutexvar_pd(order, f));
}
#endif

/** The widest traits compiled in for R. */
template <typename R> struct BestOf;
#if RNNLAB_SIMD_AVX512
template <> struct BestOf<float> { using type = Avx512Float; };
template <> struct BestOf<double> { using type = Avx512Double; };
#elif RNNLAB_SIMD_AVX2
template <> struct BestOf<float> { using type = Avx2Float; };
template <> struct BestOf<double> { using type = Avx2Double; };
#else
template <> struct BestOf<float> { using type = Portable<float>; };
template <> struct BestOf<double> { using type = Portable<double>; };
#endif
template <typename R>
using Best = typename BestOf<R>::type;

}  // namespace simd
}  // namespace rnnlab
