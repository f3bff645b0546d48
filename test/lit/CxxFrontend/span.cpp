// RUN: %dgc check %s --function H --structure S | %FileCheck %s
// std::span<const double, N> (static extent) fixes the state size.

// CHECK: state size: 4 (u: real[4])
#include <span>
double H(std::span<const double, 4> u) { return u[0] * u[2] + u[1] * u[3]; }
