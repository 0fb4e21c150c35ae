// The leaky RNN as the kernels see it: sizes, the flat parameter layout, activations.
//
// Model (DESIGN.md):
//   h_t = alpha h_{t-1} + (1 - alpha) (Wh f(h_{t-1}) + Wx x_t + b) + noise_t,   t = 1..T
//   y_t = Wout f(h_t) + bOut
// All matrices are row-major with row = postsynaptic unit. All parameters live in one flat
// array in this order (TS uses the same layout, ts/model/params.ts):
//   Wh [N][N] | Wx [N][nIn] | b [N] | Wout [nOut][N] | bOut [nOut] | h0 [N]
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace rnnlab {

enum class Activation : int { Relu = 0, Tanh = 1, Retanh = 2, Linear = 3 };

/** Sizes of one model and one batch. T steps, B trials. */
struct Dims {
  int64_t N = 0, nIn = 0, nOut = 0, T = 0, B = 0;
};

/** Offsets of each parameter inside the flat parameter (or gradient) array. */
struct ParamLayout {
  int64_t Wh, Wx, b, Wout, bOut, h0, total;
  explicit ParamLayout(const Dims& d)
      : Wh(0),
        Wx(d.N * d.N),
        b(Wx + d.N * d.nIn),
        Wout(b + d.N),
        bOut(Wout + d.nOut * d.N),
        h0(bOut + d.nOut),
        total(h0 + d.N) {}
};

/** Read-only view of the parameters, resolved from the flat array. */
template <typename R>
struct Weights {
  const R *Wh, *Wx, *b, *Wout, *bOut, *h0;
  Weights(const R* flat, const ParamLayout& L)
      : Wh(flat + L.Wh), Wx(flat + L.Wx), b(flat + L.b), Wout(flat + L.Wout), bOut(flat + L.bOut),
        h0(flat + L.h0) {}
};

/** Writable view of a flat gradient array with the same layout. */
template <typename R>
struct GradientView {
  R *Wh, *Wx, *b, *Wout, *bOut, *h0;
  GradientView(R* flat, const ParamLayout& L)
      : Wh(flat + L.Wh), Wx(flat + L.Wx), b(flat + L.b), Wout(flat + L.Wout), bOut(flat + L.bOut),
        h0(flat + L.h0) {}
};

/** Activation f and its derivative f'(h) given h and r = f(h). relu'(0) = 0 (PyTorch). */
template <Activation A>
struct Act;

template <>
struct Act<Activation::Relu> {
  template <typename R> static R f(R h) { return h > R(0) ? h : R(0); }
  template <typename R> static R df(R h, R) { return h > R(0) ? R(1) : R(0); }
};
template <>
struct Act<Activation::Tanh> {
  template <typename R> static R f(R h) { return std::tanh(h); }
  template <typename R> static R df(R, R r) { return R(1) - r * r; }
};
template <>
struct Act<Activation::Retanh> {
  template <typename R> static R f(R h) { return h > R(0) ? std::tanh(h) : R(0); }
  template <typename R> static R df(R h, R r) { return h > R(0) ? R(1) - r * r : R(0); }
};
template <>
struct Act<Activation::Linear> {
  template <typename R> static R f(R h) { return h; }
  template <typename R> static R df(R, R) { return R(1); }
};

/** Calls body(Act<A>{}) with the activation chosen at run time, so hot loops are specialised. */
template <typename Body>
inline void withActivation(Activation act, Body&& body) {
  switch (act) {
    case Activation::Relu: body(Act<Activation::Relu>{}); break;
    case Activation::Tanh: body(Act<Activation::Tanh>{}); break;
    case Activation::Retanh: body(Act<Activation::Retanh>{}); break;
    case Activation::Linear: body(Act<Activation::Linear>{}); break;
  }
}

}  // namespace rnnlab
