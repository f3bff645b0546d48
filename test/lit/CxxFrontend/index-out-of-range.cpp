// RUN: not %dgc check %s --function H --structure D --grid 4,1.0 2>&1 | FileCheck %s
// (i - 1) % N is -1 at i = 0 in C++: an out-of-range read, not a wrap.

double H(const double *u) {
  double s = 0;
  for (int i = 0; i < 4; ++i)
    // CHECK: :[[@LINE+1]]:19: error: index -1 is out of range for 'u' (size 4)
    s += u[i] * u[(i - 1) % 4];
  return s;
}
