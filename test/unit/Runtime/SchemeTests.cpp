//===- SchemeTests.cpp - Conservation laws of the runtime's schemes -------===//
//
// Part of dgc's tests. The schemes of runtime/include/dgc/runtime on
// generated models: the discrete-gradient scheme keeps KdV's energy and
// mass to round-off where rk4 drifts, decreases Cahn-Hilliard's energy at
// every step with its mass kept, reproduces the pendulum's period; Newton
// failures and inapplicable schemes are errors with the facts in the message.
//
//===----------------------------------------------------------------------===//
#include "SchemeTestSupport.h"
#include "allen_cahn_2d.hpp"
#include "cahn_hilliard.hpp"
#include "damped_pair.hpp"
#include "kdv.hpp"
#include "mass_spring_net.hpp"
#include "mass_spring_node.hpp"
#include "oscillator.hpp"
#include "pendulum.hpp"

#include "dgc/runtime/Simulate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

using namespace dgc::rt;
using dgc::rt::test::kdvTwoSolitons;
using dgc::rt::test::messageOf;
using dgc::rt::test::smoothRandom;

namespace {

template <class M> typename M::template ParamsT<double> zeroParams() {
  typename M::template ParamsT<double> p;
  M::init_params(p, 0);
  return p;
}

SchemeOptions options(Scheme s, double dt) {
  SchemeOptions o;
  o.scheme = s;
  o.dt = dt;
  return o;
}

using KdV = dgc_models::KdV::Model;
using CH = dgc_models::CahnHilliard::Model;
using Pendulum = dgc_models::Pendulum::Model;

TEST(SchemeTest, DgKeepsKdVEnergyAndMassWhereRk4Drifts) {
  auto p = zeroParams<KdV>();
  std::vector<double> u0 = kdvTwoSolitons();
  auto dg = simulate<KdV>(p, u0.data(), 5000, options(Scheme::DG, 1e-3));
  auto rk4 = simulate<KdV>(p, u0.data(), 5000, options(Scheme::RK4, 1e-3));
  EXPECT_LT(dg.stats.energyDrift, 1e-10);
  EXPECT_LT(dg.stats.massDrift, 1e-12);
  EXPECT_GT(rk4.stats.energyDrift, 100 * dg.stats.energyDrift)
      << "dg " << dg.stats.energyDrift << " rk4 " << rk4.stats.energyDrift;
  // The solitons moved: the run did something.
  double moved = 0;
  for (int i = 0; i < 50; ++i)
    moved = std::max(moved, std::abs(dg.state(5000)[i] - u0[i]));
  EXPECT_GT(moved, 0.5);
  EXPECT_GT(dg.stats.newtonPerStep(), 0.9);
  EXPECT_LT(dg.stats.newtonPerStep(), 12.0); // simplified Newton: cheap iterations
  std::string line = dg.stats.summary();
  EXPECT_NE(line.find("scheme=dg steps=5000 wall="), std::string::npos) << line;
  EXPECT_NE(line.find("energy_drift="), std::string::npos) << line;
  EXPECT_NE(line.find("mass_drift="), std::string::npos) << line;
  EXPECT_NE(line.find("/step"), std::string::npos) << line;
}

TEST(SchemeTest, DgRunsInFloat) {
  typename KdV::ParamsT<float> p;
  std::vector<double> d = kdvTwoSolitons();
  std::vector<float> u0(d.begin(), d.end());
  auto tr = simulate<KdV, float>(p, u0.data(), 500, options(Scheme::DG, 1e-3));
  EXPECT_LT(tr.stats.energyDrift, 1e-5);
  EXPECT_LT(tr.stats.massDrift, 1e-5);
}

TEST(SchemeTest, NewtonKrylovMatchesDenseNewton) {
  auto p = zeroParams<KdV>();
  std::vector<double> u0 = kdvTwoSolitons();
  SchemeOptions nk = options(Scheme::DG, 1e-3);
  nk.newton.krylovThreshold = 0;
  auto a = simulate<KdV>(p, u0.data(), 300, options(Scheme::DG, 1e-3));
  auto b = simulate<KdV>(p, u0.data(), 300, nk);
  for (size_t i = 0; i < a.states.size(); ++i)
    ASSERT_NEAR(a.states[i], b.states[i], 1e-11) << i;
  EXPECT_LT(b.stats.energyDrift, 1e-11);
}

TEST(SchemeTest, DgDecreasesCahnHilliardEnergyEveryStepAndKeepsMass) {
  auto p = zeroParams<CH>();
  std::vector<double> u0 = smoothRandom(50, 1, 7, 0.3);
  auto tr = simulate<CH>(p, u0.data(), 5000, options(Scheme::DG, 1e-4));
  for (size_t n = 1; n < tr.energy.size(); ++n)
    ASSERT_LT(tr.energy[n], tr.energy[n - 1]) << "step " << n;
  EXPECT_LT(tr.stats.maxEnergyIncrease, 0.0);
  EXPECT_LT(tr.stats.massDrift, 1e-12);
  EXPECT_LT(tr.energy.back(), 0.9 * tr.energy.front());
  EXPECT_NE(tr.stats.summary().find("max_energy_increase=-"),
            std::string::npos);
}

TEST(SchemeTest, DgUsesNewtonKrylovOnLargeStates) {
  using AC = dgc_models::AllenCahn2D::Model;
  static_assert(AC::state_size > NewtonOptions{}.krylovThreshold);
  auto p = zeroParams<AC>();
  std::vector<double> u0 = smoothRandom(32, 2, 3, 0.2);
  auto tr = simulate<AC>(p, u0.data(), 20, options(Scheme::DG, 1e-3));
  for (size_t n = 1; n < tr.energy.size(); ++n)
    ASSERT_LT(tr.energy[n], tr.energy[n - 1]) << "step " << n;
  EXPECT_GE(tr.stats.newtonIterations, 20);
}

/// K(m) = pi / (2 AGM(1, sqrt(1 - m))).
double ellipticK(double m) {
  double a = 1, b = std::sqrt(1 - m);
  for (int i = 0; i < 40; ++i) {
    double an = (a + b) / 2;
    b = std::sqrt(a * b);
    a = an;
  }
  return std::acos(-1.0) / (2 * a);
}

TEST(SchemeTest, DgPendulumPeriodMatchesEllipticIntegral) {
  // m = l = 1, grav = 3 in examples/pendulum.dg.
  const double q0 = 1.0, g = 3.0, dt = 2e-4;
  const double exact = 4 * ellipticK(std::pow(std::sin(q0 / 2), 2)) /
                       std::sqrt(g);
  auto p = zeroParams<Pendulum>();
  double u0[2] = {q0, 0.0};
  int64_t steps = static_cast<int64_t>(1.1 * exact / dt);
  auto tr = simulate<Pendulum>(p, u0, steps, options(Scheme::DG, dt));
  // p < 0 on (0, T/2), p > 0 on (T/2, T): the period ends where p falls
  // through 0 again; the crossing is found by inverse cubic Hermite
  // interpolation with p' = -g sin q.
  double period = -1;
  for (int64_t n = steps / 2; n < steps; ++n) {
    double pa = tr.state(n)[1], pb = tr.state(n + 1)[1];
    if (pa > 0 && pb <= 0) {
      double da = -g * std::sin(tr.state(n)[0]) * dt,
             db = -g * std::sin(tr.state(n + 1)[0]) * dt;
      double s = pa / (pa - pb);
      for (int it = 0; it < 20; ++it) { // Newton on the Hermite cubic
        double h00 = 2 * s * s * s - 3 * s * s + 1, h10 = s * s * s - 2 * s * s + s,
               h01 = -2 * s * s * s + 3 * s * s, h11 = s * s * s - s * s;
        double d00 = 6 * s * s - 6 * s, d10 = 3 * s * s - 4 * s + 1,
               d01 = -6 * s * s + 6 * s, d11 = 3 * s * s - 2 * s;
        double val = h00 * pa + h10 * da + h01 * pb + h11 * db;
        s -= val / (d00 * pa + d10 * da + d01 * pb + d11 * db);
      }
      period = (double(n) + s) * dt;
      break;
    }
  }
  ASSERT_GT(period, 0);
  EXPECT_NEAR(period, exact, 1e-6);
  EXPECT_LT(tr.stats.energyDrift, 1e-12);
}

TEST(SchemeTest, DgKeepsARotatingPendulumsEnergy) {
  // p0 = 4 > 2 sqrt(grav): the pendulum goes over the top and q grows
  // past 1000 in 5000 steps. The discrete gradient of cos(q) must stay
  // exact there (its series threshold does not grow with |q|; with
  // 1.6e-3 (1 + |q|) the drift was 2.6e-6; now about 1e-12, round-off
  // gathered over 5000 steps at q ~ 1000, where an ulp of q is 1e-13).
  auto p = zeroParams<Pendulum>();
  double u0[2] = {0.0, 4.0};
  auto tr = simulate<Pendulum>(p, u0, 5000, options(Scheme::DG, 0.1));
  EXPECT_GT(tr.state(5000)[0], 1000.0);
  EXPECT_LT(tr.stats.energyDrift, 1e-10);
}

TEST(SchemeTest, LeapfrogIsRefusedForNonSeparableModels) {
  auto p = zeroParams<dgc_models::MassSpringNet::Model>();
  std::string msg = messageOf([&] {
    makeStepper<dgc_models::MassSpringNet::Model>(
        p, options(Scheme::Leapfrog, 0.1));
  });
  EXPECT_NE(msg.find("scheme leapfrog needs a separable energy"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find("MassSpringNet is not separable"), std::string::npos)
      << msg;
  auto pk = zeroParams<KdV>();
  std::vector<double> u0 = kdvTwoSolitons();
  EXPECT_THROW(simulate<KdV>(pk, u0.data(), 1, options(Scheme::Leapfrog, 1e-3)),
               SimulationError);
}

TEST(SchemeTest, LeapfrogKeepsPendulumEnergyBounded) {
  auto p = zeroParams<Pendulum>();
  double u0[2] = {2.0, 0.0};
  auto tr = simulate<Pendulum>(p, u0, 20000, options(Scheme::Leapfrog, 0.01));
  // Symplectic: O(dt^2) oscillation of H, no secular drift.
  EXPECT_LT(tr.stats.energyDrift, 1e-3);
  auto early = *std::max_element(tr.energy.begin(), tr.energy.begin() + 2000);
  auto late = *std::max_element(tr.energy.end() - 2000, tr.energy.end());
  EXPECT_NEAR(early, late, 1e-6);
}

TEST(SchemeTest, SchemesAreChosenByNameWithClearErrors) {
  EXPECT_EQ(parseScheme("dg"), Scheme::DG);
  EXPECT_EQ(parseScheme("implicit_midpoint"), Scheme::ImplicitMidpoint);
  EXPECT_EQ(parseScheme("dopri5"), Scheme::Dopri5);
  for (Scheme s : {Scheme::DG, Scheme::ImplicitMidpoint, Scheme::RK2,
                   Scheme::RK4, Scheme::Dopri5, Scheme::Leapfrog})
    EXPECT_EQ(parseScheme(schemeName(s)), s);
  std::string msg = messageOf([] { parseScheme("euler"); });
  EXPECT_EQ(msg, "unknown scheme 'euler' (expected one of dg, "
                 "implicit_midpoint, rk2, rk4, dopri5, leapfrog)");
  using Node = dgc_models::MassSpringNODE::Model;
  auto p = zeroParams<Node>();
  msg = messageOf([&] { makeStepper<Node>(p, options(Scheme::DG, 0.1)); });
  EXPECT_NE(msg.find("scheme dg needs an energy model"), std::string::npos);
  auto pk = zeroParams<KdV>();
  msg = messageOf([&] { makeStepper<KdV>(pk, options(Scheme::RK4, 0.0)); });
  EXPECT_NE(msg.find("time step must be positive"), std::string::npos);
}

TEST(SchemeTest, NewtonFailureReportsStepResidualAndIterations) {
  auto p = zeroParams<KdV>();
  std::vector<double> u0 = kdvTwoSolitons();
  SchemeOptions o = options(Scheme::DG, 1e-3);
  o.newton.maxIters = 1;
  o.newton.tol = 1e-20;
  try {
    simulate<KdV>(p, u0.data(), 10, o);
    FAIL() << "expected a NewtonError";
  } catch (const NewtonError &e) {
    EXPECT_EQ(e.step, 1);
    EXPECT_EQ(e.iterations, 1);
    EXPECT_GT(e.residual, 0.0);
    EXPECT_TRUE(std::isfinite(e.residual));
    std::string m = e.what();
    EXPECT_NE(m.find("did not converge at step 1: residual "),
              std::string::npos) << m;
    EXPECT_NE(m.find("after 1 iterations"), std::string::npos) << m;
  }
}

TEST(SchemeTest, ImplicitMidpointWorksForVectorFieldModels) {
  using Node = dgc_models::MassSpringNODE::Model;
  auto p = zeroParams<Node>();
  double u0[2] = {1.0, 0.0};
  auto im = simulate<Node>(p, u0, 100, options(Scheme::ImplicitMidpoint, 1e-2));
  auto ref = simulate<Node>(p, u0, 1000, options(Scheme::RK4, 1e-3));
  EXPECT_GT(im.stats.newtonIterations, 0);
  for (int i = 0; i < 2; ++i)
    EXPECT_NEAR(im.state(100)[i], ref.state(1000)[i], 1e-4);
  EXPECT_EQ(im.stats.summary().find("energy_drift"), std::string::npos);
}

TEST(SchemeTest, ImplicitMidpointKeepsQuadraticEnergy) {
  using Osc = dgc_models::Oscillator::Model;
  auto p = zeroParams<Osc>();
  double u0[2] = {1.0, 0.5};
  auto tr = simulate<Osc>(p, u0, 2000, options(Scheme::ImplicitMidpoint, 0.05));
  EXPECT_LT(tr.stats.energyDrift, 1e-12);
}

TEST(SchemeTest, DgFrictionPerMomentumDampsOnlyItsOscillator) {
  // G = S - diag(0, 0, 0, 0.3) on two uncoupled oscillators: the first
  // keeps its energy exactly, and each step removes dt g ((p2 + p2')/2)^2
  // from the second (H quadratic: the discrete gradient is the midpoint).
  using M = dgc_models::DampedPair::Model;
  auto p = zeroParams<M>();
  double u0[4] = {1.0, 0.5, -0.2, 0.8};
  const double dt = 0.05, g = 0.3;
  const int steps = 400;
  auto tr = simulate<M>(p, u0, steps, options(Scheme::DG, dt));
  auto osc = [&](int k, int i) {
    const double *u = tr.state(k);
    return (u[i] * u[i] + u[i + 2] * u[i + 2]) / 2;
  };
  for (int k = 1; k <= steps; ++k) {
    ASSERT_NEAR(osc(k, 0), osc(0, 0), 1e-13) << "step " << k;
    double pm = (tr.state(k - 1)[3] + tr.state(k)[3]) / 2;
    ASSERT_NEAR(osc(k, 1) - osc(k - 1, 1), -dt * g * pm * pm, 1e-13)
        << "step " << k;
  }
  EXPECT_LT(osc(steps, 1), 0.05 * osc(0, 1)) << "the second one is damped";
}

} // namespace
