// A small seeded normal generator for kernels that draw many perturbations (node perturbation,
// evolution strategies): xoshiro256** seeded through splitmix64, and the ziggurat method of
// Marsaglia & Tsang (2000, J. Stat. Softw. 5(8)) with 128 layers for the normal distribution
// (about 98% of draws cost one random word, a compare and a multiply). The seed always comes from
// the caller's Rng (TS), so runs stay reproducible.
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
    const Tables& tb = tables();
    const int32_t hz = int32_t(uint32_t(next() >> 32));
    const uint32_t iz = uint32_t(hz) & 127u;
    if (magnitude(hz) < tb.k[iz]) return double(hz) * tb.w[iz];
    return slowPath(hz, iz);
  }

 private:
  // Layer tables: layer i has right edge x_i; k[i] = 2^31 x_{i-1} / x_i (the fraction of the
  // layer inside the region under the curve), w[i] = x_i / 2^31, f[i] = exp(-x_i^2 / 2).
  struct Tables {
    uint32_t k[128];
    double w[128], f[128];
    Tables() {
      const double m = 2147483648.0;
      double dn = kR, tn = dn;
      const double q = kV / std::exp(-0.5 * dn * dn);
      k[0] = uint32_t(dn / q * m);
      k[1] = 0;
      w[0] = q / m;
      w[127] = dn / m;
      f[0] = 1.0;
      f[127] = std::exp(-0.5 * dn * dn);
      for (int i = 126; i >= 1; --i) {
        dn = std::sqrt(-2.0 * std::log(kV / dn + std::exp(-0.5 * dn * dn)));
        k[i + 1] = uint32_t(dn / tn * m);
        tn = dn;
        f[i] = std::exp(-0.5 * dn * dn);
        w[i] = dn / m;
      }
    }
  };
  static constexpr double kR = 3.442619855899;          // start of the tail
  static constexpr double kV = 9.91256303526217e-3;     // area of each layer
  static const Tables& tables() {
    static const Tables t;
    return t;
  }
  static uint32_t magnitude(int32_t v) { return v < 0 ? 0u - uint32_t(v) : uint32_t(v); }

  double slowPath(int32_t hz, uint32_t iz) {
    const Tables& tb = tables();
    for (;;) {
      double x = double(hz) * tb.w[iz];
      if (iz == 0) {  // the tail beyond kR (Marsaglia's exponential method)
        double y;
        do {
          x = -std::log(uniform()) / kR;
          y = -std::log(uniform());
        } while (y + y < x * x);
        return hz > 0 ? kR + x : -kR - x;
      }
      if (tb.f[iz] + uniform() * (tb.f[iz - 1] - tb.f[iz]) < std::exp(-0.5 * x * x)) return x;
      hz = int32_t(uint32_t(next() >> 32));
      iz = uint32_t(hz) & 127u;
      if (magnitude(hz) < tb.k[iz]) return double(hz) * tb.w[iz];
    }
  }

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
};

}  // namespace rnnlab
