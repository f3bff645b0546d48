//===- energy_demo.cpp - The generated KdV energy on two solitons ---------===//
//
// Part of dgc's examples. Includes the header that `dgc_add_model` generated
// from kdv.dg and evaluates H and |grad H| on the paper's two-soliton initial
// condition u0(x) = 2 k1^2 sech^2(k1 (x - c1)) + 2 k2^2 sech^2(k2 (x - c2)),
// here with k1 = 1, k2 = 1.5, c1 = 2.5, c2 = 6 (experiments.md, KdV).
// With a path argument it also writes that state as .npy, the initial state
// of `make demo`'s simulations.
//
//===----------------------------------------------------------------------===//
#include "kdv.hpp"

#include "dgc/runtime/Npy.h"

#include <cmath>
#include <cstdio>
#include <memory>

namespace kdv = dgc_models::KdV;

int main(int argc, char **argv) {
  constexpr double length = 10.0;
  const double dx = length / kdv::state_size;
  double u[kdv::state_size];
  auto sech2 = [](double z) { return 1.0 / (std::cosh(z) * std::cosh(z)); };
  for (int k = 0; k < kdv::state_size; ++k) {
    double x = k * dx;
    u[k] = 2 * 1.0 * sech2(1.0 * (x - 2.5)) + 2 * 2.25 * sech2(1.5 * (x - 6.0));
  }
  kdv::Params<double> p;
  kdv::init_params(p, 0);
  auto ws = std::make_unique<kdv::Workspace<double>>();
  double g[kdv::state_size], dudt[kdv::state_size];
  double H = kdv::energy(p, u, *ws);
  kdv::grad(p, u, g, *ws);
  kdv::time_derivative(p, u, dudt, *ws);
  double mass = 0, gnorm = 0, dnorm = 0;
  for (int k = 0; k < kdv::state_size; ++k) {
    mass += u[k] * dx;
    gnorm += g[k] * g[k] * dx;
    dnorm += dudt[k] * dudt[k] * dx;
  }
  std::printf("two solitons (k = 1, 1.5) on %lld points, dx = %g\n",
              static_cast<long long>(kdv::state_size), dx);
  std::printf("  H(u)          = %.12f\n", H);
  std::printf("  mass dx*sum u = %.12f\n", mass);
  std::printf("  |grad H|      = %.6f  (discrete L2)\n", std::sqrt(gnorm));
  std::printf("  |du/dt|       = %.6f  (du/dt = D grad H)\n", std::sqrt(dnorm));
  if (argc > 1) {
    dgc::rt::writeNpy<double>(argv[1], {kdv::state_size}, u);
    std::printf("wrote the two-soliton state to %s\n", argv[1]);
  }
  return 0;
}
