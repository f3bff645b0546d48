// RUN: not %dgc check %s --function H --structure -I --grid 8,1.0 2>&1 | FileCheck %s
// A loop that never ends at import time stops at the step budget with one
// error (found by test/fuzz/fuzz_cxx: the loop's variable is never written).

double H(const double *u) {
  double s = 0;
  unsigned k = 0;
  // CHECK: :[[@LINE+1]]:17: error: the energy runs more than 50000000 steps at import time; dgc unrolls loops, so the state and loops must be of moderate size
  while (k < 8) {
    s += u[0];
  }
  return s;
}
