// Lyapunov spectrum of the leaky RNN by the QR ("orthonormal system") method (specs.md 1.2).
//
// Tangent map of step t, evaluated at the state that enters the step:
//   J_t = alpha I + (1 - alpha) Wh diag(f'(h_{t-1}))
// The frame Q (N x k) is stored transposed, Qt [k][N] (row m = Lyapunov vector m), so that
//   (J Q)^T = alpha Qt + (1 - alpha) (Qt diag(f'(h))) Wh^T
// is one row-major NN product with Wh^T (transposed once per call); J is never formed.
//
// Protocol, with A = warmupState, Bq = warmupQ, S = steps, T = A + Bq + S input rows:
//   h <- h0, Q <- Q0 (first k columns of I, or a given Q0, orthonormalised once)
//   A steps:  h <- step(h, x_t)
//   Bq steps: Q <- qr(J_t Q) (log R not accumulated); h <- step(h, x_t)
//   S steps:  Q <- J_t Q; h <- step(h, x_t); QR when n % qrEvery == 0 or n == S: sum_i += log R_ii
//   lambda_i = sum_i / S   (natural log, per step; divide by dt for per unit time)
// R has a positive diagonal (qr.hpp). An exactly zero R_ii (rank-deficient J Q) contributes
// log(smallest normal number) instead of -infinity and is counted in `zeroPivots`.
#pragma once
#include <cstdint>
#include <vector>

#include "model.hpp"
#include "qr.hpp"

namespace rnnlab {

/** What to compute. Every trajectory has total() input rows. */
struct LyapunovSettings {
  int64_t k = 1;            // exponents wanted, 1 <= k <= N
  int64_t warmupState = 0;  // A: state-only steps
  int64_t warmupQ = 0;      // Bq: steps with QR whose log R is not accumulated
  int64_t steps = 1;        // S >= 1: accumulation steps
  int64_t qrEvery = 1;      // QR every this many accumulation steps (and at the last one)
  QrMethod qr = QrMethod::CholeskyQR2;
  int64_t total() const { return warmupState + warmupQ + steps; }
};

/** Counters of one call; the seconds are measured only when timing is requested. */
struct LyapunovStats {
  double stateSeconds = 0;    // state update h <- step(h, x)
  double tangentSeconds = 0;  // J Q products (and f'(h))
  double qrSeconds = 0;       // QR factorisations and log R accumulation
  double totalSeconds = 0;    // whole call
  int64_t qrCalls = 0;        // factorisations done
  int64_t qrFallbacks = 0;    // CholeskyQR2 steps redone with Householder
  int64_t zeroPivots = 0;     // exactly zero R_ii met in the accumulation window
  /** As a flat array, in the order above. */
  static constexpr int kFields = 7;
  template <typename R>
  void write(R* out) const {
    out[0] = R(stateSeconds), out[1] = R(tangentSeconds), out[2] = R(qrSeconds),
    out[3] = R(totalSeconds), out[4] = R(qrCalls), out[5] = R(qrFallbacks), out[6] = R(zeroPivots);
  }
};

/**
 * The first k exponents of each of d.B trajectories.
 *   d          sizes; d.T must equal s.total(), d.B = number of trajectories
 *   params     flat parameters (model.hpp layout); every trajectory starts at h0
 *   x          inputs [T][B][nIn]; row t-1 drives step t
 *   noise      frozen additive state noise [T][B][N], or nullptr
 *   q0         initial frame, transposed [k][N] (orthonormalised here), or nullptr = I[:, :k]
 *   exponents  out [B][k], per step, natural log, in the order of the QR (largest first
 *              once converged)
 *   stats      out counters (may be nullptr); timing = measure the phase times
 */
template <typename R>
void lyapunovSpectrum(const Dims& d, Activation act, R alpha, const R* params, const R* x,
                      const R* noise, const R* q0, const LyapunovSettings& s, R* exponents,
                      LyapunovStats* stats, bool timing);

namespace lyap {

/**
 * The pieces of one step of the leaky RNN that the spectrum and the flossing gradient share.
 * Holds Wh^T (transposed once); everything else is borrowed from the flat parameter array.
 */
template <typename R>
class Dynamics {
 public:
  Dynamics(const Dims& d, Activation act, R alpha, const R* params);

  /** hNext [B][N] = alpha h + (1 - alpha)(Wh f(h) + Wx x + b) + noise; rate: scratch [B][N]. */
  void step(int64_t B, const R* h, const R* x, const R* noise, R* rate, R* hNext) const;
  /** df [n] = f'(h) elementwise. */
  void derivative(int64_t n, const R* h, R* df) const;
  /**
   * Zt [B][k][N] = alpha Ft + (1 - alpha) (Ft diag(df_b)) Wh^T for each trajectory b, with
   * df [B][N]; P [B][k][N] is scratch (its contents afterwards are unspecified).
   */
  void tangent(int64_t B, int64_t k, const R* Ft, const R* df, R* P, R* Zt) const;

  const R* WhT() const { return WhT_; }
  const Weights<R>& weights() const { return w_; }
  Activation activation() const { return act_; }
  R alpha() const { return alpha_; }

 private:
  int64_t N_, nIn_;
  Activation act_;
  R alpha_;
  ParamLayout layout_;
  Weights<R> w_;
  R* WhT_;
  std::vector<R> storage_;
};

/** Fills Ft [k][N] with Q0^T: the first k columns of the identity, or q0 orthonormalised by qr. */
template <typename R>
void initialFrame(int64_t N, int64_t k, const R* q0, ThinQR<R>& qr, R* Rscratch, R* Ft);

/** log of a positive-diagonal R entry; an exact zero gives log(smallest normal) and counts. */
template <typename R>
double safeLog(R v, int64_t* zeroPivots);

}  // namespace lyap

}  // namespace rnnlab
