// e-prop (alias RFLO) and node perturbation: one online forward sweep with eligibility traces.
#pragma once
#include <cstdint>

#include "loss.hpp"
#include "model.hpp"
#include "regularizer.hpp"

namespace rnnlab {

/** Where the per-step learning signal of the online sweep comes from. */
template <typename R>
struct LearningSignal {
  enum class Kind { Readout, NodePerturbation };
  Kind kind = Kind::Readout;
  /**
   * Readout: L_t = f'(h_t) * (F^T dy_t) with F = feedback ([nOut][N], the same layout as Wout; a
   * fixed random matrix gives feedback alignment) or, when nullptr, F = Wout (exact e-prop).
   */
  const R* feedback = nullptr;
  /**
   * NodePerturbation (paper 2, eq. 10): L_t = (l_t(h_t + xi) - l_t(h_t)) xi / sigma^2 per trial,
   * xi ~ N(0, sigma^2 I) [N] drawn from a stream seeded with `seed`; l_t is the loss of step t
   * as a function of h_t through the readout only. The probe xi does not enter the dynamics.
   */
  double sigma = 0;
  uint64_t seed = 0;
};

/**
 * The online sweep: runs the model over a batch one step at a time and accumulates
 *   dWh += L_t^T eps_t      (a GEMM with K = B),  eps_t  = alpha eps_{t-1}  + (1 - alpha) f(h_{t-1})  [B][N]
 *   dWx += L_t^T epsx_t,                          epsx_t = alpha epsx_{t-1} + (1 - alpha) x_t       [B][nIn]
 *   db  += epsb_t sum_b L_t,                      epsb_t = alpha epsb_{t-1} + (1 - alpha)
 *   dh0 += alpha^t sum_b L_t                      (the initial state reaches h_t through the leak only)
 *   dWout += dy_t^T f(h_t), dbOut += sum_b dy_t   (exact)
 * with eps_0 = epsx_0 = epsb_0 = 0. Because the leak alpha is the same for every unit, the
 * eligibility trace of Wh[i][j] depends only on j (a presynaptic trace), so memory is O(B N + N^2)
 * whatever T is: no trajectory is stored. With the exact readout this is the gradient of the graph
 * in which the recurrent drive Wh f(h_{t-1}) sees a detached h_{t-1} while the leak path stays.
 *   params   flat parameters (effective weights); x [T][B][nIn]; noise [T][B][N] or nullptr
 *   targets  [T][B][nOut] (mse) or [T][B] (ce); mask [T][B] or nullptr
 *   grads    out: flat gradient (overwritten)
 * Returns the loss (the lossAndGrad definition). Class indices must have been checked.
 * Per step: the shared forward step (stream.hpp), one fused SIMD pass over chunks of units for
 * the readout learning signal (trace, signal, dWout, dWx, db, dh0; node perturbation runs a plain
 * per-trial loop instead) and one GEMM (dWh, K = B).
 *
 * activityL2 (lambda, 0 = off) adds the activity regulariser (regularizer.hpp) to the loss. Its
 * derivative with respect to the rate of step t, 2 lambda/(T B N) f(h_t), is part of the loss of
 * step t: with Readout it joins the learning signal, L_t = f'(h_t) (F^T dy_t + 2 lambda/(TBN)
 * f(h_t)) (the reference's autograd e-prop does exactly this: the regulariser's gradient reaches
 * h_t through its own rate and then only the leak); with NodePerturbation the per-step loss l_t
 * that the probe measures includes lambda/(TBN) sum_i f(h_t,i)^2. The returned loss includes the
 * regulariser; `terms` (optional) receives the task loss and the regulariser separately.
 */
template <typename R>
double onlineGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                      const R* noise, LossKind kind, const R* targets, const R* mask,
                      const LearningSignal<R>& signal, R* grads, double activityL2 = 0,
                      LossTerms* terms = nullptr);

/**
 * The same with the loss normalisers given instead of derived from this batch: scale = 1 / the
 * task loss's normaliser (lossScale of step-loss.hpp) and the regulariser's scale. The split-batch
 * driver runs shares of a batch with the whole batch's normalisers, so that the shares' losses and
 * gradients add up to the batch's.
 */
template <typename R>
double onlineGradient(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                      const R* noise, LossKind kind, const R* targets, const R* mask,
                      const LearningSignal<R>& signal, R* grads, double scale,
                      const ActivityL2& reg, LossTerms* terms);

}  // namespace rnnlab
