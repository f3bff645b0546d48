//===- Stress.cpp - The discrete chain rule on thousands of random energies ===//
//
// Part of dgc's tests, not run by ctest: `dgc_stress [COUNT] [FIRST_SEED]`
// compiles COUNT random energies (default 5000) and checks the discrete
// chain rule at a random pair and a close pair of each, printing the worst
// relative error and every seed that fails (exit status 1 if any).
//
//===----------------------------------------------------------------------===//
#include "ChainRule.h"
#include "CompileSource.h"
#include "RandomEnergy.h"

#include <cstdio>
#include <cstdlib>

using namespace dgc;
using namespace dgc::testing;

int main(int argc, char **argv) {
  uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 5000;
  uint64_t first = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  double worst = 0;
  uint64_t worstSeed = 0, failed = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    RandomModel r = randomEnergyModel(seed);
    Compiled c = compileSource(r.source);
    if (!c.ok()) {
      std::printf("seed %llu: does not compile\n%s%s\n",
                  static_cast<unsigned long long>(seed), r.source.c_str(),
                  c.diagnostics.c_str());
      ++failed;
      continue;
    }
    const ir::ModelIR &m = c.models[0];
    std::mt19937_64 rng(seed);
    ir::Bindings params = randomParams(m, rng);
    std::normal_distribution<double> n(0.0, 1.0);
    std::vector<double> u(static_cast<size_t>(m.stateSize)), v(u.size()),
        w(u.size());
    for (size_t i = 0; i < u.size(); ++i) {
      u[i] = n(rng);
      v[i] = n(rng);
      w[i] = u[i] + 1e-7 * n(rng);
    }
    for (const auto &other : {v, w}) {
      double e = chainRule(m, u, other, params).relative;
      if (!(e <= 1e-12)) {
        std::printf("seed %llu: relative error %.3g\n%s\n",
                    static_cast<unsigned long long>(seed), e, r.source.c_str());
        ++failed;
      }
      if (e > worst) {
        worst = e;
        worstSeed = seed;
      }
    }
  }
  std::printf("%llu random energies, %llu failures, worst relative error %.3g "
              "(seed %llu)\n",
              static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(failed), worst,
              static_cast<unsigned long long>(worstSeed));
  return failed ? 1 : 0;
}
