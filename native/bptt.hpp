// Exact reverse-mode gradient (backpropagation through time) of the leaky RNN, and the reverse
// passes that approximate it by cutting or replacing parts of the backward graph (truncated BPTT,
// ModProp, feedback alignment).
#pragma once
#include "model.hpp"
#include "regularizer.hpp"

namespace rnnlab {

/**
 * What an approximate reverse pass changes; the default is exact BPTT. Every field only changes
 * how the error travels backward; the weight gradients at each step are always the exact local
 * outer products (d_t f(h_{t-1})^T, d_t x_t^T, d_t, dy_t f(h_t)^T, dy_t).
 */
template <typename R>
struct BackwardVariant {
  /**
   * Truncation window K of truncated BPTT (0 = no truncation). The recurrent path into step s,
   * h_{s-1} -> Wh f(h_{s-1}) -> h_s, is cut when (T - s + 1) mod K == 0 (windows counted from the
   * end of the sequence, as LearningRuleSimilarities does): no error flows back along it. The leak
   * path h_{s-1} -> alpha h_{s-1} -> h_s and the readout path are never cut.
   */
  int64_t truncation = 0;
  /** [N][N] matrix used in place of Wh on the backward recurrent path (ModProp's W_ab); nullptr = Wh. */
  const R* recurrentFeedback = nullptr;
  /** When true, the constant mu replaces f'(h_{t-1}) on the backward recurrent path (ModProp). */
  bool constantDerivative = false;
  R mu = 0;
  /** [nOut][N] matrix used in place of Wout on the backward readout path (feedback alignment); nullptr = Wout. */
  const R* readoutFeedback = nullptr;
};

/**
 * Gradient of a loss with respect to every parameter, given the forward trajectory.
 *   params, x      as for rnnForward
 *   H, Rate        [T+1][B][N] from rnnForward with the same params and x
 *   dY             dLoss/dY [T][B][nOut] (from lossAndGrad)
 *   grads          out: flat gradient, same layout as params (overwritten, h0 summed over trials)
 *   variant        the approximation (default: none, the exact gradient)
 * With g_t = dL/dh_t and d_t = (1 - alpha) g_t, exact BPTT is
 *   g_t = f'(h_t) (Wout^T dy_t + Wh^T d_{t+1}) + alpha g_{t+1}
 *   dWh = sum_t d_t f(h_{t-1})^T, dWx = sum_t d_t x_t^T, db = sum_t d_t
 *   dWout = sum_t dy_t f(h_t)^T, dbOut = sum_t dy_t, dh0 = alpha g_1 + f'(h_0) Wh^T d_1
 * and a variant computes
 *   g_t = f'(h_t) F^T dy_t + [edge into t+1 not cut] D_t (V^T d_{t+1}) + alpha g_{t+1}
 * with F = readoutFeedback or Wout, V = recurrentFeedback or Wh, D_t = mu or f'(h_t).
 * Per step: two GEMMs (d V, and the dWh accumulation with K = B) and one fused SIMD pass over
 * chunks of units (readout error, regulariser, f', leak, db, dWx, dWout); f'(h_t) is taken from
 * the rates, so H is read only for the h0 term.
 * activityL2 (lambda, 0 = off) adds the activity regulariser (regularizer.hpp) to the loss:
 * its derivative 2 lambda/(T B N) f(h_t) joins the readout error at every step t >= 1, on the
 * path through the exact f'(h_t) (also for ModProp). The regulariser's value is not computed
 * here (the caller has the rates).
 */
template <typename R>
void bpttBackward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* H,
                  const R* Rate, const R* dY, R* grads,
                  const BackwardVariant<R>& variant = BackwardVariant<R>(), double activityL2 = 0);

/**
 * The same with the regulariser given by its normalisation (regularizer.hpp) instead of lambda:
 * the split-batch driver runs shares of a batch with the whole batch's scale.
 */
template <typename R>
void bpttBackward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* H,
                  const R* Rate, const R* dY, R* grads, const BackwardVariant<R>& variant,
                  const ActivityL2& reg);

}  // namespace rnnlab
