// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s
// Recursion on the state never ends at import time.

double f(double x) { return f(x * 0.5); }
double H(const double *u) { return f(u[0]) + u[1]; }
// CHECK: error: calls nest deeper than 64 (recursion is not supported)
// CHECK: note: inlined into the energy from here
