//===- E2ETests.cpp - Generated example models checked end to end --------===//
//
// Part of dgc. Every examples/*.dg is compiled by `dgc compile` at build
// time and all headers are included here together. Checks: `grad` against
// central differences of `energy` (in the model's inner product) at random
// states and parameter seeds; KdV's and Cahn-Hilliard's `time_derivative`
// against their PDE right-hand sides written out by hand; batch functions
// against single calls; float against double.
//
//===----------------------------------------------------------------------===//
#include "allen_cahn_2d.hpp"
#include "cahn_hilliard.hpp"
#include "kdv.hpp"
#include "kdv_net.hpp"
#include "mass_spring_net.hpp"
#include "mass_spring_node.hpp"
#include "mass_spring_sep.hpp"
#include "pendulum.hpp"
#include "real_pendulum_net.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

namespace {

/// The generated API of one energy model, as a type.
#define DGC_E2E_MODEL(NS)                                                      \
  struct NS##Api {                                                             \
    static constexpr std::int64_t n = dgc_models::NS::state_size;             \
    static constexpr const auto &weight = dgc_models::NS::inner_weight;       \
    template <class T> using P = dgc_models::NS::Params<T>;                    \
    template <class T> using W = dgc_models::NS::Workspace<T>;                 \
    template <class T> static void init(P<T> &p, std::uint64_t s) {           \
      dgc_models::NS::init_params(p, s);                                       \
    }                                                                          \
    template <class T> static T energy(const P<T> &p, const T *u, W<T> &w) {   \
      return dgc_models::NS::energy(p, u, w);                                  \
    }                                                                          \
    template <class T>                                                         \
    static T grad(const P<T> &p, const T *u, T *g, W<T> &w) {                  \
      return dgc_models::NS::grad(p, u, g, w);                                 \
    }                                                                          \
    template <class T>                                                         \
    static void gradBatch(const P<T> &p, std::int64_t b, const T *u, T *H,     \
                          T *g, W<T> &w) {                                     \
      dgc_models::NS::grad_batch(p, b, u, H, g, w);                            \
    }                                                                          \
  };

DGC_E2E_MODEL(KdV)
DGC_E2E_MODEL(CahnHilliard)
DGC_E2E_MODEL(KdVNet)
DGC_E2E_MODEL(MassSpringNet)
DGC_E2E_MODEL(RealPendulumNet)
DGC_E2E_MODEL(MassSpringSep)
DGC_E2E_MODEL(Pendulum)
DGC_E2E_MODEL(AllenCahn2D)

/// Deterministic uniform numbers in [lo, hi).
std::vector<double> randomState(std::int64_t n, std::uint64_t seed, double lo,
                                double hi) {
  std::vector<double> v(static_cast<size_t>(n));
  std::uint64_t s = seed * 2862933555777941757ULL + 3037000493ULL;
  for (double &e : v) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    e = lo + (hi - lo) * static_cast<double>(s >> 11) * 0x1.0p-53;
  }
  return v;
}

double relError(const std::vector<double> &a, const std::vector<double> &b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += b[i] * b[i];
  }
  return std::sqrt(num) / std::max(std::sqrt(den), 1e-300);
}

template <class M> void checkGradient(double lo, double hi) {
  auto p = std::make_unique<typename M::template P<double>>();
  auto ws = std::make_unique<typename M::template W<double>>();
  for (std::uint64_t seed : {1u, 2u}) {
    M::init(*p, seed);
    std::vector<double> u = randomState(M::n, seed + 10, lo, hi), g(u.size()),
                        fd(u.size());
    double H = M::grad(*p, u.data(), g.data(), *ws);
    EXPECT_NEAR(H, M::energy(*p, u.data(), *ws), 1e-12 * (1 + std::abs(H)));
    for (size_t i = 0; i < u.size(); ++i) {
      double h = 1e-5 * (1 + std::abs(u[i])), keep = u[i];
      u[i] = keep + h;
      double ep = M::energy(*p, u.data(), *ws);
      u[i] = keep - h;
      double em = M::energy(*p, u.data(), *ws);
      u[i] = keep;
      fd[i] = (ep - em) / (2 * h) / M::weight[i];
    }
    EXPECT_LE(relError(g, fd), 1e-7) << "seed " << seed;
    // batch rows equal single calls; float close to double.
    std::vector<double> u2 = randomState(M::n, seed + 20, lo, hi);
    std::vector<double> ub(u), Hb(2), gb(2 * u.size()), g2(u.size());
    ub.insert(ub.end(), u2.begin(), u2.end());
    M::gradBatch(*p, 2, ub.data(), Hb.data(), gb.data(), *ws);
    double H2 = M::grad(*p, u2.data(), g2.data(), *ws);
    EXPECT_EQ(Hb[0], H);
    EXPECT_EQ(Hb[1], H2);
    EXPECT_TRUE(std::equal(g.begin(), g.end(), gb.begin()));
    EXPECT_TRUE(std::equal(g2.begin(), g2.end(), gb.begin() + M::n));
    auto pf = std::make_unique<typename M::template P<float>>();
    auto wf = std::make_unique<typename M::template W<float>>();
    M::init(*pf, seed);
    std::vector<float> uf(u.begin(), u.end()), gf(u.size());
    float Hf = M::grad(*pf, uf.data(), gf.data(), *wf);
    EXPECT_NEAR(Hf, H, 1e-4 * (1 + std::abs(H)));
    EXPECT_LE(relError(std::vector<double>(gf.begin(), gf.end()), g), 1e-3);
  }
}

TEST(E2E, GradKdV) { checkGradient<KdVApi>(-1, 1); }
TEST(E2E, GradCahnHilliard) { checkGradient<CahnHilliardApi>(-1, 1); }
TEST(E2E, GradKdVNet) { checkGradient<KdVNetApi>(-1, 1); }
TEST(E2E, GradMassSpringNet) { checkGradient<MassSpringNetApi>(-1, 1); }
TEST(E2E, GradRealPendulumNet) { checkGradient<RealPendulumNetApi>(-1, 1); }
TEST(E2E, GradMassSpringSep) { checkGradient<MassSpringSepApi>(-1, 1); }
TEST(E2E, GradPendulum) { checkGradient<PendulumApi>(-2, 2); }
TEST(E2E, GradAllenCahn2D) { checkGradient<AllenCahn2DApi>(-1, 1); }

/// Periodic neighbour of j on n points.
double nb(const std::vector<double> &u, std::int64_t j) {
  std::int64_t n = static_cast<std::int64_t>(u.size());
  return u[static_cast<size_t>(((j % n) + n) % n)];
}

std::vector<double> central(const std::vector<double> &u, double dx) {
  std::vector<double> y(u.size());
  for (std::int64_t j = 0; j < static_cast<std::int64_t>(u.size()); ++j)
    y[static_cast<size_t>(j)] = (nb(u, j + 1) - nb(u, j - 1)) / (2 * dx);
  return y;
}

std::vector<double> second(const std::vector<double> &u, double dx) {
  std::vector<double> y(u.size());
  for (std::int64_t j = 0; j < static_cast<std::int64_t>(u.size()); ++j)
    y[static_cast<size_t>(j)] =
        (nb(u, j + 1) - 2 * nb(u, j) + nb(u, j - 1)) / (dx * dx);
  return y;
}

TEST(E2E, KdVTimeDerivativeIsThePde) {
  namespace M = dgc_models::KdV;
  const double alpha = -6, beta = 1, dx = 10.0 / 50;
  ASSERT_EQ(M::state_size, 50);
  M::Params<double> p;
  auto ws = std::make_unique<M::Workspace<double>>();
  std::vector<double> u = randomState(50, 3, -1, 1), dudt(50);
  M::time_derivative(p, u.data(), dudt.data(), *ws);
  // du/dt = D(-alpha/2 u^2 + beta D2 u), D central.
  std::vector<double> d2 = second(u, dx), g(50);
  for (size_t j = 0; j < 50; ++j)
    g[j] = -alpha / 2 * u[j] * u[j] + beta * d2[j];
  EXPECT_LE(relError(dudt, central(g, dx)), 1e-12);
  double mass = 0;
  for (double v : dudt)
    mass += v;
  EXPECT_NEAR(mass, 0, 1e-9);
  M::Params<float> pf;
  auto wf = std::make_unique<M::Workspace<float>>();
  std::vector<float> uf(u.begin(), u.end()), df(50);
  M::time_derivative(pf, uf.data(), df.data(), *wf);
  EXPECT_LE(relError(std::vector<double>(df.begin(), df.end()), dudt), 1e-4);
}

TEST(E2E, CahnHilliardTimeDerivativeIsThePde) {
  namespace M = dgc_models::CahnHilliard;
  const double gamma = 0.0005, dx = 1.0 / 50;
  ASSERT_EQ(M::state_size, 50);
  M::Params<double> p;
  auto ws = std::make_unique<M::Workspace<double>>();
  std::vector<double> u = randomState(50, 4, -1, 1), dudt(50);
  M::time_derivative(p, u.data(), dudt.data(), *ws);
  // du/dt = D2(u^3 - u - gamma D2 u).
  std::vector<double> d2 = second(u, dx), g(50);
  for (size_t j = 0; j < 50; ++j)
    g[j] = u[j] * u[j] * u[j] - u[j] - gamma * d2[j];
  EXPECT_LE(relError(dudt, second(g, dx)), 1e-11);
  std::vector<double> batch(100), ub(u);
  ub.insert(ub.end(), u.begin(), u.end());
  M::time_derivative_batch(p, 2, ub.data(), batch.data(), *ws);
  EXPECT_TRUE(std::equal(dudt.begin(), dudt.end(), batch.begin() + 50));
}

TEST(E2E, VectorFieldModelRuns) {
  namespace M = dgc_models::MassSpringNODE;
  ASSERT_EQ(M::state_size, 2);
  M::Params<double> p;
  M::init_params(p, 1);
  auto ws = std::make_unique<M::Workspace<double>>();
  double u[2] = {0.3, -0.2}, f[2] = {0, 0}, fb[4], ub[4] = {0.3, -0.2, 0.3, -0.2};
  M::time_derivative(p, u, f, *ws);
  M::time_derivative_batch(p, 2, ub, fb, *ws);
  EXPECT_TRUE(std::isfinite(f[0]) && std::isfinite(f[1]));
  EXPECT_NE(f[0], 0.0);
  EXPECT_EQ(fb[2], f[0]);
  EXPECT_EQ(fb[3], f[1]);
}

TEST(E2E, Laws) {
  EXPECT_TRUE(dgc_models::KdV::conserves_energy);
  EXPECT_TRUE(dgc_models::KdV::conserves_mass);
  EXPECT_TRUE(dgc_models::CahnHilliard::dissipates_energy);
  EXPECT_TRUE(dgc_models::MassSpringSep::separable);
  EXPECT_FALSE(dgc_models::MassSpringNet::separable);
}

} // namespace
