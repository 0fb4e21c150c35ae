#include "forward.hpp"

#include "stream.hpp"

namespace rnnlab {

template <typename R>
void rnnForward(const Dims& d, Activation act, R alpha, const R* params, const R* x, const R* noise,
                R* H, R* Rate, R* Y) {
  const int64_t N = d.N, nIn = d.nIn, nOut = d.nOut, T = d.T, B = d.B;
  const StepWeights<R> sw(d, params);
  withActivation(act, [&](auto A) {
    using F = decltype(A);
    const bool rate0IsZero = initialState<F>(d, sw.w.h0, H, Rate);
    for (int64_t t = 1; t <= T; ++t) {
      forwardStep<F>(sw, alpha, H + (t - 1) * B * N, Rate + (t - 1) * B * N, t == 1 && rate0IsZero,
                     x + (t - 1) * B * nIn, noise ? noise + (t - 1) * B * N : nullptr, H + t * B * N,
                     Rate + t * B * N, Y + (t - 1) * B * nOut);
    }
  });
}

template void rnnForward<float>(const Dims&, Activation, float, const float*, const float*,
                                const float*, float*, float*, float*);
template void rnnForward<double>(const Dims&, Activation, double, const double*, const double*,
                                 const double*, double*, double*, double*);

}  // namespace rnnlab
