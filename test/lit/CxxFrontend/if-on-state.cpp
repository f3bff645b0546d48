// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s
// Branching on the state (a kink in H) is refused, not smoothed.

double H(const double *u) {
  // CHECK: :[[@LINE+1]]:7: error: 'if' condition depends on the state: dgc supports only compile-time conditions (control flow on the state has no discrete gradient)
  if (u[0] > 0)
    return u[0] * u[1];
  return u[1];
}
