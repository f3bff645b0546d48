// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(double *u) {
  // CHECK: :[[@LINE+1]]:3: error: the state 'u' is read-only
  u[0] = 1;
  return u[0] * u[1];
}
