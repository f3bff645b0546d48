//===- PipelineTest.cpp - deriveModel on hand-built models ----------------===//
//
// Part of dgc. `grad` and `time_derivative` of energy models (ODE states,
// a periodic field with the dx inner product, mixed weights, a parameter
// only the structure uses) and of a vector-field model, checked against
// closed forms and finite differences; and the separability law.
//
//===----------------------------------------------------------------------===//
#include "GradCheck.h"

#include "IR/Builder.h"
#include "IR/Printer.h"
#include "IR/Verifier.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace dgc;
using namespace dgc::ir;

namespace {

Function fn(const std::string &name, Function f, ValueId r,
            const std::string &rn) {
  f.name = name;
  f.results = {r};
  f.resultNames = {rn};
  return f;
}

/// Pendulum: H = p^2/2 + 3 (1 - cos q), G = S (x -> [x1, -x0]).
ModelIR pendulum() {
  ModelIR m;
  m.name = "Pendulum";
  m.stateSize = 2;
  m.innerWeight = {1, 1};
  Function e;
  Builder b(e);
  ValueId u = b.input("u", Shape{2});
  ValueId q = b.reshape(b.slice(u, 0, 1), Shape());
  ValueId p = b.reshape(b.slice(u, 1, 2), Shape());
  ValueId h = b.add(b.mul(b.map(Fn::PowI, p, 0, 2), b.constant(0.5)),
                    b.mul(b.constant(3.0), b.sub(b.constant(1.0), b.map(Fn::Cos, q))));
  m.functions.push_back(fn("energy", e, h, "H"));
  Function s;
  Builder c(s);
  ValueId x = c.input("x", Shape{2});
  ValueId sx = c.concat({c.slice(x, 1, 2), c.neg(c.slice(x, 0, 1))});
  m.functions.push_back(fn("structure", s, sx, "Gx"));
  return m;
}

TEST(Pipeline, PendulumGradAndTimeDerivative) {
  ModelIR m = pendulum();
  transforms::deriveModel(m);
  const Function *grad = m.find("grad"), *td = m.find("time_derivative");
  ASSERT_TRUE(grad && td);
  EXPECT_EQ(verify(*grad), "");
  EXPECT_EQ(verify(*td), "");
  EXPECT_EQ(grad->resultNames, (std::vector<std::string>{"H", "grad"}));
  EXPECT_EQ(td->resultNames, (std::vector<std::string>{"dudt"}));
  double q = 0.4, p = -0.7;
  auto g = interpret(*grad, {{"u", {q, p}}});
  EXPECT_NEAR(g[0][0], p * p / 2 + 3 * (1 - std::cos(q)), 1e-15);
  EXPECT_NEAR(g[1][0], 3 * std::sin(q), 1e-15);
  EXPECT_NEAR(g[1][1], p, 1e-15);
  auto d = interpret(*td, {{"u", {q, p}}});
  EXPECT_NEAR(d[0][0], p, 1e-15);
  EXPECT_NEAR(d[0][1], -3 * std::sin(q), 1e-15);
  EXPECT_TRUE(m.laws.separable);
}

/// KdV on 10 points, dx = 0.5: H = dx sum(u^3 - Df(u)^2 / 2), G = D.
ModelIR kdv() {
  ModelIR m;
  m.name = "KdV";
  m.stateSize = 10;
  m.innerWeight.assign(10, 0.5);
  Function e;
  Builder b(e);
  ValueId u = b.input("u", Shape{10});
  ValueId df = b.stencil(u, 0, {1, 0}, {2.0, -2.0});
  ValueId t = b.sub(b.map(Fn::PowI, u, 0, 3),
                    b.mul(b.constant(0.5), b.map(Fn::Square, df)));
  m.functions.push_back(fn("energy", e, b.mul(b.constant(0.5), b.sum(t)), "H"));
  Function s;
  Builder c(s);
  ValueId x = c.input("x", Shape{10});
  m.functions.push_back(
      fn("structure", s, c.stencil(x, 0, {1, -1}, {1.0, -1.0}), "Gx"));
  return m;
}

TEST(Pipeline, FieldGradientUsesTheDxInnerProduct) {
  ModelIR m = kdv();
  Function energy = *m.find("energy");
  transforms::deriveModel(m);
  const Function &grad = *m.find("grad");
  Bindings in = dgc::test::randomInputs(energy, 70);
  auto g = interpret(grad, in);
  // grad = (1/dx) dH/du, dH/du by central differences.
  std::vector<double> u = in["u"];
  for (size_t i = 0; i < u.size(); ++i) {
    double h = 1e-5;
    Bindings up = in, dn = in;
    up["u"][i] += h;
    dn["u"][i] -= h;
    double fd = (interpret(energy, up)[0][0] - interpret(energy, dn)[0][0]) / (2 * h);
    EXPECT_NEAR(g[1][i], fd / 0.5, 1e-8);
  }
  // time_derivative = D applied to grad.
  auto d = interpret(*m.find("time_derivative"), in);
  for (size_t i = 0; i < u.size(); ++i)
    EXPECT_NEAR(d[0][i], g[1][(i + 1) % 10] - g[1][(i + 9) % 10], 1e-12);
  EXPECT_FALSE(m.laws.separable);
}

TEST(Pipeline, MixedWeightsAndAStructureParameter) {
  // State [a (real), f (field of 3, dx = 0.25)]; H = sum(u^2)/2, so
  // grad = u / weight. G = -I - g (a param of the structure only).
  ModelIR m;
  m.name = "Mixed";
  m.stateSize = 4;
  m.innerWeight = {1, 0.25, 0.25, 0.25};
  Function e;
  Builder b(e);
  ValueId u = b.input("u", Shape{4});
  m.functions.push_back(
      fn("energy", e, b.mul(b.constant(0.5), b.sum(b.map(Fn::Square, u))), "H"));
  Function s;
  Builder c(s);
  ValueId x = c.input("x", Shape{4});
  ValueId g = c.input("g", Shape(), /*param=*/true);
  m.functions.push_back(fn("structure", s, c.neg(c.add(x, c.mul(g, x))), "Gx"));
  transforms::deriveModel(m);
  const Function &td = *m.find("time_derivative");
  ASSERT_GE(td.findParamInput("g"), 0) << printFunction(td);
  auto d = interpret(td, {{"u", {1, 2, 3, 4}}, {"g", {0.5}}});
  std::vector<double> want = {-1.5, -12, -18, -24};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_NEAR(d[0][i], want[i], 1e-14);
  EXPECT_TRUE(m.laws.separable);
}

TEST(Pipeline, VectorFieldModel) {
  ModelIR m;
  m.kind = ModelIR::Kind::VectorField;
  m.stateSize = 2;
  Function v;
  Builder b(v);
  ValueId u = b.input("u", Shape{2});
  ValueId w = b.input("W", Shape{2, 2}, /*param=*/true);
  m.functions.push_back(
      fn("vectorfield", v, b.map(Fn::Tanh, b.matmul(w, u)), "F"));
  transforms::deriveModel(m);
  const Function *td = m.find("time_derivative");
  ASSERT_TRUE(td);
  EXPECT_EQ(m.find("grad"), nullptr);
  auto d = interpret(*td, {{"u", {1, 2}}, {"W", {1, 0, 0.5, -1}}});
  EXPECT_NEAR(d[0][0], std::tanh(1.0), 1e-15);
  EXPECT_NEAR(d[0][1], std::tanh(-1.5), 1e-15);
}

} // namespace
