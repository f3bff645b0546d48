// RUN: %dgc emit %s --function H --structure S --stage=ir | %FileCheck %s
// Calls to functions with a body are inlined, references and arrays
// included; a reference parameter writes through to the caller.

// CHECK-LABEL: func @energy(%0: real[4] u)
// CHECK: mul
// CHECK-LABEL: func @structure
static double sq(double x) { return x * x; }
void accumulate(double &acc, const double *u, int i) { acc += sq(u[i]); }
double H(const double *u) {
  double acc = 0;
  for (int i = 0; i < 4; ++i)
    accumulate(acc, u, i);
  return acc / 2;
}
