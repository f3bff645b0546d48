// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

#include <cmath>
double H(const double *u) {
  // CHECK: :[[@LINE+1]]:25: error: 'pow' with a non-integer exponent is not supported (use sqrt, or exp and log)
  return std::pow(u[0], 1.5) + u[1];
}
