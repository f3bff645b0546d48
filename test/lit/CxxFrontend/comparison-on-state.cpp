// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(const double *u) {
  // CHECK: :[[@LINE+1]]:19: error: comparison '<' of a value that depends on the state: dgc supports only compile-time conditions (branching on the state has no discrete gradient)
  double below = (u[0] < 1.0);
  return below * u[1];
}
