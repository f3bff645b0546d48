// RUN: %dgc check %s --structure S | %FileCheck %s
// Without --function, every function marked dgc::energy is a model.

// CHECK: model spring
// CHECK: model pendulum
#include <cmath>
[[clang::annotate("dgc::energy")]] double spring(const double *x) {
  return 0.5 * (x[0] * x[0] + x[1] * x[1]);
}
[[clang::annotate("dgc::energy")]] double pendulum(const double *x) {
  return 0.5 * x[1] * x[1] + 3.0 * (1 - std::cos(x[0]));
}
double notAnEnergy(const double *x) { return x[0]; }
