// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

#include <cmath>
double H(const double *u) {
  // CHECK: :[[@LINE+1]]:25: error: 'pow' with the exponent 1.3 is not supported: the exponent must be an integer or a half-integer of magnitude <= 64 (use exp and log for others)
  return std::pow(u[0], 1.3) + u[1];
}
