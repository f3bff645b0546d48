//===- BatchTest.cpp - Tiled losses against the per-pair ones -------------===//
//
// Part of dgc. Transforms/Batch.cpp, through the losses deriveModel builds:
// on small versions of the paper's networks (conv nets for KdV and
// Cahn-Hilliard, MLPs for the ODEs), the interpreter evaluates
// `train_X_tile` on a tile of random pairs with random weights (some 0)
// and `train_X` on every pair; L must match pair by pair and dparams must
// be the weighted sum, to 1e-12 relative.
//
//===----------------------------------------------------------------------===//
#include "CompileSource.h"

#include "IR/Interpreter.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <regex>

using namespace dgc;
using namespace dgc::ir;

namespace {

ModelIR small(const std::string &example) {
  std::string text = dgc::testing::readExample(example);
  text = std::regex_replace(text, std::regex(R"(hidden: \[200, 200\])"),
                            "hidden: [6, 5]");
  text = std::regex_replace(text, std::regex(R"(periodic\((50|100), ([0-9.]+)\))"),
                            "periodic(12, $2)");
  dgc::testing::Compiled c = dgc::testing::compileSource(text);
  EXPECT_TRUE(c.ok()) << c.diagnostics;
  return c.ok() && !c.models.empty() ? std::move(c.models[0]) : ModelIR();
}

void checkTiles(const std::string &example, int expectTiled) {
  SCOPED_TRACE(example);
  ModelIR m = small(example);
  std::mt19937_64 rng(9);
  std::normal_distribution<double> nd(0.0, 0.5);
  std::uniform_real_distribution<double> ud(0.0, 1.0);
  Bindings params;
  for (const ParamInfo &p : m.params) {
    std::vector<double> v(static_cast<size_t>(p.size()));
    for (double &x : v)
      x = p.nonneg ? 0.2 : nd(rng);
    params[p.name] = v;
  }
  int tiled = 0;
  for (const char *name : {"train_dg", "train_rk2", "train_rk4", "train_leapfrog"}) {
    const Function *one = m.find(name);
    const Function *tile = m.find(std::string(name) + "_tile");
    if (!one || !tile)
      continue;
    SCOPED_TRACE(name);
    ++tiled;
    int64_t T = tile->type(tile->findInput("weight"))[0];
    int64_t N = one->type(one->findInput("u1")).numel();
    Bindings tb = params, pb = params;
    std::vector<double> &u1 = tb["u1"], &u2 = tb["u2"], &dt = tb["dt"],
                        &w = tb["weight"];
    u1.resize(static_cast<size_t>(N * T));
    u2.resize(u1.size());
    for (int64_t k = 0; k < T; ++k) {
      dt.push_back(0.05 + 0.1 * ud(rng));
      w.push_back(k % 5 == 4 ? 0.0 : ud(rng));
      for (int64_t i = 0; i < N; ++i) {
        u1[i * T + k] = nd(rng);
        u2[i * T + k] = u1[i * T + k] + 0.2 * nd(rng);
      }
    }
    auto r = interpret(*tile, tb);
    std::vector<double> sum(r[1].size(), 0.0);
    double lerr = 0, lscale = 0;
    for (int64_t k = 0; k < T; ++k) {
      pb["u1"].assign(static_cast<size_t>(N), 0);
      pb["u2"].assign(static_cast<size_t>(N), 0);
      for (int64_t i = 0; i < N; ++i) {
        pb["u1"][i] = u1[i * T + k];
        pb["u2"][i] = u2[i * T + k];
      }
      pb["dt"] = {dt[k]};
      auto q = interpret(*one, pb);
      lerr = std::max(lerr, std::fabs(q[0][0] - r[0][k]));
      lscale = std::max(lscale, std::fabs(q[0][0]));
      for (size_t i = 0; i < sum.size(); ++i)
        sum[i] += w[k] * q[1][i];
    }
    double gerr = 0, gscale = 0;
    for (size_t i = 0; i < sum.size(); ++i) {
      gerr = std::max(gerr, std::fabs(sum[i] - r[1][i]));
      gscale = std::max(gscale, std::fabs(sum[i]));
    }
    EXPECT_LE(lerr, 1e-12 * lscale);
    EXPECT_LE(gerr, 1e-12 * gscale);
    EXPECT_GT(gscale, 0.0);
  }
  EXPECT_EQ(tiled, expectTiled);
}

TEST(Batch, ConvNetsKdVAndCahnHilliard) {
  checkTiles("kdv_net.dg", 3);           // dg, rk2, rk4
  checkTiles("cahn_hilliard_net.dg", 3);
}

TEST(Batch, OdeNets) {
  checkTiles("mass_spring_net.dg", 3);
  checkTiles("mass_spring_sep.dg", 4); // and leapfrog
  checkTiles("two_body_net.dg", 3);
}

TEST(Batch, TileKeepsValuesSmall) {
  // The paper-sized KdV net (200 x 50 values per pair) is not tiled.
  dgc::testing::Compiled c =
      dgc::testing::compileSource(dgc::testing::readExample("kdv_net.dg"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.models[0].find("train_dg_tile"), nullptr);
  EXPECT_NE(c.models[0].find("train_dg"), nullptr);
}

} // namespace
