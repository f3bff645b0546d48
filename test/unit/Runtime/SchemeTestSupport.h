//===- SchemeTestSupport.h - Initial states for the scheme tests -*- C++ -*-===//
//
// Part of dgc's tests. The initial states the runtime tests share: the KdV
// two-soliton state of the issue (k1 = 1, k2 = 1.5, c1 = 2.5, c2 = 6 on
// x_k = 0.2 k) and a smooth random state for the phase-field models; the
// message of an expected exception.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace dgc::rt::test {

/// u0 = 2 k1^2 sech^2(k1 (x - c1)) + 2 k2^2 sech^2(k2 (x - c2)).
inline std::vector<double> kdvTwoSolitons(int64_t n = 50, double dx = 0.2) {
  auto sech2 = [](double z) { return 1.0 / (std::cosh(z) * std::cosh(z)); };
  std::vector<double> u(n);
  for (int64_t k = 0; k < n; ++k) {
    double x = dx * double(k);
    u[k] = 2 * sech2(x - 2.5) + 2 * 2.25 * sech2(1.5 * (x - 6.0));
  }
  return u;
}

/// A smooth random periodic state on n points (per side, `dims` sides):
/// the sum of the lowest Fourier modes with seeded random amplitudes.
inline std::vector<double> smoothRandom(int64_t n, int dims, unsigned seed,
                                        double amplitude) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double twoPi = 2 * std::acos(-1.0);
  std::vector<double> u(dims == 1 ? n : n * n, 0.0);
  for (int kx = 0; kx <= 3; ++kx)
    for (int ky = 0; ky <= (dims == 1 ? 0 : 3); ++ky) {
      if (kx == 0 && ky == 0)
        continue;
      double a = amplitude * normal(rng), phx = twoPi * normal(rng),
             phy = twoPi * normal(rng);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < (dims == 1 ? 1 : n); ++j)
          u[i * (dims == 1 ? 1 : n) + j] +=
              a * std::cos(twoPi * kx * double(i) / double(n) + phx) *
              std::cos(twoPi * ky * double(j) / double(n) + phy);
    }
  return u;
}

/// The message of the exception `f` throws ("" when it throws none).
inline std::string messageOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

} // namespace dgc::rt::test
