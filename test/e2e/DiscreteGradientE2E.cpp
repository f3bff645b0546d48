//===- DiscreteGradientE2E.cpp - The generated discrete gradients --------===//
//
// Part of dgc. Property tests on the C++ that `dgc compile` emits for every
// energy model under examples/ (mass_spring_node is a vector field and has
// none), in double and in float, with several init_params seeds and random
// states:
//
//  - the discrete chain rule H(u) - H(v) = sum_i dgrad_i (u_i - v_i) w_i
//    (w = inner_weight) at random pairs: relative error <= 1e-12 (double),
//    <= 1e-4 (float), scaled by |H(u)| + |H(v)|;
//  - the same at pairs with components equal, within 1e-14, and at
//    differences sweeping 1 .. 1e-16 (no NaN or Inf);
//  - dgrad(u, u) == grad(u) and discrete_time_derivative(u, u) ==
//    time_derivative(u) to a few ulps; symmetry dgrad(u, v) == dgrad(v, u);
//  - discrete_time_derivative(u, v) == structure(dgrad(u, v)), newton_residual
//    == (v - u) / dt - discrete_time_derivative;
//  - newton_jacobian against central differences of newton_residual (double,
//    state size <= 100) at far pairs and at pairs |u - v| ~ 1e-5 that use the
//    series branch of the divided differences; newton_jvp against
//    newton_jacobian * w, and against central differences of newton_residual
//    along w (every model);
//  - every _batch function equals its single-row calls.
//
// The seeds are fixed (reproducible ctest runs); set DGC_TEST_SEED to draw
// other parameters and states, DGC_TEST_VERBOSE=1 to print the worst error
// of each check.
//
//===----------------------------------------------------------------------===//
#include "allen_cahn_2d.hpp"
#include "cahn_hilliard.hpp"
#include "kdv.hpp"
#include "kdv_net.hpp"
#include "mass_spring_net.hpp"
#include "mass_spring_sep.hpp"
#include "pendulum.hpp"
#include "real_pendulum_net.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

/// The generated discrete-gradient API of one energy model, as a type.
/// `lo, hi`: the range of random states. `mayVanish`: the energy can be ~0
/// at random states (networks with unconstrained output, KdV's cubic minus
/// gradient term), so the chain-rule scale also adds sum_i |dgrad_i (u_i -
/// v_i) w_i|, the size of the terms whose rounding the inner product
/// carries.
#define DGC_DG_MODEL(NS, LO, HI, VANISH)                                       \
  struct NS##DG {                                                              \
    static constexpr const char *name = #NS;                                   \
    static constexpr double lo = LO, hi = HI;                                  \
    static constexpr bool mayVanish = VANISH;                                  \
    static constexpr std::int64_t n = dgc_models::NS::state_size;             \
    static constexpr const auto &weight = dgc_models::NS::inner_weight;       \
    template <class T> using P = dgc_models::NS::Params<T>;                    \
    template <class T> using W = dgc_models::NS::Workspace<T>;                 \
    template <class T> static void init(P<T> &p, std::uint64_t s) {           \
      dgc_models::NS::init_params(p, s);                                       \
      tweak(p);                                                                \
    }                                                                          \
    template <class T> static T energy(const P<T> &p, const T *u, W<T> &w) {   \
      return dgc_models::NS::energy(p, u, w);                                  \
    }                                                                          \
    template <class T>                                                         \
    static T grad(const P<T> &p, const T *u, T *g, W<T> &w) {                  \
      return dgc_models::NS::grad(p, u, g, w);                                 \
    }                                                                          \
    template <class T>                                                         \
    static void timeDerivative(const P<T> &p, const T *u, T *d, W<T> &w) {     \
      dgc_models::NS::time_derivative(p, u, d, w);                             \
    }                                                                          \
    template <class T>                                                         \
    static void structure(const P<T> &p, const T *x, T *gx, W<T> &w) {         \
      dgc_models::NS::structure(p, x, gx, w);                                  \
    }                                                                          \
    template <class T>                                                         \
    static void dgrad(const P<T> &p, const T *u, const T *v, T *d, W<T> &w) {  \
      dgc_models::NS::discrete_grad(p, u, v, d, w);                            \
    }                                                                          \
    template <class T>                                                         \
    static void dgradBatch(const P<T> &p, std::int64_t b, const T *u,          \
                           const T *v, T *d, W<T> &w) {                        \
      dgc_models::NS::discrete_grad_batch(p, b, u, v, d, w);                   \
    }                                                                          \
    template <class T>                                                         \
    static void dtd(const P<T> &p, const T *u, const T *v, T *d, W<T> &w) {    \
      dgc_models::NS::discrete_time_derivative(p, u, v, d, w);                 \
    }                                                                          \
    template <class T>                                                         \
    static void dtdBatch(const P<T> &p, std::int64_t b, const T *u,            \
                         const T *v, T *d, W<T> &w) {                          \
      dgc_models::NS::discrete_time_derivative_batch(p, b, u, v, d, w);        \
    }                                                                          \
    template <class T>                                                         \
    static void residual(const P<T> &p, const T *u, const T *v, const T *dt,   \
                         T *F, W<T> &w) {                                      \
      dgc_models::NS::newton_residual(p, u, v, dt, F, w);                      \
    }                                                                          \
    template <class T>                                                         \
    static void residualBatch(const P<T> &p, std::int64_t b, const T *u,       \
                              const T *v, const T *dt, T *F, W<T> &w) {        \
      dgc_models::NS::newton_residual_batch(p, b, u, v, dt, F, w);             \
    }                                                                          \
    template <class T>                                                         \
    static void jvp(const P<T> &p, const T *u, const T *v, const T *dt,        \
                    const T *x, T *Jx, W<T> &w) {                              \
      dgc_models::NS::newton_jvp(p, u, v, dt, x, Jx, w);                       \
    }                                                                          \
    template <class T>                                                         \
    static void jvpBatch(const P<T> &p, std::int64_t b, const T *u,            \
                         const T *v, const T *dt, const T *x, T *Jx, W<T> &w) { \
      dgc_models::NS::newton_jvp_batch(p, b, u, v, dt, x, Jx, w);              \
    }                                                                          \
    template <class T>                                                         \
    static void jacobian(const P<T> &p, const T *u, const T *v, const T *dt,   \
                         T *J, W<T> &w) {                                      \
      dgc_models::NS::newton_jacobian(p, u, v, dt, J, w);                      \
    }                                                                          \
    template <class T> static void tweak(P<T> &p);                             \
  };

DGC_DG_MODEL(KdV, -1, 1, true)
DGC_DG_MODEL(CahnHilliard, -1, 1, false)
DGC_DG_MODEL(KdVNet, -1, 1, true)
DGC_DG_MODEL(MassSpringNet, -1, 1, true)
DGC_DG_MODEL(RealPendulumNet, -1, 1, true)
DGC_DG_MODEL(MassSpringSep, -1, 1, true)
DGC_DG_MODEL(Pendulum, -2, 2, false)
DGC_DG_MODEL(AllenCahn2D, -1, 1, false)

template <class T> void KdVDG::tweak(P<T> &) {}
template <class T> void CahnHilliardDG::tweak(P<T> &) {}
template <class T> void KdVNetDG::tweak(P<T> &) {}
template <class T> void MassSpringNetDG::tweak(P<T> &) {}
template <class T> void MassSpringSepDG::tweak(P<T> &) {}
template <class T> void PendulumDG::tweak(P<T> &) {}
template <class T> void AllenCahn2DDG::tweak(P<T> &) {}
/// The friction g initialises to 0; give it a positive value so that the
/// structure S - friction(g) is exercised.
template <class T> void RealPendulumNetDG::tweak(P<T> &p) {
  p.g()[0] = T(0.3);
}

std::uint64_t baseSeed() {
  if (const char *s = std::getenv("DGC_TEST_SEED"))
    return std::strtoull(s, nullptr, 10);
  return 20240611;
}

/// With DGC_TEST_VERBOSE set, prints the worst measured error of a check.
struct Worst {
  const char *model, *check, *type;
  double value = 0;
  void operator()(double x) { value = std::max(value, x); }
  ~Worst() {
    static const bool verbose = std::getenv("DGC_TEST_VERBOSE") != nullptr;
    if (verbose)
      std::printf("  %-16s %-7s %-34s %.3g\n", model, type, check, value);
  }
};

template <class T> const char *typeName() {
  return std::is_same_v<T, double> ? "double" : "float";
}

/// One model's fixtures in scalar type T: parameters, workspace, RNG.
template <class M, class T> struct Fixture {
  std::unique_ptr<typename M::template P<T>> p =
      std::make_unique<typename M::template P<T>>();
  std::unique_ptr<typename M::template W<T>> ws =
      std::make_unique<typename M::template W<T>>();
  std::mt19937_64 rng;
  std::uint64_t paramSeed;

  Fixture(std::uint64_t which) {
    std::uint64_t h = baseSeed();
    for (const char *c = M::name; *c; ++c)
      h = h * 1099511628211ULL + static_cast<unsigned char>(*c);
    rng.seed(h + which);
    paramSeed = rng();
    M::init(*p, paramSeed);
  }

  std::vector<T> state() {
    std::uniform_real_distribution<double> d(M::lo, M::hi);
    std::vector<T> u(static_cast<size_t>(M::n));
    for (T &x : u)
      x = static_cast<T>(d(rng));
    return u;
  }
  std::vector<T> dgrad(const std::vector<T> &u, const std::vector<T> &v) {
    std::vector<T> d(u.size());
    M::dgrad(*p, u.data(), v.data(), d.data(), *ws);
    return d;
  }
  std::vector<T> residual(const std::vector<T> &u, const std::vector<T> &v,
                          T dt) {
    std::vector<T> F(u.size());
    M::residual(*p, u.data(), v.data(), &dt, F.data(), *ws);
    return F;
  }
  std::vector<T> jvp(const std::vector<T> &u, const std::vector<T> &v, T dt,
                     const std::vector<T> &w) {
    std::vector<T> Jw(u.size());
    M::jvp(*p, u.data(), v.data(), &dt, w.data(), Jw.data(), *ws);
    return Jw;
  }
};

template <class T> constexpr double chainTol() {
  return std::is_same_v<T, double> ? 1e-12 : 1e-4;
}

template <class T> constexpr double eps() {
  return std::numeric_limits<T>::epsilon();
}

struct ChainRule {
  double lhs, rhs, scale;
  bool finite;
  double rel() const { return std::fabs(lhs - rhs) / scale; }
};

/// H(u) - H(v) against sum_i dgrad_i (u_i - v_i) w_i, both in double from
/// the T-valued results.
template <class M, class T>
ChainRule chainRule(Fixture<M, T> &f, const std::vector<T> &u,
                    const std::vector<T> &v) {
  double hu = M::energy(*f.p, u.data(), *f.ws);
  double hv = M::energy(*f.p, v.data(), *f.ws);
  std::vector<T> d = f.dgrad(u, v);
  ChainRule c{hu - hv, 0, std::fabs(hu) + std::fabs(hv), true};
  double terms = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    c.finite = c.finite && std::isfinite(d[i]);
    double t = static_cast<double>(d[i]) *
               (static_cast<double>(u[i]) - static_cast<double>(v[i])) *
               M::weight[i];
    c.rhs += t;
    terms += std::fabs(t);
  }
  if (M::mayVanish)
    c.scale += terms;
  c.scale = std::max(c.scale, 1e-300);
  return c;
}

double maxAbs(const std::vector<double> &a) {
  double m = 0;
  for (double x : a)
    m = std::max(m, std::fabs(x));
  return m;
}

template <class T> std::vector<double> toDouble(const std::vector<T> &a) {
  return std::vector<double>(a.begin(), a.end());
}

/// max_i |a_i - b_i| / max_i |b_i|.
template <class T>
double maxRel(const std::vector<T> &a, const std::vector<T> &b) {
  double num = 0;
  for (size_t i = 0; i < a.size(); ++i)
    num = std::max(num, std::fabs(static_cast<double>(a[i]) - b[i]));
  return num / std::max(maxAbs(toDouble(b)), 1e-300);
}

template <class M> class DiscreteGradientE2E : public ::testing::Test {};

using Models = ::testing::Types<KdVDG, CahnHilliardDG, KdVNetDG,
                                MassSpringNetDG, RealPendulumNetDG,
                                MassSpringSepDG, PendulumDG, AllenCahn2DDG>;

struct ModelName {
  template <class M> static std::string GetName(int) { return M::name; }
};

TYPED_TEST_SUITE(DiscreteGradientE2E, Models, ModelName);

template <class M, class T> void chainRuleAtRandomPairs() {
  Worst worst{M::name, "chain rule, random pairs (rel)", typeName<T>()};
  for (std::uint64_t s : {1u, 2u}) {
    Fixture<M, T> f(s);
    SCOPED_TRACE("init_params seed " + std::to_string(f.paramSeed));
    for (int trial = 0; trial < 3; ++trial) {
      auto u = f.state(), v = f.state();
      ChainRule c = chainRule(f, u, v);
      worst(c.rel());
      EXPECT_TRUE(c.finite);
      EXPECT_LE(c.rel(), chainTol<T>())
          << "H(u) - H(v) = " << c.lhs << ", <dgrad, u - v> = " << c.rhs;
    }
  }
}

TYPED_TEST(DiscreteGradientE2E, ChainRuleAtRandomPairs) {
  chainRuleAtRandomPairs<TypeParam, double>();
  chainRuleAtRandomPairs<TypeParam, float>();
}

/// Pairs with a third of the components equal, a third within 1e-14 of each
/// other, and a third at distance `scale` (1 .. 1e-16).
template <class M, class T> void chainRuleAtClosePairs() {
  Worst worst{M::name, "chain rule, close pairs (rel)", typeName<T>()};
  Fixture<M, T> f(3);
  SCOPED_TRACE("init_params seed " + std::to_string(f.paramSeed));
  std::uniform_int_distribution<int> kind(0, 2);
  std::uniform_real_distribution<double> r(-1, 1);
  for (int e10 = 0; e10 <= 16; e10 += 2) {
    double scale = std::pow(10.0, -e10);
    auto u = f.state();
    std::vector<T> v = u;
    for (size_t i = 0; i < v.size(); ++i) {
      int k = kind(f.rng);
      if (k == 1)
        v[i] = static_cast<T>(u[i] + 1e-14 * r(f.rng));
      else if (k == 2)
        v[i] = static_cast<T>(u[i] + scale * r(f.rng));
    }
    ChainRule c = chainRule(f, u, v);
    ASSERT_TRUE(c.finite) << "difference scale 1e-" << e10;
    ASSERT_TRUE(std::isfinite(c.rhs));
    worst(c.rel());
    EXPECT_LE(c.rel(), chainTol<T>())
        << "difference scale 1e-" << e10 << ": H(u) - H(v) = " << c.lhs
        << ", <dgrad, u - v> = " << c.rhs;
  }
}

TYPED_TEST(DiscreteGradientE2E, ChainRuleAtClosePairs) {
  chainRuleAtClosePairs<TypeParam, double>();
  chainRuleAtClosePairs<TypeParam, float>();
}

/// dgrad(u, u) == grad(u) and discrete_time_derivative(u, u) ==
/// time_derivative(u), to 8 ulps of the largest component (the two go
/// through differently ordered but equivalent arithmetic).
template <class M, class T> void equalArguments() {
  Worst wg{M::name, "dgrad(u,u) - grad (eps*max|g|)", typeName<T>()};
  Worst wt{M::name, "dtd(u,u) - td (eps*max|td|)", typeName<T>()};
  Fixture<M, T> f(4);
  SCOPED_TRACE("init_params seed " + std::to_string(f.paramSeed));
  for (int trial = 0; trial < 2; ++trial) {
    auto u = f.state();
    std::vector<T> g(u.size()), td(u.size()), dtd(u.size());
    M::grad(*f.p, u.data(), g.data(), *f.ws);
    std::vector<T> d = f.dgrad(u, u);
    double gs = maxAbs(toDouble(g));
    for (size_t i = 0; i < u.size(); ++i) {
      wg(std::fabs(d[i] - g[i]) / (eps<T>() * gs));
      ASSERT_NEAR(d[i], g[i], 8 * eps<T>() * gs) << "component " << i;
    }
    M::timeDerivative(*f.p, u.data(), td.data(), *f.ws);
    M::dtd(*f.p, u.data(), u.data(), dtd.data(), *f.ws);
    double ts = maxAbs(toDouble(td));
    for (size_t i = 0; i < u.size(); ++i) {
      wt(std::fabs(dtd[i] - td[i]) / (eps<T>() * ts));
      ASSERT_NEAR(dtd[i], td[i], 8 * eps<T>() * ts) << "component " << i;
    }
  }
}

TYPED_TEST(DiscreteGradientE2E, EqualArgumentsGiveTheGradient) {
  equalArguments<TypeParam, double>();
  equalArguments<TypeParam, float>();
}

/// dgrad(u, v) == dgrad(v, u) to an ulp, at far and at close pairs.
template <class M, class T> void symmetric() {
  Worst worst{M::name, "symmetry (ulps)", typeName<T>()};
  Fixture<M, T> f(5);
  SCOPED_TRACE("init_params seed " + std::to_string(f.paramSeed));
  std::uniform_real_distribution<double> r(-1, 1);
  for (double dist : {0.0, 1e-5, 1e-12}) {
    auto u = f.state();
    auto v = f.state();
    if (dist > 0)
      for (size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<T>(u[i] + dist * r(f.rng));
    std::vector<T> a = f.dgrad(u, v), b = f.dgrad(v, u);
    for (size_t i = 0; i < a.size(); ++i) {
      worst(std::fabs(a[i] - b[i]) /
            (eps<T>() * std::max(std::fabs(a[i]), std::fabs(b[i])) + 1e-300));
      ASSERT_LE(std::fabs(a[i] - b[i]),
                eps<T>() * std::max(std::fabs(a[i]), std::fabs(b[i])))
          << "component " << i << ", |u - v| ~ " << dist;
    }
  }
}

TYPED_TEST(DiscreteGradientE2E, Symmetric) {
  symmetric<TypeParam, double>();
  symmetric<TypeParam, float>();
}

/// discrete_time_derivative(u, v) == structure(dgrad(u, v)); newton_residual
/// == (v - u) / dt - discrete_time_derivative(u, v).
template <class M, class T> void structureAndResidual() {
  Fixture<M, T> f(6);
  SCOPED_TRACE("init_params seed " + std::to_string(f.paramSeed));
  auto u = f.state(), v = f.state();
  std::vector<T> d = f.dgrad(u, v), gd(u.size()), dtd(u.size());
  M::structure(*f.p, d.data(), gd.data(), *f.ws);
  M::dtd(*f.p, u.data(), v.data(), dtd.data(), *f.ws);
  EXPECT_LE(maxRel(dtd, gd), 8 * eps<T>());
  for (T dt : {T(0.01), T(0.5)}) {
    std::vector<T> F = f.residual(u, v, dt), ref(u.size());
    std::vector<double> sizes(u.size());
    for (size_t i = 0; i < u.size(); ++i) {
      ref[i] = (v[i] - u[i]) / dt - dtd[i];
      sizes[i] = std::fabs((v[i] - u[i]) / dt) + std::fabs(dtd[i]);
    }
    double s = maxAbs(sizes);
    for (size_t i = 0; i < u.size(); ++i)
      ASSERT_NEAR(F[i], ref[i], 8 * eps<T>() * s) << "component " << i;
  }
}

TYPED_TEST(DiscreteGradientE2E, StructureAndResidual) {
  structureAndResidual<TypeParam, double>();
  structureAndResidual<TypeParam, float>();
}

/// The dense Jacobian against central differences of newton_residual in v
/// (double), relative to the part of J that comes from the discrete
/// gradient, max |J - I/dt|. `close`: |u - v| ~ 1e-5 per component, so the
/// divided differences inside use their series branch.
template <class M> void jacobianAgainstDifferences(bool close) {
  using T = double;
  constexpr std::int64_t n = M::n;
  Fixture<M, T> f(close ? 7 : 8);
  SCOPED_TRACE("init_params seed " + std::to_string(f.paramSeed));
  std::uniform_real_distribution<double> r(-1, 1);
  auto u = f.state(), v = f.state();
  if (close)
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = u[i] + 1e-5 * r(f.rng);
  const T dt = 0.5;
  std::vector<T> J(static_cast<size_t>(n * n));
  M::jacobian(*f.p, u.data(), v.data(), &dt, J.data(), *f.ws);
  Worst worst{M::name,
              close ? "jacobian vs FD, close pair (rel)"
                    : "jacobian vs FD, far pair (rel)",
              "double"};
  double err = 0, size = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    // Truncation ~ h^2 |F'''| / 6 ~ 1e-11, round-off ~ eps |F| / h ~ 1e-11
    // |F|. A close pair stays far below the series threshold (1.6e-3) at
    // v +- h, so its differences see the series branch only.
    double h = 1e-5 * (1 + std::fabs(v[j])), keep = v[j];
    v[j] = keep + h;
    auto Fp = f.residual(u, v, dt);
    v[j] = keep - h;
    auto Fm = f.residual(u, v, dt);
    v[j] = keep;
    for (std::int64_t i = 0; i < n; ++i) {
      double Jij = J[i * n + j], fd = (Fp[i] - Fm[i]) / (2 * h);
      ASSERT_TRUE(std::isfinite(Jij)) << i << ", " << j;
      err = std::max(err, std::fabs(Jij - fd));
      size = std::max(size, std::fabs(Jij - (i == j ? 1 / dt : 0)));
    }
  }
  worst(err / std::max(size, 1e-300));
  EXPECT_LE(err / std::max(size, 1e-300), 1e-6)
      << (close ? "close" : "far") << " pair, max |J - I/dt| = " << size;
}

TYPED_TEST(DiscreteGradientE2E, JacobianAgainstDifferences) {
  if constexpr (TypeParam::n <= 100) {
    jacobianAgainstDifferences<TypeParam>(false);
    jacobianAgainstDifferences<TypeParam>(true);
  } else {
    GTEST_SKIP() << "state size " << TypeParam::n
                 << " > 100: the JVP test checks it along directions";
  }
}

/// newton_jvp against newton_jacobian * w, and (double) against central
/// differences of newton_residual along w.
template <class M, class T> void jvpAgainstJacobian() {
  constexpr std::int64_t n = M::n;
  Fixture<M, T> f(9);
  SCOPED_TRACE("init_params seed " + std::to_string(f.paramSeed));
  std::uniform_real_distribution<double> r(-1, 1);
  auto u = f.state(), v = f.state();
  const T dt = T(0.5);
  std::vector<T> J(static_cast<size_t>(n * n));
  M::jacobian(*f.p, u.data(), v.data(), &dt, J.data(), *f.ws);
  for (int trial = 0; trial < 2; ++trial) {
    std::vector<T> w = f.state();
    std::vector<T> Jw = f.jvp(u, v, dt, w);
    std::vector<double> ref(u.size()), sizes(u.size());
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        double t = static_cast<double>(J[i * n + j]) * w[j];
        ref[i] += t;
        sizes[i] += std::fabs(t);
      }
    double s = maxAbs(sizes);
    for (std::int64_t i = 0; i < n; ++i)
      ASSERT_NEAR(Jw[i], ref[i], 4 * n * eps<T>() * s) << "component " << i;
    if constexpr (std::is_same_v<T, double>) {
      double h = 1e-6;
      std::vector<T> vp(v), vm(v);
      for (size_t i = 0; i < v.size(); ++i) {
        vp[i] += h * w[i];
        vm[i] -= h * w[i];
      }
      auto Fp = f.residual(u, vp, dt), Fm = f.residual(u, vm, dt);
      std::vector<double> fd(u.size());
      for (size_t i = 0; i < fd.size(); ++i)
        fd[i] = (Fp[i] - Fm[i]) / (2 * h);
      Worst wf{M::name, "jvp vs FD along w (rel)", "double"};
      wf(maxRel(Jw, fd));
      EXPECT_LE(maxRel(Jw, fd), 1e-6);
    }
  }
}

TYPED_TEST(DiscreteGradientE2E, JvpAgainstJacobian) {
  jvpAgainstJacobian<TypeParam, double>();
  jvpAgainstJacobian<TypeParam, float>();
}

/// Every _batch function equals its single-row calls, exactly.
template <class M, class T> void batchEqualsSingle() {
  constexpr std::int64_t n = M::n, B = 3;
  Fixture<M, T> f(10);
  std::vector<T> u, v, w, dt = {T(0.1), T(0.5), T(2)};
  for (int b = 0; b < B; ++b) {
    auto a = f.state(), c = f.state(), x = f.state();
    u.insert(u.end(), a.begin(), a.end());
    v.insert(v.end(), c.begin(), c.end());
    w.insert(w.end(), x.begin(), x.end());
  }
  std::vector<T> dg(u.size()), dtd(u.size()), F(u.size()), Jw(u.size());
  M::dgradBatch(*f.p, B, u.data(), v.data(), dg.data(), *f.ws);
  M::dtdBatch(*f.p, B, u.data(), v.data(), dtd.data(), *f.ws);
  M::residualBatch(*f.p, B, u.data(), v.data(), dt.data(), F.data(), *f.ws);
  M::jvpBatch(*f.p, B, u.data(), v.data(), dt.data(), w.data(), Jw.data(),
              *f.ws);
  std::vector<T> one(static_cast<size_t>(n));
  for (std::int64_t b = 0; b < B; ++b) {
    const T *ub = u.data() + b * n, *vb = v.data() + b * n,
            *wb = w.data() + b * n;
    auto same = [&](const std::vector<T> &all, const char *what) {
      EXPECT_TRUE(std::equal(one.begin(), one.end(), all.begin() + b * n))
          << what << ", row " << b;
    };
    M::dgrad(*f.p, ub, vb, one.data(), *f.ws);
    same(dg, "discrete_grad_batch");
    M::dtd(*f.p, ub, vb, one.data(), *f.ws);
    same(dtd, "discrete_time_derivative_batch");
    M::residual(*f.p, ub, vb, &dt[static_cast<size_t>(b)], one.data(), *f.ws);
    same(F, "newton_residual_batch");
    M::jvp(*f.p, ub, vb, &dt[static_cast<size_t>(b)], wb, one.data(), *f.ws);
    same(Jw, "newton_jvp_batch");
  }
}

TYPED_TEST(DiscreteGradientE2E, BatchEqualsSingle) {
  batchEqualsSingle<TypeParam, double>();
  batchEqualsSingle<TypeParam, float>();
}

} // namespace
