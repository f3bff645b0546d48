//===- RandomEnergyTest.cpp - The discrete chain rule on random energies --===//
//
// Part of dgc's tests. A few hundred random well-typed energies (see
// test/random/RandomEnergy.h); each must compile, and its discrete gradient
// must satisfy the discrete chain rule at a random pair, at a close pair and
// reduce to the gradient at an equal pair. `dgc_stress N` runs thousands.
//
//===----------------------------------------------------------------------===//
#include "ChainRule.h"
#include "CompileSource.h"
#include "RandomEnergy.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace dgc;
using namespace dgc::testing;

TEST(RandomEnergies, DiscreteChainRuleHolds) {
  const int count = 300;
  int failures = 0;
  for (uint64_t seed = 1; seed <= count; ++seed) {
    RandomModel r = randomEnergyModel(seed);
    Compiled c = compileSource(r.source);
    ASSERT_TRUE(c.ok()) << "seed " << seed << "\n" << r.source << c.diagnostics;
    const ir::ModelIR &m = c.models[0];
    std::mt19937_64 rng(seed);
    ir::Bindings params = randomParams(m, rng);
    std::normal_distribution<double> n(0.0, 1.0);
    std::vector<double> u(static_cast<size_t>(m.stateSize)), v(u.size()),
        w(u.size());
    for (size_t i = 0; i < u.size(); ++i) {
      u[i] = n(rng);
      v[i] = n(rng);
      w[i] = u[i] + (i % 3 == 0 ? 0.0 : 1e-9 * n(rng));
    }
    for (const auto &other : {v, w}) {
      ChainRuleError e = chainRule(m, u, other, params);
      if (!(e.relative <= 1e-12)) {
        ++failures;
        ADD_FAILURE() << "seed " << seed << ": relative error " << e.relative
                      << "\n" << r.source;
      }
    }
    auto g = call(m, "grad", {{"u", u}}, params)[1];
    auto d = call(m, "discrete_grad", {{"u", u}, {"v", u}}, params)[0];
    double scale = 1;
    for (double x : g)
      scale = std::max(scale, std::fabs(x));
    for (size_t i = 0; i < g.size(); ++i)
      ASSERT_NEAR(d[i], g[i], 1e-12 * scale) << "seed " << seed << "\n" << r.source;
    if (failures > 5)
      break;
  }
}
