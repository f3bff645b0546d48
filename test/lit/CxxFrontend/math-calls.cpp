// RUN: %dgc emit %s --function H --structure=-I --stage=ir | %FileCheck %s
// The math functions map to element-wise ops; pow with an integer exponent
// is square or powi, a negative one its reciprocal.

// CHECK-LABEL: func @energy
// CHECK-DAG: fn = tanh
// CHECK-DAG: fn = exp
// CHECK-DAG: fn = log
// CHECK-DAG: fn = sin
// CHECK-DAG: fn = cos
// CHECK-DAG: fn = sqrt
// CHECK-DAG: fn = square
// CHECK-DAG: {fn = powi, order = 0, k = 5}
// CHECK-DAG: fn = recip
// CHECK-DAG: fn = abs
// CHECK-LABEL: func @structure
#include <cmath>
double H(const double *u) {
  return std::tanh(u[0]) + std::exp(u[1]) + std::log(1 + u[2] * u[2]) +
         std::sin(u[3]) + std::cos(u[4]) + std::sqrt(1 + u[5] * u[5]) +
         std::pow(u[6], 2) + std::pow(u[7], 5) + std::pow(2 + u[8] * u[8], -1) +
         std::fabs(u[9]) + std::pow(2.0, 3);
}
