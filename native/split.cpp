#include "split.hpp"

#include <algorithm>
#include <atomic>
#include <vector>

#include "eprop.hpp"
#include "forward.hpp"
#include "step-loss.hpp"
#include "threadpool.hpp"

namespace rnnlab {

namespace {

/** Where part p's buffers live inside the scratch array. */
template <typename R>
struct PartBuffers {
  int64_t b0, Bp;
  R *x, *targets, *mask, *noise, *grads;
  R *H, *Rate, *Y, *dY;  // Bptt only
};

bool storesTrajectory(int ruleKind) { return ruleKind == 0; }

int64_t partLength(const Dims& d, int ruleKind, LossKind kind, bool hasNoise, int64_t Bp) {
  const int64_t T = d.T, tb = T * Bp;
  const int64_t targets = kind == LossKind::Ce ? tb : tb * d.nOut;
  int64_t n = tb * d.nIn + targets + tb + (hasNoise ? tb * d.N : 0) + ParamLayout(d).total;
  if (storesTrajectory(ruleKind)) n += 2 * (T + 1) * Bp * d.N + 2 * tb * d.nOut;
  return n;
}

template <typename R>
PartBuffers<R> carve(const Dims& d, int ruleKind, LossKind kind, bool hasNoise, int64_t parts,
                     int64_t p, R* scratch) {
  PartBuffers<R> b{};
  R* at = scratch;
  for (int64_t q = 0; q < p; ++q) {
    int64_t begin, count;
    splitRange(d.B, parts, q, &begin, &count);
    at += partLength(d, ruleKind, kind, hasNoise, count);
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
  b.grads = take(ParamLayout(d).total);
  if (storesTrajectory(ruleKind)) {
    b.H = take((T + 1) * b.Bp * d.N);
    b.Rate = take((T + 1) * b.Bp * d.N);
    b.Y = take(tb * d.nOut);
    b.dY = take(tb * d.nOut);
  }
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
  double task = 0, activityL2 = 0;
};

/** One call's job: the shares are claimed from `next` by every thread that runs work(). */
template <typename R>
struct Job {
  const Dims* d;
  Activation act;
  R alpha;
  LossKind kind;
  const SplitRule<R>* rule;
  const R *params, *x, *targets, *mask, *noise;
  R* scratch;
  int64_t parts;
  double scale;
  ActivityL2 reg;
  std::vector<PartResult>* results;
  std::atomic<int64_t> next{0};

  void runPart(int64_t p) {
    const Dims& full = *d;
    const int ruleKind = int(rule->kind);
    const PartBuffers<R> b = carve(full, ruleKind, kind, noise != nullptr, parts, p, scratch);
    PartResult& r = (*results)[p];
    Dims dp = full;
    dp.B = b.Bp;
    const int64_t T = full.T, B = full.B, tStride = kind == LossKind::Ce ? 1 : full.nOut;
    gatherTrials(x, T, B, full.nIn, b.b0, b.Bp, b.x);
    gatherTrials(targets, T, B, tStride, b.b0, b.Bp, b.targets);
    const R* maskP = nullptr;
    if (mask) {
      gatherTrials(mask, T, B, 1, b.b0, b.Bp, b.mask);
      maskP = b.mask;
    }
    if (noise) gatherTrials(noise, T, B, full.N, b.b0, b.Bp, b.noise);
    if (rule->kind == SplitRule<R>::Kind::Eprop) {
      LearningSignal<R> signal;
      signal.feedback = rule->feedback;
      LossTerms t;
      onlineGradient<R>(dp, act, alpha, params, b.x, b.noise, kind, b.targets, maskP, signal,
                        b.grads, scale, reg, &t);
      r.task = t.task;
      r.activityL2 = t.activityL2;
      return;
    }
    rnnForward<R>(dp, act, alpha, params, b.x, b.noise, b.H, b.Rate, b.Y);
    const int64_t nOut = full.nOut, rowsPerStep = b.Bp;
    for (int64_t t = 0; t < T; ++t) {
      r.task += stepLoss(kind, rowsPerStep, nOut, b.Y + t * rowsPerStep * nOut,
                         b.targets + t * rowsPerStep * tStride, maskP ? maskP + t * rowsPerStep : nullptr,
                         scale, b.dY + t * rowsPerStep * nOut);
    }
    if (reg.on()) {
      double s = 0;
      const R* rates = b.Rate + b.Bp * full.N;  // f(h_t), t >= 1
      for (int64_t k = 0; k < T * b.Bp * full.N; ++k) s += double(rates[k]) * double(rates[k]);
      r.activityL2 = reg.scale * s;
    }
    bpttBackward<R>(dp, act, alpha, params, b.x, b.H, b.Rate, b.dY, b.grads, rule->variant, reg);
  }

  static void work(void* self) {
    Job& job = *static_cast<Job*>(self);
    for (int64_t p = job.next.fetch_add(1); p < job.parts; p = job.next.fetch_add(1)) job.runPart(p);
  }
};

}  // namespace

int64_t splitScratchLength(const Dims& d, int ruleKind, LossKind kind, bool hasNoise, int64_t threads) {
  const int64_t parts = splitParts(d.B, threads);
  int64_t total = 0;
  for (int64_t p = 0; p < parts; ++p) {
    int64_t begin, count;
    splitRange(d.B, parts, p, &begin, &count);
    total += partLength(d, ruleKind, kind, hasNoise, count);
  }
  return total;
}

template <typename R>
void gradientSplit(const Dims& d, Activation act, R alpha, LossKind kind, const SplitRule<R>& rule,
                   const R* params, const R* x, const R* targets, const R* mask, const R* noise,
                   R* grads, int64_t threads, R* scratch, double* loss, LossTerms* terms) {
  const int64_t parts = splitParts(d.B, threads);
  threads = std::max<int64_t>(1, std::min(threads, parts));
  const ParamLayout L(d);
  std::vector<PartResult> results(parts);

  Job<R> job;
  job.d = &d;
  job.act = act;
  job.alpha = alpha;
  job.kind = kind;
  job.rule = &rule;
  job.params = params;
  job.x = x;
  job.targets = targets;
  job.mask = mask;
  job.noise = noise;
  job.scratch = scratch;
  job.parts = parts;
  job.scale = lossScale(kind, d.T * d.B, d.nOut, mask);
  job.reg = ActivityL2(rule.activityL2, d);  // the whole batch's T B N
  job.results = &results;
  parallelRun(int(threads), &Job<R>::work, &job);

  double task = 0, reg = 0;
  std::fill(grads, grads + L.total, R(0));
  for (int64_t p = 0; p < parts; ++p) {
    task += results[p].task;
    reg += results[p].activityL2;
    const PartBuffers<R> b = carve(d, int(rule.kind), kind, noise != nullptr, parts, p, scratch);
    for (int64_t k = 0; k < L.total; ++k) grads[k] += b.grads[k];
  }
  *loss = task + reg;
  if (terms) {
    terms->task = task;
    terms->activityL2 = reg;
  }
}

#define RNNLAB_SPLIT_INSTANCES(R)                                                                 \
  template void gradientSplit<R>(const Dims&, Activation, R, LossKind, const SplitRule<R>&,       \
                                 const R*, const R*, const R*, const R*, const R*, R*, int64_t,   \
                                 R*, double*, LossTerms*);
RNNLAB_SPLIT_INSTANCES(float)
RNNLAB_SPLIT_INSTANCES(double)
#undef RNNLAB_SPLIT_INSTANCES

}  // namespace rnnlab
