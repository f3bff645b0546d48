//===- LocalKernelsE2E.cpp - Local-tile kernels against the whole grid ----===//
//
// Part of dgc's tests. `dgc compile --local-tile` emits each grid model's
// kernels on a tile plus a ghost layer (`namespace local`), which the PETSc
// backend calls on every rank. Here the tiles cover a periodic grid (the
// last tile along an axis overlapping its neighbour, as on a rank's patch),
// each ghosted tile is filled from the whole state with the periodic wrap
// that PETSc's ghost exchange does, and at every interior point the local
// residual, time derivative and sparse Newton Jacobian must equal the
// whole-grid functions' to 1e-12, and the energy density summed over the
// grid must be the energy. No PETSc needed.
//
//===----------------------------------------------------------------------===//
#include "cahn_hilliard_2d.hpp"
#include "kdv.hpp"
#include "kdv_net.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

namespace {

/// The first interior point of each tile along an axis of n points.
std::vector<int64_t> origins(int64_t n, int64_t t) {
  std::vector<int64_t> o;
  for (int64_t x = 0; x + t <= n; x += t)
    o.push_back(x);
  if (n % t != 0)
    o.push_back(n - t);
  return o;
}

double relErr(double a, double b) {
  return std::abs(a - b) / std::max(1.0, std::abs(b));
}

template <class M, class K> void checkLocalKernels(double amp, double dt) {
  const int64_t nx = K::global[0], ny = K::global[1], pts = nx * ny;
  const int64_t gx = K::ghosted[0], gy = K::ghosted[1], h = K::halo;
  const int64_t hy = K::dims == 2 ? h : 0;
  ASSERT_EQ(M::state_size, K::fields * pts);
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> uni(-amp, amp);
  std::vector<double> u(M::state_size), v(M::state_size);
  for (size_t i = 0; i < u.size(); ++i) {
    u[i] = uni(rng);
    v[i] = u[i] + 0.1 * uni(rng);
  }
  auto p = std::make_unique<typename M::template ParamsT<double>>();
  M::init_params(*p, 3);
  auto ws = std::make_unique<typename M::template WorkspaceT<double>>();
  std::vector<double> F(M::state_size), td(M::state_size);
  double H = 0;
  M::newton_residual(*p, u.data(), v.data(), &dt, F.data(), *ws);
  M::time_derivative(*p, u.data(), td.data(), *ws);
  M::energy(*p, u.data(), &H, *ws);
  std::vector<int32_t> rowPtr(M::state_size + 1), cols(M::newton_jacobian_nnz);
  std::vector<double> J(M::newton_jacobian_nnz);
  M::newton_jacobian_pattern(rowPtr.data(), cols.data());
  M::newton_jacobian_sparse(*p, u.data(), v.data(), &dt, J.data(), *ws);
  auto globalJ = [&](int64_t r, int64_t c) {
    auto b = cols.begin() + rowPtr[r], e = cols.begin() + rowPtr[r + 1];
    auto it = std::lower_bound(b, e, static_cast<int32_t>(c));
    return it != e && *it == c ? J[it - cols.begin()] : NAN;
  };

  typename K::template WorkspaceT<double> lws;
  std::vector<double> ut(K::state_size), vt(K::state_size),
      out(K::state_size), lj(K::newton_jacobian_nnz);
  const dgc_rt::SparsePattern &lp = K::newton_jacobian_pattern();
  // Global index of tile element (field c, tile point q) of the tile at
  // (x0, y0): the periodic wrap of the ghost exchange.
  auto globalIndex = [&](int64_t x0, int64_t y0, int64_t idx) {
    int64_t c = idx / (gx * gy), q = idx % (gx * gy);
    int64_t x = ((x0 - h + q % gx) % nx + nx) % nx;
    int64_t y = ((y0 - hy + q / gx) % ny + ny) % ny;
    return c * pts + y * nx + x;
  };
  std::vector<double> density(static_cast<size_t>(pts), NAN);
  int64_t rows = 0;
  for (int64_t y0 : origins(ny, K::tile[1]))
    for (int64_t x0 : origins(nx, K::tile[0])) {
      for (int64_t i = 0; i < K::state_size; ++i) {
        ut[i] = u[globalIndex(x0, y0, i)];
        vt[i] = v[globalIndex(x0, y0, i)];
      }
      K::newton_residual(*p, ut.data(), vt.data(), &dt, out.data(), lws);
      std::vector<double> Ft = out;
      K::time_derivative(*p, ut.data(), out.data(), lws);
      std::vector<double> tdt = out;
      K::energy_density(*p, ut.data(), out.data(), lws);
      K::newton_jacobian_sparse(*p, ut.data(), vt.data(), &dt, lj.data(),
                                lws);
      for (int64_t c = 0; c < K::fields; ++c)
        for (int64_t y = hy; y < hy + K::tile[1]; ++y)
          for (int64_t x = h; x < h + K::tile[0]; ++x) {
            int64_t t = c * gx * gy + y * gx + x;
            int64_t g = globalIndex(x0, y0, t);
            ASSERT_LT(relErr(Ft[t], F[g]), 1e-12) << "F at " << g;
            ASSERT_LT(relErr(tdt[t], td[g]), 1e-12) << "dudt at " << g;
            if (c == 0)
              density[g] = out[y * gx + x];
            ASSERT_EQ(lp.rowPtr[t + 1] - lp.rowPtr[t], rowPtr[g + 1] - rowPtr[g])
                << "Jacobian row " << g;
            for (int32_t k = lp.rowPtr[t]; k < lp.rowPtr[t + 1]; ++k) {
              double want = globalJ(g, globalIndex(x0, y0, lp.cols[k]));
              ASSERT_LT(relErr(lj[k], want), 1e-12)
                  << "J(" << g << ", " << globalIndex(x0, y0, lp.cols[k]) << ")";
            }
            ++rows;
          }
    }
  EXPECT_GE(rows, M::state_size); // every point, some twice
  double sum = 0;
  for (double e : density) {
    ASSERT_FALSE(std::isnan(e)) << "a point no tile covered";
    sum += e;
  }
  EXPECT_LT(relErr(sum, H), 1e-12) << sum << " vs " << H;
}

TEST(LocalKernels, CahnHilliard2DFourthOrderHaloTwo) {
  namespace ch = dgc_models::CahnHilliard2D;
  static_assert(ch::local::halo == 2);
  checkLocalKernels<ch::Model, ch::local::Kernels>(0.8, 1e-4);
}

TEST(LocalKernels, KdVWithAnOverlappingLastTile) {
  namespace k = dgc_models::KdV;
  static_assert(k::local::global[0] % k::local::tile[0] != 0);
  checkLocalKernels<k::Model, k::local::Kernels>(1.0, 0.01);
}

TEST(LocalKernels, KdVConvNetEnergy) {
  namespace k = dgc_models::KdVNet;
  checkLocalKernels<k::Model, k::local::Kernels>(1.0, 0.01);
}

} // namespace
