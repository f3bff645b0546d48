//===- TrainingE2E.cpp - The generated training losses and gradients ------===//
//
// Part of dgc. The C++ that `dgc compile` emits for the training functions
// (train_dg, train_rk2, train_rk4, train_leapfrog, time_derivative_vjp) of
// the network examples, instantiated in double and float through
// `struct Model` (as the runtime's training loop calls them):
//
//  - double: dparams against central differences of the generated L at
//    sampled parameter entries (relative error <= 1e-6, the largest
//    difference over the largest derivative), at far pairs and, for
//    train_dg, at pairs |u2 - u1| ~ 1e-4 (series branch);
//  - float: L and dparams finite and close to the double ones;
//  - the _batch functions equal their single-row calls;
//  - time_derivative_vjp: <ybar, J w> = <J^T ybar, w> with
//    time_derivative_jvp, and its dparams against central differences of
//    <ybar, time_derivative(u)>;
//  - the has_<fn> flags: train_dg for energy models only, train_leapfrog
//    for separable ones only.
//
// The interpreter-level checks of the same functions (every parameter of
// small variants, L against a hand computation) are in
// test/unit/Transforms/LossesTest.cpp.
//
//===----------------------------------------------------------------------===//
#include "kdv_net.hpp"
#include "mass_spring_net.hpp"
#include "mass_spring_node.hpp"
#include "mass_spring_sep.hpp"
#include "real_pendulum_net.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

enum class Loss { DG, RK2, RK4, Leapfrog };

const char *lossName(Loss l) {
  switch (l) {
  case Loss::DG: return "train_dg";
  case Loss::RK2: return "train_rk2";
  case Loss::RK4: return "train_rk4";
  case Loss::Leapfrog: return "train_leapfrog";
  }
  return "?";
}

template <class M> bool hasLoss(Loss l) {
  switch (l) {
  case Loss::DG: return M::has_train_dg;
  case Loss::RK2: return M::has_train_rk2;
  case Loss::RK4: return M::has_train_rk4;
  case Loss::Leapfrog: return M::has_train_leapfrog;
  }
  return false;
}

/// L (returned) and dparams of loss `l` through the Model forwarders.
template <class M, class T>
T evalLoss(Loss l, const typename M::template ParamsT<T> &p, const T *u1,
           const T *u2, const T *dt, T *dparams,
           typename M::template WorkspaceT<T> &ws) {
  switch (l) {
  case Loss::DG:
    if constexpr (M::has_train_dg)
      return M::train_dg(p, u1, u2, dt, dparams, ws);
    break;
  case Loss::RK2:
    if constexpr (M::has_train_rk2)
      return M::train_rk2(p, u1, u2, dt, dparams, ws);
    break;
  case Loss::RK4:
    if constexpr (M::has_train_rk4)
      return M::train_rk4(p, u1, u2, dt, dparams, ws);
    break;
  case Loss::Leapfrog:
    if constexpr (M::has_train_leapfrog)
      return M::train_leapfrog(p, u1, u2, dt, dparams, ws);
    break;
  }
  ADD_FAILURE() << "no " << lossName(l);
  return T(0);
}

template <class M, class T>
void evalLossBatch(Loss l, const typename M::template ParamsT<T> &p,
                   std::int64_t b, const T *u1, const T *u2, const T *dt,
                   T *L, T *dparams, typename M::template WorkspaceT<T> &ws) {
  switch (l) {
  case Loss::DG:
    if constexpr (M::has_train_dg)
      M::train_dg_batch(p, b, u1, u2, dt, L, dparams, ws);
    return;
  case Loss::RK2:
    if constexpr (M::has_train_rk2)
      M::train_rk2_batch(p, b, u1, u2, dt, L, dparams, ws);
    return;
  case Loss::RK4:
    if constexpr (M::has_train_rk4)
      M::train_rk4_batch(p, b, u1, u2, dt, L, dparams, ws);
    return;
  case Loss::Leapfrog:
    if constexpr (M::has_train_leapfrog)
      M::train_leapfrog_batch(p, b, u1, u2, dt, L, dparams, ws);
    return;
  }
}

/// One model's checks. `Info`: the namespace's param tables.
template <class M> struct Checker {
  static constexpr std::int64_t N = M::state_size;
  static constexpr std::int64_t P = std::max<std::int64_t>(M::param_count, 1);
  std::mt19937_64 rng{77};

  template <class T> using Params = typename M::template ParamsT<T>;
  template <class T> using Work = typename M::template WorkspaceT<T>;

  std::vector<double> randomVec(std::int64_t n, double scale) {
    std::normal_distribution<double> d(0.0, scale);
    std::vector<double> v(static_cast<size_t>(n));
    for (double &x : v)
      x = d(rng);
    return v;
  }

  template <class T> static std::vector<T> as(const std::vector<double> &v) {
    return std::vector<T>(v.begin(), v.end());
  }

  /// Parameters from init_params, with nonneg scalars (friction) set to 0.3.
  template <class T>
  static std::unique_ptr<Params<T>> params(const std::vector<std::int64_t> &fric) {
    auto p = std::make_unique<Params<T>>();
    M::init_params(*p, 5);
    for (std::int64_t o : fric)
      p->data[static_cast<size_t>(o)] = T(0.3);
    return p;
  }

  /// Flat indices to check: `per` spread over each parameter tensor.
  static std::vector<std::int64_t>
  indices(const std::vector<std::int64_t> &offsets,
          const std::vector<std::int64_t> &sizes, int per) {
    std::vector<std::int64_t> out;
    for (size_t k = 0; k < offsets.size(); ++k) {
      std::int64_t n = sizes[k];
      int m = static_cast<int>(std::min<std::int64_t>(n, per));
      for (int j = 0; j < m; ++j)
        out.push_back(offsets[k] + (m == 1 ? 0 : j * (n - 1) / (m - 1)));
    }
    return out;
  }

  void run(const std::vector<std::int64_t> &offsets,
           const std::vector<std::int64_t> &sizes,
           const std::vector<std::int64_t> &friction, int per) {
    auto pd = params<double>(friction);
    auto pf = params<float>(friction);
    auto wd = std::make_unique<Work<double>>();
    auto wf = std::make_unique<Work<float>>();
    std::vector<std::int64_t> idx = indices(offsets, sizes, per);

    for (Loss l : {Loss::DG, Loss::RK2, Loss::RK4, Loss::Leapfrog}) {
      if (!hasLoss<M>(l))
        continue;
      SCOPED_TRACE(lossName(l));
      for (double sep : {0.3, 1e-4}) {
        if (sep < 1e-3 && l != Loss::DG)
          continue;
        double dtv = sep < 1e-3 ? 1e-4 : 0.1;
        std::vector<double> u1 = randomVec(N, 0.7), u2 = u1, d = randomVec(N, 1);
        for (std::int64_t i = 0; i < N; ++i)
          u2[static_cast<size_t>(i)] += sep * d[static_cast<size_t>(i)];
        std::vector<double> dt = {dtv};

        // double: dparams against central differences of L.
        std::vector<double> g(static_cast<size_t>(P));
        double L = evalLoss<M, double>(l, *pd, u1.data(), u2.data(), dt.data(),
                                       g.data(), *wd);
        ASSERT_TRUE(std::isfinite(L));
        std::vector<double> scratch(static_cast<size_t>(P));
        double diff = 0, scale = 0;
        for (std::int64_t i : idx) {
          double &x = pd->data[static_cast<size_t>(i)];
          double x0 = x, h = 1e-5 * std::max(1.0, std::fabs(x0));
          x = x0 + h;
          double up = evalLoss<M, double>(l, *pd, u1.data(), u2.data(),
                                          dt.data(), scratch.data(), *wd);
          x = x0 - h;
          double dn = evalLoss<M, double>(l, *pd, u1.data(), u2.data(),
                                          dt.data(), scratch.data(), *wd);
          x = x0;
          double fd = (up - dn) / (2 * h);
          diff = std::max(diff, std::fabs(g[static_cast<size_t>(i)] - fd));
          scale = std::max(scale, std::fabs(fd));
        }
        EXPECT_GT(scale, 0);
        EXPECT_LE(diff, 1e-6 * scale)
            << M::name << " sep " << sep << ": " << idx.size() << " entries";

        // float: close to double.
        std::vector<float> gf(static_cast<size_t>(P));
        auto u1f = as<float>(u1), u2f = as<float>(u2), dtf = as<float>(dt);
        float Lf = evalLoss<M, float>(l, *pf, u1f.data(), u2f.data(),
                                      dtf.data(), gf.data(), *wf);
        ASSERT_TRUE(std::isfinite(Lf));
        double gdiff = 0, gscale = 0;
        for (size_t i = 0; i < g.size(); ++i) {
          ASSERT_TRUE(std::isfinite(gf[i]));
          gdiff = std::max(gdiff, std::fabs(double(gf[i]) - g[i]));
          gscale = std::max(gscale, std::fabs(g[i]));
        }
        // Close pairs: (u2 - u1)/dt in float carries ~eps |u| / |u2 - u1|.
        double tol = sep < 1e-3 ? 5e-2 : 1e-3;
        EXPECT_NEAR(Lf, L, tol * std::fabs(L)) << M::name << " sep " << sep;
        EXPECT_LE(gdiff, tol * gscale) << M::name << " sep " << sep;

        // batch of 3 rows (the first the pair above) = single calls.
        std::vector<double> bu1 = u1, bu2 = u2, bdt = {dtv, 0.05, 0.2};
        for (int r = 1; r < 3; ++r) {
          auto a = randomVec(N, 0.7), b = randomVec(N, 0.7);
          bu1.insert(bu1.end(), a.begin(), a.end());
          bu2.insert(bu2.end(), b.begin(), b.end());
        }
        std::vector<double> bL(3), bg(static_cast<size_t>(3 * P));
        evalLossBatch<M, double>(l, *pd, 3, bu1.data(), bu2.data(), bdt.data(),
                                 bL.data(), bg.data(), *wd);
        for (int r = 0; r < 3; ++r) {
          double Lr = evalLoss<M, double>(l, *pd, bu1.data() + r * N,
                                          bu2.data() + r * N, bdt.data() + r,
                                          scratch.data(), *wd);
          EXPECT_EQ(bL[static_cast<size_t>(r)], Lr);
          EXPECT_EQ(0, std::memcmp(bg.data() + r * P, scratch.data(),
                                   sizeof(double) * static_cast<size_t>(P)));
        }
      }
    }

    // time_derivative_vjp.
    std::vector<double> u = randomVec(N, 0.7), ybar = randomVec(N, 1),
                        w = randomVec(N, 1);
    std::vector<double> ubar(static_cast<size_t>(N)), gp(static_cast<size_t>(P)),
        jw(static_cast<size_t>(N)), f(static_cast<size_t>(N));
    M::time_derivative_vjp(*pd, u.data(), ybar.data(), ubar.data(), gp.data(),
                           *wd);
    M::time_derivative_jvp(*pd, u.data(), w.data(), jw.data(), *wd);
    double lhs = 0, rhs = 0, mag = 0;
    for (std::int64_t i = 0; i < N; ++i) {
      size_t k = static_cast<size_t>(i);
      lhs += ybar[k] * jw[k];
      rhs += ubar[k] * w[k];
      mag += std::fabs(ybar[k] * jw[k]) + std::fabs(ubar[k] * w[k]);
    }
    EXPECT_NEAR(lhs, rhs, 1e-12 * mag) << M::name << ": <ybar, Jw> = <J^T ybar, w>";
    auto obj = [&]() {
      M::time_derivative(*pd, u.data(), f.data(), *wd);
      double s = 0;
      for (std::int64_t i = 0; i < N; ++i)
        s += ybar[static_cast<size_t>(i)] * f[static_cast<size_t>(i)];
      return s;
    };
    double diff = 0, scale = 0;
    for (std::int64_t i : idx) {
      double &x = pd->data[static_cast<size_t>(i)];
      double x0 = x, h = 1e-5 * std::max(1.0, std::fabs(x0));
      x = x0 + h;
      double up = obj();
      x = x0 - h;
      double dn = obj();
      x = x0;
      double fd = (up - dn) / (2 * h);
      diff = std::max(diff, std::fabs(gp[static_cast<size_t>(i)] - fd));
      scale = std::max(scale, std::fabs(fd));
    }
    EXPECT_LE(diff, 1e-6 * scale) << M::name << ": vjp dparams";
  }
};

#define DGC_TRAIN_CASE(NS, PER)                                                \
  TEST(TrainingE2E, NS) {                                                      \
    namespace ns = dgc_models::NS;                                             \
    std::vector<std::int64_t> off(ns::param_offsets.begin(),                   \
                                  ns::param_offsets.end());                    \
    std::vector<std::int64_t> size(ns::param_sizes.begin(),                    \
                                   ns::param_sizes.end());                     \
    std::vector<std::int64_t> fric;                                            \
    for (size_t k = 0; k < ns::param_nonneg.size(); ++k)                       \
      if (ns::param_nonneg[k] && ns::param_sizes[k] == 1)                      \
        fric.push_back(ns::param_offsets[k]);                                  \
    Checker<ns::Model>().run(off, size, fric, PER);                            \
  }

DGC_TRAIN_CASE(MassSpringNet, 8)
DGC_TRAIN_CASE(RealPendulumNet, 8)
DGC_TRAIN_CASE(KdVNet, 4)
DGC_TRAIN_CASE(MassSpringNODE, 8)
DGC_TRAIN_CASE(MassSpringSep, 8)

TEST(TrainingE2E, WhichLossesEachModelHas) {
  using dgc_models::MassSpringNODE::Model;
  static_assert(!Model::has_train_dg && Model::has_train_rk2 &&
                Model::has_train_rk4 && !Model::has_train_leapfrog &&
                Model::has_time_derivative_vjp);
  static_assert(dgc_models::MassSpringSep::Model::has_train_leapfrog);
  static_assert(dgc_models::MassSpringSep::Model::has_train_dg);
  static_assert(!dgc_models::MassSpringNet::Model::has_train_leapfrog);
  static_assert(dgc_models::KdVNet::Model::has_train_dg &&
                !dgc_models::KdVNet::Model::has_train_leapfrog);
  SUCCEED();
}

} // namespace
