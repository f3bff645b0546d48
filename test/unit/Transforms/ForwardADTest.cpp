//===- ForwardADTest.cpp - Tangents of every op against finite differences ===//
//
// Part of dgc. Functions built by hand with the Builder so that together
// they use every op of Ops.def, differentiated by forwardAD and compared
// with central differences of the interpreter along the tangent direction;
// then forwardAD against reverseAD (a JVP of a scalar is the gradient dotted
// with the direction) and forward-over-reverse Hessian-vector products
// against finite differences of the gradient.
//
//===----------------------------------------------------------------------===//
#include "GradCheck.h"

#include "IR/Builder.h"
#include "IR/Printer.h"
#include "IR/Verifier.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace dgc;
using namespace dgc::ir;
using dgc::test::randomInputs;
using dgc::transforms::forwardAD;
using dgc::transforms::reverseAD;

namespace {

Function finish(Function f, std::vector<ValueId> rs) {
  f.results = rs;
  f.resultNames.clear();
  for (size_t i = 0; i < rs.size(); ++i)
    f.resultNames.push_back("r" + std::to_string(i));
  return f;
}

/// Binds every input of `g` that `f` lacks (the tangents) to random values.
Bindings withTangents(const Function &f, const Function &g, Bindings in,
                      unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1, 1);
  for (ValueId v : g.inputs)
    if (f.findInput(g.op(v).name) < 0) {
      std::vector<double> x(static_cast<size_t>(g.type(v).numel()));
      for (double &e : x)
        e = dist(rng);
      in[g.op(v).name] = x;
    }
  return in;
}

/// The tangent inputs' names that Passes.h promises: `t_<w>`, or `t_<w>_1`,
/// ... when an input (or an earlier tangent) already has that name.
std::vector<std::string> tangentNames(const Function &f,
                                      const std::vector<std::string> &wrt) {
  std::vector<std::string> names;
  auto taken = [&](const std::string &n) {
    return f.findInput(n) >= 0 ||
           std::find(names.begin(), names.end(), n) != names.end();
  };
  for (const std::string &w : wrt) {
    std::string n = "t_" + w;
    for (int i = 1; taken(n); ++i)
      n = "t_" + w + "_" + std::to_string(i);
    names.push_back(n);
  }
  return names;
}

/// forwardAD(f, wrt) checked: it verifies, has the promised signature, keeps
/// f's values, simplify keeps its values, and each tangent matches central
/// differences of f along the tangents with step h. Returns the largest
/// relative error (inf-norm of the difference over that of the difference
/// quotient, per result).
double tangentError(const Function &f, const std::vector<std::string> &wrt,
                    const Bindings &point, double h) {
  EXPECT_EQ(verify(f), "") << printFunction(f);
  Function g = forwardAD(f, wrt, "jvp");
  EXPECT_EQ(verify(g), "") << printFunction(g);

  // Signature: f's inputs, then t_<w>; f's results, then t_<result>.
  std::vector<std::string> tn = tangentNames(f, wrt);
  size_t nf = f.results.size();
  EXPECT_EQ(g.inputs.size(), f.inputs.size() + wrt.size());
  for (size_t i = 0; i < f.inputs.size(); ++i)
    EXPECT_EQ(g.inputs[i], f.inputs[i]);
  for (size_t i = 0; i < wrt.size() && f.inputs.size() + i < g.inputs.size();
       ++i) {
    ValueId v = g.inputs[f.inputs.size() + i];
    EXPECT_EQ(g.op(v).name, tn[i]);
    EXPECT_EQ(g.type(v), f.type(f.findInput(wrt[i])));
  }
  EXPECT_EQ(g.results.size(), 2 * nf);
  for (size_t r = 0; r < nf; ++r) {
    EXPECT_EQ(g.resultNames[nf + r], "t_" + f.resultNames[r]);
    EXPECT_EQ(g.type(g.results[nf + r]), f.type(f.results[r]));
  }

  Bindings in = withTangents(f, g, point, 99);
  std::vector<std::vector<double>> ad = interpret(g, in);
  std::vector<std::vector<double>> y = interpret(f, point);
  for (size_t r = 0; r < nf; ++r)
    EXPECT_EQ(ad[r], y[r]) << "forward value " << r << " changed";

  Function s = g;
  transforms::simplify(s);
  EXPECT_EQ(verify(s), "") << printFunction(s);
  std::vector<std::vector<double>> simplified = interpret(s, in);
  for (size_t r = 0; r < ad.size(); ++r)
    for (size_t i = 0; i < ad[r].size(); ++i)
      EXPECT_NEAR(simplified[r][i], ad[r][i], 1e-12 * (1 + std::fabs(ad[r][i])))
          << "simplify changed result " << r << " element " << i;

  // Central differences along the tangent direction.
  Bindings up = point, down = point;
  for (size_t k = 0; k < wrt.size(); ++k) {
    const std::vector<double> &d = in[tn[k]];
    for (size_t i = 0; i < d.size(); ++i) {
      up[wrt[k]][i] += h * d[i];
      down[wrt[k]][i] -= h * d[i];
    }
  }
  std::vector<std::vector<double>> yu = interpret(f, up), yd = interpret(f, down);
  double worst = 0;
  for (size_t r = 0; r < nf; ++r) {
    double diff = 0, scale = 0;
    for (size_t i = 0; i < yu[r].size(); ++i) {
      double fd = (yu[r][i] - yd[r][i]) / (2 * h);
      diff = std::max(diff, std::fabs(ad[nf + r][i] - fd));
      scale = std::max(scale, std::fabs(fd));
    }
    double err = scale == 0 && diff == 0 ? 0 : diff / std::max(scale, 1e-12);
    worst = std::max(worst, err);
  }
  return worst;
}

void expectTangents(const Function &f, const std::vector<std::string> &wrt,
                    const Bindings &in, double tol = 1e-7, double h = 1e-5) {
  double err = tangentError(f, wrt, in, h);
  EXPECT_LE(err, tol) << "function @" << f.name << "\n" << printFunction(f);
}

/// For a scalar result 0: forwardAD's tangent equals the reverseAD gradient
/// dotted with the tangents, sum_w <dH/dw, t_w>.
void expectMatchesReverse(const Function &f,
                          const std::vector<std::string> &wrt,
                          const Bindings &point) {
  ASSERT_TRUE(f.type(f.results[0]).isScalar());
  Function jvp = forwardAD(f, wrt, "jvp");
  Function grad = reverseAD(f, 0, wrt, "grad");
  ASSERT_EQ(verify(jvp), "") << printFunction(jvp);
  ASSERT_EQ(verify(grad), "") << printFunction(grad);
  Bindings in = withTangents(f, jvp, point, 17);
  double fwd = interpret(jvp, in)[f.results.size()][0];
  std::vector<std::vector<double>> g = interpret(grad, point);
  double rev = 0;
  for (size_t w = 0; w < wrt.size(); ++w) {
    const std::vector<double> &t = in["t_" + wrt[w]];
    for (size_t i = 0; i < t.size(); ++i)
      rev += g[1 + w][i] * t[i];
  }
  EXPECT_NEAR(fwd, rev, 1e-12 * (1 + std::fabs(rev))) << f.name;
}

/// Forward over reverse: forwardAD(reverseAD(f, {u}), {u}) gives H w, which
/// must match differences of the gradient and be symmetric: v.(H w) = w.(H v).
void expectHessianVector(const Function &f, const std::string &u,
                         const Bindings &point) {
  Function grad = reverseAD(f, 0, {u}, "grad");
  expectTangents(grad, {u}, point);
  Function hvp = forwardAD(grad, {u}, "hvp");
  ASSERT_EQ(verify(hvp), "") << printFunction(hvp);
  Bindings v = withTangents(grad, hvp, point, 3);
  Bindings w = withTangents(grad, hvp, point, 4);
  std::vector<double> hv = interpret(hvp, v)[3], hw = interpret(hvp, w)[3];
  const std::vector<double> &dv = v["t_" + u], &dw = w["t_" + u];
  double vHw = 0, wHv = 0;
  for (size_t i = 0; i < hv.size(); ++i) {
    vHw += dv[i] * hw[i];
    wHv += dw[i] * hv[i];
  }
  EXPECT_NEAR(vHw, wHv, 1e-10 * (1 + std::fabs(vHw))) << f.name;
}

TEST(ForwardAD, ArithmeticWithScalarBroadcast) {
  Function f;
  f.name = "arith";
  Builder b(f);
  ValueId x = b.input("x", Shape{5});
  ValueId s = b.input("s", Shape());
  ValueId y = b.input("y", Shape{5});
  ValueId t = b.add(b.mul(s, x), b.mul(x, y));       // s x + x y
  t = b.sub(t, b.mul(b.neg(x), b.map(Fn::Tanh, y))); // + x tanh y
  t = b.sub(s, b.mul(t, s));                         // s - s t
  t = b.add(t, b.sub(b.mul(s, s), y));               // + s^2 - y
  ValueId u = b.sub(b.add(x, s), b.neg(s));          // x + 2 s
  ValueId h = b.add(b.sum(t), b.mul(s, b.sum(x)));
  f = finish(f, {h, t, u});
  for (auto wrt : std::vector<std::vector<std::string>>{
           {"x", "s", "y"}, {"x"}, {"s"}, {"y"}, {"s", "y"}})
    expectTangents(f, wrt, randomInputs(f, 1));
}

TEST(ForwardAD, EveryFunctionAtOrdersZeroToThree) {
  const Fn fns[] = {
#define DGC_FN(Name, sp, maxOrder) Fn::Name,
#include "IR/Functions.def"
  };
  for (Fn fn : fns)
    for (int order = 0; order <= 3; ++order) {
      Function f;
      f.name = spelling(fn);
      Builder b(f);
      ValueId x = b.input("x", Shape{4});
      ValueId c = b.input("c", Shape{4});
      ValueId y = b.map(fn, x, order, 3);
      f = finish(f, {y, b.sum(b.mul(c, y))});
      // Positive points keep log/sqrt/recip in their domain and relu/abs
      // away from their kinks.
      Bindings in = randomInputs(f, 2, 0.3, 1.5);
      expectTangents(f, {"x", "c"}, in);
      expectTangents(f, {"x"}, in);
    }
}

TEST(ForwardAD, PowIOfEveryExponent) {
  for (int k : {1, 2, 3, 5})
    for (int order = 0; order <= 3; ++order) {
      Function f;
      f.name = "powi";
      Builder b(f);
      ValueId x = b.input("x", Shape{4});
      f = finish(f, {b.map(Fn::PowI, x, order, k)});
      expectTangents(f, {"x"}, randomInputs(f, 3));
    }
}

TEST(ForwardAD, DivDiffBothBranches) {
  for (Fn fn : {Fn::Tanh, Fn::Softplus, Fn::PowI, Fn::Log, Fn::Sin, Fn::Exp,
                Fn::Recip, Fn::Sqrt}) {
    Function f;
    f.name = "dd";
    Builder b(f);
    ValueId a = b.input("a", Shape{4});
    ValueId v = b.input("b", Shape{4});
    ValueId w = b.input("w", Shape{4});
    ValueId q = b.divdiff(fn, a, v, 0, 3);
    f = finish(f, {q, b.sum(b.mul(w, q))});
    // Far apart: the quotient branch.
    Bindings in = randomInputs(f, 40, 0.2, 1.8);
    for (auto wrt : std::vector<std::vector<std::string>>{
             {"a", "b", "w"}, {"a"}, {"b"}, {"w"}})
      expectTangents(f, wrt, in);
    // Within 2e-7 of each other, one pair equal: the series branch (the
    // step keeps it there).
    for (size_t i = 0; i < 4; ++i)
      in["b"][i] = in["a"][i] + 1e-7 * (static_cast<double>(i) - 1.0);
    for (auto wrt : std::vector<std::vector<std::string>>{
             {"a", "b", "w"}, {"a"}, {"b"}})
      expectTangents(f, wrt, in, 1e-7, 1e-7);
  }
}

TEST(ForwardADDeathTest, DivDiffOfOrderOneOrTwoIsRefused) {
  for (int order : {1, 2}) {
    Function f;
    f.name = "dd1";
    Builder b(f);
    ValueId a = b.input("a", Shape{3});
    ValueId v = b.input("b", Shape{3});
    f = finish(f, {b.divdiff(Fn::Tanh, a, v, order)});
    EXPECT_DEATH(forwardAD(f, {"a"}, "jvp"),
                 "internal compiler error: forward AD: no derivative rule for "
                 "divdiff of order 1 or 2");
  }
}

TEST(ForwardAD, MatMulEveryFlagCombination) {
  for (int tA = 0; tA < 2; ++tA)
    for (int tB = 0; tB < 2; ++tB) {
      Function f;
      f.name = "mm";
      Builder b(f);
      ValueId a = b.input("A", tA ? Shape{4, 3} : Shape{3, 4});
      ValueId m = b.input("B", tB ? Shape{2, 4} : Shape{4, 2});
      ValueId v = b.input("v", Shape{3});
      ValueId y = b.matmul(a, m, tA, tB);                 // [3, 2]
      ValueId z = b.matmul(a, b.map(Fn::Sin, v), !tA);    // [4]
      ValueId h = b.add(b.sum(b.map(Fn::Tanh, y)), b.sum(b.map(Fn::Square, z)));
      f = finish(f, {y, z, h});
      Bindings in = randomInputs(f, 4 + 2 * unsigned(tA) + unsigned(tB));
      for (auto wrt : std::vector<std::vector<std::string>>{
               {"A", "B", "v"}, {"A"}, {"B"}, {"v"}})
        expectTangents(f, wrt, in);
      expectMatchesReverse(finish(f, {h}), {"A", "B", "v"}, in);
    }
}

TEST(ForwardAD, ConvConvTConvWInEachOperand) {
  for (int64_t w : {1, 2, 3, 4}) {
    Function f;
    f.name = "convs";
    Builder b(f);
    ValueId k = b.input("K", Shape{3, 2, w});
    ValueId z = b.input("z", Shape{3, 7});
    ValueId x = b.input("x", Shape{2, 7});
    ValueId c = b.conv(k, x);        // [3, 7]
    ValueId t = b.convT(k, z);       // [2, 7]
    ValueId g = b.convW(z, x, w);    // [3, 2, w]
    ValueId h = b.add(b.sum(b.mul(b.map(Fn::Tanh, t), x)),
                      b.sum(b.mul(b.map(Fn::Sin, g), k)));
    h = b.add(h, b.sum(b.mul(c, z)));
    f = finish(f, {c, t, g, h});
    Bindings in = randomInputs(f, 10 + unsigned(w));
    for (auto wrt : std::vector<std::vector<std::string>>{
             {"K", "z", "x"}, {"K"}, {"z"}, {"x"}})
      expectTangents(f, wrt, in);
    expectMatchesReverse(finish(f, {h}), {"K", "z", "x"}, in);
  }
}

/// KdV's energy: dx * sum(u^3 - (Df(u)^2 + Db(u)^2) / 4), periodic.
Function kdvEnergy() {
  Function f;
  f.name = "kdv";
  Builder b(f);
  ValueId u = b.input("u", Shape{10});
  ValueId dfw = b.stencil(u, 0, {1, 0}, {5.0, -5.0});
  ValueId dbw = b.stencil(u, 0, {0, -1}, {5.0, -5.0});
  ValueId e = b.sub(b.map(Fn::PowI, u, 0, 3),
                    b.mul(b.constant(0.25), b.add(b.map(Fn::PowI, dfw, 0, 2),
                                                  b.map(Fn::Square, dbw))));
  return finish(f, {b.mul(b.constant(0.2), b.sum(e)), dfw});
}

/// A 2-D field energy with stencils along both axes.
Function lap2dEnergy() {
  Function g;
  g.name = "lap2d";
  Builder c(g);
  ValueId v = c.input("v", Shape{4, 5});
  ValueId dx = c.stencil(v, 1, {1, -1}, {0.5, -0.5});
  ValueId dy = c.stencil(v, 0, {1, 0, -1}, {1.0, -2.0, 1.0});
  ValueId h = c.sum(c.map(Fn::Square, c.add(c.map(Fn::Sin, dx), dy)));
  return finish(g, {h, dx, dy});
}

TEST(ForwardAD, StencilsInOneAndTwoDimensions) {
  Function f = kdvEnergy();
  expectTangents(f, {"u"}, randomInputs(f, 20));
  expectMatchesReverse(f, {"u"}, randomInputs(f, 20));
  Function g = lap2dEnergy();
  expectTangents(g, {"v"}, randomInputs(g, 21));
  expectMatchesReverse(g, {"v"}, randomInputs(g, 21));
}

/// Slices, concat (with scalar pieces), pad, broadcast, expand, sumlast and
/// reshape, in several results.
Function shapesFunction() {
  Function f;
  f.name = "shapes";
  Builder b(f);
  ValueId u = b.input("u", Shape{6});
  ValueId s = b.input("s", Shape());
  ValueId c = b.input("c", Shape{2});
  ValueId a = b.slice(u, 0, 3);
  ValueId mid = b.reshape(b.slice(u, 3, 4), Shape());
  ValueId z = b.concat({b.map(Fn::Tanh, a), mid, s, b.slice(u, 4, 6)}); // [6]
  ValueId p = b.pad(b.map(Fn::Sin, b.slice(z, 1, 5)), 2, 7);            // [7]
  ValueId m = b.reshape(b.slice(p, 1, 7), Shape{2, 3});
  ValueId e = b.mul(m, b.expand(c, 3));
  ValueId r = b.sumLast(b.map(Fn::Tanh, e));                             // [2]
  ValueId br = b.broadcast(b.mul(s, mid), Shape{2});
  ValueId h = b.sum(b.mul(b.map(Fn::Exp, r), b.add(br, c)));
  ValueId cs = b.concat({c, s, b.constant(2.0), b.mul(s, s)});          // [5]
  return finish(f, {h, z, p, m, r, br, cs});
}

TEST(ForwardAD, SlicesConcatPadBroadcastExpandSumLastReshape) {
  Function f = shapesFunction();
  Bindings in = randomInputs(f, 30);
  for (auto wrt : std::vector<std::vector<std::string>>{
           {"u", "s", "c"}, {"u"}, {"s"}, {"c"}, {"u", "c"}})
    expectTangents(f, wrt, in);
  expectMatchesReverse(f, {"u", "s", "c"}, in);
  expectMatchesReverse(f, {"s"}, in);
}

TEST(ForwardAD, OnlyActiveValuesGetTangents) {
  Function f;
  f.name = "act";
  Builder b(f);
  ValueId x = b.input("x", Shape{3});
  ValueId p = b.input("p", Shape{3});
  ValueId unused = b.input("q", Shape{2});
  (void)unused;
  ValueId tp = b.map(Fn::Tanh, p);
  ValueId h = b.add(b.sum(tp), b.sum(b.mul(x, x)));
  f = finish(f, {h, tp, p});
  Function g = forwardAD(f, {"x", "q"}, "jvp");
  ASSERT_EQ(verify(g), "") << printFunction(g);
  // The forward ops keep their ids.
  for (size_t i = 0; i < f.ops.size(); ++i) {
    EXPECT_EQ(g.ops[i].kind, f.ops[i].kind);
    EXPECT_EQ(g.ops[i].operands, f.ops[i].operands);
  }
  for (const Op &op : g.ops)
    EXPECT_FALSE(op.kind == OpKind::Map && op.order > 0)
        << "tanh(p) does not depend on x, so it needs no derivative";
  // tanh(p) and p have zero tangents of their shapes.
  for (size_t r : {4, 5}) {
    EXPECT_EQ(g.op(g.results[r]).kind, OpKind::Const);
    EXPECT_EQ(g.op(g.results[r]).real, 0.0);
    EXPECT_EQ(g.type(g.results[r]), (Shape{3}));
  }
  EXPECT_EQ(g.resultNames,
            (std::vector<std::string>{"r0", "r1", "r2", "t_r0", "t_r1", "t_r2"}));
  expectTangents(f, {"x", "q"}, randomInputs(f, 51));
  expectTangents(f, {"q"}, randomInputs(f, 52));
}

TEST(ForwardAD, TangentInputNamesAvoidExistingInputs) {
  Function f;
  f.name = "names";
  Builder b(f);
  ValueId u = b.input("u", Shape{2});
  ValueId tu = b.input("t_u", Shape{2});
  f = finish(f, {b.mul(u, tu)});
  Function g = forwardAD(f, {"u"}, "jvp");
  ASSERT_EQ(verify(g), "") << printFunction(g);
  ASSERT_EQ(g.inputs.size(), 3u);
  EXPECT_EQ(g.op(g.inputs[2]).name, "t_u_1");
  Bindings in = randomInputs(f, 53);
  in["t_u_1"] = {1.0, -2.0};
  std::vector<std::vector<double>> r = interpret(g, in);
  EXPECT_DOUBLE_EQ(r[1][0], in["t_u"][0] * 1.0);
  EXPECT_DOUBLE_EQ(r[1][1], in["t_u"][1] * -2.0);
}

/// A two-layer tanh MLP energy H(u) = w3 . tanh(W2 tanh(W1 u + b1) + b2).
Function mlpEnergy() {
  Function f;
  f.name = "mlp";
  Builder b(f);
  ValueId u = b.input("u", Shape{2});
  ValueId w1 = b.input("W1", Shape{6, 2});
  ValueId b1 = b.input("b1", Shape{6});
  ValueId w2 = b.input("W2", Shape{5, 6});
  ValueId b2 = b.input("b2", Shape{5});
  ValueId w3 = b.input("W3", Shape{1, 5});
  ValueId q = b.reshape(b.slice(u, 0, 1), Shape());
  ValueId p = b.reshape(b.slice(u, 1, 2), Shape());
  ValueId x = b.concat({q, p});
  ValueId h1 = b.map(Fn::Tanh, b.add(b.matmul(w1, x), b1));
  ValueId h2 = b.map(Fn::Tanh, b.add(b.matmul(w2, h1), b2));
  ValueId out = b.reshape(b.matmul(w3, h2), Shape());
  return finish(f, {out});
}

/// A channel-major periodic conv net on a field of 12 points.
Function convEnergy() {
  Function f;
  f.name = "convnet";
  Builder b(f);
  ValueId u = b.input("u", Shape{12});
  ValueId k1 = b.input("K1", Shape{4, 1, 3});
  ValueId b1 = b.input("b1", Shape{4});
  ValueId k2 = b.input("K2", Shape{3, 4, 1});
  ValueId k3 = b.input("K3", Shape{1, 3, 1});
  ValueId x = b.reshape(u, Shape{1, 12});
  ValueId h1 = b.map(Fn::Tanh, b.add(b.conv(k1, x), b.expand(b1, 12)));
  ValueId h2 = b.map(Fn::Tanh, b.conv(k2, h1));
  ValueId out = b.reshape(b.conv(k3, h2), Shape{12});
  ValueId h = b.mul(b.constant(0.2), b.sum(out));
  return finish(f, {h});
}

TEST(ForwardAD, AgreesWithReverseADOnNetworks) {
  Function mlp = mlpEnergy();
  Bindings in = randomInputs(mlp, 3);
  expectTangents(mlp, {"u", "W1", "b1", "W2", "b2", "W3"}, in);
  expectMatchesReverse(mlp, {"u"}, in);
  expectMatchesReverse(mlp, {"u", "W1", "b1", "W2", "b2", "W3"}, in);
  Function conv = convEnergy();
  in = randomInputs(conv, 5);
  expectTangents(conv, {"u", "K1", "b1", "K2", "K3"}, in);
  expectMatchesReverse(conv, {"u"}, in);
  expectMatchesReverse(conv, {"u", "K1", "b1", "K2", "K3"}, in);
}

TEST(ForwardAD, ForwardOverReverseHessianVectorProducts) {
  Function mlp = mlpEnergy();
  expectHessianVector(mlp, "u", randomInputs(mlp, 60));
  Function conv = convEnergy();
  expectHessianVector(conv, "u", randomInputs(conv, 61));
  Function kdv = finish(kdvEnergy(), {kdvEnergy().results[0]});
  expectHessianVector(kdv, "u", randomInputs(kdv, 62));
  Function lap = finish(lap2dEnergy(), {lap2dEnergy().results[0]});
  expectHessianVector(lap, "v", randomInputs(lap, 63));
  Function shapes = finish(shapesFunction(), {shapesFunction().results[0]});
  expectHessianVector(shapes, "u", randomInputs(shapes, 64));
  expectHessianVector(shapes, "s", randomInputs(shapes, 65));
  // Mixed second derivatives: the parameter gradient along a change of u.
  Function grad = reverseAD(mlp, 0, {"W1", "W2"}, "grad");
  expectTangents(grad, {"u"}, randomInputs(mlp, 66));
  expectTangents(grad, {"u", "W2"}, randomInputs(mlp, 67));
}

TEST(ForwardAD, ForwardOverForward) {
  // The forward rules emit differentiable ops (map order + 1, divdiff
  // orders 1 and 2 only for a divdiff of order 0): second directional
  // derivatives of a function without divdiff.
  Function f = mlpEnergy();
  Function jvp = forwardAD(f, {"u"}, "jvp");
  Bindings in = withTangents(f, jvp, randomInputs(f, 70), 5);
  expectTangents(jvp, {"u"}, in); // tangent input t_u_1
  expectTangents(jvp, {"W1", "u", "b2"}, in);
  Function c = convEnergy();
  Function cj = forwardAD(c, {"u", "K2"}, "jvp");
  in = withTangents(c, cj, randomInputs(c, 71), 6);
  expectTangents(cj, {"u", "K1"}, in);
  expectTangents(cj, {"t_u", "K2"}, in); // linear in t_u
}

} // namespace
