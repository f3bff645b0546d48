//===- PrinterTest.cpp - The textual form of the IR -----------------------===//
//
// Part of dgc. The exact text of a small function and of a model header,
// which `dgc emit --stage=ir` prints and lit tests check.
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "IR/Printer.h"

#include <gtest/gtest.h>

using namespace dgc;
using namespace dgc::ir;

namespace {

TEST(Printer, SmallFunction) {
  Function f;
  f.name = "energy";
  Builder b(f);
  ValueId u = b.input("u", Shape{4});
  ValueId half = b.constant(0.5);
  ValueId d = b.stencil(u, 0, {1, -1}, {0.5, -0.5});
  ValueId c = b.map(Fn::PowI, d, 1, 3);
  ValueId t = b.map(Fn::Tanh, c);
  ValueId s = b.slice(t, 1, 3);
  ValueId m = b.mul(half, s);
  ValueId h = b.sum(m);
  f.results = {h};
  f.resultNames = {"H"};
  EXPECT_EQ(printFunction(f),
            "func @energy(%0: real[4] u) -> (%7 H)\n"
            "  %1 = const 0.5 : real\n"
            "  %2 = stencil %0 {ints = [0, 1, -1], reals = [0.5, -0.5]} : real[4]\n"
            "  %3 = map %2 {fn = powi, order = 1, k = 3} : real[4]\n"
            "  %4 = map %3 {fn = tanh, order = 0} : real[4]\n"
            "  %5 = slice %4 {ints = [1, 3]} : real[2]\n"
            "  %6 = mul %1, %5 : real[2]\n"
            "  %7 = sum %6 : real\n");
}

TEST(Printer, ModelHeader) {
  ModelIR m;
  m.name = "Osc";
  m.stateSize = 2;
  m.paramCount = 3;
  StateVar q{"q", 0, Shape(), -1}, p{"p", 1, Shape(), -1};
  m.states = {q, p};
  m.innerWeight = {1, 1};
  ParamInfo g;
  g.name = "g";
  g.shape = Shape{3};
  g.init.kind = ParamInit::Kind::Literal;
  g.init.value = 0.25;
  g.nonneg = true;
  m.params = {g};
  m.laws.conservesEnergy = true;
  m.laws.separable = true;
  Function f;
  f.name = "energy";
  Builder b(f);
  ValueId u = b.input("u", Shape{2});
  f.results = {b.sum(u)};
  f.resultNames = {"H"};
  m.functions.push_back(f);
  EXPECT_EQ(printModel(m), "model Osc kind = energy, state_size = 2, param_count = 3\n"
                           "  state q : real at 0\n"
                           "  state p : real at 1\n"
                           "  inner_weight = [1 x 2]\n"
                           "  param g : real[3] at 0 init literal(0.25) nonneg\n"
                           "  laws: conserves energy, separable\n"
                           "\n"
                           "func @energy(%0: real[2] u) -> (%1 H)\n"
                           "  %1 = sum %0 : real\n");
}

} // namespace
