//===- CxxFrontendTest.cpp - C++ energies against their .dg versions ------===//
//
// Part of dgc's tests. The known-form KdV, Cahn-Hilliard and pendulum
// energies written in C++ the way a simulator author would (loops, periodic
// index arithmetic, helpers, std::array / std::span / templates), imported
// with Clang, must give the energy, grad, discrete gradient and G dgrad of
// the .dg examples to round-off at random states (the IR interpreter is the
// oracle), and satisfy the discrete chain rule.
//
//===----------------------------------------------------------------------===//
#include "ChainRule.h"
#include "CompileSource.h"
#include "ImportCxx.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace dgc;
using namespace dgc::testing;

namespace {

ir::ModelIR dgModel(const char *example) {
  Compiled c = compileSource(readExample(example));
  EXPECT_TRUE(c.ok()) << c.diagnostics;
  EXPECT_EQ(c.models.size(), 1u);
  return std::move(c.models.at(0));
}

const char *kKdV = R"cpp(
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
)cpp";

const char *kKdVTemplate = R"cpp(
#include <cmath>
#include <cstddef>
namespace sim {
template <std::size_t N> double kdv(const double *u) {
  constexpr double dx = 10.0 / N;
  double s = 0;
  for (std::size_t i = 0; i < N; ++i) {
    const std::size_t ip = i + 1 == N ? 0 : i + 1;
    const std::size_t im = i == 0 ? N - 1 : i - 1;
    s += std::pow(u[i], 3) + 0.25 * (std::pow((u[ip] - u[i]) / dx, 2) +
                                     std::pow((u[i] - u[im]) / dx, 2));
  }
  return s * dx * 1.0 - 0.5 * dx * 0.0;
}
} // namespace sim
)cpp";

const char *kCahnHilliard = R"cpp(
#include <array>
#include <cmath>
#include <cstddef>
namespace ch {
constexpr std::size_t N = 50;
constexpr double gamma = 0.0005, L = 1.0;

inline double gradSq(const std::array<double, N> &u, std::size_t i, double dx) {
  const double df = (u[(i + 1) % N] - u[i]) / dx;
  const double db = (u[i] - u[(i + N - 1) % N]) / dx;
  return (df * df + db * db) / 2;
}

double energy(const std::array<double, N> &u) {
  const double dx = L / N;
  double bulk[N];
  for (std::size_t i = 0; i < N; ++i) {
    double w = u[i] * u[i] - 1;
    bulk[i] = 0.25 * std::pow(w, 2);
  }
  double e = 0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    e += bulk[i];
    e += gamma / 2 * gradSq(u, i, dx);
  }
  return e * dx;
}
} // namespace ch
)cpp";

const char *kPendulum = R"cpp(
#include <cmath>
#include <span>
namespace {
constexpr double m = 1.0, l = 1.0, grav = 3.0;
double kinetic(double p) { return p * p / (2 * m * l * l); }
}
double pendulum_energy(std::span<const double, 2> x) {
  const double q = x[0], p = x[1];
  if constexpr (grav > 0)
    return kinetic(p) + m * grav * l * (1 - std::cos(q));
  else
    return kinetic(p);
}
)cpp";

struct Case {
  const char *name, *code, *function, *structure, *grid, *example;
};

class CxxMatchesDg : public ::testing::TestWithParam<Case> {};

TEST_P(CxxMatchesDg, EnergyGradAndDiscreteGradient) {
  const Case &c = GetParam();
  ir::ModelIR cxx;
  ASSERT_TRUE(importCxx(std::string(c.name) + ".cpp", c.code, c.function,
                        c.structure, c.grid, cxx));
  ir::ModelIR dg = dgModel(c.example);
  ASSERT_EQ(cxx.stateSize, dg.stateSize);
  EXPECT_EQ(cxx.laws.conservesEnergy, dg.laws.conservesEnergy);
  EXPECT_EQ(cxx.laws.dissipatesEnergy, dg.laws.dissipatesEnergy);
  EXPECT_EQ(cxx.laws.conservesMass, dg.laws.conservesMass);
  EXPECT_EQ(cxx.innerWeight, dg.innerWeight);

  std::mt19937_64 rng(42);
  std::normal_distribution<double> nd(0.0, 1.0);
  auto randomState = [&] {
    std::vector<double> u(static_cast<size_t>(dg.stateSize));
    for (double &x : u)
      x = nd(rng);
    return u;
  };
  auto close = [](const std::vector<double> &a, const std::vector<double> &b,
                  const char *what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    double scale = 0;
    for (double x : b)
      scale = std::max(scale, std::fabs(x));
    for (size_t i = 0; i < a.size(); ++i)
      EXPECT_NEAR(a[i], b[i], 1e-12 * (1 + scale)) << what << "[" << i << "]";
  };
  for (int trial = 0; trial < 5; ++trial) {
    auto u = randomState(), v = randomState();
    auto gc = call(cxx, "grad", {{"u", u}}, {});
    auto gd = call(dg, "grad", {{"u", u}}, {});
    close(gc[0], gd[0], "H");
    close(gc[1], gd[1], "grad");
    auto dc = call(cxx, "discrete_grad", {{"u", u}, {"v", v}}, {});
    auto dd = call(dg, "discrete_grad", {{"u", u}, {"v", v}}, {});
    close(dc[0], dd[0], "dgrad");
    auto tc = call(cxx, "discrete_time_derivative", {{"u", u}, {"v", v}}, {});
    auto td = call(dg, "discrete_time_derivative", {{"u", u}, {"v", v}}, {});
    close(tc[0], td[0], "G dgrad");
    ChainRuleError e = chainRule(cxx, u, v, {});
    EXPECT_LE(e.relative, 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(
    KnownForms, CxxMatchesDg,
    ::testing::Values(
        Case{"kdv", kKdV, "kdv_energy", "D", "50,10", "kdv.dg"},
        Case{"ch", kCahnHilliard, "ch::energy", "D2", "50,1.0",
             "cahn_hilliard.dg"},
        Case{"pendulum", kPendulum, "pendulum_energy", "S", "",
             "pendulum.dg"}),
    [](const ::testing::TestParamInfo<Case> &i) { return i.param.name; });

// A template sized by --grid, instantiated by dgc: u^3 + (1/4)(Df^2 + Db^2)
// is the KdV energy with alpha = -6, beta = -1.
TEST(CxxFrontend, TemplateInstantiatedAtGridSize) {
  ir::ModelIR cxx;
  ASSERT_TRUE(importCxx("kdv_t.cpp", kKdVTemplate, "sim::kdv", "D", "50,10",
                        cxx));
  Compiled c = compileSource(
      "model K { grid x = periodic(50, 10.0); state u : field(x);\n"
      "energy H = x.dx * sum(u ^ 3 + (Df(u) ^ 2 + Db(u) ^ 2) / 4);\n"
      "structure G = D; }\n");
  ASSERT_TRUE(c.ok()) << c.diagnostics;
  std::vector<double> u(50), v(50);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> nd;
  for (size_t i = 0; i < 50; ++i) {
    u[i] = nd(rng);
    v[i] = nd(rng);
  }
  auto a = call(cxx, "discrete_grad", {{"u", u}, {"v", v}}, {})[0];
  auto b = call(c.models[0], "discrete_grad", {{"u", u}, {"v", v}}, {})[0];
  for (size_t i = 0; i < 50; ++i)
    EXPECT_NEAR(a[i], b[i], 1e-11 * (1 + std::fabs(b[i])));
}

TEST(CxxFrontend, RefusesStateDependentBranch) {
  ir::ModelIR m;
  ::testing::internal::CaptureStderr();
  bool ok = importCxx("branch.cpp",
                      "double h(const double *u) { return u[0] > 0 ? u[0] : "
                      "-u[0]; }\n",
                      "h", "-I", "", m);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(ok);
  EXPECT_NE(err.find("condition of '?:' depends on the state"),
            std::string::npos)
      << err;
}

} // namespace
