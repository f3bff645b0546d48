// RUN: %dgc emit %s --function H --structure S --stage=ir | %FileCheck %s
// `if`, `if constexpr` and `?:` on compile-time conditions pick a branch at
// import time; the other branch is never lowered.

// CHECK-LABEL: func @energy
// CHECK-NOT: fn = cos
// CHECK: fn = sin
// CHECK-LABEL: func @structure
#include <cmath>
constexpr bool kUseSin = true;
double H(const double *u) {
  double e = 0;
  for (int i = 0; i < 2; ++i) {
    if constexpr (kUseSin)
      e += std::sin(u[i]);
    else
      e += std::cos(u[i]);
    if (i == 1)
      e += i % 2 == 0 ? 0.0 : u[i + 2] * u[i + 2];
  }
  return e;
}
