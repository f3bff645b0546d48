// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s
// A call to a function without a visible body cannot be differentiated.

double external_potential(double q);
double H(const double *u) {
  // CHECK: :[[@LINE+1]]:24: error: call to 'external_potential', which has no body that dgc can see (dgc inlines calls, and knows tanh, exp, log, sin, cos, sqrt, fabs/abs, cosh, sinh, tan, expm1, log1p, exp2, log2, log10, hypot and pow(x, k) with k an integer or a half-integer)
  return u[1] * u[1] + external_potential(u[0]);
}
