// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(const double *u) {
  // CHECK: :[[@LINE+1]]:12: error: pointer arithmetic is not supported: index the array as u[i]
  return *(u + 1) * u[0];
}
