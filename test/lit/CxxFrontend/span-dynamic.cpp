// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s
// RUN: %dgc check %s --function H --structure D --grid 8,1.0 | %FileCheck %s --check-prefix=GRID
// A dynamic-extent span needs --grid for its size.

// CHECK: :[[@LINE+4]]:34: error: the size of 'std::span' state 'u' is not known at compile time: give --grid N,LENGTH or use std::span<const double, N>
// GRID: state size: 8 (u: field(x) real[8])
#include <cmath>
#include <span>
double H(std::span<const double> u) {
  double s = 0;
  for (std::size_t i = 0; i < u.size(); ++i)
    s += std::exp(u[i]);
  return s;
}
