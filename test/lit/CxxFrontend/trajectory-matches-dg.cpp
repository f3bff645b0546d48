// The C++ KdV energy, written as loops, simulated with the dg scheme gives
// the same trajectory as examples/kdv.dg to round-off (issue 8).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %dgc simulate %s --function kdv_energy --structure D --grid 50,10 --init %S/../Simulate/Inputs/kdv_two_solitons.npy --dt 0.001 --steps 500 --scheme dg -o %t/cxx.npy
// RUN: %dgc simulate %examples/kdv.dg --init %S/../Simulate/Inputs/kdv_two_solitons.npy --dt 0.001 --steps 500 --scheme dg -o %t/dg.npy
// RUN: %npy_diff %t/dg.npy %t/cxx.npy 1e-11 | FileCheck %s
// CHECK: max relative difference
constexpr int N = 50;
constexpr double alpha = -6.0, beta = 1.0, dx = 10.0 / N;

double kdv_energy(const double *u) {
  double s = 0;
  for (int i = 0; i < N; ++i) {
    double forward = (u[(i + 1) % N] - u[i]) / dx;
    double backward = (u[i] - u[(i + N - 1) % N]) / dx;
    s += -alpha / 6 * u[i] * u[i] * u[i] -
         beta / 2 * (forward * forward + backward * backward) / 2;
  }
  return dx * s;
}
