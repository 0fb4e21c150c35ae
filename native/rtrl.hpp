// Real-time recurrent learning: the exact gradient in forward mode, with the influence matrix.
#pragma once
#include <cstdint>

#include "loss.hpp"
#include "model.hpp"
#include "regularizer.hpp"

namespace rnnlab {

/** Columns of the influence matrix: Wh (N^2), Wx (N nIn), b (N), h0 (N). */
inline int64_t rtrlColumns(const Dims& d) { return d.N * d.N + d.N * d.nIn + 2 * d.N; }

/**
 * The exact gradient of the loss, computed forward in time one trial at a time with the
 * influence matrix M_t = dh_t/dtheta [N][P], theta = (Wh, Wx, b, h0), P = rtrlColumns(d):
 *   M_0 = [0 | 0 | 0 | I]
 *   M_t = alpha M_{t-1} + (1 - alpha) Wh diag(f'(h_{t-1})) M_{t-1} + dh_t/dtheta (explicit part:
 *         row i gets (1 - alpha) f(h_{t-1})_j at Wh[i][j], (1 - alpha) x_t,k at Wx[i][k], 1 - alpha at b[i])
 *   dL/dtheta += c_t^T M_t,  c_t = f'(h_t) * (Wout^T dy_t);  dWout, dbOut as in BPTT.
 * Cost per step and trial: one N x N x P GEMM, i.e. O(N^4); memory 2 N P + P. It equals BPTT.
 * Arguments as for onlineGradient. Returns the loss. activityL2 (lambda, 0 = off) adds the
 * activity regulariser: c_t = f'(h_t) * (Wout^T dy_t + 2 lambda/(T B N) f(h_t)); the returned
 * loss includes it and `terms` (optional) receives the two terms separately.
 */
template <typename R>
double rtrlGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                    const R* noise, LossKind kind, const R* targets, const R* mask, R* grads,
                    double activityL2 = 0, LossTerms* terms = nullptr);

}  // namespace rnnlab
