// The readout and input columns that one SIMD chunk of units [i, i + W) keeps in registers while
// a fused pass (the BPTT backward step, the e-prop signal step) walks over the B trials of a step:
// the readout (or feedback) matrix's rows Fo[o][i..], the readout gradient's gWout[o][i..] and the
// transposed input gradient's dWxT[k][i..]. Up to kMaxHeld outputs and inputs are held; wider
// readouts and inputs go through memory. Loops run to the constant kMaxHeld (fully unrolled, so
// the arrays live in registers) and skip the slots beyond nOut / nIn.
#pragma once
#include <algorithm>

namespace rnnlab {

/** Readout and input columns held in registers during a fused pass. */
constexpr int kMaxHeld = 4;

template <class S, typename R>
struct HeldColumns {
  using V = typename S::V;
  long N, nIn, nOut, heldOut, heldIn;
  V fo[kMaxHeld] = {}, gWo[kMaxHeld] = {}, gx[kMaxHeld] = {};

  /** Loads the chunk's columns of Fo, gWout [nOut][N] and dWxT [nIn][N]. */
  template <class Lanes>
  HeldColumns(const Lanes& lanes, long i, long N_, long nIn_, long nOut_, const R* Fo,
              const R* gWout, const R* dWxT)
      : N(N_), nIn(nIn_), nOut(nOut_), heldOut(std::min<long>(nOut_, kMaxHeld)),
        heldIn(std::min<long>(nIn_, kMaxHeld)) {
#pragma GCC unroll 4
    for (long o = 0; o < kMaxHeld; ++o) {
      if (o >= heldOut) break;
      fo[o] = lanes.load(Fo + o * N + i);
      gWo[o] = lanes.load(gWout + o * N + i);
    }
#pragma GCC unroll 4
    for (long k = 0; k < kMaxHeld; ++k) {
      if (k >= heldIn) break;
      gx[k] = lanes.load(dWxT + k * N + i);
    }
  }

  /**
   * One trial's readout: returns pv + Fo^T e over the chunk's units and adds e r^T to gWout
   * (e [nOut] the trial's output error, r its rates f(h_t) on the chunk).
   */
  template <class Lanes>
  V readout(const Lanes& lanes, long i, const R* e, V r, V pv, const R* Fo, R* gWout) {
#pragma GCC unroll 4
    for (long o = 0; o < kMaxHeld; ++o) {
      if (o >= heldOut) break;
      const V eo = S::set1(e[o]);
      pv = S::fma(eo, fo[o], pv);
      gWo[o] = S::fma(eo, r, gWo[o]);
    }
    for (long o = heldOut; o < nOut; ++o) {
      const V eo = S::set1(e[o]);
      pv = S::fma(eo, lanes.load(Fo + o * N + i), pv);
      lanes.store(gWout + o * N + i, S::fma(eo, r, lanes.load(gWout + o * N + i)));
    }
    return pv;
  }

  /** One trial's input term: dWxT[k] += u[k] v over the chunk (u [nIn], e.g. x_t or its trace). */
  template <class Lanes>
  void addInputs(const Lanes& lanes, long i, const R* u, V v, R* dWxT) {
#pragma GCC unroll 4
    for (long k = 0; k < kMaxHeld; ++k) {
      if (k >= heldIn) break;
      gx[k] = S::fma(S::set1(u[k]), v, gx[k]);
    }
    for (long k = heldIn; k < nIn; ++k)
      lanes.store(dWxT + k * N + i, S::fma(S::set1(u[k]), v, lanes.load(dWxT + k * N + i)));
  }

  /** Writes the held gWout and dWxT columns back. */
  template <class Lanes>
  void store(const Lanes& lanes, long i, R* gWout, R* dWxT) const {
#pragma GCC unroll 4
    for (long o = 0; o < kMaxHeld; ++o) {
      if (o >= heldOut) break;
      lanes.store(gWout + o * N + i, gWo[o]);
    }
#pragma GCC unroll 4
    for (long k = 0; k < kMaxHeld; ++k) {
      if (k >= heldIn) break;
      lanes.store(dWxT + k * N + i, gx[k]);
    }
  }
};

}  // namespace rnnlab
