//===- OrderTests.cpp - Convergence orders and dopri5's tolerances --------===//
//
// Part of dgc's tests. On the harmonic oscillator H = (q^2 + p^2)/2
// (models/oscillator.dg; q = q0 cos t + p0 sin t) the measured orders of
// the schemes: 2 for dg, rk2, implicit_midpoint and leapfrog, 4 for rk4, 5
// for dopri5 with fixed steps; adaptive dopri5 meets its tolerance at the
// output times (dense output) against the closed form and against rk4 at a
// fine step on the pendulum.
//
//===----------------------------------------------------------------------===//
#include "oscillator.hpp"
#include "pendulum.hpp"

#include "dgc/runtime/Simulate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <ostream>

using namespace dgc::rt;

namespace {

using Osc = dgc_models::Oscillator::Model;
constexpr double q0 = 1.0, p0 = 0.5;

double exactQ(double t) { return q0 * std::cos(t) + p0 * std::sin(t); }
double exactP(double t) { return p0 * std::cos(t) - q0 * std::sin(t); }

/// Max-norm error at t = tEnd of `opts` with step dt.
double errorAt(SchemeOptions opts, double dt, double tEnd) {
  typename Osc::ParamsT<double> p;
  double u0[2] = {q0, p0};
  opts.dt = dt;
  int64_t steps = std::llround(tEnd / dt);
  auto tr = simulate<Osc>(p, u0, steps, opts);
  return std::max(std::abs(tr.state(steps)[0] - exactQ(tEnd)),
                  std::abs(tr.state(steps)[1] - exactP(tEnd)));
}

/// Least-squares slope of log(error) against log(dt) over dt, dt/2, dt/4.
double fittedOrder(SchemeOptions opts, double dt, double tEnd) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int k = 0; k < 3; ++k) {
    double h = dt / std::pow(2.0, k);
    double x = std::log(h), y = std::log(errorAt(opts, h, tEnd));
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (3 * sxy - sx * sy) / (3 * sxx - sx * sx);
}

struct OrderCase {
  Scheme scheme;
  double order, dt, tEnd;
  bool adaptive = true;
};

void PrintTo(const OrderCase &c, std::ostream *os) {
  *os << schemeName(c.scheme) << (c.adaptive ? "" : " (fixed step)");
}

class OrderTest : public ::testing::TestWithParam<OrderCase> {};

TEST_P(OrderTest, MeasuredOrderMatches) {
  const OrderCase &c = GetParam();
  SchemeOptions o;
  o.scheme = c.scheme;
  o.adaptive = c.adaptive;
  double order = fittedOrder(o, c.dt, c.tEnd);
  EXPECT_NEAR(order, c.order, 0.3) << schemeName(c.scheme);
}

INSTANTIATE_TEST_SUITE_P(
    Oscillator, OrderTest,
    ::testing::Values(OrderCase{Scheme::DG, 2, 0.1, 2},
                      OrderCase{Scheme::RK2, 2, 0.1, 2},
                      OrderCase{Scheme::ImplicitMidpoint, 2, 0.1, 2},
                      OrderCase{Scheme::Leapfrog, 2, 0.1, 2},
                      OrderCase{Scheme::RK4, 4, 0.2, 2},
                      OrderCase{Scheme::Dopri5, 5, 0.4, 4, false}),
    [](const auto &info) { return std::string(schemeName(info.param.scheme)); });

/// Max error over the outputs n * dt of adaptive dopri5 with `rtol`.
double dopriMaxError(double rtol, double dt, int64_t steps,
                     SimulationStats *stats = nullptr) {
  typename Osc::ParamsT<double> p;
  double u0[2] = {q0, p0};
  SchemeOptions o;
  o.scheme = Scheme::Dopri5;
  o.dt = dt;
  o.rtol = rtol;
  o.atol = rtol * 1e-2;
  auto tr = simulate<Osc>(p, u0, steps, o);
  double err = 0;
  for (int64_t n = 0; n <= steps; ++n) {
    double t = double(n) * dt;
    err = std::max({err, std::abs(tr.state(n)[0] - exactQ(t)),
                    std::abs(tr.state(n)[1] - exactP(t))});
  }
  if (stats)
    *stats = tr.stats;
  return err;
}

TEST(Dopri5Test, MeetsToleranceAgainstClosedFormWithDenseOutput) {
  SimulationStats st;
  // Outputs every 0.01 over [0, 10]: most lie inside an internal step.
  double err = dopriMaxError(1e-8, 0.01, 1000, &st);
  EXPECT_LT(err, 1e-7);
  EXPECT_LT(st.internalSteps, 1000 / 4) << "outputs should be interpolated";
  EXPECT_GT(st.internalSteps, 10);
  double tight = dopriMaxError(1e-11, 0.01, 1000);
  EXPECT_LT(tight, 1e-10);
  double loose = dopriMaxError(1e-5, 0.01, 1000);
  EXPECT_LT(loose, 1e-4);
  // The error follows the tolerance.
  EXPECT_GT(loose / tight, 1e3);
}

TEST(Dopri5Test, AgreesWithRk4AtAFineStepOnThePendulum) {
  using Pendulum = dgc_models::Pendulum::Model;
  typename Pendulum::ParamsT<double> p;
  double u0[2] = {2.5, 0.0};
  SchemeOptions dp;
  dp.scheme = Scheme::Dopri5;
  dp.dt = 0.05;
  dp.rtol = 1e-10;
  dp.atol = 1e-12;
  SchemeOptions rk;
  rk.scheme = Scheme::RK4;
  rk.dt = 0.0005;
  auto a = simulate<Pendulum>(p, u0, 200, dp);
  auto b = simulate<Pendulum>(p, u0, 20000, rk);
  for (int64_t n = 0; n <= 200; ++n)
    for (int i = 0; i < 2; ++i)
      ASSERT_NEAR(a.state(n)[i], b.state(100 * n)[i], 1e-8) << n;
}

} // namespace
