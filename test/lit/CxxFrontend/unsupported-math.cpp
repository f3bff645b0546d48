// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

#include <cmath>
double H(const double *u) {
  // CHECK: :[[@LINE+1]]:10: error: call to 'cosh' is not supported: dgc knows tanh, exp, log, sin, cos, sqrt, pow(x, integer) and fabs/abs
  return std::cosh(u[0]) + u[1];
}
