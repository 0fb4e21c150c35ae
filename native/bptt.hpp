// Exact reverse-mode gradient (backpropagation through time) of the leaky RNN.
#pragma once
#include "model.hpp"

namespace rnnlab {

/**
 * Gradient of a loss with respect to every parameter, given the forward trajectory.
 *   params, x      as for rnnForward
 *   H, Rate        [T+1][B][N] from rnnForward with the same params and x
 *   dY             dLoss/dY [T][B][nOut] (from lossAndGrad)
 *   grads          out: flat gradient, same layout as params (overwritten, h0 summed over trials)
 * With g_t = dL/dh_t and d_t = (1 - alpha) g_t:
 *   g_t = f'(h_t) (Wout^T dy_t + Wh^T d_{t+1}) + alpha g_{t+1}
 *   dWh = sum_t d_t f(h_{t-1})^T, dWx = sum_t d_t x_t^T, db = sum_t d_t
 *   dWout = sum_t dy_t f(h_t)^T, dbOut = sum_t dy_t, dh0 = alpha g_1 + f'(h_0) Wh^T d_1
 * Per step: two GEMMs (d Wh, and the dWh accumulation with K = B) and one fused pass.
 */
template <typename R>
void bpttBackward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* H,
                  const R* Rate, const R* dY, R* grads);

}  // namespace rnnlab
