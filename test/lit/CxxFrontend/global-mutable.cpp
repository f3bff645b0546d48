// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s
// A global the simulator may change between calls is refused.

double stiffness = 2.0;
double H(const double *u) {
  // CHECK: :[[@LINE+1]]:10: error: use of global mutable variable 'stiffness': an energy function cannot read mutable global state (make it constexpr or const)
  return stiffness * u[0] * u[0] + u[1] * u[1];
}
