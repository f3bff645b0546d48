// RUN: %dgc check %s --function H --structure S | %FileCheck %s
// std::array<double, N> fixes the state size; u.size() is a constant.

// CHECK: model H
// CHECK-NEXT: state size: 6 (u: real[6])
// CHECK: laws: conserves energy
// CHECK-NEXT: separable: yes
#include <array>
double H(const std::array<double, 6> &u) {
  double e = 0;
  for (std::size_t i = 0; i < u.size(); ++i)
    e += 0.5 * u[i] * u[i];
  return e;
}
