// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

// CHECK: :[[@LINE+1]]:8: error: the energy function must take the state as its only parameter (it has 2)
double H(const double *u, double k) { return k * u[0] * u[1]; }
