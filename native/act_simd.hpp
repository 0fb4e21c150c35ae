// Vector forms of the activations (model.hpp) for the fused elementwise passes.
//   VecAct<F>::kVectorF       whether f has a vector form (relu, linear); tanh and retanh are
//                             applied element by element with std::tanh so that every build
//                             (and the scalar path) gives the same values
//   VecAct<F>::f<S>(h)        f(h) on a vector
//   VecAct<F>::dfTimes<S>(r, p)   f'(h) * p from r = f(h) alone (h is not needed: for relu and
//                             retanh, r > 0 exactly when h > 0; tanh' = 1 - r^2); the same values
//                             as Act::df(h, r) * p for finite p (relu and retanh select instead
//                             of multiplying by 0/1), so the backward passes never read the states
#pragma once
#include "model.hpp"
#include "simd.hpp"

namespace rnnlab {

template <class F> struct VecAct;

template <>
struct VecAct<Act<Activation::Relu>> {
  static constexpr bool kVectorF = true;
  template <class S> static typename S::V f(typename S::V h) { return S::relu(h); }
  template <class S>
  static typename S::V dfTimes(typename S::V r, typename S::V p) { return S::wherePositive(r, p); }
};

template <>
struct VecAct<Act<Activation::Linear>> {
  static constexpr bool kVectorF = true;
  template <class S> static typename S::V f(typename S::V h) { return h; }
  template <class S>
  static typename S::V dfTimes(typename S::V, typename S::V p) { return p; }
};

template <>
struct VecAct<Act<Activation::Tanh>> {
  static constexpr bool kVectorF = false;
  template <class S> static typename S::V f(typename S::V h) { return h; }  // unused
  template <class S>
  static typename S::V dfTimes(typename S::V r, typename S::V p) {
    using R = typename S::Real;
    return S::mul(S::fnma(r, r, S::set1(R(1))), p);
  }
};

template <>
struct VecAct<Act<Activation::Retanh>> {
  static constexpr bool kVectorF = false;
  template <class S> static typename S::V f(typename S::V h) { return h; }  // unused
  template <class S>
  static typename S::V dfTimes(typename S::V r, typename S::V p) {
    using R = typename S::Real;
    return S::wherePositive(r, S::mul(S::fnma(r, r, S::set1(R(1))), p));
  }
};

}  // namespace rnnlab
