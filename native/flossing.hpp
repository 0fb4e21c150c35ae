// Gradient flossing (Engelken 2023; specs.md 2): the loss
//   L = (1/B) sum_b (1/k) sum_i (lambda_{b,i} - target)^2
// over the first k Lyapunov exponents of B trajectories (lyapunov.hpp protocol), and its
// gradient with respect to Wh, Wx and b, written by hand in three modes:
//
// - Full: everything is differentiated: the explicit Wh in every Jacobian, the trajectory
//   (h_t depends on Wh, Wx, b; D_t = diag(f'(h_t)) depends on h_t, so f'' enters), and the
//   orthonormal frame through every QR, transient warm-up QRs included (reverse-mode QR
//   adjoint, specs.md 2.1). Only h0 and Q0 are held fixed. Gives Wh, Wx, b.
// - HDetached: the hidden states are frozen (D_t constant), the gradient still flows through
//   the chain of frames and QRs. Only the explicit Wh in J_t remains: gives Wh (Wx, b get 0).
// - Local: the hidden states and the incoming frame of every step are frozen (specs.md 2.3).
//   Time-local: dL/dWh = (1 - alpha) sum_t G_t (D_t F_{t-1})^T with G_t = Q_t diag(c/S) R_t^{-T},
//   c_i = 2 (lambda_i - target) / k, summed over the accumulated QR steps. c needs the final
//   lambda, so each trajectory is run twice: pass 1 gives lambda, pass 2 replays the same
//   deterministic trajectory and accumulates (memory O(N^2 + N k), nothing stored per step).
//   Gives Wh (Wx, b get 0).
//
// Full and HDetached store the states [T+1][N], the frames [Bq+S+1][k][N] and the R factors
// [Bq+S][k][k] of one trajectory for the reverse pass (trajectories are processed one by one).
#pragma once
#include "lyapunov.hpp"

namespace rnnlab {

enum class FlossMode : int { Full = 0, HDetached = 1, Local = 2 };

/**
 * Flossing loss and gradient.
 *   d, params, x, noise, q0, s   as lyapunovSpectrum (d.B trajectories, d.T = s.total())
 *   target     the exponent the loss pulls towards (0 in Engelken's code)
 *   exponents  out [B][k]: the exponents (per step)
 *   grads      out, flat parameter layout: Wh, Wx, b filled (zeros where the mode gives no
 *              gradient), Wout, bOut, h0 set to 0
 * Returns the loss.
 */
template <typename R>
double flossingGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                        const R* noise, const R* q0, const LyapunovSettings& s, FlossMode mode,
                        double target, R* exponents, R* grads, LyapunovStats* stats, bool timing);

}  // namespace rnnlab
