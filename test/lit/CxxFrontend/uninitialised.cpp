// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(const double *u) {
  double s;
  // CHECK: :[[@LINE+1]]:10: error: 's' is read before it is assigned
  return s + u[0] * u[1];
}
