// The only file that sees Node-API. Each exported function unpacks its arguments, re-checks every
// length it is given (so a caller bug can never become an out-of-bounds write), calls one kernel,
// and returns undefined or a number. User-facing validation and messages live in TS.
#include <napi.h>

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "bptt.hpp"
#include "flossing.hpp"
#include "forward.hpp"
#include "loss.hpp"
#include "optim.hpp"
#include "similarity.hpp"
#include "spectra.hpp"
// Learning rules (issue 3)
#include "constraints.hpp"
#include "eprop.hpp"
#include "es.hpp"
#include "random.hpp"
#include "rtrl.hpp"
#include "step-loss.hpp"
// Performance (issue 9)
#include "perfprobe.hpp"
#include "smallgemm.hpp"
#include "split.hpp"

namespace {

using namespace rnnlab;

enum class DType { F32, F64 };

/** Fields of the model/batch spec object, in the order Args reads them. */
enum SpecField { kN, kNIn, kNOut, kT, kB, kAlpha, kActivation, kSpecFields };

/** The spec's property names, in SpecField order. */
constexpr const char* kSpecNames[kSpecFields] = {"N", "nIn", "nOut", "T", "B", "alpha", "activation"};

/** Argument reader for one call; the first failure throws a JS exception and sets `failed`. */
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel) : info_(info), kernel_(kernel) {}

  Napi::Env env() const { return info_.Env(); }
  bool failed() const { return failed_; }

  void fail(bool typeError, const std::string& what) {
    if (failed_) return;
    failed_ = true;
    const std::string msg = std::string("rnnlab native ") + kernel_ + ": " + what;
    if (typeError)
      Napi::TypeError::New(env(), msg).ThrowAsJavaScriptException();
    else
      Napi::RangeError::New(env(), msg).ThrowAsJavaScriptException();
  }

  double number(size_t i, const char* name) {
    if (failed_) return 0;
    if (i >= info_.Length() || !info_[i].IsNumber()) {
      fail(true, std::string(name) + " must be a number");
      return 0;
    }
    return info_[i].As<Napi::Number>().DoubleValue();
  }

  int64_t integer(size_t i, const char* name, int64_t min) {
    const double v = number(i, name);
    return checkInteger(v, name, min);
  }

  /** The element type of argument i, which must be a Float32Array or Float64Array. */
  DType dtype(size_t i, const char* name) {
    const TypedInfo t = typed(i);
    if (t.isTyped && t.type == napi_float32_array) return DType::F32;
    if (t.isTyped && t.type == napi_float64_array) return DType::F64;
    fail(true, std::string(name) + " must be a Float32Array or Float64Array");
    return DType::F64;
  }

  /** Borrow argument i as R* of exactly `length` elements (nullptr allowed when optional). */
  template <typename R>
  R* array(size_t i, const char* name, int64_t length, bool optional = false) {
    if (failed_) return nullptr;
    const TypedInfo t = typed(i);
    if (optional && !t.isTyped && !has(i)) return nullptr;
    constexpr napi_typedarray_type want =
        sizeof(R) == 4 ? napi_float32_array : napi_float64_array;
    if (!t.isTyped || t.type != want) {
      fail(true, std::string(name) + " must be a " +
                     (sizeof(R) == 4 ? "Float32Array" : "Float64Array") +
                     " (the same element type as the parameters)");
      return nullptr;
    }
    if (int64_t(t.length) != length) {
      fail(false, std::string(name) + " has length " + std::to_string(t.length) + ", expected " +
                      std::to_string(length));
      return nullptr;
    }
    return static_cast<R*>(t.data);
  }

  /** Whether argument i was given (not missing, null or undefined). */
  bool has(size_t i) const {
    if (i >= info_.Length()) return false;
    napi_valuetype type = napi_undefined;
    napi_typeof(info_.Env(), info_[i], &type);
    return type != napi_null && type != napi_undefined;
  }

  /** Element count of typed-array argument i (0 after a failure or for a non-array). */
  int64_t length(size_t i) {
    if (failed_) return 0;
    const TypedInfo t = typed(i);
    return t.isTyped ? int64_t(t.length) : 0;
  }

  /** Reads the model/batch spec object {N, nIn, nOut, T, B, alpha, activation}. */
  Dims dims(size_t i) {
    Dims d;
    if (!readSpec(i)) return d;
    d.N = checkInteger(spec_[kN], "N", 1);
    d.nIn = checkInteger(spec_[kNIn], "nIn", 0);
    d.nOut = checkInteger(spec_[kNOut], "nOut", 1);
    d.T = checkInteger(spec_[kT], "T", 1);
    d.B = checkInteger(spec_[kB], "B", 1);
    // BLAS takes int sizes: keep every product we index with well inside int range.
    if (!failed_ && (d.N * d.N > (int64_t(1) << 31) || d.T * d.B * d.N > (int64_t(1) << 40)))
      fail(false, "sizes are too large");
    return d;
  }

  Activation activation(size_t i) {
    if (!readSpec(i)) return Activation::Relu;
    const int64_t a = checkInteger(spec_[kActivation], "activation", 0);
    if (a > 3) fail(false, "activation code must be 0..3");
    return Activation(a);
  }

  double alpha(size_t i) {
    if (!readSpec(i)) return 0;
    const double a = spec_[kAlpha];
    if (!(a >= 0 && a < 1)) fail(false, "spec.alpha must be in [0, 1)");
    return a;
  }

 private:
  int64_t checkInteger(double v, const char* name, int64_t min) {
    if (failed_) return 0;
    if (!std::isfinite(v) || v != std::floor(v) || v < double(min) || v > 9.0e15) {
      fail(false, std::string(name) + " must be an integer >= " + std::to_string(min));
      return 0;
    }
    return int64_t(v);
  }

  /**
   * Reads every field of the spec object at argument i once per call; false after a failure (a
   * missing object or a field that is not a number).
   */
  bool readSpec(size_t i) {
    if (failed_) return false;
    if (specArg_ == i) return true;
    napi_valuetype type = napi_undefined;
    if (i < info_.Length()) napi_typeof(env(), info_[i], &type);
    if (type != napi_object) {
      fail(true, "spec must be an object");
      return false;
    }
    for (int k = 0; k < kSpecFields; ++k) {
      napi_value value = nullptr;
      if (napi_get_named_property(env(), info_[i], kSpecNames[k], &value) != napi_ok ||
          napi_get_value_double(env(), value, &spec_[k]) != napi_ok) {
        fail(true, std::string("spec.") + kSpecNames[k] + " must be a number");
        return false;
      }
    }
    specArg_ = i;
    return true;
  }

  /** What napi_get_typedarray_info said about one argument (asked once per call). */
  struct TypedInfo {
    bool known = false, isTyped = false;
    napi_typedarray_type type = napi_int8_array;
    size_t length = 0;
    void* data = nullptr;
  };
  /** More arguments than any binding takes (the most is 17); later ones are asked every time. */
  static constexpr size_t kCachedArgs = 24;

  /** The typed-array facts of argument i: one Node-API call per argument and call. */
  TypedInfo typed(size_t i) {
    if (i >= info_.Length()) return TypedInfo{};
    TypedInfo fresh;
    TypedInfo& t = i < kCachedArgs ? typed_[i] : fresh;
    if (!t.known) {
      t.known = true;
      t.isTyped = napi_get_typedarray_info(info_.Env(), info_[i], &t.type, &t.length, &t.data,
                                           nullptr, nullptr) == napi_ok;
    }
    return t;
  }

  const Napi::CallbackInfo& info_;
  const char* kernel_;
  bool failed_ = false;
  TypedInfo typed_[kCachedArgs];
  /** The spec's fields in SpecField order, read from argument specArg_ (none yet: SIZE_MAX). */
  double spec_[kSpecFields] = {};
  size_t specArg_ = SIZE_MAX;
};

int64_t paramCount(const Dims& d) { return ParamLayout(d).total; }

// forward(spec, params, x, noise | null, H, Rate, Y)
template <typename R>
Napi::Value forwardImpl(Args& a) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  const int64_t states = (d.T + 1) * d.B * d.N;
  const R* params = a.array<R>(1, "params", paramCount(d));
  const R* x = a.array<R>(2, "x", d.T * d.B * d.nIn);
  const R* noise = a.array<R>(3, "noise", d.T * d.B * d.N, true);
  R* H = a.array<R>(4, "H", states);
  R* Rate = a.array<R>(5, "Rate", states);
  R* Y = a.array<R>(6, "Y", d.T * d.B * d.nOut);
  if (a.failed()) return a.env().Undefined();
  rnnForward<R>(d, act, alpha, params, x, noise, H, Rate, Y);
  return a.env().Undefined();
}

// lossGrad(spec, kind, Y, targets, mask | null, dY) -> loss
template <typename R>
Napi::Value lossGradImpl(Args& a) {
  const Dims d = a.dims(0);
  const int64_t kind = a.integer(1, "kind", 0);
  if (kind > 1) a.fail(false, "kind must be 0 (mse) or 1 (ce)");
  const int64_t rows = d.T * d.B;
  const R* Y = a.array<R>(2, "Y", rows * d.nOut);
  const R* targets = a.array<R>(3, "targets", kind == 1 ? rows : rows * d.nOut);
  const R* mask = a.array<R>(4, "mask", rows, true);
  R* dY = a.array<R>(5, "dY", rows * d.nOut);
  if (a.failed()) return a.env().Undefined();
  double loss = 0;
  int64_t bad = -1;
  if (!lossAndGrad<R>(LossKind(kind), d.T, d.B, d.nOut, Y, targets, mask, dY, &loss, &bad)) {
    a.fail(false, "targets[" + std::to_string(bad) + "] is not a class index in [0, " +
                      std::to_string(d.nOut) + ")");
    return a.env().Undefined();
  }
  return Napi::Number::New(a.env(), loss);
}

/** The arguments both reverse-pass bindings share: (spec, params, x, H, Rate, dY, grads). */
template <typename R>
struct ReverseArgs {
  Dims d;
  Activation act;
  R alpha;
  const R *params, *x, *H, *Rate, *dY;
  R* grads;
};

template <typename R>
ReverseArgs<R> reverseArgs(Args& a) {
  ReverseArgs<R> r;
  r.d = a.dims(0);
  r.act = a.activation(0);
  r.alpha = R(a.alpha(0));
  const Dims& d = r.d;
  const int64_t states = (d.T + 1) * d.B * d.N;
  r.params = a.array<R>(1, "params", paramCount(d));
  r.x = a.array<R>(2, "x", d.T * d.B * d.nIn);
  r.H = a.array<R>(3, "H", states);
  r.Rate = a.array<R>(4, "Rate", states);
  r.dY = a.array<R>(5, "dY", d.T * d.B * d.nOut);
  r.grads = a.array<R>(6, "grads", paramCount(d));
  return r;
}

// bpttBackward(spec, params, x, H, Rate, dY, grads)
template <typename R>
Napi::Value bpttBackwardImpl(Args& a) {
  const ReverseArgs<R> r = reverseArgs<R>(a);
  if (a.failed()) return a.env().Undefined();
  bpttBackward<R>(r.d, r.act, r.alpha, r.params, r.x, r.H, r.Rate, r.dY, r.grads);
  return a.env().Undefined();
}

/** Reads the element range [start, end) of arguments i, i + 1 of an array of length n. */
std::pair<int64_t, int64_t> elementRange(Args& a, size_t i, int64_t n) {
  const int64_t start = a.integer(i, "start", 0), end = a.integer(i + 1, "end", 0);
  if (!a.failed() && !(start <= end && end <= n))
    a.fail(false, "[start, end) = [" + std::to_string(start) + ", " + std::to_string(end) +
                      ") is not a range of the " + std::to_string(n) + " elements");
  return {start, end};
}

// adamStep(p, g, m, v, start, end, step, lr, beta1, beta2, eps, weightDecay): elements [start, end)
template <typename R>
Napi::Value adamStepImpl(Args& a) {
  const int64_t n = a.length(0);
  R* p = a.array<R>(0, "p", n);
  const R* g = a.array<R>(1, "g", n);
  R* m = a.array<R>(2, "m", n);
  R* v = a.array<R>(3, "v", n);
  const auto [start, end] = elementRange(a, 4, n);
  const int64_t step = a.integer(6, "step", 1);
  const double lr = a.number(7, "lr"), beta1 = a.number(8, "beta1"), beta2 = a.number(9, "beta2");
  const double eps = a.number(10, "eps"), weightDecay = a.number(11, "weightDecay");
  if (a.failed()) return a.env().Undefined();
  adamStep<R>(end - start, p + start, g + start, m + start, v + start, step, lr, beta1, beta2, eps,
              weightDecay);
  return a.env().Undefined();
}

// sgdStep(p, g, buf | null, start, end, step, lr, momentum, weightDecay): elements [start, end)
template <typename R>
Napi::Value sgdStepImpl(Args& a) {
  const int64_t n = a.length(0);
  R* p = a.array<R>(0, "p", n);
  const R* g = a.array<R>(1, "g", n);
  R* buf = a.array<R>(2, "buf", n, true);
  const auto [start, end] = elementRange(a, 3, n);
  const int64_t step = a.integer(5, "step", 1);
  const double lr = a.number(6, "lr"), momentum = a.number(7, "momentum");
  const double weightDecay = a.number(8, "weightDecay");
  if (momentum != 0 && buf == nullptr) a.fail(true, "buf is required when momentum is not 0");
  if (a.failed()) return a.env().Undefined();
  sgdStep<R>(end - start, p + start, g + start, buf ? buf + start : nullptr, step, lr, momentum,
             weightDecay);
  return a.env().Undefined();
}

// sumSquares(a) -> number
template <typename R>
Napi::Value sumSquaresImpl(Args& a) {
  const int64_t n = a.length(0);
  const R* v = a.array<R>(0, "a", n);
  if (a.failed()) return a.env().Undefined();
  return Napi::Number::New(a.env(), sumSquares<R>(n, v));
}

// scaleInPlace(a, s)
template <typename R>
Napi::Value scaleInPlaceImpl(Args& a) {
  const int64_t n = a.length(0);
  R* v = a.array<R>(0, "a", n);
  const double s = a.number(1, "s");
  if (a.failed()) return a.env().Undefined();
  scaleInPlace<R>(n, v, s);
  return a.env().Undefined();
}

// ------------------------------------------------------------------------------------------
// Similarity metrics (similarity.hpp). Float64 only. Each returns a SimilarityStatus code
// (0 = success); ts/analysis/* validates the input first and turns other codes into messages.

/** Rejects sizes whose products would overflow the int sizes BLAS/LAPACK take. */
void checkSimilaritySizes(Args& a, int64_t rows, int64_t cols) {
  if (!a.failed() && rows * cols > (int64_t(1) << 31)) a.fail(false, "sizes are too large");
}

// shapeMetric(m, p, q, X, Y, alpha, out[2]) -> status
Napi::Value ShapeMetricFn(const Napi::CallbackInfo& info) {
  Args a(info, "shapeMetric");
  const int64_t m = a.integer(0, "m", 1), p = a.integer(1, "p", 1), q = a.integer(2, "q", 1);
  checkSimilaritySizes(a, m, std::max(p, q));
  checkSimilaritySizes(a, std::max(p, q), std::max(p, q));
  const double* X = a.array<double>(3, "X", m * p);
  const double* Y = a.array<double>(4, "Y", m * q);
  const double alpha = a.number(5, "alpha");
  if (!a.failed() && !(alpha >= 0 && alpha <= 1)) a.fail(false, "alpha must be in [0, 1]");
  double* out = a.array<double>(6, "out", 2);
  if (a.failed()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), shapeMetric(m, p, q, X, Y, alpha, out));
}

// linearCka(m, p, q, X, Y, out[1]) -> status
Napi::Value LinearCkaFn(const Napi::CallbackInfo& info) {
  Args a(info, "linearCka");
  const int64_t m = a.integer(0, "m", 1), p = a.integer(1, "p", 1), q = a.integer(2, "q", 1);
  checkSimilaritySizes(a, m, std::max(p, q));
  checkSimilaritySizes(a, std::max(p, q), std::max(p, q));
  const double* X = a.array<double>(3, "X", m * p);
  const double* Y = a.array<double>(4, "Y", m * q);
  double* out = a.array<double>(5, "out", 1);
  if (a.failed()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), linearCka(m, p, q, X, Y, out));
}

// havokDmd(K, T, N, data, nDelays, delayInterval, rankRule, rankValue, lambda, Av[k*k], S[k],
//          rank[1]) -> status, with k = min(K (T - (D-1) tau), N D)
Napi::Value HavokDmdFn(const Napi::CallbackInfo& info) {
  Args a(info, "havokDmd");
  const int64_t K = a.integer(0, "K", 1), T = a.integer(1, "T", 1), N = a.integer(2, "N", 1);
  const int64_t D = a.integer(4, "nDelays", 1), tau = a.integer(5, "delayInterval", 1);
  const int64_t rule = a.integer(6, "rankRule", 0);
  if (!a.failed() && rule > 3) a.fail(false, "rankRule must be 0..3");
  const double rankValue = a.number(7, "rankValue"), lambda = a.number(8, "lambda");
  if (!a.failed() && !(lambda >= 0 && std::isfinite(lambda))) a.fail(false, "lambda must be >= 0");
  if (!a.failed() && !std::isfinite(rankValue)) a.fail(false, "rankValue must be finite");
  checkSimilaritySizes(a, K * T, N * D);
  const double* data = a.array<double>(3, "data", K * T * N);
  if (a.failed()) return info.Env().Undefined();
  const int64_t Tp = T - (D - 1) * tau;
  if (Tp < 2) return Napi::Number::New(info.Env(), kSimTooFewSteps);
  const int64_t k = std::min(K * Tp, N * D);
  double* Av = a.array<double>(9, "Av", k * k);
  double* S = a.array<double>(10, "S", k);
  double* rankOut = a.array<double>(11, "rank", 1);
  if (a.failed()) return info.Env().Undefined();
  int64_t rank = 0;
  const int status = havokDmd(K, T, N, data, D, tau, int(rule), rankValue, lambda, Av, S, &rank);
  rankOut[0] = double(rank);
  return Napi::Number::New(info.Env(), status);
}

// dsaAlign(r, A, B, gaussians[nG*r*r], nG, special, maxIter, gradTol, C[r*r], stats[8]) -> status
Napi::Value DsaAlignFn(const Napi::CallbackInfo& info) {
  Args a(info, "dsaAlign");
  const int64_t r = a.integer(0, "r", 1);
  checkSimilaritySizes(a, r, r);
  const double* A = a.array<double>(1, "A", r * r);
  const double* B = a.array<double>(2, "B", r * r);
  const int64_t nG = a.integer(4, "nGaussians", 0);
  const double* G = a.array<double>(3, "gaussians", nG * r * r);
  const int64_t special = a.integer(5, "special", 0);
  const int64_t maxIter = a.integer(6, "maxIter", 0);
  const double gradTol = a.number(7, "gradTol");
  if (!a.failed() && !(gradTol >= 0)) a.fail(false, "gradTol must be >= 0");
  double* C = a.array<double>(8, "C", r * r);
  double* stats = a.array<double>(9, "stats", 8);
  if (a.failed()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), dsaAlign(r, A, B, nG, G, special != 0, maxIter, gradTol, C, stats));
}

// ---------------------------------------------------------------------------------------------
// Dynamics (issue 5): Lyapunov spectrum, gradient flossing, thin QR, eigenvalues.
// ---------------------------------------------------------------------------------------------

/** Reads an integer field >= min of a settings object (first failure throws via Args). */
int64_t settingsInteger(Args& a, const Napi::Object& o, const char* name, int64_t min) {
  if (a.failed()) return 0;
  auto v = o.Get(name);
  if (!v.IsNumber()) {
    a.fail(true, std::string("settings.") + name + " must be a number");
    return 0;
  }
  const double x = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(x) || x != std::floor(x) || x < double(min) || x > 9.0e15) {
    a.fail(false, std::string("settings.") + name + " must be an integer >= " + std::to_string(min));
    return 0;
  }
  return int64_t(x);
}

/** Reads {k, warmupState, warmupQ, steps, qrEvery, qrMethod} and checks them against d. */
LyapunovSettings lyapunovSettings(Args& a, size_t i, const Napi::CallbackInfo& info, const Dims& d) {
  LyapunovSettings s;
  if (a.failed()) return s;
  if (i >= info.Length() || !info[i].IsObject()) {
    a.fail(true, "settings must be an object");
    return s;
  }
  auto o = info[i].As<Napi::Object>();
  s.k = settingsInteger(a, o, "k", 1);
  s.warmupState = settingsInteger(a, o, "warmupState", 0);
  s.warmupQ = settingsInteger(a, o, "warmupQ", 0);
  s.steps = settingsInteger(a, o, "steps", 1);
  s.qrEvery = settingsInteger(a, o, "qrEvery", 1);
  const int64_t method = settingsInteger(a, o, "qrMethod", 0);
  if (a.failed()) return s;
  if (method > 1) a.fail(false, "settings.qrMethod must be 0 (householder) or 1 (choleskyqr2)");
  s.qr = QrMethod(method);
  if (s.k > d.N) a.fail(false, "settings.k must be <= N");
  if (d.T != s.total()) a.fail(false, "spec.T must equal warmupState + warmupQ + steps");
  return s;
}

// lyapunovSpectrum(spec, settings, params, x, noise | null, q0 | null, exponents, stats | null)
template <typename R>
Napi::Value lyapunovSpectrumImpl(Args& a, const Napi::CallbackInfo& info) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  const LyapunovSettings s = lyapunovSettings(a, 1, info, d);
  const R* params = a.array<R>(2, "params", paramCount(d));
  const R* x = a.array<R>(3, "x", d.T * d.B * d.nIn);
  const R* noise = a.array<R>(4, "noise", d.T * d.B * d.N, true);
  const R* q0 = a.array<R>(5, "q0", s.k * d.N, true);
  R* exponents = a.array<R>(6, "exponents", d.B * s.k);
  R* statsOut = a.array<R>(7, "stats", LyapunovStats::kFields, true);
  if (a.failed()) return a.env().Undefined();
  LyapunovStats stats;
  lyapunovSpectrum<R>(d, act, alpha, params, x, noise, q0, s, exponents, &stats, statsOut != nullptr);
  if (statsOut) stats.write(statsOut);
  return a.env().Undefined();
}

// flossingGradient(spec, settings, mode, target, params, x, noise | null, q0 | null, exponents,
//                  grads, stats | null) -> loss
template <typename R>
Napi::Value flossingGradientImpl(Args& a, const Napi::CallbackInfo& info) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  const LyapunovSettings s = lyapunovSettings(a, 1, info, d);
  const int64_t mode = a.integer(2, "mode", 0);
  if (mode > 2) a.fail(false, "mode must be 0 (full), 1 (hdetached) or 2 (local)");
  const double target = a.number(3, "target");
  if (!a.failed() && !std::isfinite(target)) a.fail(false, "target must be finite");
  const R* params = a.array<R>(4, "params", paramCount(d));
  const R* x = a.array<R>(5, "x", d.T * d.B * d.nIn);
  const R* noise = a.array<R>(6, "noise", d.T * d.B * d.N, true);
  const R* q0 = a.array<R>(7, "q0", s.k * d.N, true);
  R* exponents = a.array<R>(8, "exponents", d.B * s.k);
  R* grads = a.array<R>(9, "grads", paramCount(d));
  R* statsOut = a.array<R>(10, "stats", LyapunovStats::kFields, true);
  if (a.failed()) return a.env().Undefined();
  LyapunovStats stats;
  const double loss = flossingGradient<R>(d, act, alpha, params, x, noise, q0, s, FlossMode(mode),
                                          target, exponents, grads, &stats, statsOut != nullptr);
  if (statsOut) stats.write(statsOut);
  return Napi::Number::New(a.env(), loss);
}

// thinQR(N, k, qrMethod, Zt, R) -> number of exactly zero R_ii. Zt [k][N] becomes Qt.
template <typename R>
Napi::Value thinQRImpl(Args& a, const Napi::CallbackInfo&) {
  const int64_t N = a.integer(0, "N", 1);
  const int64_t k = a.integer(1, "k", 1);
  const int64_t method = a.integer(2, "qrMethod", 0);
  if (!a.failed() && k > N) a.fail(false, "k must be <= N");
  if (!a.failed() && method > 1) a.fail(false, "qrMethod must be 0 or 1");
  if (!a.failed() && N * k > (int64_t(1) << 31)) a.fail(false, "sizes are too large");
  R* Zt = a.array<R>(3, "Zt", N * k);
  R* Rout = a.array<R>(4, "R", k * k);
  if (a.failed()) return a.env().Undefined();
  ThinQR<R> qr(N, k, QrMethod(method));
  const int64_t zeros = qr.factor(Zt, Rout);
  return Napi::Number::New(a.env(), double(zeros));
}

// eigenvalues(n, A, re, im) -> LAPACK info
template <typename R>
Napi::Value eigenvaluesImpl(Args& a, const Napi::CallbackInfo&) {
  const int64_t n = a.integer(0, "n", 1);
  if (!a.failed() && n * n > (int64_t(1) << 31)) a.fail(false, "n is too large");
  const R* A = a.array<R>(1, "A", n * n);
  R* re = a.array<R>(2, "re", n);
  R* im = a.array<R>(3, "im", n);
  if (a.failed()) return a.env().Undefined();
  return Napi::Number::New(a.env(), double(eigenvaluesGeneral<R>(n, A, re, im)));
}

/** Like RNNLAB_EXPORT, for impls that also read the CallbackInfo (settings objects). */
#define RNNLAB_EXPORT_INFO(name, impl, dtypeArg)                                    \
  exports.Set(name, Napi::Function::New(env, [](const Napi::CallbackInfo& info) {   \
                Args a(info, name);                                                 \
                const DType t = a.dtype(dtypeArg, "argument " #dtypeArg);           \
                if (a.failed()) return info.Env().Undefined();                      \
                return t == DType::F32 ? impl<float>(a, info) : impl<double>(a, info); \
              }))

void registerDynamics(Napi::Env env, Napi::Object exports) {
  RNNLAB_EXPORT_INFO("lyapunovSpectrum", lyapunovSpectrumImpl, 2);
  RNNLAB_EXPORT_INFO("flossingGradient", flossingGradientImpl, 4);
  RNNLAB_EXPORT_INFO("thinQR", thinQRImpl, 3);
  RNNLAB_EXPORT_INFO("eigenvalues", eigenvaluesImpl, 1);
}

// ---------------------------------------------------------------------------------------------
// Loss options (issue 7, part 2): the activity L2 regulariser (regularizer.hpp). The kernels
// that compute a loss and its gradient take two optional trailing arguments, read here:
//   activityL2  lambda >= 0 (missing / null = 0, off)
//   terms       Float64Array [2] or null: receives [task loss, regulariser value]
// ---------------------------------------------------------------------------------------------

struct LossOptionArgs {
  double activityL2 = 0;
  double* terms = nullptr;
  /** Copies a kernel's loss terms into the caller's array, if it gave one. */
  void write(const LossTerms& t) const {
    if (terms) {
      terms[0] = t.task;
      terms[1] = t.activityL2;
    }
  }
};

LossOptionArgs lossOptionArgs(Args& a, size_t i) {
  LossOptionArgs o;
  if (a.has(i)) {
    o.activityL2 = a.number(i, "activityL2");
    if (!a.failed() && !(o.activityL2 >= 0 && std::isfinite(o.activityL2)))
      a.fail(false, "activityL2 must be a finite number >= 0");
  }
  o.terms = a.array<double>(i + 1, "terms", 2, true);
  return o;
}

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// Learning rules (issue 3): online e-prop / node perturbation, RTRL, approximate reverse passes
// (truncated BPTT, ModProp, feedback alignment), evolution strategies, Dale/sparsity constraints.
// ---------------------------------------------------------------------------------------------

/** A 0/1 flag passed as a number. */
bool flagArg(Args& a, size_t i, const char* name) {
  const int64_t v = a.integer(i, name, 0);
  if (v > 1) a.fail(false, std::string(name) + " must be 0 or 1");
  return v == 1;
}

/** A 64-bit seed passed as two unsigned 32-bit numbers (low, high). */
uint64_t seedArgs(Args& a, size_t i) {
  const int64_t lo = a.integer(i, "seedLo", 0), hi = a.integer(i + 1, "seedHi", 0);
  if (lo > 0xffffffffLL || hi > 0xffffffffLL) a.fail(false, "seed words must be < 2^32");
  return (uint64_t(hi) << 32) | uint64_t(lo);
}

/** The loss kind and the per-step data every streaming kernel reads; checks class indices. */
template <typename R>
struct StreamData {
  LossKind kind = LossKind::Mse;
  const R* x = nullptr;
  const R* noise = nullptr;
  const R* targets = nullptr;
  const R* mask = nullptr;
};

// Reads (x, noise | null, kind, targets, mask | null) starting at argument i.
template <typename R>
StreamData<R> streamData(Args& a, const Dims& d, size_t i) {
  StreamData<R> s;
  s.x = a.array<R>(i, "x", d.T * d.B * d.nIn);
  s.noise = a.array<R>(i + 1, "noise", d.T * d.B * d.N, true);
  const int64_t kind = a.integer(i + 2, "kind", 0);
  if (kind > 1) a.fail(false, "kind must be 0 (mse) or 1 (ce)");
  s.kind = LossKind(kind);
  const int64_t rows = d.T * d.B;
  s.targets = a.array<R>(i + 3, "targets", kind == 1 ? rows : rows * d.nOut);
  s.mask = a.array<R>(i + 4, "mask", rows, true);
  int64_t bad = -1;
  if (!a.failed() && kind == 1 && !checkClassTargets(rows, d.nOut, s.targets, &bad))
    a.fail(false, "targets[" + std::to_string(bad) + "] is not a class index in [0, " +
                      std::to_string(d.nOut) + ")");
  return s;
}

/**
 * The shared tail of the online-sweep bindings (e-prop, node perturbation): reads grads at
 * argument `gradsAt` and the optional loss options after it, runs onlineGradient with `signal`
 * and returns the loss.
 */
template <typename R>
Napi::Value onlineSweep(Args& a, const Dims& d, Activation act, R alpha, const R* params,
                        const StreamData<R>& s, const LearningSignal<R>& signal, size_t gradsAt) {
  R* grads = a.array<R>(gradsAt, "grads", paramCount(d));
  const LossOptionArgs lo = lossOptionArgs(a, gradsAt + 1);
  if (a.failed()) return a.env().Undefined();
  LossTerms terms;
  const double loss = onlineGradient<R>(d, act, alpha, params, s.x, s.noise, s.kind, s.targets,
                                        s.mask, signal, grads, lo.activityL2, &terms);
  lo.write(terms);
  return Napi::Number::New(a.env(), loss);
}

// epropGradient(spec, params, x, noise | null, kind, targets, mask | null, feedback | null, grads
//               [, activityL2, terms | null]) -> loss
template <typename R>
Napi::Value epropGradientImpl(Args& a) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  const R* params = a.array<R>(1, "params", paramCount(d));
  const StreamData<R> s = streamData<R>(a, d, 2);
  LearningSignal<R> signal;
  signal.feedback = a.array<R>(7, "feedback", d.nOut * d.N, true);
  return onlineSweep<R>(a, d, act, alpha, params, s, signal, 8);
}

// nodePerturbationGradient(spec, params, x, noise | null, kind, targets, mask | null, sigma, seedLo,
//                          seedHi, grads [, activityL2, terms | null]) -> loss
template <typename R>
Napi::Value nodePerturbationGradientImpl(Args& a) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  const R* params = a.array<R>(1, "params", paramCount(d));
  const StreamData<R> s = streamData<R>(a, d, 2);
  LearningSignal<R> signal;
  signal.kind = LearningSignal<R>::Kind::NodePerturbation;
  signal.sigma = a.number(7, "sigma");
  if (!a.failed() && !(signal.sigma > 0 && std::isfinite(signal.sigma)))
    a.fail(false, "sigma must be a finite number > 0");
  signal.seed = seedArgs(a, 8);
  return onlineSweep<R>(a, d, act, alpha, params, s, signal, 10);
}

// rtrlGradient(spec, params, x, noise | null, kind, targets, mask | null, grads
//              [, activityL2, terms | null]) -> loss
template <typename R>
Napi::Value rtrlGradientImpl(Args& a) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  // The influence matrix has N * (N^2 + N nIn + 2N) entries: refuse sizes that cannot be allocated.
  if (!a.failed() && d.N * rtrlColumns(d) > (int64_t(1) << 28))
    a.fail(false, "the influence matrix (N * (N^2 + N nIn + 2N) entries) is too large");
  const R* params = a.array<R>(1, "params", paramCount(d));
  const StreamData<R> s = streamData<R>(a, d, 2);
  R* grads = a.array<R>(7, "grads", paramCount(d));
  const LossOptionArgs lo = lossOptionArgs(a, 8);
  if (a.failed()) return a.env().Undefined();
  LossTerms terms;
  const double loss = rtrlGradient<R>(d, act, alpha, params, s.x, s.noise, s.kind, s.targets,
                                      s.mask, grads, lo.activityL2, &terms);
  lo.write(terms);
  return Napi::Number::New(a.env(), loss);
}

// bpttBackwardVariant(spec, params, x, H, Rate, dY, grads, truncation, recurrentFeedback | null,
//                     constantDerivative (0/1), mu, readoutFeedback | null [, activityL2])
template <typename R>
Napi::Value bpttBackwardVariantImpl(Args& a) {
  const ReverseArgs<R> r = reverseArgs<R>(a);
  const Dims& d = r.d;
  BackwardVariant<R> v;
  v.truncation = a.integer(7, "truncation", 0);
  v.recurrentFeedback = a.array<R>(8, "recurrentFeedback", d.N * d.N, true);
  v.constantDerivative = flagArg(a, 9, "constantDerivative");
  v.mu = R(a.number(10, "mu"));
  v.readoutFeedback = a.array<R>(11, "readoutFeedback", d.nOut * d.N, true);
  const LossOptionArgs lo = lossOptionArgs(a, 12);
  if (a.failed()) return a.env().Undefined();
  bpttBackward<R>(d, r.act, r.alpha, r.params, r.x, r.H, r.Rate, r.dY, r.grads, v, lo.activityL2);
  return a.env().Undefined();
}

// esGradient(spec, params, perturbable, multiplier | null, absolute, x, noise | null, kind, targets,
//            mask | null, samples, sigma, antithetic, baseline, seedLo, seedHi, grads
//            [, activityL2, terms | null]) -> loss
template <typename R>
Napi::Value esGradientImpl(Args& a) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  const R* params = a.array<R>(1, "params", paramCount(d));
  const R* perturbable = a.array<R>(2, "perturbable", paramCount(d));
  const R* multiplier = a.array<R>(3, "multiplier", d.N * d.N, true);
  const bool absolute = flagArg(a, 4, "absolute");
  const StreamData<R> s = streamData<R>(a, d, 5);
  EsSettings es;
  es.samples = a.integer(10, "samples", 1);
  es.sigma = a.number(11, "sigma");
  es.antithetic = flagArg(a, 12, "antithetic");
  es.baseline = flagArg(a, 13, "baseline");
  es.seed = seedArgs(a, 14);
  R* grads = a.array<R>(16, "grads", paramCount(d));
  const LossOptionArgs lo = lossOptionArgs(a, 17);
  if (!a.failed() && !(es.sigma > 0 && std::isfinite(es.sigma)))
    a.fail(false, "sigma must be a finite number > 0");
  if (!a.failed() && es.antithetic && es.samples % 2 != 0)
    a.fail(false, "samples must be even with antithetic sampling");
  if (a.failed()) return a.env().Undefined();
  LossTerms terms;
  const double loss = esGradient<R>(d, act, alpha, params, perturbable, multiplier, absolute, s.x,
                                    s.noise, s.kind, s.targets, s.mask, es, grads, lo.activityL2,
                                    &terms);
  lo.write(terms);
  return Napi::Number::New(a.env(), loss);
}

// normalSamples(out, seedLo, seedHi): the perturbation stream of np and es, for tests and users.
template <typename R>
Napi::Value normalSamplesImpl(Args& a) {
  const int64_t n = a.length(0);
  R* out = a.array<R>(0, "out", n);
  const uint64_t seed = seedArgs(a, 1);
  if (a.failed()) return a.env().Undefined();
  NormalStream stream(seed);
  for (int64_t k = 0; k < n; ++k) out[k] = R(stream.normal());
  return a.env().Undefined();
}

// constrainWeights(W, M, absolute, out)
template <typename R>
Napi::Value constrainWeightsImpl(Args& a) {
  const int64_t n = a.length(0);
  const R* W = a.array<R>(0, "W", n);
  const R* M = a.array<R>(1, "M", n);
  const bool absolute = flagArg(a, 2, "absolute");
  R* out = a.array<R>(3, "out", n);
  if (a.failed()) return a.env().Undefined();
  constrainWeights<R>(n, W, M, absolute, out);
  return a.env().Undefined();
}

// constrainGradient(W, M, absolute, gW)
template <typename R>
Napi::Value constrainGradientImpl(Args& a) {
  const int64_t n = a.length(0);
  const R* W = a.array<R>(0, "W", n);
  const R* M = a.array<R>(1, "M", n);
  const bool absolute = flagArg(a, 2, "absolute");
  R* gW = a.array<R>(3, "gW", n);
  if (a.failed()) return a.env().Undefined();
  constrainGradient<R>(n, W, M, absolute, gW);
  return a.env().Undefined();
}

// ---------------------------------------------------------------------------------------------
// Performance (issue 9): the GEMM behind rnnlab::gemm with a chosen kernel (for the tests), the
// dispatch rule, and native micro-benchmarks for the harness in bench/.

/** Reads a kernel code (GemmKernel: 0 auto, 1 blas, 2 own, 3 portable, 4 avx2, 5 avx512). */
GemmKernel gemmKernelArg(Args& a, size_t i) {
  const int64_t k = a.integer(i, "kernel", 0);
  if (k > 5) a.fail(false, "kernel must be 0..5 (auto, blas, own, portable, avx2, avx512)");
  return GemmKernel(k);
}

/** Elements a row-major rows x cols matrix with row stride ld spans (0 when empty). */
int64_t spanOf(int64_t rows, int64_t cols, int64_t ld) {
  return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
}

// gemm(kernel, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) -> boolean
// C = alpha op(A) op(B) + beta C; false when the kernel is not compiled into this build.
template <typename R>
Napi::Value gemmImpl(Args& a) {
  const GemmKernel kernel = gemmKernelArg(a, 0);
  const bool tA = a.integer(1, "transA", 0) != 0, tB = a.integer(2, "transB", 0) != 0;
  const int64_t M = a.integer(3, "M", 0), N = a.integer(4, "N", 0), K = a.integer(5, "K", 0);
  const double alpha = a.number(6, "alpha");
  const int64_t lda = a.integer(8, "lda", 1), ldb = a.integer(10, "ldb", 1);
  const double beta = a.number(11, "beta");
  const int64_t ldc = a.integer(13, "ldc", 1);
  if (a.failed()) return a.env().Undefined();
  const int64_t limit = (int64_t(1) << 31) - 1;
  if (M > limit || N > limit || K > limit || lda > limit || ldb > limit || ldc > limit)
    a.fail(false, "sizes must fit in a 32-bit int");
  const int64_t aRows = tA ? K : M, aCols = tA ? M : K, bRows = tB ? N : K, bCols = tB ? K : N;
  if (lda < aCols) a.fail(false, "lda must be >= the columns of A as stored");
  if (ldb < bCols) a.fail(false, "ldb must be >= the columns of B as stored");
  if (ldc < N) a.fail(false, "ldc must be >= N");
  const R* A = a.array<R>(7, "A", a.length(7));
  const R* B = a.array<R>(9, "B", a.length(9));
  R* C = a.array<R>(12, "C", a.length(12));
  if (a.failed()) return a.env().Undefined();
  if (a.length(7) < spanOf(aRows, aCols, lda)) a.fail(false, "A is too short for its shape");
  if (a.length(9) < spanOf(bRows, bCols, ldb)) a.fail(false, "B is too short for its shape");
  if (a.length(12) < spanOf(M, N, ldc)) a.fail(false, "C is too short for its shape");
  if (a.failed()) return a.env().Undefined();
  const bool ran = smallGemm(kernel, tA, tB, int(M), int(N), int(K), R(alpha), A, int(lda), B,
                             int(ldb), R(beta), C, int(ldc));
  return Napi::Boolean::New(a.env(), ran);
}

// gemmInfo() -> { isa, kernels: { auto, blas, own, portable, avx2, avx512: boolean } }
Napi::Value GemmInfo(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("isa", smallGemmIsa());
  auto k = Napi::Object::New(info.Env());
  const char* names[] = {"auto", "blas", "own", "portable", "avx2", "avx512"};
  for (int i = 0; i < 6; ++i) k.Set(names[i], smallGemmHas(GemmKernel(i)));
  o.Set("kernels", k);
  return o;
}

// gemmPreferred(transA, transB, M, N, K, isDouble) -> boolean: whether rnnlab::gemm runs ours
Napi::Value GemmPreferred(const Napi::CallbackInfo& info) {
  Args a(info, "gemmPreferred");
  const bool tA = a.integer(0, "transA", 0) != 0, tB = a.integer(1, "transB", 0) != 0;
  const int64_t M = a.integer(2, "M", 0), N = a.integer(3, "N", 0), K = a.integer(4, "K", 0);
  const bool isDouble = a.integer(5, "isDouble", 0) != 0;
  if (!a.failed() && (M > INT32_MAX || N > INT32_MAX || K > INT32_MAX))
    a.fail(false, "sizes must fit in a 32-bit int");
  if (a.failed()) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), smallGemmPreferred(tA, tB, int(M), int(N), int(K), isDouble));
}

// gemmTiming(kernel, transA, transB, M, N, K, beta, isDouble, seconds, rounds)
//   -> { medianSeconds, bestSeconds, callsPerRound } (callsPerRound 0: kernel not compiled in)
Napi::Value GemmTimingFn(const Napi::CallbackInfo& info) {
  Args a(info, "gemmTiming");
  const GemmKernel kernel = gemmKernelArg(a, 0);
  const bool tA = a.integer(1, "transA", 0) != 0, tB = a.integer(2, "transB", 0) != 0;
  const int64_t M = a.integer(3, "M", 1), N = a.integer(4, "N", 1), K = a.integer(5, "K", 1);
  const double beta = a.number(6, "beta");
  const bool isDouble = a.integer(7, "isDouble", 0) != 0;
  const double seconds = a.number(8, "seconds");
  const int64_t rounds = a.integer(9, "rounds", 1);
  if (!a.failed() && (M > 4096 || N > 4096 || K > 4096)) a.fail(false, "sizes must be <= 4096");
  if (!a.failed() && !(seconds > 0 && seconds <= 60)) a.fail(false, "seconds must be in (0, 60]");
  if (!a.failed() && rounds > 1000) a.fail(false, "rounds must be <= 1000");
  if (a.failed()) return info.Env().Undefined();
  const GemmTiming t =
      isDouble ? timeGemm<double>(kernel, tA, tB, int(M), int(N), int(K), beta, seconds, int(rounds))
               : timeGemm<float>(kernel, tA, tB, int(M), int(N), int(K), float(beta), seconds,
                                 int(rounds));
  auto o = Napi::Object::New(info.Env());
  o.Set("medianSeconds", t.medianSeconds);
  o.Set("bestSeconds", t.bestSeconds);
  o.Set("callsPerRound", double(t.callsPerRound));
  return o;
}

// fmaPeak(isDouble, widthBits, seconds) -> GFLOP/s of one core (0: width not compiled in)
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Args a(info, "fmaPeak");
  const bool isDouble = a.integer(0, "isDouble", 0) != 0;
  const int64_t width = a.integer(1, "widthBits", 0);
  const double seconds = a.number(2, "seconds");
  if (!a.failed() && !(seconds > 0 && seconds <= 60)) a.fail(false, "seconds must be in (0, 60]");
  if (a.failed()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), fmaPeakGflops(isDouble, int(width), seconds));
}

// ---------------------------------------------------------------------------------------------
// Split-batch driver (issue 9): one BPTT or e-prop gradient on several threads (native/split.hpp).

/** Reads a split rule code: 0 bptt, 1 eprop. */
int splitRuleArg(Args& a, size_t i) {
  const int64_t rule = a.integer(i, "rule", 0);
  if (!a.failed() && rule > 1) a.fail(false, "rule must be 0 (bptt) or 1 (eprop)");
  return int(rule);
}

// splitScratchLength(spec, rule, kind, hasNoise, threads) -> elements of scratch gradientSplit needs
Napi::Value SplitScratchLength(const Napi::CallbackInfo& info) {
  Args a(info, "splitScratchLength");
  const Dims d = a.dims(0);
  const int rule = splitRuleArg(a, 1);
  const int64_t kind = a.integer(2, "kind", 0);
  const bool hasNoise = a.integer(3, "hasNoise", 0) != 0;
  const int64_t threads = a.integer(4, "threads", 1);
  if (!a.failed() && kind > 1) a.fail(false, "kind must be 0 (mse) or 1 (ce)");
  if (!a.failed() && threads > 256) a.fail(false, "threads must be <= 256");
  if (a.failed()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), double(splitScratchLength(d, rule, LossKind(kind), hasNoise, threads)));
}

// gradientSplit(spec, rule, params, x, noise | null, kind, targets, mask | null, feedback | null,
//               grads, threads, scratch [, activityL2, terms | null]) -> loss
// feedback [nOut][N] replaces Wout on the readout path (bptt: feedback alignment of the reverse
// pass; eprop: in the learning signal).
template <typename R>
Napi::Value gradientSplitImpl(Args& a) {
  const Dims d = a.dims(0);
  const Activation act = a.activation(0);
  const R alpha = R(a.alpha(0));
  SplitRule<R> rule;
  rule.kind = typename SplitRule<R>::Kind(splitRuleArg(a, 1));
  const R* params = a.array<R>(2, "params", paramCount(d));
  const StreamData<R> s = streamData<R>(a, d, 3);
  const R* feedback = a.array<R>(8, "feedback", d.nOut * d.N, true);
  R* grads = a.array<R>(9, "grads", paramCount(d));
  const int64_t threads = a.integer(10, "threads", 1);
  if (!a.failed() && threads > 256) a.fail(false, "threads must be <= 256");
  if (a.failed()) return a.env().Undefined();
  const int64_t need = splitScratchLength(d, int(rule.kind), s.kind, s.noise != nullptr, threads);
  R* scratch = a.array<R>(11, "scratch", a.length(11));
  if (!a.failed() && a.length(11) < need)
    a.fail(false, "scratch has length " + std::to_string(a.length(11)) + ", needs " + std::to_string(need));
  const LossOptionArgs lo = lossOptionArgs(a, 12);
  if (a.failed()) return a.env().Undefined();
  rule.variant.readoutFeedback = feedback;
  rule.feedback = feedback;
  rule.activityL2 = lo.activityL2;
  double loss = 0;
  LossTerms terms;
  gradientSplit<R>(d, act, alpha, s.kind, rule, params, s.x, s.targets, s.mask, s.noise, grads,
                   threads, scratch, &loss, &terms);
  lo.write(terms);
  return Napi::Number::New(a.env(), loss);
}

/** Exports fn as `name`, dispatching on the element type of argument `dtypeArg`. */
#define RNNLAB_EXPORT(name, impl, dtypeArg)                                         \
  exports.Set(name, Napi::Function::New(env, [](const Napi::CallbackInfo& info) {   \
                Args a(info, name);                                                 \
                const DType t = a.dtype(dtypeArg, "argument " #dtypeArg);           \
                if (a.failed()) return info.Env().Undefined();                      \
                return t == DType::F32 ? impl<float>(a) : impl<double>(a);          \
              }))

Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setBlasThreads");
  const int64_t n = a.integer(0, "threads", 1);
  if (a.failed()) return info.Env().Undefined();
  openblas_set_num_threads(int(n));
  return info.Env().Undefined();
}

Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("config", openblas_get_config());
  o.Set("corename", openblas_get_corename());
  o.Set("threads", openblas_get_num_threads());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RNNLAB_EXPORT("forward", forwardImpl, 1);
  RNNLAB_EXPORT("lossGrad", lossGradImpl, 2);
  RNNLAB_EXPORT("bpttBackward", bpttBackwardImpl, 1);
  RNNLAB_EXPORT("adamStep", adamStepImpl, 0);
  RNNLAB_EXPORT("sgdStep", sgdStepImpl, 0);
  RNNLAB_EXPORT("sumSquares", sumSquaresImpl, 0);
  RNNLAB_EXPORT("scaleInPlace", scaleInPlaceImpl, 0);
  exports.Set("setBlasThreads", Napi::Function::New(env, SetBlasThreads));
  exports.Set("blasInfo", Napi::Function::New(env, BlasInfo));
  // Similarity metrics (float64 only).
  exports.Set("shapeMetric", Napi::Function::New(env, ShapeMetricFn));
  exports.Set("linearCka", Napi::Function::New(env, LinearCkaFn));
  exports.Set("havokDmd", Napi::Function::New(env, HavokDmdFn));
  exports.Set("dsaAlign", Napi::Function::New(env, DsaAlignFn));
  // Dynamics (issue 5)
  registerDynamics(env, exports);
  // Learning rules (issue 3)
  RNNLAB_EXPORT("epropGradient", epropGradientImpl, 1);
  RNNLAB_EXPORT("nodePerturbationGradient", nodePerturbationGradientImpl, 1);
  RNNLAB_EXPORT("rtrlGradient", rtrlGradientImpl, 1);
  RNNLAB_EXPORT("bpttBackwardVariant", bpttBackwardVariantImpl, 1);
  RNNLAB_EXPORT("esGradient", esGradientImpl, 1);
  RNNLAB_EXPORT("constrainWeights", constrainWeightsImpl, 0);
  RNNLAB_EXPORT("normalSamples", normalSamplesImpl, 0);
  RNNLAB_EXPORT("constrainGradient", constrainGradientImpl, 0);
  // Performance (issue 9)
  RNNLAB_EXPORT("gemm", gemmImpl, 7);
  exports.Set("gemmInfo", Napi::Function::New(env, GemmInfo));
  exports.Set("gemmPreferred", Napi::Function::New(env, GemmPreferred));
  exports.Set("gemmTiming", Napi::Function::New(env, GemmTimingFn));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak));
  // Split-batch driver (issue 9): BPTT and e-prop
  exports.Set("splitScratchLength", Napi::Function::New(env, SplitScratchLength));
  RNNLAB_EXPORT("gradientSplit", gradientSplitImpl, 2);
  return exports;
}

}  // namespace

NODE_API_MODULE(rnnlab, Init)
