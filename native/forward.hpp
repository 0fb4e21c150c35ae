// Batched forward pass of the leaky RNN over T steps, storing what the backward passes need.
#pragma once
#include "model.hpp"

namespace rnnlab {

/**
 * Runs the model over a batch.
 *   params  flat parameters (layout in model.hpp)
 *   x       inputs  [T][B][nIn]; x[t-1] drives step t
 *   noise   optional additive state noise [T][B][N] (already scaled), or nullptr
 *   H       out: states [T+1][B][N]; H[0] = h0 for every trial
 *   Rate    out: rates f(H), same shape
 *   Y       out: outputs [T][B][nOut]; Y[t-1] = Wout f(h_t) + bOut
 * Per step: one GEMM (B x N x N, Wh transposed once per call) and one fused pass that adds the
 * input drive, leak, noise, activation and readout while the row is in cache.
 */
template <typename R>
void rnnForward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* noise,
                R* H, R* Rate, R* Y);

}  // namespace rnnlab
