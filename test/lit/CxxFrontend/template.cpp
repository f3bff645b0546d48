// RUN: %dgc check %s --function sim::H --structure D2 --grid 16,1.0 | %FileCheck %s
// RUN: not %dgc check %s --function sim::H --structure D2 2>&1 | FileCheck %s --check-prefix=NOGRID
// A function template over the size is instantiated at --grid's N.

// CHECK: model H
// CHECK-NEXT: state size: 16 (u: field(x) real[16])
// CHECK: laws: dissipates energy, conserves mass
// NOGRID: :[[@LINE+2]]:25: error: function template 'H' has no instantiation: give --grid N,LENGTH or instantiate it in the file
namespace sim {
template <int N> double H(const double *u) {
  double s = 0;
  for (int i = 0; i < N; ++i)
    s += u[i] * u[i] * u[i] * u[i];
  return s / N;
}
} // namespace sim
