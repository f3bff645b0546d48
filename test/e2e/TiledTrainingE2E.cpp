//===- TiledTrainingE2E.cpp - Tiled losses equal the per-pair ones --------===//
//
// Part of dgc. `train_<scheme>_tile` (Transforms/Batch.cpp) computes a
// tile of pairs at once, pair b in column b, with a weight per pair. Here,
// on the generated headers of the network examples:
//
//  - L[b] equals the per-pair `train_<scheme>` at pair b, and dparams
//    equals sum_b weight_b dparams_b (weights random, some 0, as the
//    runtime pads a last partial tile), to 1e-12 relative in double and
//    1e-4 in float;
//  - which models have tiles: the MLP models do; the paper's KdVNet (200
//    channels x 50 points per pair) stays per pair, as a tile of 8 would
//    not fit the caches (the tiled convolutions are checked on small conv
//    nets in test/unit/Transforms/BatchTest.cpp);
//  - the runtime's Trainer gives the same losses and parameters with the
//    tiled path as with the per-pair one (rounding only), over a batch
//    that is not a multiple of the tile;
//  - `time_derivative_tile` equals `time_derivative` column by column, and
//    dopri5 training over a batch (Dopri5Train.h) gives the same loss,
//    gradient and steps through `time_derivative_vjp_tile` as through the
//    per-pair `time_derivative_vjp`.
//
//===----------------------------------------------------------------------===//
#include "kdv_net.hpp"
#include "mass_spring_net.hpp"
#include "mass_spring_node.hpp"
#include "mass_spring_sep.hpp"
#include "real_pendulum_net.hpp"

#include "dgc/runtime/Train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

namespace {

using dgc::rt::Scheme;

template <class M, class T> struct Tiles {
  using P = typename M::template ParamsT<T>;
  static constexpr std::int64_t N = M::state_size;
  static constexpr std::int64_t NP = M::param_count > 0 ? M::param_count : 1;

  /// Compares the tiled loss of scheme `s` with the per-pair one.
  static void check(Scheme s, double tol) {
    using TF = dgc::rt::TileFns<M, T>;
    using PF = dgc::rt::TrainFns<M, T>;
    const std::int64_t tile = TF::tile(s);
    ASSERT_GT(tile, 0);
    auto p = std::make_unique<P>();
    M::init_params(*p, 3);
    std::mt19937_64 rng(11);
    std::normal_distribution<double> nd(0.0, 0.7);
    std::uniform_real_distribution<double> ud(0.0, 1.0);
    std::vector<T> u1(static_cast<size_t>(N * tile)), u2(u1.size());
    std::vector<T> dt(static_cast<size_t>(tile)), w(dt.size()), L(dt.size());
    for (std::int64_t k = 0; k < tile; ++k) {
      dt[k] = T(0.05 + 0.1 * ud(rng));
      w[k] = k % 5 == 4 ? T(0) : T(ud(rng));
      for (std::int64_t i = 0; i < N; ++i) {
        T a = T(nd(rng));
        u1[i * tile + k] = a;
        u2[i * tile + k] = a + T(0.3 * nd(rng));
      }
    }
    auto tws = std::make_unique<typename M::template TileWorkspaceT<T>>();
    std::vector<T> g(static_cast<size_t>(NP));
    TF::call(s, *p, u1.data(), u2.data(), dt.data(), w.data(), L.data(),
             g.data(), *tws);

    auto ws = std::make_unique<typename M::template WorkspaceT<T>>();
    std::vector<double> sum(static_cast<size_t>(NP), 0.0);
    std::vector<T> a(static_cast<size_t>(N)), b(a.size()), gk(g.size());
    double lerr = 0, lscale = 0;
    for (std::int64_t k = 0; k < tile; ++k) {
      for (std::int64_t i = 0; i < N; ++i) {
        a[i] = u1[i * tile + k];
        b[i] = u2[i * tile + k];
      }
      T Lk = 0;
      PF::call(s, *p, a.data(), b.data(), &dt[k], &Lk, gk.data(), *ws);
      lerr = std::max(lerr, std::fabs(double(L[k]) - double(Lk)));
      lscale = std::max(lscale, std::fabs(double(Lk)));
      for (std::int64_t i = 0; i < NP; ++i)
        sum[i] += double(w[k]) * double(gk[i]);
    }
    double gerr = 0, gscale = 0;
    for (std::int64_t i = 0; i < NP; ++i) {
      gerr = std::max(gerr, std::fabs(double(g[i]) - sum[i]));
      gscale = std::max(gscale, std::fabs(sum[i]));
    }
    EXPECT_LE(lerr, tol * lscale) << "L, tile " << tile;
    EXPECT_LE(gerr, tol * gscale) << "dparams, tile " << tile;
    EXPECT_GT(gscale, 0.0);
  }

  static void all(double tol) {
    for (Scheme s : {Scheme::DG, Scheme::RK2, Scheme::RK4, Scheme::Leapfrog}) {
      if (!dgc::rt::TrainFns<M, T>::has(s))
        continue;
      SCOPED_TRACE(static_cast<int>(s));
      check(s, tol);
    }
  }
};

TEST(TiledTraining, MassSpringNet) {
  Tiles<dgc_models::MassSpringNet::Model, double>::all(1e-12);
  Tiles<dgc_models::MassSpringNet::Model, float>::all(1e-4);
}

TEST(TiledTraining, MassSpringNODE) {
  Tiles<dgc_models::MassSpringNODE::Model, double>::all(1e-12);
}

TEST(TiledTraining, MassSpringSep) {
  Tiles<dgc_models::MassSpringSep::Model, double>::all(1e-12);
}

TEST(TiledTraining, RealPendulumNet) {
  Tiles<dgc_models::RealPendulumNet::Model, double>::all(1e-12);
  Tiles<dgc_models::RealPendulumNet::Model, float>::all(1e-4);
}

TEST(TiledTraining, WhichModelsHaveTiles) {
  using TS = dgc::rt::TileFns<dgc_models::MassSpringNet::Model, double>;
  EXPECT_GE(TS::tile(Scheme::DG), 8);
  EXPECT_EQ(TS::tile(Scheme::Dopri5), 0);
  using TK = dgc::rt::TileFns<dgc_models::KdVNet::Model, double>;
  EXPECT_EQ(TK::tile(Scheme::DG), 0);
  EXPECT_EQ(TK::tile(Scheme::RK2), 0);
}

/// The Trainer with and without tiles: 3 iterations over a batch of
/// 1.5 tiles plus 3 pairs, on 2 threads.
TEST(TiledTraining, TrainerAgreesWithPerPairPath) {
  using M = dgc_models::MassSpringNet::Model;
  namespace ns = dgc_models::MassSpringNet;
  const std::int64_t tile = dgc::rt::TileFns<M, double>::tile(Scheme::DG);
  dgc::rt::PairSet data;
  data.stateSize = M::state_size;
  data.count = 4 * tile;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> nd(0.0, 1.0);
  for (std::int64_t k = 0; k < data.count * M::state_size; ++k) {
    double a = nd(rng);
    data.u1.push_back(a);
    data.u2.push_back(a + 0.1 * nd(rng));
  }
  data.dt.assign(static_cast<size_t>(data.count), 0.1);
  auto table = dgc::rt::ParamTable::from(ns::param_names, ns::param_offsets,
                                         ns::param_sizes, ns::param_nonneg);
  std::vector<std::vector<double>> losses, params;
  for (bool tiled : {false, true}) {
    dgc::rt::TrainOptions o;
    o.scheme = Scheme::DG;
    o.batch = tile + tile / 2 + 3;
    o.threads = 2;
    o.tiled = tiled;
    dgc::rt::Trainer<M, double> t(data, o, table);
    for (int i = 0; i < 3; ++i)
      t.step();
    losses.push_back(t.losses());
    params.emplace_back(t.params().data.begin(), t.params().data.end());
  }
  for (size_t i = 0; i < losses[0].size(); ++i)
    EXPECT_NEAR(losses[0][i], losses[1][i], 1e-12 * std::fabs(losses[0][i]));
  double err = 0;
  for (size_t i = 0; i < params[0].size(); ++i)
    err = std::max(err, std::fabs(params[0][i] - params[1][i]));
  EXPECT_LE(err, 1e-10);
}

/// Random pairs for the dopri5 tests: n pairs near a unit circle.
template <class T> struct RandomPairs {
  std::vector<T> u1, u2, dt;
  RandomPairs(std::int64_t n, std::int64_t N, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> nd(0.0, 0.7);
    for (std::int64_t k = 0; k < n * N; ++k) {
      double a = nd(rng);
      u1.push_back(T(a));
      u2.push_back(T(a + 0.05 * nd(rng)));
    }
    dt.assign(static_cast<size_t>(n), T(0.1));
  }
};

template <class M, class T> void checkTimeDerivativeTile(double tol) {
  constexpr std::int64_t N = M::state_size, tile = M::time_derivative_tile_size;
  auto p = std::make_unique<typename M::template ParamsT<T>>();
  M::init_params(*p, 2);
  RandomPairs<T> d(tile, N, 3);
  std::vector<T> cols(static_cast<size_t>(N * tile)), out(cols.size()), f(N);
  for (std::int64_t k = 0; k < tile; ++k)
    for (std::int64_t i = 0; i < N; ++i)
      cols[i * tile + k] = d.u1[k * N + i];
  auto tws = std::make_unique<typename M::template TileWorkspaceT<T>>();
  auto ws = std::make_unique<typename M::template WorkspaceT<T>>();
  M::time_derivative_tile(*p, cols.data(), out.data(), *tws);
  double err = 0, scale = 0;
  for (std::int64_t k = 0; k < tile; ++k) {
    M::time_derivative(*p, d.u1.data() + k * N, f.data(), *ws);
    for (std::int64_t i = 0; i < N; ++i) {
      err = std::max(err, std::fabs(double(out[i * tile + k]) - double(f[i])));
      scale = std::max(scale, std::fabs(double(f[i])));
    }
  }
  EXPECT_LE(err, tol * scale);
}

/// Dopri5Loss through the tiled functions and through the per-pair ones:
/// a batch of 2.5 tiles on 2 threads.
template <class M, class T> void checkDopri5Tiles(double tol) {
  using D = dgc::rt::Dopri5Loss<M, T>;
  static_assert(D::kHasTiles);
  constexpr std::int64_t N = M::state_size, tile = M::time_derivative_tile_size;
  const std::int64_t n = 2 * tile + tile / 2;
  auto p = std::make_unique<typename M::template ParamsT<T>>();
  M::init_params(*p, 4);
  RandomPairs<T> d(n + 7, N, 9);
  std::vector<std::int64_t> idx;
  for (std::int64_t b = 0; b < n; ++b)
    idx.push_back((5 * b + 3) % (n + 7)); // a permutation's prefix
  const std::int64_t P = M::param_count;
  std::vector<double> g1(P), g2(P);
  D tiled(2, true), perPair(2, false);
  ASSERT_EQ(tiled.tile(), tile);
  ASSERT_EQ(perPair.tile(), 0);
  double L1 = tiled(*p, d.u1.data(), d.u2.data(), d.dt.data(), idx.data(), n,
                    g1.data());
  double L2 = perPair(*p, d.u1.data(), d.u2.data(), d.dt.data(), idx.data(),
                      n, g2.data());
  EXPECT_EQ(tiled.acceptedSteps, perPair.acceptedSteps);
  EXPECT_GT(tiled.acceptedSteps, 0);
  EXPECT_NEAR(L1, L2, tol * std::fabs(L2));
  double err = 0, scale = 0;
  for (std::int64_t q = 0; q < P; ++q) {
    err = std::max(err, std::fabs(g1[q] - g2[q]));
    scale = std::max(scale, std::fabs(g2[q]));
  }
  EXPECT_GT(scale, 0.0);
  EXPECT_LE(err, tol * scale);
}

TEST(TiledTraining, TimeDerivativeTileEqualsPerState) {
  checkTimeDerivativeTile<dgc_models::MassSpringNet::Model, double>(1e-13);
  checkTimeDerivativeTile<dgc_models::MassSpringNODE::Model, double>(1e-13);
  checkTimeDerivativeTile<dgc_models::RealPendulumNet::Model, float>(1e-5);
}

TEST(TiledTraining, Dopri5OverTilesEqualsPerPair) {
  checkDopri5Tiles<dgc_models::MassSpringNet::Model, double>(1e-12);
  checkDopri5Tiles<dgc_models::MassSpringNODE::Model, double>(1e-12);
  checkDopri5Tiles<dgc_models::RealPendulumNet::Model, double>(1e-12);
}

} // namespace
