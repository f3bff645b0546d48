// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(const double *u) {
  double s = 0;
  // CHECK: :[[@LINE+1]]:3: error: 'switch' is not supported; use 'if' with a compile-time condition
  switch (2) {
  default:
    s = u[0] * u[1];
  }
  return s;
}
