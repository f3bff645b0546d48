// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(const double *u) {
  double s = u[0] * u[1];
  // CHECK: :[[@LINE+1]]:3: error: 'goto' is not supported in an energy function
  goto done;
done:
  return s;
}
