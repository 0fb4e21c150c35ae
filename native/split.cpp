#include "split.hpp"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

#include "bptt.hpp"
#include "forward.hpp"

namespace rnnlab {

namespace {

/** Where part p's buffers live inside the scratch array. */
template <typename R>
struct PartBuffers {
  int64_t b0, Bp;
  R *x, *targets, *mask, *noise, *H, *Rate, *Y, *dY, *grads;
};

int64_t partLength(const Dims& d, LossKind kind, bool hasNoise, int64_t Bp) {
  const int64_t T = d.T, tb = T * Bp;
  const int64_t targets = kind == LossKind::Ce ? tb : tb * d.nOut;
  return tb * d.nIn + targets + tb + (hasNoise ? tb * d.N : 0) + 2 * (T + 1) * Bp * d.N +
         2 * tb * d.nOut + ParamLayout(d).total;
}

template <typename R>
PartBuffers<R> carve(const Dims& d, LossKind kind, bool hasNoise, int64_t parts, int64_t p,
                     R* scratch) {
  PartBuffers<R> b{};
  R* at = scratch;
  for (int64_t q = 0; q < p; ++q) {
    int64_t begin, count;
    splitRange(d.B, parts, q, &begin, &count);
    at += partLength(d, kind, hasNoise, count);
  }
  splitRange(d.B, parts, p, &b.b0, &b.Bp);
  const int64_t T = d.T, tb = T * b.Bp;
  auto take = [&](int64_t n) {
    R* here = at;
    at += n;
    return here;
  };
  b.x = take(tb * d.nIn);
  b.targets = take(kind == LossKind::Ce ? tb : tb * d.nOut);
  b.mask = take(tb);
  b.noise = hasNoise ? take(tb * d.N) : nullptr;
  b.H = take((T + 1) * b.Bp * d.N);
  b.Rate = take((T + 1) * b.Bp * d.N);
  b.Y = take(tb * d.nOut);
  b.dY = take(tb * d.nOut);
  b.grads = take(ParamLayout(d).total);
  return b;
}

/** Copies the rows of trials [b0, b0 + Bp) of a time-major [T][B][width] array. */
template <typename R>
void gatherTrials(const R* src, int64_t T, int64_t B, int64_t width, int64_t b0, int64_t Bp,
                  R* dst) {
  for (int64_t t = 0; t < T; ++t)
    std::copy(src + (t * B + b0) * width, src + (t * B + b0 + Bp) * width, dst + t * Bp * width);
}

struct PartResult {
  bool ok = true;
  double loss = 0, maskSum = 0;
  int64_t badIndex = -1;
};

}  // namespace

int64_t splitScratchLength(const Dims& d, LossKind kind, bool hasNoise, int64_t threads) {
  const int64_t parts = splitParts(d.B, threads);
  int64_t total = 0;
  for (int64_t p = 0; p < parts; ++p) {
    int64_t begin, count;
    splitRange(d.B, parts, p, &begin, &count);
    total += partLength(d, kind, hasNoise, count);
  }
  return total;
}

template <typename R>
bool bpttGradientSplit(const Dims& d, Activation act, R alpha, LossKind kind, const R* params,
                       const R* x, const R* targets, const R* mask, const R* noise, R* grads,
                       int64_t threads, R* scratch, double* loss, int64_t* badIndex) {
  const int64_t parts = splitParts(d.B, threads);
  threads = std::max<int64_t>(1, std::min(threads, parts));
  const ParamLayout L(d);
  const int64_t T = d.T, B = d.B;
  std::vector<PartResult> results(parts);

  auto runPart = [&](int64_t p) {
    const PartBuffers<R> b = carve(d, kind, noise != nullptr, parts, p, scratch);
    PartResult& r = results[p];
    Dims dp = d;
    dp.B = b.Bp;
    gatherTrials(x, T, B, d.nIn, b.b0, b.Bp, b.x);
    gatherTrials(targets, T, B, kind == LossKind::Ce ? 1 : d.nOut, b.b0, b.Bp, b.targets);
    if (mask)
      gatherTrials(mask, T, B, 1, b.b0, b.Bp, b.mask);
    else
      std::fill(b.mask, b.mask + T * b.Bp, R(1));
    if (noise) gatherTrials(noise, T, B, d.N, b.b0, b.Bp, b.noise);
    for (int64_t k = 0; k < T * b.Bp; ++k) r.maskSum += double(b.mask[k]);
    rnnForward<R>(dp, act, alpha, params, b.x, b.noise, b.H, b.Rate, b.Y);
    int64_t bad = -1;
    if (!lossAndGrad<R>(kind, T, b.Bp, d.nOut, b.Y, b.targets, b.mask, b.dY, &r.loss, &bad)) {
      r.ok = false;
      // Flat index in the whole batch: row (t, b0 + b) of the part's row t * Bp + b.
      r.badIndex = (bad / b.Bp) * B + b.b0 + bad % b.Bp;
      return;
    }
    bpttBackward<R>(dp, act, alpha, params, b.x, b.H, b.Rate, b.dY, b.grads);
  };

  std::atomic<int64_t> next{0};
  auto work = [&]() {
    for (int64_t p = next.fetch_add(1); p < parts; p = next.fetch_add(1)) runPart(p);
  };
  std::vector<std::thread> pool;
  for (int64_t k = 1; k < threads; ++k) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads: the ones running take all the shares
    }
  }
  work();
  for (std::thread& th : pool) th.join();

  double maskTotal = 0, lossTotal = 0;
  for (const PartResult& r : results) {
    if (!r.ok) {
      *badIndex = r.badIndex;
      return false;
    }
    maskTotal += r.maskSum;
    lossTotal += r.maskSum * r.loss;
  }
  std::fill(grads, grads + L.total, R(0));
  if (maskTotal == 0) {
    *loss = 0;
    return true;
  }
  *loss = lossTotal / maskTotal;
  for (int64_t p = 0; p < parts; ++p) {
    const PartBuffers<R> b = carve(d, kind, noise != nullptr, parts, p, scratch);
    const R weight = R(results[p].maskSum / maskTotal);
    for (int64_t k = 0; k < L.total; ++k) grads[k] += weight * b.grads[k];
  }
  return true;
}

template bool bpttGradientSplit<float>(const Dims&, Activation, float, LossKind, const float*,
                                       const float*, const float*, const float*, const float*,
                                       float*, int64_t, float*, double*, int64_t*);
template bool bpttGradientSplit<double>(const Dims&, Activation, double, LossKind, const double*,
                                        const double*, const double*, const double*,
                                        const double*, double*, int64_t, double*, double*,
                                        int64_t*);

}  // namespace rnnlab
