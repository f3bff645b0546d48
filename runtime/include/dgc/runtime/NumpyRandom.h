//===- NumpyRandom.h - NumPy's legacy RandomState stream, bit-exact -*- C++ -*-//
//
// Part of dgc's runtime. The paper's datasets are drawn with NumPy's legacy
// global generator (`np.random.seed`, `rand`, `uniform`, `randn`, `normal`,
// `randint`); this class reproduces that stream bit for bit, so that
// `dgc dataset` draws the same initial states and noise as the authors'
// scripts:
//
//   seed(s)        MT19937 init_genrand with the 32-bit seed (std::mt19937);
//                  also drops the cached Gaussian, as np.random.seed does.
//   randomSample() (a >> 5) * 2^26 + (b >> 6), over 2^53, from two 32-bit
//                  draws a, b (NumPy's random_sample / rand / random).
//   uniform(lo,hi) lo + (hi - lo) * randomSample().
//   gauss()        the legacy polar (Marsaglia) method: x1, x2 = 2 U - 1
//                  until 0 < r2 = x1^2 + x2^2 < 1, f = sqrt(-2 log(r2) / r2);
//                  returns f x2 and keeps f x1 for the next call (randn).
//   normal(m, s)   m + s * gauss().
//   randint(lo,hi) lo + v, v from masked rejection on 32-bit draws
//                  (mask = the smallest 2^k - 1 >= hi - 1 - lo), for
//                  hi - 1 - lo < 2^32 - 1 (NumPy's default int64 path).
//
// Arrays (`rand(2)`, `randn(100)`) are the scalar draws in C order.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>

namespace dgc::rt {

class NumpyRandom {
public:
  explicit NumpyRandom(uint32_t s = 0) { seed(s); }

  /// np.random.seed(s) for 0 <= s < 2^32.
  void seed(uint32_t s) {
    mt_.seed(s);
    hasGauss_ = false;
    gauss_ = 0;
  }

  /// One raw 32-bit MT19937 output.
  uint32_t nextUint32() { return static_cast<uint32_t>(mt_()); }

  /// np.random.random_sample() / rand(): a double in [0, 1) with 53 bits.
  double randomSample() {
    uint32_t a = nextUint32() >> 5, b = nextUint32() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /// np.random.uniform(lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * randomSample();
  }

  /// np.random.randn() / standard_normal(): legacy polar method with the
  /// cached second value.
  double gauss() {
    if (hasGauss_) {
      hasGauss_ = false;
      double t = gauss_;
      gauss_ = 0;
      return t;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * randomSample() - 1.0;
      x2 = 2.0 * randomSample() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = std::sqrt(-2.0 * std::log(r2) / r2);
    gauss_ = f * x1;
    hasGauss_ = true;
    return f * x2;
  }

  /// np.random.normal(loc, scale).
  double normal(double loc, double scale) { return loc + scale * gauss(); }

  /// np.random.randint(lo, hi): an integer in [lo, hi), lo < hi.
  int64_t randint(int64_t lo, int64_t hi) {
    if (!(lo < hi))
      throw std::invalid_argument("randint: need lo < hi");
    uint64_t rng = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) - 1;
    if (rng == 0)
      return lo;
    if (rng >= 0xFFFFFFFFull)
      throw std::invalid_argument("randint: range too large for the 32-bit "
                                  "path");
    uint32_t mask = static_cast<uint32_t>(rng);
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    do
      v = nextUint32() & mask;
    while (v > rng);
    return lo + static_cast<int64_t>(v);
  }

private:
  std::mt19937 mt_;
  bool hasGauss_ = false;
  double gauss_ = 0;
};

} // namespace dgc::rt
