// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(const double *u) {
  // CHECK: :[[@LINE+1]]:14: error: static local variable 'calls' is mutable global state, which an energy function cannot have
  static int calls = 0;
  return u[0] * u[1];
}
