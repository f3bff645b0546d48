//===- ExamplesTest.cpp - The dsl.md examples through Sema and lowering ---===//
//
// Part of dgc's unit tests. Every example of design/dsl.md checks without a
// diagnostic and lowers to IR with the right layout (state size, parameter
// count and names, inner-product weights), the right laws and functions
// whose values, computed by the IR interpreter, match the formulas written
// out by hand in the tests.
//
//===----------------------------------------------------------------------===//
#include "SemaTestUtil.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace dgc;
using namespace dgc::test;

namespace {

std::vector<double> randomVector(size_t n, unsigned seed, double scale = 1) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> d(-scale, scale);
  std::vector<double> v(n);
  for (double &x : v)
    x = d(gen);
  return v;
}

/// Checks an example and lowers it; every function verifies.
ir::ModelIR lowerExample(const std::string &file, Checked &c) {
  EXPECT_EQ(c.errors, 0u) << file << ":\n" << c.diagText;
  EXPECT_NE(c.model, nullptr) << file;
  if (!c.model)
    return {};
  ir::ModelIR m = c.lower();
  for (const ir::Function &f : m.functions)
    EXPECT_EQ(ir::verify(f), "") << file << " " << f.name;
  return m;
}

std::vector<std::string> inputNames(const ir::Function &f) {
  std::vector<std::string> out;
  for (ir::ValueId v : f.inputs)
    out.push_back(f.op(v).name);
  return out;
}

size_t wrap(long j, long n) { return static_cast<size_t>(((j % n) + n) % n); }

TEST(SemaExamples, KdV) {
  Checked c(readExample("kdv.dg"));
  ir::ModelIR m = lowerExample("kdv.dg", c);
  ASSERT_EQ(m.functions.size(), 2u);
  EXPECT_EQ(m.kind, ir::ModelIR::Kind::Energy);
  EXPECT_EQ(m.stateSize, 50);
  EXPECT_EQ(m.paramCount, 0);
  EXPECT_TRUE(m.laws.conservesEnergy);
  EXPECT_FALSE(m.laws.dissipatesEnergy);
  EXPECT_TRUE(m.laws.conservesMass);
  EXPECT_FALSE(m.laws.separable);
  ASSERT_EQ(m.innerWeight.size(), 50u);
  EXPECT_DOUBLE_EQ(m.innerWeight[7], 0.2);
  ASSERT_EQ(m.grids.size(), 1u);
  EXPECT_DOUBLE_EQ(m.grids[0].dx[0], 0.2);

  const ir::Function *e = m.find("energy");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(inputNames(*e), std::vector<std::string>{"u"});
  EXPECT_EQ(e->resultNames, std::vector<std::string>{"H"});
  EXPECT_TRUE(e->type(e->results[0]).isScalar());

  // H = dx * sum(u^3 - 1/2 (Df(u)^2 + Db(u)^2) / 2) with alpha = -6, beta = 1.
  std::vector<double> u = randomVector(50, 1);
  double dx = 0.2, h = 0;
  for (long j = 0; j < 50; ++j) {
    double uj = u[static_cast<size_t>(j)];
    double f = (u[wrap(j + 1, 50)] - uj) / dx;
    double b = (uj - u[wrap(j - 1, 50)]) / dx;
    h += 6.0 / 6 * uj * uj * uj - 0.5 * (f * f + b * b) / 2;
  }
  EXPECT_NEAR(run(m, *e, u)[0], dx * h, 1e-9);

  // G x = D x, the central difference.
  const ir::Function *g = m.find("structure");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(inputNames(*g), std::vector<std::string>{"x"});
  EXPECT_EQ(g->resultNames, std::vector<std::string>{"Gx"});
  std::vector<double> gx = run(m, *g, u);
  ASSERT_EQ(gx.size(), 50u);
  for (long j = 0; j < 50; ++j)
    EXPECT_NEAR(gx[static_cast<size_t>(j)],
                (u[wrap(j + 1, 50)] - u[wrap(j - 1, 50)]) / (2 * dx), 1e-12);
}

TEST(SemaExamples, CahnHilliard) {
  Checked c(readExample("cahn_hilliard.dg"));
  ir::ModelIR m = lowerExample("cahn_hilliard.dg", c);
  EXPECT_EQ(m.stateSize, 50);
  EXPECT_FALSE(m.laws.conservesEnergy);
  EXPECT_TRUE(m.laws.dissipatesEnergy);
  EXPECT_TRUE(m.laws.conservesMass);
  EXPECT_DOUBLE_EQ(m.innerWeight[0], 0.02);
  std::vector<double> u = randomVector(50, 2);
  double dx = 0.02, h = 0, gamma = 0.0005;
  for (long j = 0; j < 50; ++j) {
    double uj = u[static_cast<size_t>(j)];
    double f = (u[wrap(j + 1, 50)] - uj) / dx;
    double b = (uj - u[wrap(j - 1, 50)]) / dx;
    h += 0.25 * (uj * uj - 1) * (uj * uj - 1) + gamma / 2 * (f * f + b * b) / 2;
  }
  EXPECT_NEAR(run(m, *m.find("energy"), u)[0], dx * h, 1e-9);
  std::vector<double> gx = run(m, *m.find("structure"), u);
  for (long j = 0; j < 50; ++j)
    EXPECT_NEAR(gx[static_cast<size_t>(j)],
                (u[wrap(j + 1, 50)] - 2 * u[static_cast<size_t>(j)] +
                 u[wrap(j - 1, 50)]) /
                    (dx * dx),
                1e-6);
}

TEST(SemaExamples, KdVNet) {
  Checked c(readExample("kdv_net.dg"));
  ir::ModelIR m = lowerExample("kdv_net.dg", c);
  EXPECT_EQ(m.stateSize, 50);
  EXPECT_EQ(m.paramCount, 1 * 200 * 3 + 200 + 200 * 200 + 200 + 200 * 1);
  ASSERT_EQ(m.params.size(), 5u);
  EXPECT_EQ(m.params[0].name, "f.W1");
  EXPECT_EQ(m.params[0].shape, (Shape{200, 1, 3}));
  EXPECT_EQ(m.params[0].init.kind, ir::ParamInit::Kind::Orthogonal);
  EXPECT_EQ(m.params[1].name, "f.b1");
  EXPECT_EQ(m.params[1].offset, 600);
  EXPECT_EQ(m.params[1].init.kind, ir::ParamInit::Kind::Zeros);
  EXPECT_EQ(m.params[2].shape, (Shape{200, 200}));
  EXPECT_EQ(m.params[4].name, "f.W3");
  EXPECT_EQ(m.params[4].shape, (Shape{1, 200}));
  EXPECT_TRUE(m.laws.conservesEnergy);
  EXPECT_TRUE(m.laws.conservesMass);
  EXPECT_EQ(inputNames(*m.find("energy")),
            (std::vector<std::string>{"u", "f.W1", "f.b1", "f.W2", "f.b2",
                                      "f.W3"}));
  EXPECT_EQ(inputNames(*m.find("structure")), std::vector<std::string>{"x"});
}

TEST(SemaExamples, MassSpringNet) {
  Checked c(readExample("mass_spring_net.dg"));
  ir::ModelIR m = lowerExample("mass_spring_net.dg", c);
  EXPECT_EQ(m.stateSize, 2);
  EXPECT_EQ(m.paramCount, 2 * 200 + 200 + 200 * 200 + 200 + 200);
  EXPECT_TRUE(m.laws.conservesEnergy);
  EXPECT_FALSE(m.laws.conservesMass);
  EXPECT_EQ(m.innerWeight, (std::vector<double>{1, 1}));
  ASSERT_EQ(m.states.size(), 2u);
  EXPECT_EQ(m.states[1].offset, 1);
  EXPECT_TRUE(m.states[1].shape.isScalar());
  // G x = S x = (p, -q).
  std::vector<double> gx = run(m, *m.find("structure"), {3, 5});
  EXPECT_EQ(gx, (std::vector<double>{5, -3}));
}

TEST(SemaExamples, RealPendulumNet) {
  Checked c(readExample("real_pendulum_net.dg"));
  ir::ModelIR m = lowerExample("real_pendulum_net.dg", c);
  EXPECT_EQ(m.paramCount, 1 + 2 * 200 + 200 + 200 * 200 + 200 + 200);
  ASSERT_FALSE(m.params.empty());
  EXPECT_EQ(m.params[0].name, "g");
  EXPECT_TRUE(m.params[0].nonneg);
  EXPECT_EQ(m.params[0].init.kind, ir::ParamInit::Kind::Literal);
  EXPECT_EQ(m.params[1].offset, 1);
  EXPECT_FALSE(m.laws.conservesEnergy);
  EXPECT_TRUE(m.laws.dissipatesEnergy);
  const ir::Function *g = m.find("structure");
  EXPECT_EQ(inputNames(*g), (std::vector<std::string>{"x", "g"}));
  // (S - friction(g)) x = (p, -q - g p).
  std::vector<double> theta(static_cast<size_t>(m.paramCount), 0.0);
  theta[0] = 0.5;
  std::vector<double> gx = run(m, *g, {3, 4}, theta);
  EXPECT_EQ(gx, (std::vector<double>{4, -3 - 0.5 * 4}));
}

TEST(SemaExamples, MassSpringNODE) {
  Checked c(readExample("mass_spring_node.dg"));
  ir::ModelIR m = lowerExample("mass_spring_node.dg", c);
  EXPECT_EQ(m.kind, ir::ModelIR::Kind::VectorField);
  EXPECT_EQ(m.paramCount, 2 * 200 + 200 + 200 * 200 + 200 + 200 * 2 + 2);
  ASSERT_EQ(m.functions.size(), 1u);
  const ir::Function &f = m.functions[0];
  EXPECT_EQ(f.name, "vectorfield");
  EXPECT_EQ(f.type(f.results[0]), Shape{2});
  EXPECT_EQ(inputNames(f).size(), 7u); // u and W1 b1 W2 b2 W3 b3
  EXPECT_FALSE(m.laws.conservesEnergy || m.laws.dissipatesEnergy);
}

TEST(SemaExamples, MassSpringSep) {
  Checked c(readExample("mass_spring_sep.dg"));
  ir::ModelIR m = lowerExample("mass_spring_sep.dg", c);
  EXPECT_EQ(m.paramCount, 2 * (200 + 200 + 200 * 200 + 200 + 200));
  EXPECT_EQ(m.params[5].name, "T.W1");
  EXPECT_EQ(m.params[5].offset, 40800);
  EXPECT_TRUE(m.laws.conservesEnergy);
  EXPECT_FALSE(m.laws.separable); // computed later on the IR
}

TEST(SemaExamples, Pendulum) {
  Checked c(readExample("pendulum.dg"));
  ir::ModelIR m = lowerExample("pendulum.dg", c);
  EXPECT_EQ(m.stateSize, 2);
  EXPECT_EQ(m.paramCount, 0);
  EXPECT_TRUE(m.laws.conservesEnergy);
  // H = p^2 / 2 + 3 (1 - cos q).
  double q = 0.7, p = -1.3;
  EXPECT_NEAR(run(m, *m.find("energy"), {q, p})[0],
              p * p / 2 + 3 * (1 - std::cos(q)), 1e-12);
}

TEST(SemaExamples, AllenCahn2D) {
  Checked c(readExample("allen_cahn_2d.dg"));
  ir::ModelIR m = lowerExample("allen_cahn_2d.dg", c);
  EXPECT_EQ(m.stateSize, 32 * 32);
  EXPECT_TRUE(m.laws.dissipatesEnergy);
  EXPECT_FALSE(m.laws.conservesMass);
  EXPECT_DOUBLE_EQ(m.innerWeight[100], 1.0 / 32 / 32);
  EXPECT_EQ(m.states[0].shape, (Shape{32, 32}));
  std::vector<double> u = randomVector(1024, 3);
  std::vector<double> gx = run(m, *m.find("structure"), u);
  for (size_t i = 0; i < u.size(); ++i)
    EXPECT_EQ(gx[i], -u[i]);
}

TEST(SemaExamples, EveryModelOfTheFileChecks) {
  // The examples concatenated: one file with several models.
  std::string all;
  for (const char *f :
       {"kdv.dg", "cahn_hilliard.dg", "kdv_net.dg", "mass_spring_net.dg",
        "real_pendulum_net.dg", "mass_spring_node.dg", "mass_spring_sep.dg",
        "pendulum.dg", "allen_cahn_2d.dg"})
    all += readExample(f) + "\n";
  for (size_t i = 0; i < 9; ++i) {
    Checked c(all, {}, i);
    EXPECT_EQ(c.errors, 0u) << "model " << i << ":\n" << c.diagText;
    ASSERT_EQ(c.file.models.size(), 9u);
  }
}

} // namespace
