// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s
// A loop whose bound depends on the state is refused.

double H(const double *u) {
  double s = 0;
  // CHECK: :[[@LINE+1]]:19: error: loop condition depends on the state: dgc supports only compile-time conditions (control flow on the state has no discrete gradient)
  for (int i = 0; i < u[0]; ++i)
    s += u[1];
  return s;
}
