//===- VerifierTest.cpp - The verifier accepts good IR, names bad IR ------===//
//
// Part of dgc. A well-formed function verifies; each kind of corruption a
// pass could introduce is reported with a message naming the problem.
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "IR/Verifier.h"

#include <gtest/gtest.h>

using namespace dgc;
using namespace dgc::ir;

namespace {

/// u[6] -> sum(tanh(W u)) with a slice, a matmul and a conv on the way.
Function goodFunction() {
  Function f;
  f.name = "f";
  Builder b(f);
  ValueId u = b.input("u", Shape{6});
  ValueId w = b.input("W", Shape{3, 6});
  ValueId k = b.input("K", Shape{2, 1, 3});
  ValueId y = b.map(Fn::Tanh, b.matmul(w, u));
  ValueId x = b.reshape(b.slice(u, 0, 4), Shape{1, 4});
  ValueId c = b.conv(k, x);
  ValueId h = b.add(b.sum(y), b.sum(c));
  f.results = {h};
  f.resultNames = {"H"};
  return f;
}

bool mentions(const std::string &msg, const std::string &part) {
  return msg.find(part) != std::string::npos;
}

TEST(Verifier, AcceptsWellFormed) { EXPECT_EQ(verify(goodFunction()), ""); }

TEST(Verifier, OperandAfterUser) {
  Function f = goodFunction();
  f.ops[3].operands[0] = 5; // map reads a later value
  EXPECT_TRUE(mentions(verify(f), "does not precede")) << verify(f);
}

TEST(Verifier, WrongArity) {
  Function f = goodFunction();
  f.ops[4].operands.push_back(0); // map with two operands
  EXPECT_TRUE(mentions(verify(f), "2 operands, expected 1")) << verify(f);
}

TEST(Verifier, WrongType) {
  Function f = goodFunction();
  f.ops[4].type = Shape{4}; // tanh of a [3] value typed [4]
  EXPECT_TRUE(mentions(verify(f), "type rule gives real[3]")) << verify(f);
  Function g = goodFunction();
  g.ops[3].ints = {1, 0}; // transA makes the inner extents differ
  EXPECT_TRUE(mentions(verify(g), "inner extents")) << verify(g);
}

TEST(Verifier, BadShapesOfElementwiseOps) {
  Function f;
  f.name = "bad";
  Builder b(f);
  ValueId a = b.input("a", Shape{3});
  ValueId c = b.input("c", Shape{4});
  Op add;
  add.kind = OpKind::Add;
  add.type = Shape{3};
  add.operands = {a, c};
  f.results = {b.append(add)};
  f.resultNames = {"r"};
  EXPECT_TRUE(mentions(verify(f), "different shapes")) << verify(f);
}

TEST(Verifier, MapOrderAboveMaximum) {
  Function f = goodFunction();
  f.ops[4].order = maxOrder(Fn::Tanh) + 1;
  EXPECT_TRUE(mentions(verify(f), "exceeds the maximum")) << verify(f);
}

TEST(Verifier, InputsAndResults) {
  Function f = goodFunction();
  f.inputs.pop_back(); // K is an input op no longer listed
  EXPECT_TRUE(mentions(verify(f), "not in the signature")) << verify(f);
  Function g = goodFunction();
  g.inputs.push_back(3); // a map listed as an input
  EXPECT_TRUE(mentions(verify(g), "not an input op")) << verify(g);
  Function h = goodFunction();
  h.results = {99};
  EXPECT_TRUE(mentions(verify(h), "does not exist")) << verify(h);
  Function r = goodFunction();
  r.resultNames.clear();
  EXPECT_TRUE(mentions(verify(r), "result names")) << verify(r);
}

TEST(Verifier, AttributeRanges) {
  Function f = goodFunction();
  f.ops[5].ints = {2, 9}; // slice [2:9] of a [6] value
  EXPECT_TRUE(mentions(verify(f), "slice bounds")) << verify(f);
  Function g;
  g.name = "s";
  Builder b(g);
  ValueId u = b.input("u", Shape{5});
  ValueId s = b.stencil(u, 0, {1, -1}, {0.5, -0.5});
  g.results = {s};
  g.resultNames = {"r"};
  EXPECT_EQ(verify(g), "");
  g.ops[1].reals.pop_back();
  EXPECT_TRUE(mentions(verify(g), "one real per offset")) << verify(g);
}

} // namespace
