// A small seeded normal generator for kernels that draw many perturbations (node perturbation,
// evolution strategies): xoshiro256** seeded through splitmix64, Box-Muller in double precision.
// The seed always comes from the caller's Rng (TS), so runs stay reproducible.
#pragma once
#include <cmath>
#include <cstdint>

namespace rnnlab {

class NormalStream {
 public:
  explicit NormalStream(uint64_t seed) {
    uint64_t z = seed;
    for (auto& word : s_) word = splitmix64(z);
  }

  /** Uniform in (0, 1) with 53 random bits (never 0). */
  double uniform() {
    for (;;) {
      const double u = double(next() >> 11) * (1.0 / 9007199254740992.0);
      if (u > 0) return u;
    }
  }

  /** A standard normal sample. */
  double normal() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 6.283185307179586 * uniform();
    spare_ = radius * std::sin(angle);
    hasSpare_ = true;
    return radius * std::cos(angle);
  }

 private:
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  uint64_t s_[4];
  double spare_ = 0;
  bool hasSpare_ = false;
};

}  // namespace rnnlab
