//===- ExamplesTest.cpp - Discrete gradients of every example model -------===//
//
// Part of dgc's tests. For every energy model under examples/, evaluated by
// the IR interpreter in double: the discrete chain rule at random pairs and
// at pairs whose differences sweep 1e-16 .. 1 (some components equal),
// dgrad(u, u) = grad(u), symmetry, and the structure applied to it.
//
//===----------------------------------------------------------------------===//
#include "ChainRule.h"
#include "CompileSource.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace dgc;
using namespace dgc::testing;

namespace {

class ExampleDG : public ::testing::TestWithParam<const char *> {
protected:
  void SetUp() override {
    Compiled c = compileSource(readExample(GetParam()));
    ASSERT_TRUE(c.ok()) << c.diagnostics;
    ASSERT_EQ(c.models.size(), 1u);
    m = std::move(c.models[0]);
    ASSERT_NE(m.find("discrete_grad"), nullptr);
    ASSERT_NE(m.find("discrete_time_derivative"), nullptr);
    params = randomParams(m, rng);
  }

  std::vector<double> randomState(double scale) {
    std::normal_distribution<double> n(0.0, scale);
    std::vector<double> u(static_cast<size_t>(m.stateSize));
    for (double &x : u)
      x = n(rng);
    return u;
  }

  ir::ModelIR m;
  ir::Bindings params;
  std::mt19937_64 rng{1234};
};

TEST_P(ExampleDG, ChainRuleAtRandomPairs) {
  for (int trial = 0; trial < 5; ++trial) {
    auto u = randomState(1.0), v = randomState(1.0);
    ChainRuleError e = chainRule(m, u, v, params);
    EXPECT_LE(e.relative, 1e-12)
        << "H(u) - H(v) = " << e.lhs << ", <dgrad, u - v> = " << e.rhs;
  }
}

TEST_P(ExampleDG, ChainRuleAtClosePairs) {
  // Differences from 1 down to 1e-16, some components exactly equal: the
  // divided differences switch to their series below the threshold and
  // the identity must still hold to round-off, with no NaN or Inf.
  std::uniform_int_distribution<int> coin(0, 2);
  for (int e10 = 0; e10 <= 16; e10 += 2) {
    auto u = randomState(1.0);
    std::vector<double> v = u;
    auto d = randomState(std::pow(10.0, -e10));
    for (size_t i = 0; i < v.size(); ++i)
      if (coin(rng) != 0)
        v[i] += d[i];
    ChainRuleError e = chainRule(m, u, v, params);
    ASSERT_TRUE(std::isfinite(e.rhs));
    EXPECT_LE(std::fabs(e.lhs - e.rhs),
              1e-12 * (std::fabs(e.hu) + std::fabs(e.hv)) + 1e-300)
        << "difference scale 1e-" << e10;
  }
}

TEST_P(ExampleDG, EqualArgumentsGiveTheGradient) {
  auto u = randomState(1.0);
  auto g = call(m, "grad", {{"u", u}}, params)[1];
  auto d = call(m, "discrete_grad", {{"u", u}, {"v", u}}, params)[0];
  ASSERT_EQ(g.size(), d.size());
  double scale = 0;
  for (double x : g)
    scale = std::max(scale, std::fabs(x));
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(d[i], g[i], 1e-13 * (scale + 1)) << "component " << i;
}

TEST_P(ExampleDG, Symmetric) {
  auto u = randomState(1.0), v = randomState(1.0);
  auto a = call(m, "discrete_grad", {{"u", u}, {"v", v}}, params)[0];
  auto b = call(m, "discrete_grad", {{"u", v}, {"v", u}}, params)[0];
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], 1e-14 * (std::fabs(a[i]) + 1)) << i;
}

TEST_P(ExampleDG, StructureAppliedToTheDiscreteGradient) {
  // At u = v the discrete time derivative is the time derivative.
  auto u = randomState(1.0);
  auto td = call(m, "time_derivative", {{"u", u}}, params)[0];
  auto dtd =
      call(m, "discrete_time_derivative", {{"u", u}, {"v", u}}, params)[0];
  for (size_t i = 0; i < td.size(); ++i)
    EXPECT_NEAR(dtd[i], td[i], 1e-12 * (std::fabs(td[i]) + 1)) << i;
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleDG,
                         ::testing::Values("kdv.dg", "cahn_hilliard.dg",
                                           "kdv_net.dg", "mass_spring_net.dg",
                                           "real_pendulum_net.dg",
                                           "mass_spring_sep.dg", "pendulum.dg",
                                           "allen_cahn_2d.dg"));

TEST(DiscreteGradientIR, AveragedProductsAndDividedDifferences) {
  // u * u has both factors state-dependent: the averaged product rule gives
  // dgrad = u + v exactly; tanh gets a divided difference.
  Compiled c = compileSource("model P { state u : real[3];"
                             " energy H = sum(u * u) + sum(tanh(u));"
                             " structure G = -I; }");
  ASSERT_TRUE(c.ok()) << c.diagnostics;
  const ir::Function *f = c.models[0].find("discrete_grad");
  int divdiffs = 0;
  for (const ir::Op &op : f->ops)
    divdiffs += op.kind == ir::OpKind::DivDiff;
  EXPECT_EQ(divdiffs, 1);
  ir::Bindings none;
  std::vector<double> u = {0.5, -1, 2}, v = {0.25, 3, 2};
  auto d = call(c.models[0], "discrete_grad", {{"u", u}, {"v", v}}, none)[0];
  for (size_t i = 0; i < 3; ++i) {
    double q = u[i] == v[i] ? 1 - std::tanh(u[i]) * std::tanh(u[i])
                            : (std::tanh(u[i]) - std::tanh(v[i])) / (u[i] - v[i]);
    EXPECT_NEAR(d[i], u[i] + v[i] + q, 1e-15) << i;
  }
}

TEST(DiscreteGradientIR, PointwiseNetsKeepTheChainRule) {
  // An mlp mapped over a field's points (1-D, a [2, n] stack, 2-D): the
  // same ops as a 1x1 convolution, so the same rules must hold.
  const char *sources[] = {
      "model A { grid x = periodic(7, 3.0); state u : field(x);"
      " net f = mlp(in: 1, hidden: [5], out: 1, act: tanh, bias_last: true);"
      " net g = mlp(in: 2, hidden: [4, 3], out: 2, act: softplus,"
      " bias_last: false);"
      " energy H = x.dx * (sum(f(u) * u) + sum(g([u, Df(u)])));"
      " structure G = D; }",
      "model B { grid x = periodic2(4, 3, 1.0, 2.0); state u : field(x);"
      " net f = mlp(in: 1, hidden: [6], out: 1, act: sin, bias_last: false);"
      " energy H = x.dx * x.dy * sum(f(u) * u + Dx(u) ^ 2);"
      " structure G = -I; }"};
  std::mt19937_64 rng(77);
  std::normal_distribution<double> n(0.0, 1.0);
  for (const char *src : sources) {
    Compiled c = compileSource(src);
    ASSERT_TRUE(c.ok()) << src << "\n" << c.diagnostics;
    const ir::ModelIR &m = c.models[0];
    ir::Bindings params = randomParams(m, rng);
    std::vector<double> u(static_cast<size_t>(m.stateSize)), v(u.size());
    for (size_t i = 0; i < u.size(); ++i) {
      u[i] = n(rng);
      v[i] = i % 2 ? u[i] : u[i] + (i % 3 ? 1.0 : 1e-9) * n(rng);
    }
    ChainRuleError e = chainRule(m, u, v, params);
    EXPECT_LE(e.relative, 1e-12) << src;
    auto g = call(m, "grad", {{"u", u}}, params)[1];
    auto d = call(m, "discrete_grad", {{"u", u}, {"v", u}}, params)[0];
    ASSERT_EQ(g.size(), d.size());
    for (size_t i = 0; i < g.size(); ++i)
      EXPECT_NEAR(d[i], g[i], 1e-12 * (1 + std::fabs(g[i]))) << src << " " << i;
  }
}

} // namespace
