//===- EvalFnTest.cpp - Derivative tables of the element-wise functions ---===//
//
// Part of dgc. Every function of Functions.def: evalFn(order + 1) agrees with
// a central difference of evalFn(order) for orders 0..3 at points inside the
// function's domain, plus the special values the op semantics fix.
//
//===----------------------------------------------------------------------===//
#include "IR/Interpreter.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace dgc::ir;

namespace {

struct FnCase {
  Fn fn;
  const char *name;
};

const FnCase allFns[] = {
#define DGC_FN(Name, sp, maxOrder) {Fn::Name, sp},
#include "IR/Functions.def"
};

/// Points away from kinks and inside every domain (log, sqrt, recip need x > 0).
const double points[] = {0.3, 0.9, 1.7, 2.6};

TEST(EvalFn, DerivativesMatchCentralDifferences) {
  for (const FnCase &c : allFns) {
    for (int k : {1, 2, 3, 5}) {
      if (c.fn != Fn::PowI && k != 1)
        continue;
      for (int order = 0; order <= 3; ++order)
        for (double x : points) {
          double h = 1e-5;
          double fd = (evalFn(c.fn, order, k, x + h) -
                       evalFn(c.fn, order, k, x - h)) /
                      (2 * h);
          double exact = evalFn(c.fn, order + 1, k, x);
          EXPECT_NEAR(exact, fd, 1e-6 * (1 + std::fabs(exact)))
              << c.name << " order " << order + 1 << " k " << k << " x " << x;
        }
    }
  }
}

TEST(EvalFn, NegativeArgumentsOfSmoothFunctions) {
  for (Fn fn : {Fn::Tanh, Fn::Sigmoid, Fn::Softplus, Fn::Exp, Fn::Sin, Fn::Cos,
                Fn::Square, Fn::PowI, Fn::Recip})
    for (int order = 0; order <= 3; ++order) {
      double x = -1.3, h = 1e-5;
      double fd =
          (evalFn(fn, order, 3, x + h) - evalFn(fn, order, 3, x - h)) / (2 * h);
      EXPECT_NEAR(evalFn(fn, order + 1, 3, x), fd, 1e-6 * (1 + std::fabs(fd)))
          << spelling(fn) << " order " << order + 1;
    }
}

TEST(EvalFn, KnownValues) {
  EXPECT_DOUBLE_EQ(evalFn(Fn::PowI, 0, 3, -2.0), -8.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::PowI, 2, 3, 2.0), 12.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::PowI, 4, 3, 2.0), 0.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Relu, 1, 0, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Relu, 1, 0, 0.5), 1.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Relu, 2, 0, 0.5), 0.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Abs, 1, 0, -0.5), -1.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Abs, 1, 0, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Recip, 0, 0, 4.0), 0.25);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Sigmoid, 0, 0, 0.0), 0.5);
  // softplus is stable at both ends: log1p(exp(x)) without overflow.
  EXPECT_DOUBLE_EQ(evalFn(Fn::Softplus, 0, 0, 800.0), 800.0);
  EXPECT_GT(evalFn(Fn::Softplus, 0, 0, -700.0), 0.0);
  EXPECT_LT(evalFn(Fn::Softplus, 0, 0, -700.0), 1e-300);
  EXPECT_NEAR(evalFn(Fn::Softplus, 0, 0, 0.0), std::log(2.0), 1e-15);
  EXPECT_DOUBLE_EQ(evalFn(Fn::Sigmoid, 0, 0, -800.0), 0.0);
}

} // namespace
