// RUN: not %dgc check %s --function H --structure S 2>&1 | FileCheck %s

struct Params { double k; };
constexpr Params params{2.0};
double H(const double *u) {
  // CHECK: :[[@LINE+1]]:10: error: member access is not supported (structs and classes are outside the subset)
  return params.k * u[0] * u[1];
}
