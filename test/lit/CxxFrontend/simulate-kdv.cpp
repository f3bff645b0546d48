// RUN: %dgc simulate %s --function kdv_energy --structure D --grid 50,10 --init %S/Inputs/kdv_u0.npy --dt 0.001 --steps 5000 --scheme dg -o %t.npy 2>&1 | FileCheck %s
// The C++ KdV energy, simulated with the discrete-gradient scheme, conserves
// energy (and mass) to round-off over 5000 steps: drift below 1e-10.
// Inputs/kdv_u0.npy: u0 = 0.5 cos(2 pi x / L) + 0.2 sin(4 pi x / L), 50 points.

// CHECK: scheme=dg steps=5000
// CHECK-SAME: energy_drift={{[0-9.]+}}e-{{(1[1-9]|[2-9][0-9])}}
// CHECK-SAME: mass_drift={{[0-9.]+}}e-{{(1[1-9]|[2-9][0-9])}}
#include <cmath>
constexpr int N = 50;
constexpr double alpha = -6.0, beta = 1.0, L = 10.0, dx = L / N;

double kdv_energy(const double *u) {
  double s = 0;
  for (int i = 0; i < N; ++i) {
    double up = u[(i + 1) % N], um = u[(i + N - 1) % N];
    double df = (up - u[i]) / dx, db = (u[i] - um) / dx;
    s += -alpha / 6 * u[i] * u[i] * u[i] - beta / 2 * (df * df + db * db) / 2;
  }
  return dx * s;
}
