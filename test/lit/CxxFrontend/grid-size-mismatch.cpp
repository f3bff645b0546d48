// RUN: not %dgc check %s --function H --structure D --grid 8,1.0 2>&1 | FileCheck %s
#include <array>
// CHECK: :[[@LINE+1]]:39: error: the state 'u' has 4 elements but --grid gives 8 points
double H(const std::array<double, 4> &u) { return u[0] * u[1]; }
