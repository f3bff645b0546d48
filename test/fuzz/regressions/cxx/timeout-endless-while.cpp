// RUN: %dgc check %s --function H --structure D --grid 8,1.0 | %FileCheck %s
// Local arrays and std::array, compound assignment, while/do loops,
// range-based for, break and continue.

// CHECK: model H
// CHECK-NEXT: state size: 8
#include <array>
constexpr std::size_t N = 8;
double H(const double *u) {
  double d[N] = {};
  std::array<double, N> w{};
  for (std::size_t i = 0; i < N; ++i) {
    d[i] = u[(i + 1) % N] - u[i];
    w[i] = d[i];
    w[i] *= 0.5;
    w[i] -= 0.25 * d[i];
  }
  double s = 0;
  for (double x : w)
    s += x * x;
  std::size_t k = 0;
  while (k < N) {
 2; } while (false);
  for (int i = 0;; ++i)
    if (i > 3) break;
  return s;
}
