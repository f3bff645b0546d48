//===- SeparabilityTest.cpp - H = V(q) + T(p) detection -------------------===//
//
// Part of dgc. Separable energies (sums of terms on either half of u, also
// through element-wise ops, slices and constant factors) and non-separable
// ones (a network of [q, p], a coupling term, a stencil over the field).
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

using namespace dgc;
using namespace dgc::ir;
using dgc::transforms::isSeparable;

namespace {

/// A one-hidden-layer tanh network of a vector (parameters named by `p`).
ValueId mlp(Builder &b, ValueId x, const std::string &p) {
  ValueId w1 = b.input(p + ".W1", Shape{8, b.type(x)[0]});
  ValueId w2 = b.input(p + ".W2", Shape{1, 8});
  ValueId h = b.map(Fn::Tanh, b.matmul(w1, x));
  return b.reshape(b.matmul(w2, h), Shape());
}

Function energyOf(Function f, ValueId h) {
  f.results = {h};
  f.resultNames = {"H"};
  return f;
}

TEST(Separability, SumOfNetworksOfEachHalf) {
  Function f;
  f.name = "energy";
  Builder b(f);
  ValueId u = b.input("u", Shape{2});
  ValueId v = mlp(b, b.slice(u, 0, 1), "V");
  ValueId t = mlp(b, b.slice(u, 1, 2), "T");
  EXPECT_TRUE(isSeparable(energyOf(f, b.add(v, t)), 1));
}

TEST(Separability, NetworkOfTheWholeState) {
  Function f;
  f.name = "energy";
  Builder b(f);
  ValueId u = b.input("u", Shape{2});
  ValueId q = b.reshape(b.slice(u, 0, 1), Shape());
  ValueId p = b.reshape(b.slice(u, 1, 2), Shape());
  ValueId h = mlp(b, b.concat({q, p}), "f");
  EXPECT_FALSE(isSeparable(energyOf(f, h), 1));
}

TEST(Separability, PendulumThroughConstantFactors) {
  // p^2 / 2 + 3 (1 - cos q), then the same plus a coupling q p.
  Function f;
  f.name = "energy";
  Builder b(f);
  ValueId u = b.input("u", Shape{2});
  ValueId q = b.reshape(b.slice(u, 0, 1), Shape());
  ValueId p = b.reshape(b.slice(u, 1, 2), Shape());
  ValueId kin = b.mul(b.map(Fn::PowI, p, 0, 2), b.constant(0.5));
  ValueId pot = b.mul(b.constant(3.0), b.sub(b.constant(1.0), b.map(Fn::Cos, q)));
  ValueId h = b.add(kin, pot);
  EXPECT_TRUE(isSeparable(energyOf(f, h), 1));
  ValueId coupled = b.sub(h, b.neg(b.mul(q, p)));
  EXPECT_FALSE(isSeparable(energyOf(f, coupled), 1));
}

TEST(Separability, ElementLevelFlowOfVectorHalves) {
  // sum(u^2 [0:2]) + sum(sin(u)[2:4]): the element-wise ops keep each
  // element's dependency, so the slices see one half each.
  Function f;
  f.name = "energy";
  Builder b(f);
  ValueId u = b.input("u", Shape{4});
  ValueId sq = b.map(Fn::Square, u);
  ValueId sn = b.map(Fn::Sin, u);
  ValueId h = b.add(b.sum(b.slice(sq, 0, 2)), b.sum(b.slice(sn, 2, 4)));
  EXPECT_TRUE(isSeparable(energyOf(f, h), 2));
  // A stencil couples neighbours across the halves.
  ValueId d = b.stencil(u, 0, {1, -1}, {0.5, -0.5});
  EXPECT_FALSE(isSeparable(energyOf(f, b.sum(b.map(Fn::Square, d))), 2));
  // sum(u^2) itself splits into per-element terms only through the sum.
  EXPECT_TRUE(isSeparable(energyOf(f, b.sum(sq)), 2));
}

} // namespace
