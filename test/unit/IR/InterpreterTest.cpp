//===- InterpreterTest.cpp - The reference evaluator on known values ------===//
//
// Part of dgc. Hand-computed values of each op, the adjoint identities that
// tie convt/convw to conv, and the divided-difference threshold rule.
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "IR/Interpreter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace dgc;
using namespace dgc::ir;

namespace {

using Vec = std::vector<double>;

/// Evaluates the single result `r` of `f` after setting it as the result.
Vec eval(Function &f, ValueId r, const Bindings &in) {
  f.results = {r};
  f.resultNames = {"r"};
  return interpret(f, in)[0];
}

double dotv(const Vec &a, const Vec &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

Vec ramp(size_t n, double scale, double shift) {
  Vec v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = std::sin(scale * static_cast<double>(i) + shift);
  return v;
}

TEST(Interpreter, ElementwiseAndShapes) {
  Function f;
  Builder b(f);
  ValueId a = b.input("a", Shape{2, 3});
  ValueId s = b.input("s", Shape());
  Bindings in{{"a", {1, 2, 3, 4, 5, 6}}, {"s", {10}}};
  EXPECT_EQ(eval(f, b.sub(s, a), in), (Vec{9, 8, 7, 6, 5, 4}));
  EXPECT_EQ(eval(f, b.mul(a, s), in), (Vec{10, 20, 30, 40, 50, 60}));
  EXPECT_EQ(eval(f, b.sumLast(a), in), (Vec{6, 15}));
  EXPECT_EQ(eval(f, b.sum(a), in), (Vec{21}));
  EXPECT_EQ(eval(f, b.expand(b.sumLast(a), 2), in), (Vec{6, 6, 15, 15}));
  EXPECT_EQ(eval(f, b.broadcast(s, Shape{3}), in), (Vec{10, 10, 10}));
  ValueId flat = b.reshape(a, Shape{6});
  EXPECT_EQ(eval(f, b.slice(flat, 2, 4), in), (Vec{3, 4}));
  EXPECT_EQ(eval(f, b.pad(b.slice(flat, 0, 2), 1, 4), in), (Vec{0, 1, 2, 0}));
  EXPECT_EQ(eval(f, b.concat({s, b.slice(flat, 4, 6), s}), in),
            (Vec{10, 5, 6, 10}));
  EXPECT_EQ(eval(f, b.map(Fn::Square, b.neg(s)), in), (Vec{100}));
}

TEST(Interpreter, MatMulFlags) {
  Function f;
  Builder b(f);
  ValueId a = b.input("A", Shape{2, 3}); // [[1,2,3],[4,5,6]]
  ValueId c = b.input("C", Shape{2, 2}); // [[1,0],[2,1]]
  ValueId x = b.input("x", Shape{3});
  ValueId y = b.input("y", Shape{2});
  Bindings in{{"A", {1, 2, 3, 4, 5, 6}}, {"C", {1, 0, 2, 1}},
              {"x", {1, 1, 2}}, {"y", {1, -1}}};
  EXPECT_EQ(eval(f, b.matmul(a, x), in), (Vec{9, 21}));
  EXPECT_EQ(eval(f, b.matmul(a, y, true), in), (Vec{-3, -3, -3}));
  // C A = [[1,2,3],[6,9,12]]
  EXPECT_EQ(eval(f, b.matmul(c, a), in), (Vec{1, 2, 3, 6, 9, 12}));
  // C^T A = [[9,12,15],[4,5,6]]
  EXPECT_EQ(eval(f, b.matmul(c, a, true), in), (Vec{9, 12, 15, 4, 5, 6}));
  // A A^T = [[14,32],[32,77]]
  EXPECT_EQ(eval(f, b.matmul(a, a, false, true), in), (Vec{14, 32, 32, 77}));
  // A^T C^T: [3,2] = (C A)^T
  EXPECT_EQ(eval(f, b.matmul(a, c, true, true), in),
            (Vec{1, 6, 2, 9, 3, 12}));
}

TEST(Interpreter, PeriodicConvAndStencil) {
  Function f;
  Builder b(f);
  ValueId k = b.input("K", Shape{1, 1, 3});
  ValueId x = b.input("x", Shape{1, 5});
  Bindings in{{"K", {1, 10, 100}}, {"x", {1, 2, 3, 4, 5}}};
  // y[j] = x[j-1] + 10 x[j] + 100 x[j+1], periodic.
  EXPECT_EQ(eval(f, b.conv(k, x), in), (Vec{215, 321, 432, 543, 154}));
  ValueId xf = b.reshape(x, Shape{5});
  // central difference (x[j+1] - x[j-1]) / 2
  EXPECT_EQ(eval(f, b.stencil(xf, 0, {1, -1}, {0.5, -0.5}), in),
            (Vec{-1.5, 1, 1, 1, -1.5}));
  // Along axis 0 of a [3, 2] value: y[i, c] = a[i+1, c].
  ValueId m = b.input("m", Shape{3, 2});
  in["m"] = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(eval(f, b.stencil(m, 0, {1}, {1.0}), in),
            (Vec{3, 4, 5, 6, 1, 2}));
  EXPECT_EQ(eval(f, b.stencil(m, 1, {1}, {1.0}), in),
            (Vec{2, 1, 4, 3, 6, 5}));
}

TEST(Interpreter, ConvTAndConvWAreAdjointsOfConv) {
  for (int64_t w : {1, 2, 3, 4}) {
    Function f;
    Builder b(f);
    ValueId k = b.input("K", Shape{3, 2, w});
    ValueId x = b.input("x", Shape{2, 7});
    ValueId z = b.input("z", Shape{3, 7});
    Bindings in{{"K", ramp(static_cast<size_t>(6 * w), 0.7, 0.1)},
                {"x", ramp(14, 1.3, 0.2)},
                {"z", ramp(21, 0.9, 0.5)}};
    Vec y = eval(f, b.conv(k, x), in);
    Vec xt = eval(f, b.convT(k, z), in);
    Vec kw = eval(f, b.convW(z, x, w), in);
    // <z, conv(K, x)> = <convT(K, z), x> = <convW(z, x), K>
    EXPECT_NEAR(dotv(in["z"], y), dotv(xt, in["x"]), 1e-12);
    EXPECT_NEAR(dotv(in["z"], y), dotv(kw, in["K"]), 1e-12);
  }
}

TEST(Interpreter, DivDiffThresholdRule) {
  Function f;
  Builder b(f);
  ValueId a = b.input("a", Shape{1});
  ValueId c = b.input("b", Shape{1});
  ValueId q = b.divdiff(Fn::Sin, a, c);
  ValueId qa = b.divdiff(Fn::Sin, a, c, 1);
  ValueId qb = b.divdiff(Fn::Sin, a, c, 2);
  auto at = [&](ValueId r, double x, double y) {
    return eval(f, r, {{"a", {x}}, {"b", {y}}})[0];
  };
  // Far apart: the quotient itself.
  EXPECT_DOUBLE_EQ(at(q, 1.0, 0.5), (std::sin(1.0) - std::sin(0.5)) / 0.5);
  // Equal points: the midpoint derivative, and f''/2 for both derivatives.
  EXPECT_DOUBLE_EQ(at(q, 0.7, 0.7), std::cos(0.7));
  EXPECT_DOUBLE_EQ(at(qa, 0.7, 0.7), -std::sin(0.7) / 2);
  EXPECT_DOUBLE_EQ(at(qb, 0.7, 0.7), -std::sin(0.7) / 2);
  // Below the threshold (48 eps)^(1/5) L, L = 1 for sin: the series
  // f'(m) + f'''(m) d^2/24.
  double thr = std::pow(48 * std::numeric_limits<double>::epsilon(), 0.2);
  double m = 0.7, d = 0.5 * thr;
  EXPECT_DOUBLE_EQ(at(q, m + d / 2, m - d / 2),
                   std::cos(m) - std::cos(m) * d * d / 24);
  // On both sides of the threshold q is within 1e-12 of its closed form
  // cos(m) sin(d/2) / (d/2) (for the rounded points actually used).
  for (double s : {0.999, 1.001}) {
    double x = m + s * thr / 2, y = m - s * thr / 2;
    double h = (x - y) / 2;
    EXPECT_NEAR(at(q, x, y), std::cos((x + y) / 2) * std::sin(h) / h, 1e-12);
  }
  // Symmetric in (a, b); dq/da and dq/db swap.
  EXPECT_DOUBLE_EQ(at(q, 0.3, 1.1), at(q, 1.1, 0.3));
  EXPECT_DOUBLE_EQ(at(qa, 0.3, 1.1), at(qb, 1.1, 0.3));
  // dq/da against a central difference of q in a.
  double h = 1e-6;
  EXPECT_NEAR(at(qa, 0.3, 1.1), (at(q, 0.3 + h, 1.1) - at(q, 0.3 - h, 1.1)) / (2 * h),
              1e-8);
  EXPECT_NEAR(at(qb, 0.3, 1.1), (at(q, 0.3, 1.1 + h) - at(q, 0.3, 1.1 - h)) / (2 * h),
              1e-8);
}

} // namespace

TEST(Interpreter, DivDiffIdentityFarFromTheOriginAndNearSingularities) {
  // The threshold's length follows the function (1 for sin and exp, |m|
  // for log, sqrt and 1/x): f(a) - f(b) = q (a - b) to a few ulps of f at
  // a cos of a rotating pendulum (q ~ 1000) and a log or sqrt at 1e-3,
  // where a length of 1 + |m| would use a series off by 1e8-1e13 ulps.
  const double eps = std::numeric_limits<double>::epsilon();
  for (auto [fn, a] : std::vector<std::pair<Fn, double>>{
           {Fn::Cos, 1000.7}, {Fn::Sin, -250.0}, {Fn::Exp, 30.0},
           {Fn::Log, 1e-3}, {Fn::Sqrt, 1e-3}, {Fn::Recip, -1e-3}}) {
    Function f;
    Builder b(f);
    ValueId x = b.input("a", Shape{1});
    ValueId y = b.input("b", Shape{1});
    ValueId q = b.divdiff(fn, x, y);
    double len = (fn == Fn::Log || fn == Fn::Sqrt || fn == Fn::Recip)
                     ? std::fabs(a) : 1.0;
    for (double r = 1e-8; r <= 0.5; r *= 1.3) {
      double c = a + r * len;
      double fa = evalFn(fn, 0, 0, a), fc = evalFn(fn, 0, 0, c);
      double qv = eval(f, q, {{"a", {a}}, {"b", {c}}})[0];
      long double err = std::fabs((long double)qv * ((long double)a - c) -
                                  ((long double)fa - fc));
      EXPECT_LE(double(err), 4 * eps * (std::fabs(fa) + std::fabs(fc)))
          << spelling(fn) << " " << a << " " << c;
    }
  }
}

TEST(Interpreter, DivDiffOfPiecewiseLinearFunctionsIsExactAcrossTheKink) {
  // relu and abs: close points straddling 0 must give the exact quotient
  // (a series in derivatives would give the slope of one side), so the
  // discrete chain rule f(a) - f(b) = q (a - b) holds at every pair.
  for (Fn fn : {Fn::Relu, Fn::Abs}) {
    Function f;
    Builder b(f);
    ValueId a = b.input("a", Shape{1});
    ValueId c = b.input("b", Shape{1});
    ValueId q = b.divdiff(fn, a, c);
    ValueId qa = b.divdiff(fn, a, c, 1);
    for (auto [x, y] : std::vector<std::pair<double, double>>{
             {1e-9, -3e-9}, {2e-4, -1e-4}, {0.0, -1e-12}, {1.5, 1e-300},
             {-2.0, -1e-8}, {0.0, 0.0}, {3.0, 3.0}}) {
      double fx = evalFn(fn, 0, 0, x), fy = evalFn(fn, 0, 0, y);
      double qv = eval(f, q, {{"a", {x}}, {"b", {y}}})[0];
      EXPECT_DOUBLE_EQ(fx - fy, qv * (x - y)) << spelling(fn) << " " << x << " " << y;
      EXPECT_TRUE(std::isfinite(eval(f, qa, {{"a", {x}}, {"b", {y}}})[0]));
    }
  }
}
