//===- SimplifyTest.cpp - Folding, identities, CSE, DCE keep values -------===//
//
// Part of dgc. Each rewrite of simplify on a small function: what remains,
// that types and the signature are kept, and that values do not change.
//
//===----------------------------------------------------------------------===//
#include "GradCheck.h"

#include "IR/Builder.h"
#include "IR/Printer.h"
#include "IR/Verifier.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

using namespace dgc;
using namespace dgc::ir;

namespace {

size_t countKind(const Function &f, OpKind k) {
  size_t n = 0;
  for (const Op &op : f.ops)
    n += op.kind == k;
  return n;
}

/// Simplifies a copy of `f` and expects the same results at random inputs.
Function simplifiedSameValues(const Function &f) {
  Function s = f;
  transforms::simplify(s);
  EXPECT_EQ(verify(s), "") << printFunction(s);
  Bindings in = dgc::test::randomInputs(f, 9);
  auto a = interpret(f, in), b = interpret(s, in);
  EXPECT_EQ(a.size(), b.size());
  for (size_t r = 0; r < a.size(); ++r)
    for (size_t i = 0; i < a[r].size(); ++i)
      EXPECT_NEAR(a[r][i], b[r][i], 1e-13) << printFunction(s);
  return s;
}

TEST(Simplify, FoldsScalarConstantsAndIdentities) {
  Function f;
  f.name = "f";
  Builder b(f);
  ValueId x = b.input("x", Shape{4});
  ValueId two = b.add(b.constant(1.5), b.constant(0.5));       // 2
  ValueId one = b.mul(two, b.constant(0.5));                   // 1
  ValueId zero = b.sub(one, b.constant(1.0));                  // 0
  ValueId y = b.add(b.mul(x, one), zero);                      // x
  ValueId z = b.neg(b.neg(y));                                 // x
  ValueId w = b.add(z, b.mul(x, zero));                        // x + 0
  f.results = {b.sum(w)};
  f.resultNames = {"H"};
  Function s = simplifiedSameValues(f);
  EXPECT_EQ(s.ops.size(), 2u) << printFunction(s); // input, sum
}

TEST(Simplify, IdentitiesKeepTheResultShape) {
  Function f;
  f.name = "f";
  Builder b(f);
  ValueId s = b.input("s", Shape());
  ValueId ones = b.constant(1.0, Shape{3});
  ValueId zeros = b.constant(0.0, Shape{3});
  ValueId m = b.mul(s, ones);  // [3], not the scalar s
  ValueId a = b.add(zeros, s); // [3]
  ValueId z = b.mul(s, zeros); // zeros [3]
  f.results = {m, a, z};
  f.resultNames = {"m", "a", "z"};
  Function r = simplifiedSameValues(f);
  EXPECT_EQ(r.type(r.results[0]), (Shape{3}));
  EXPECT_EQ(r.results[0], r.results[1]) << "broadcast(s) shared by CSE";
  EXPECT_EQ(r.op(r.results[2]).kind, OpKind::Const);
  EXPECT_EQ(r.type(r.results[2]), (Shape{3}));
}

TEST(Simplify, ConstantFactorChains) {
  Function f;
  f.name = "f";
  Builder b(f);
  ValueId x = b.input("x", Shape{4});
  ValueId y = b.mul(b.constant(2.0), b.mul(b.constant(3.0), b.neg(x)));
  f.results = {b.sum(y)};
  f.resultNames = {"H"};
  Function s = simplifiedSameValues(f);
  EXPECT_EQ(countKind(s, OpKind::Mul), 1u) << printFunction(s);
  EXPECT_EQ(countKind(s, OpKind::Neg), 0u) << printFunction(s);
  EXPECT_EQ(countKind(s, OpKind::Const), 1u) << printFunction(s);
}

TEST(Simplify, CommonSubexpressionsAndDeadCode) {
  Function f;
  f.name = "f";
  Builder b(f);
  ValueId x = b.input("x", Shape{4});
  ValueId unused = b.input("p", Shape{2});
  (void)unused;
  ValueId t1 = b.map(Fn::Tanh, x);
  ValueId t2 = b.map(Fn::Tanh, x);
  ValueId t3 = b.map(Fn::Tanh, x, 1); // different order: kept
  ValueId dead = b.map(Fn::Exp, x);
  (void)dead;
  ValueId m1 = b.mul(t1, t3);
  ValueId m2 = b.mul(t3, t2); // the same product, operands swapped
  f.results = {b.sum(b.add(m1, m2))};
  f.resultNames = {"H"};
  Function s = simplifiedSameValues(f);
  EXPECT_EQ(countKind(s, OpKind::Map), 2u) << printFunction(s);
  EXPECT_EQ(countKind(s, OpKind::Mul), 1u) << printFunction(s);
  ASSERT_EQ(s.inputs.size(), 2u) << "inputs are never removed";
  EXPECT_EQ(s.op(s.inputs[1]).name, "p");
}

TEST(Simplify, FoldsShapeOpsOfConstants) {
  Function f;
  f.name = "f";
  Builder b(f);
  ValueId x = b.input("x", Shape{2, 3});
  ValueId c = b.constant(2.0, Shape{2});
  ValueId e = b.expand(c, 3);                         // const 2 : [2, 3]
  ValueId st = b.stencil(b.constant(1.0, Shape{2, 3}), 1, {1, -1}, {0.5, -0.5});
  ValueId s = b.sumLast(b.add(b.mul(x, e), st));      // st folds to 0
  ValueId k = b.map(Fn::Exp, b.sum(b.constant(0.0, Shape{5}))); // exp(0) = 1
  f.results = {b.mul(k, b.sum(s))};
  f.resultNames = {"H"};
  Function r = simplifiedSameValues(f);
  EXPECT_EQ(countKind(r, OpKind::Stencil), 0u) << printFunction(r);
  EXPECT_EQ(countKind(r, OpKind::Expand), 0u) << printFunction(r);
  EXPECT_EQ(countKind(r, OpKind::Map), 0u) << printFunction(r);
}

} // namespace
