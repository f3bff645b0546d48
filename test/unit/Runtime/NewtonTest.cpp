//===- NewtonTest.cpp - the runtime's Newton solver on known problems -----===//
//
// F_i(v) = atan(v_i - c_i): the root is v = c, and from |v - c| beyond
// about 1.39 the full Newton step overshoots further each time (the
// textbook case for damping). The damped solver must converge from there,
// dense and matrix-free, and the same start must fail with damping off.
// Every component starts as far out: the damping watches |F|_2, which a
// start could otherwise lower by trading one diverging component for the
// others (as any 2-norm merit function would let it).
//
//===----------------------------------------------------------------------===//
#include "dgc/runtime/Newton.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using dgc::rt::NewtonError;
using dgc::rt::NewtonOptions;
using dgc::rt::NewtonSolver;

namespace {

struct Atan {
  std::vector<double> c{0.5, -1.0, 2.0};
  int residuals = 0;
  void residual(const double *v, double *F) {
    ++residuals;
    for (size_t i = 0; i < c.size(); ++i)
      F[i] = std::atan(v[i] - c[i]);
  }
  void jacobian(const double *v, double *J) {
    size_t n = c.size();
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        J[i * n + j] = i == j ? 1 / (1 + (v[i] - c[i]) * (v[i] - c[i])) : 0;
  }
  void jvp(const double *v, const double *w, double *Jw) {
    for (size_t i = 0; i < c.size(); ++i)
      Jw[i] = w[i] / (1 + (v[i] - c[i]) * (v[i] - c[i]));
  }
};

std::vector<double> farStart(const Atan &pr) {
  return {pr.c[0] + 3.0, pr.c[1] - 3.0, pr.c[2] + 3.0};
}

void expectSolved(bool krylov) {
  Atan pr;
  NewtonOptions o;
  if (krylov)
    o.krylovThreshold = 0;
  NewtonSolver<double> s(3, o);
  ASSERT_EQ(s.matrixFree(), krylov);
  std::vector<double> v = farStart(pr);
  int iters = s.solve(pr, v.data(), 1e-12, 1);
  EXPECT_LT(iters, o.maxIters);
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_NEAR(v[i], pr.c[i], 1e-12) << i;
  EXPECT_LE(s.lastResidual(), 1e-12);
}

TEST(NewtonTest, DampedStepsConvergeWhereFullStepsDiverge) {
  expectSolved(false);
}

TEST(NewtonTest, DampedNewtonKrylovConverges) { expectSolved(true); }

TEST(NewtonTest, WithoutDampingTheSameStartFails) {
  Atan pr;
  NewtonOptions o;
  o.maxBacktracks = 0;
  NewtonSolver<double> s(3, o);
  std::vector<double> v = farStart(pr);
  EXPECT_THROW(s.solve(pr, v.data(), 1e-12, 7), NewtonError);
}

TEST(NewtonTest, ConvergentProblemsTakeNoExtraResiduals) {
  // Near the root every full step reduces the residual: no halving, one
  // residual per iteration plus the first.
  Atan pr;
  NewtonSolver<double> s(3, NewtonOptions{});
  std::vector<double> v{pr.c[0] + 0.3, pr.c[1] - 0.2, pr.c[2] + 0.1};
  int iters = s.solve(pr, v.data(), 1e-12, 1);
  EXPECT_EQ(pr.residuals, iters + 1);
  EXPECT_NEAR(v[2], pr.c[2], 1e-12);
}

} // namespace
