#include "threadpool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace rnnlab {

namespace {

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

/**
 * The pool. A job is published by making `generation` odd (open) and closed by making it even
 * again; a helper runs the job of the odd generation it saw only if, after announcing itself in
 * `inside`, the generation has not moved on. The caller closes the job and then waits for
 * `inside` to drop to 0, so no helper touches a job after its caller returned (both sides use
 * sequentially consistent operations on `generation` and `inside`).
 */
struct Pool {
  std::mutex callerLock;  // one caller at a time
  std::mutex sleepLock;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> inside{0};
  std::atomic<int> offered{0};  // helpers with index < offered take part in the current job
  void (*work)(void*) = nullptr;
  void* context = nullptr;
  std::vector<std::thread> helpers;  // touched by the caller holding callerLock only
};

/** Never destroyed: helpers are blocked on its members when static destructors run. */
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

void helperLoop(Pool* p, int index, uint64_t seen) {
  for (;;) {
    // Wait for a new open job: spin for kSpinMicros, then sleep until the generation moves.
    uint64_t g = p->generation.load();
    const auto start = std::chrono::steady_clock::now();
    for (int spins = 1; g == seen || g % 2 == 0; ++spins) {
      if (g != seen) seen = g;  // a job opened and closed while this helper was away
      cpuRelax();
      if (spins % 64 == 0 &&
          std::chrono::steady_clock::now() - start > std::chrono::microseconds(kSpinMicros)) {
        std::unique_lock<std::mutex> lock(p->sleepLock);
        const uint64_t last = seen;
        p->wake.wait(lock, [&] { return p->generation.load() != last; });
      }
      g = p->generation.load();
    }
    seen = g;
    if (index >= p->offered.load()) continue;
    p->inside.fetch_add(1);
    if (p->generation.load() == g) p->work(p->context);
    p->inside.fetch_sub(1);
  }
}

}  // namespace

int parallelRun(int threads, void (*work)(void* context), void* context) {
  if (threads <= 1) {
    work(context);
    return 0;
  }
  Pool& p = pool();
  std::unique_lock<std::mutex> caller(p.callerLock, std::try_to_lock);
  if (!caller.owns_lock()) {
    work(context);
    return 0;
  }
  const int wanted = std::min(threads - 1, 255);
  while (int(p.helpers.size()) < wanted) {
    try {
      p.helpers.emplace_back(helperLoop, &p, int(p.helpers.size()), p.generation.load());
      p.helpers.back().detach();
    } catch (const std::system_error&) {
      break;  // no more threads: the job runs on those there are
    }
  }
  const int offered = std::min<int>(wanted, int(p.helpers.size()));
  p.work = work;
  p.context = context;
  p.offered.store(offered);
  p.generation.fetch_add(1);  // odd: open
  {
    std::lock_guard<std::mutex> lock(p.sleepLock);
  }
  p.wake.notify_all();
  work(context);
  p.generation.fetch_add(1);  // even: closed; late helpers see it and leave the job alone
  for (int spins = 1; p.inside.load() != 0; ++spins) {
    if (spins < 4096)
      cpuRelax();
    else
      std::this_thread::yield();
  }
  return offered;
}

}  // namespace rnnlab
