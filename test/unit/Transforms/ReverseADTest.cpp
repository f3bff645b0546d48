//===- ReverseADTest.cpp - Adjoints of every op against finite differences ===//
//
// Part of dgc. Functions built by hand with the Builder so that together
// they use every op of Ops.def (and map at orders 0..2 of every function),
// differentiated by reverseAD and compared with central differences of the
// interpreter; then second derivatives (reverseAD of reverseAD's output).
//
//===----------------------------------------------------------------------===//
#include "GradCheck.h"

#include "IR/Builder.h"
#include "IR/Verifier.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace dgc;
using namespace dgc::ir;
using dgc::test::expectGradient;
using dgc::test::randomInputs;

namespace {

Function finish(Function f, ValueId r) {
  f.results = {r};
  f.resultNames = {"H"};
  return f;
}

TEST(ReverseAD, ArithmeticWithScalarBroadcast) {
  Function f;
  f.name = "arith";
  Builder b(f);
  ValueId x = b.input("x", Shape{5});
  ValueId s = b.input("s", Shape());
  ValueId y = b.input("y", Shape{5});
  ValueId t = b.add(b.mul(s, x), b.mul(x, y));           // s x + x y
  t = b.sub(t, b.mul(b.neg(x), b.map(Fn::Tanh, y)));     // + x tanh y
  t = b.sub(s, b.mul(t, s));                             // s - s t
  t = b.add(t, b.sub(b.mul(s, s), y));                   // + s^2 - y
  ValueId h = b.add(b.sum(t), b.mul(s, b.sum(x)));
  expectGradient(finish(f, h), {"x", "s", "y"}, randomInputs(f, 1));
}

TEST(ReverseAD, EveryFunctionAtOrdersZeroToTwo) {
  const Fn fns[] = {
#define DGC_FN(Name, sp, maxOrder) Fn::Name,
#include "IR/Functions.def"
  };
  for (Fn fn : fns)
    for (int order = 0; order <= 2; ++order) {
      Function f;
      f.name = spelling(fn);
      Builder b(f);
      ValueId x = b.input("x", Shape{4});
      ValueId c = b.input("c", Shape{4});
      ValueId y = b.map(fn, x, order, 3);
      ValueId h = b.sum(b.mul(c, y));
      // Positive points keep log/sqrt/recip in their domain and relu/abs
      // away from their kinks.
      expectGradient(finish(f, h), {"x", "c"}, randomInputs(f, 2, 0.3, 1.5),
                     1e-7);
    }
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
  return finish(f, out);
}

TEST(ReverseAD, MlpEnergy) {
  Function f = mlpEnergy();
  expectGradient(f, {"u", "W1", "b1", "W2", "b2", "W3"}, randomInputs(f, 3));
}

TEST(ReverseAD, MatMulEveryFlagCombination) {
  for (int tA = 0; tA < 2; ++tA)
    for (int tB = 0; tB < 2; ++tB) {
      Function f;
      f.name = "mm";
      Builder b(f);
      ValueId a = b.input("A", tA ? Shape{4, 3} : Shape{3, 4});
      ValueId m = b.input("B", tB ? Shape{2, 4} : Shape{4, 2});
      ValueId v = b.input("v", Shape{3});
      ValueId y = b.matmul(a, m, tA, tB);          // [3, 2]
      ValueId z = b.matmul(a, b.map(Fn::Sin, v), !tA); // op(A)^T-ish on a vector
      ValueId h = b.add(b.sum(b.map(Fn::Tanh, y)), b.sum(b.map(Fn::Square, z)));
      expectGradient(finish(f, h), {"A", "B", "v"}, randomInputs(f, 4 + 2 * tA + tB));
    }
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
  return finish(f, h);
}

TEST(ReverseAD, ConvNetEnergy) {
  Function f = convEnergy();
  expectGradient(f, {"u", "K1", "b1", "K2", "K3"}, randomInputs(f, 5));
}

TEST(ReverseAD, ConvTAndConvWInEachOperand) {
  for (int64_t w : {1, 2, 3, 4}) {
    Function f;
    f.name = "convtw";
    Builder b(f);
    ValueId k = b.input("K", Shape{3, 2, w});
    ValueId z = b.input("z", Shape{3, 7});
    ValueId x = b.input("x", Shape{2, 7});
    ValueId t = b.map(Fn::Tanh, b.convT(k, z));      // [2, 7]
    ValueId g = b.map(Fn::Sin, b.convW(z, x, w));    // [3, 2, w]
    ValueId h = b.add(b.sum(b.mul(t, x)), b.sum(b.mul(g, k)));
    expectGradient(finish(f, h), {"K", "z", "x"}, randomInputs(f, 10 + unsigned(w)));
  }
}

TEST(ReverseAD, StencilsInOneAndTwoDimensions) {
  // KdV's energy: dx * sum(u^3 - (Df(u)^2 + Db(u)^2) / 4), periodic.
  Function f;
  f.name = "kdv";
  Builder b(f);
  ValueId u = b.input("u", Shape{10});
  ValueId dfw = b.stencil(u, 0, {1, 0}, {5.0, -5.0});
  ValueId dbw = b.stencil(u, 0, {0, -1}, {5.0, -5.0});
  ValueId e = b.sub(b.map(Fn::PowI, u, 0, 3),
                    b.mul(b.constant(0.25), b.add(b.map(Fn::PowI, dfw, 0, 2),
                                                  b.map(Fn::Square, dbw))));
  expectGradient(finish(f, b.mul(b.constant(0.2), b.sum(e))), {"u"},
                 randomInputs(f, 20));

  Function g;
  g.name = "lap2d";
  Builder c(g);
  ValueId v = c.input("v", Shape{4, 5});
  ValueId dx = c.stencil(v, 1, {1, -1}, {0.5, -0.5});
  ValueId dy = c.stencil(v, 0, {1, 0, -1}, {1.0, -2.0, 1.0});
  ValueId h = c.sum(c.map(Fn::Square, c.add(c.map(Fn::Sin, dx), dy)));
  expectGradient(finish(g, h), {"v"}, randomInputs(g, 21));
}

TEST(ReverseAD, SlicesConcatPadBroadcastExpandSumLastReshape) {
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
  expectGradient(finish(f, h), {"u", "s", "c"}, randomInputs(f, 30));
}

TEST(ReverseAD, DivDiffBothBranches) {
  for (Fn fn : {Fn::Tanh, Fn::Softplus, Fn::PowI, Fn::Log}) {
    Function f;
    f.name = "dd";
    Builder b(f);
    ValueId a = b.input("a", Shape{4});
    ValueId v = b.input("b", Shape{4});
    ValueId w = b.input("w", Shape{4});
    ValueId h = b.sum(b.mul(w, b.divdiff(fn, a, v, 0, 3)));
    f = finish(f, h);
    // Far apart: the quotient branch.
    dgc::ir::Bindings in = randomInputs(f, 40, 0.2, 1.8);
    expectGradient(f, {"a", "b", "w"}, in);
    // Within 1e-7 of each other: the series branch (the step keeps it there).
    for (size_t i = 0; i < 4; ++i)
      in["b"][i] = in["a"][i] + 1e-7 * (static_cast<double>(i) - 1.5);
    expectGradient(f, {"a", "b", "w"}, in, 1e-7, 1e-7);
  }
}

TEST(ReverseAD, VectorResultTakesASeed) {
  Function f;
  f.name = "vec";
  Builder b(f);
  ValueId u = b.input("u", Shape{3});
  ValueId w = b.input("W", Shape{4, 3});
  f = finish(f, b.map(Fn::Tanh, b.matmul(w, u)));
  Function g = dgc::transforms::reverseAD(f, 0, {"u"}, "vjp");
  ValueId seed = g.findInput("seed");
  ASSERT_GE(seed, 0);
  EXPECT_EQ(g.type(seed), (Shape{4}));
  EXPECT_EQ(g.resultNames, (std::vector<std::string>{"H", "d_u"}));
  expectGradient(f, {"u", "W"}, randomInputs(f, 50));
}

TEST(ReverseAD, OnlyActiveValuesGetAdjoints) {
  Function f;
  f.name = "act";
  Builder b(f);
  ValueId x = b.input("x", Shape{3});
  ValueId p = b.input("p", Shape{3});
  ValueId unused = b.input("q", Shape{2});
  (void)unused;
  ValueId h = b.add(b.sum(b.map(Fn::Tanh, p)), b.sum(b.mul(x, x)));
  f = finish(f, h);
  Function g = dgc::transforms::reverseAD(f, 0, {"x", "q"}, "g");
  for (const Op &op : g.ops)
    EXPECT_FALSE(op.kind == OpKind::Map && op.order > 0)
        << "tanh(p) does not depend on x, so it needs no derivative";
  EXPECT_EQ(g.op(g.results[2]).kind, OpKind::Const);
  EXPECT_EQ(g.type(g.results[2]), (Shape{2}));
  expectGradient(f, {"x", "q", "p"}, randomInputs(f, 51));
}

/// `f` with its result `r` replaced by sum(r * r): L = |r|^2.
Function squaredNorm(Function g, int r) {
  Builder b(g);
  ValueId v = g.results[static_cast<size_t>(r)];
  g.results = {b.sum(b.mul(v, v))};
  g.resultNames = {"L"};
  g.name = "L";
  return g;
}

TEST(ReverseAD, SecondOrderThroughTheMlpGradient) {
  Function grad = dgc::transforms::reverseAD(mlpEnergy(), 0, {"u"}, "grad");
  Function loss = squaredNorm(grad, 1); // |dH/du|^2
  expectGradient(loss, {"W1", "b1", "W2", "b2", "W3", "u"},
                 randomInputs(loss, 60));
  // Hessian-vector product: reverse AD of the vector-valued gradient.
  expectGradient(grad, {"u", "W1"}, randomInputs(grad, 61), 1e-7, 1e-5, 1);
}

TEST(ReverseAD, SecondOrderThroughTheConvNetGradient) {
  Function grad = dgc::transforms::reverseAD(convEnergy(), 0, {"u"}, "grad");
  Function loss = squaredNorm(grad, 1);
  expectGradient(loss, {"K1", "b1", "K2", "K3", "u"}, randomInputs(loss, 62));
}

TEST(ReverseAD, SecondOrderThroughADiscreteGradient) {
  // dH(a, b) = divdiff of H = sum(tanh) between a and b: its derivative in
  // the points uses divdiff orders 1 and 2.
  Function f;
  f.name = "dg";
  Builder b(f);
  ValueId a = b.input("a", Shape{3});
  ValueId v = b.input("b", Shape{3});
  ValueId w = b.input("W", Shape{3, 3});
  ValueId q = b.divdiff(Fn::Sin, b.matmul(w, a), b.matmul(w, v));
  f = finish(f, b.sum(b.map(Fn::Square, q)));
  expectGradient(f, {"a", "b", "W"}, randomInputs(f, 63));
}

} // namespace
