// RUN: %dgc emit %s --function H --structure D --grid 4,2.0 --stage=ir | %FileCheck %s
// A loop with a constexpr bound and periodic index arithmetic is unrolled:
// u[(i + 1) % N] wraps to u[0] at the last point; the field gets the grid.

// CHECK: model H kind = energy, state_size = 4
// CHECK: grid x = periodic(4, 2) dx = 0.5
// CHECK: laws: conserves energy, conserves mass
// CHECK-LABEL: func @energy(%0: real[4] u) -> (%{{[0-9]+}} H)
// CHECK-DAG: slice %0 {ints = [0, 1]} : real[1]
// CHECK-DAG: slice %0 {ints = [3, 4]} : real[1]
// CHECK-NOT: slice %0 {ints = [4, 5]}
// CHECK-LABEL: func @structure
constexpr int N = 4;
double H(const double *u) {
  double s = 0;
  for (int i = 0; i < N; ++i)
    s += u[i] * u[(i + 1) % N];
  return s;
}
