#include "es.hpp"

#include <algorithm>
#include <vector>

#include "constraints.hpp"
#include "random.hpp"
#include "step-loss.hpp"
#include "stream.hpp"

namespace rnnlab {

namespace {

/**
 * The loss of one forward pass, keeping only the current and previous step ([B][N] each), plus
 * the activity regulariser when reg is on (its value also goes to *regValue when not nullptr).
 */
template <typename F, typename R>
double forwardLoss(const StepWeights<R>& sw, R alpha, const R* x, const R* noise, LossKind kind,
                   const R* targets, const R* mask, double scale, std::vector<R>& Hbuf,
                   std::vector<R>& Rbuf, std::vector<R>& Y, const ActivityL2& reg,
                   double* regValue) {
  const Dims& d = sw.d;
  const int64_t N = d.N, B = d.B, nIn = d.nIn, nOut = d.nOut;
  const int64_t targetStride = kind == LossKind::Mse ? nOut : 1;
  R* Hprev = Hbuf.data();
  R* Hcur = Hbuf.data() + B * N;
  R* Rprev = Rbuf.data();
  R* Rcur = Rbuf.data() + B * N;
  const bool rate0IsZero = initialState<F>(d, sw.w.h0, Hprev, Rprev);
  double loss = 0;
  double regSum = 0;
  for (int64_t t = 1; t <= d.T; ++t) {
    forwardStep<F>(sw, alpha, Hprev, Rprev, t == 1 && rate0IsZero, x + (t - 1) * B * nIn,
                   noise ? noise + (t - 1) * B * N : nullptr, Hcur, Rcur, Y.data());
    loss += stepLoss(kind, B, nOut, Y.data(), targets + (t - 1) * B * targetStride,
                     mask ? mask + (t - 1) * B : nullptr, scale, static_cast<R*>(nullptr));
    if (reg.on()) {
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t k = 0; k < B * N; ++k) s += double(Rcur[k]) * double(Rcur[k]);
      regSum += s;
    }
    std::swap(Hprev, Hcur);
    std::swap(Rprev, Rcur);
  }
  if (regValue) *regValue = reg.scale * regSum;
  return loss + reg.scale * regSum;
}

}  // namespace

template <typename R>
double esGradient(const Dims& d, Activation act, R alpha, const R* params, const R* perturbable,
                  const R* multiplier, bool absolute, const R* x, const R* noise, LossKind kind,
                  const R* targets, const R* mask, const EsSettings& s, R* grads,
                  double activityL2, LossTerms* terms) {
  const int64_t N = d.N, B = d.B, nOut = d.nOut;
  const ParamLayout L(d);
  const int64_t P = L.total;
  const double scale = lossScale(kind, d.T * B, nOut, mask);
  std::vector<R> theta(params, params + P), eff(params, params + P), eps(P);
  std::vector<double> acc(P, 0.0);
  std::vector<R> Hbuf(2 * B * N), Rbuf(2 * B * N), Y(B * nOut);
  NormalStream stream(s.seed);
  const ActivityL2 reg(activityL2, d);
  double reg0 = 0;

  // The forward pass runs on eff: theta with the constraint applied to Wh.
  auto prepare = [&]() {
    if (multiplier)
      constrainWeights(N * N, theta.data() + L.Wh, multiplier, absolute, eff.data() + L.Wh);
    else
      std::copy(theta.begin(), theta.begin() + N * N, eff.begin());
    std::copy(theta.begin() + N * N, theta.end(), eff.begin() + N * N);
  };
  double loss0 = 0;
  withActivation(act, [&](auto A) {
    using F = decltype(A);
    prepare();
    StepWeights<R> sw(d, eff.data());
    auto evaluate = [&](double* regValue) {
      prepare();
      sw.load(eff.data());
      return forwardLoss<F>(sw, alpha, x, noise, kind, targets, mask, scale, Hbuf, Rbuf, Y, reg,
                            regValue);
    };
    loss0 = evaluate(&reg0);
    const int64_t directions = s.antithetic ? s.samples / 2 : s.samples;
    const R sigma = R(s.sigma);
    for (int64_t k = 0; k < directions; ++k) {
      for (int64_t p = 0; p < P; ++p) eps[p] = perturbable[p] != R(0) ? R(stream.normal()) : R(0);
      for (int64_t p = 0; p < P; ++p) theta[p] = params[p] + sigma * eps[p];
      const double lossPlus = evaluate(nullptr);
      double coef;
      if (s.antithetic) {
        for (int64_t p = 0; p < P; ++p) theta[p] = params[p] - sigma * eps[p];
        coef = lossPlus - evaluate(nullptr);
      } else {
        coef = lossPlus - (s.baseline ? loss0 : 0.0);
      }
      for (int64_t p = 0; p < P; ++p) acc[p] += coef * double(eps[p]);
    }
  });
  const double norm = 1.0 / (s.sigma * double(s.samples));
  for (int64_t p = 0; p < P; ++p) grads[p] = R(acc[p] * norm);
  if (terms) {
    terms->task = loss0 - reg0;
    terms->activityL2 = reg0;
  }
  return loss0;
}

template double esGradient<float>(const Dims&, Activation, float, const float*, const float*,
                                  const float*, bool, const float*, const float*, LossKind,
                                  const float*, const float*, const EsSettings&, float*, double,
                                  LossTerms*);
template double esGradient<double>(const Dims&, Activation, double, const double*, const double*,
                                   const double*, bool, const double*, const double*, LossKind,
                                   const double*, const double*, const EsSettings&, double*,
                                   double, LossTerms*);

}  // namespace rnnlab
