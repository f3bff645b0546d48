// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

#include <cmath>
double H(const double *u) {
  // CHECK: :[[@LINE+1]]:10: error: call to 'atan' is not supported: dgc knows tanh, exp, log, sin, cos, sqrt, fabs/abs, cosh, sinh, tan, expm1, log1p, exp2, log2, log10, hypot and pow(x, k) with k an integer or a half-integer
  return std::atan(u[0]) + u[1];
}
