//===- GradCheck.cpp - Finite-difference checks of reverse AD -------------===//
//
// Part of dgc's Transforms tests. See GradCheck.h.
//
//===----------------------------------------------------------------------===//
#include "GradCheck.h"

#include "IR/Printer.h"
#include "IR/Verifier.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace dgc::test {

using namespace ir;

Bindings randomInputs(const Function &f, unsigned seed, double lo, double hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Bindings in;
  for (ValueId v : f.inputs) {
    std::vector<double> x(static_cast<size_t>(f.type(v).numel()));
    for (double &e : x)
      e = dist(rng);
    in[f.op(v).name] = x;
  }
  return in;
}

namespace {

double objective(const Function &f, int result, const Bindings &in,
                 const std::vector<double> &seed) {
  std::vector<double> y = interpret(f, in)[static_cast<size_t>(result)];
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i)
    s += seed[i] * y[i];
  return s;
}

} // namespace

double gradError(const Function &f, int result,
                 const std::vector<std::string> &wrt, Bindings in, double h) {
  EXPECT_EQ(verify(f), "") << printFunction(f);
  Function g = transforms::reverseAD(f, result, wrt, "d");
  EXPECT_EQ(verify(g), "") << printFunction(g);
  // The seed: 1 for a scalar result, else the extra input reverseAD added.
  std::vector<double> seed(1, 1.0);
  for (ValueId v : g.inputs)
    if (f.findInput(g.op(v).name) < 0) {
      std::mt19937_64 rng(7);
      std::uniform_real_distribution<double> dist(-1, 1);
      seed.assign(static_cast<size_t>(g.type(v).numel()), 0);
      for (double &e : seed)
        e = dist(rng);
      in[g.op(v).name] = seed;
    }
  std::vector<std::vector<double>> ad = interpret(g, in);

  // simplify must not change any value.
  Function s = g;
  transforms::simplify(s);
  EXPECT_EQ(verify(s), "") << printFunction(s);
  std::vector<std::vector<double>> simplified = interpret(s, in);
  EXPECT_LE(s.ops.size(), g.ops.size());
  for (size_t r = 0; r < ad.size(); ++r)
    for (size_t i = 0; i < ad[r].size(); ++i)
      EXPECT_NEAR(simplified[r][i], ad[r][i], 1e-12 * (1 + std::fabs(ad[r][i])))
          << "simplify changed result " << r << " element " << i;

  double worst = 0;
  for (size_t w = 0; w < wrt.size(); ++w) {
    std::vector<double> &x = in[wrt[w]];
    std::vector<double> fd(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      double x0 = x[i];
      x[i] = x0 + h;
      double up = objective(f, result, in, seed);
      x[i] = x0 - h;
      double down = objective(f, result, in, seed);
      x[i] = x0;
      fd[i] = (up - down) / (2 * h);
    }
    const std::vector<double> &a = ad[1 + w];
    EXPECT_EQ(a.size(), fd.size());
    double diff = 0, scale = 0;
    for (size_t i = 0; i < fd.size(); ++i) {
      diff = std::max(diff, std::fabs(a[i] - fd[i]));
      scale = std::max(scale, std::fabs(fd[i]));
    }
    double err = diff / std::max(scale, 1e-12);
    if (scale == 0 && diff == 0)
      err = 0;
    worst = std::max(worst, err);
  }
  return worst;
}

void expectGradient(const Function &f, const std::vector<std::string> &wrt,
                    const Bindings &in, double tol, double h, int result) {
  double err = gradError(f, result, wrt, in, h);
  EXPECT_LE(err, tol) << "function @" << f.name << "\n" << printFunction(f);
}

} // namespace dgc::test
