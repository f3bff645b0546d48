//===- ThreadsE2E.cpp - Generated loops on OpenMP threads ----------------===//
//
// Part of dgc. The generated header of the 2-D Cahn-Hilliard example at
// 128 x 128, compiled with -fopenmp (as `dgc simulate` compiles it): its
// large element-wise loops, stencils and the sparse Jacobian's seed and
// gather loops run on OpenMP's threads. Each iteration writes its own
// elements and reductions stay serial, so newton_residual, the energy,
// time_derivative and newton_jacobian_sparse are bit-identical on 1, 2
// and 3 threads.
//
//===----------------------------------------------------------------------===//
#include "cahn_hilliard_2d.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace {

using M = dgc_models::CahnHilliard2D::Model;

struct Outputs {
  std::vector<double> F, dudt, values;
  double H = 0;
};

Outputs run(int threads, const std::vector<double> &u,
            const std::vector<double> &v) {
  omp_set_num_threads(threads);
  auto p = std::make_unique<M::ParamsT<double>>();
  auto ws = std::make_unique<M::WorkspaceT<double>>();
  Outputs o;
  double dt = 1e-4;
  o.F.resize(M::state_size);
  o.dudt.resize(M::state_size);
  o.values.resize(M::newton_jacobian_nnz);
  M::newton_residual(*p, u.data(), v.data(), &dt, o.F.data(), *ws);
  M::time_derivative(*p, u.data(), o.dudt.data(), *ws);
  M::newton_jacobian_sparse(*p, u.data(), v.data(), &dt, o.values.data(), *ws);
  o.H = M::energy(*p, u.data(), *ws);
  return o;
}

bool same(const std::vector<double> &a, const std::vector<double> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(ThreadsE2E, ResultsDoNotDependOnTheThreadCount) {
  static_assert(M::state_size == 128 * 128);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<double> u(M::state_size), v(M::state_size);
  for (size_t i = 0; i < u.size(); ++i) {
    u[i] = d(rng);
    v[i] = u[i] + 0.01 * d(rng);
  }
  Outputs one = run(1, u, v);
  for (int t : {2, 3}) {
    SCOPED_TRACE(t);
    Outputs many = run(t, u, v);
    EXPECT_TRUE(same(one.F, many.F));
    EXPECT_TRUE(same(one.dudt, many.dudt));
    EXPECT_TRUE(same(one.values, many.values));
    EXPECT_EQ(one.H, many.H);
  }
}

} // namespace
