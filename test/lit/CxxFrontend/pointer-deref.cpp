// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

double H(const double *u) {
  // CHECK: :[[@LINE+1]]:10: error: pointer dereference is not supported: index the array as u[i]
  return *u * u[1];
}
