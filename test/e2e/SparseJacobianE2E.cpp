//===- SparseJacobianE2E.cpp - The generated sparse Jacobians ------------===//
//
// Part of dgc. On the C++ that `dgc compile` emits for the examples: where
// the sparsity pass found the Newton Jacobian (and the Jacobian of the time
// derivative) sparse, `<base>_jacobian_sparse` filled into its CSR pattern
// equals the dense `<base>_jacobian` (one JVP per column) to 1e-12
// relative in double, the pattern holds every nonzero of the dense matrix
// and its diagonal, and the colours are fewer than the columns. Models
// whose Jacobian is dense (an MLP over the whole state) have no sparse
// form. Several random states and parameter seeds.
//
//===----------------------------------------------------------------------===//
#include "allen_cahn_2d.hpp"
#include "cahn_hilliard.hpp"
#include "kdv.hpp"
#include "kdv_net.hpp"
#include "mass_spring_net.hpp"
#include "pendulum.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

namespace {

template <class M> struct Buffers {
  std::unique_ptr<typename M::template ParamsT<double>> p =
      std::make_unique<typename M::template ParamsT<double>>();
  std::unique_ptr<typename M::template WorkspaceT<double>> ws =
      std::make_unique<typename M::template WorkspaceT<double>>();
};

/// Dense J (row-major) against the CSR (rowPtr, cols, values).
void compare(int64_t n, const std::vector<double> &J,
             const std::vector<int32_t> &rowPtr,
             const std::vector<int32_t> &cols,
             const std::vector<double> &values) {
  double scale = 1;
  for (double x : J)
    scale = std::max(scale, std::fabs(x));
  std::vector<double> rebuilt(J.size(), 0.0);
  for (int64_t r = 0; r < n; ++r) {
    bool diag = false;
    for (int32_t k = rowPtr[static_cast<size_t>(r)];
         k < rowPtr[static_cast<size_t>(r) + 1]; ++k) {
      int32_t c = cols[static_cast<size_t>(k)];
      diag = diag || c == r;
      if (k > rowPtr[static_cast<size_t>(r)]) {
        ASSERT_LT(cols[static_cast<size_t>(k) - 1], c) << "row " << r;
      }
      rebuilt[static_cast<size_t>(r * n + c)] = values[static_cast<size_t>(k)];
    }
    ASSERT_TRUE(diag) << "row " << r << " lacks its diagonal";
  }
  for (size_t i = 0; i < J.size(); ++i)
    ASSERT_NEAR(rebuilt[i], J[i], 1e-12 * scale)
        << "entry (" << i / static_cast<size_t>(n) << ", "
        << i % static_cast<size_t>(n) << ")";
}

template <class M> void checkNewton(double lo, double hi) {
  constexpr int64_t n = M::state_size;
  static_assert(M::has_newton_jacobian_sparse);
  static_assert(M::newton_jacobian_colors < n);
  std::vector<int32_t> rowPtr(n + 1), cols(M::newton_jacobian_nnz);
  M::newton_jacobian_pattern(rowPtr.data(), cols.data());
  ASSERT_EQ(rowPtr[n], M::newton_jacobian_nnz);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> d(lo, hi);
  for (uint64_t seed = 0; seed < 3; ++seed) {
    Buffers<M> b;
    M::init_params(*b.p, seed);
    std::vector<double> u(n), v(n), J(n * n), values(M::newton_jacobian_nnz);
    for (int64_t i = 0; i < n; ++i) {
      u[static_cast<size_t>(i)] = d(rng);
      v[static_cast<size_t>(i)] = u[static_cast<size_t>(i)] + 0.1 * d(rng);
    }
    double dt = 0.01;
    M::newton_jacobian(*b.p, u.data(), v.data(), &dt, J.data(), *b.ws);
    M::newton_jacobian_sparse(*b.p, u.data(), v.data(), &dt, values.data(),
                              *b.ws);
    compare(n, J, rowPtr, cols, values);
    if constexpr (M::has_time_derivative_jacobian_sparse) {
      std::vector<int32_t> tp(n + 1), tc(M::time_derivative_jacobian_nnz);
      M::time_derivative_jacobian_pattern(tp.data(), tc.data());
      std::vector<double> tv(M::time_derivative_jacobian_nnz);
      M::time_derivative_jacobian(*b.p, u.data(), J.data(), *b.ws);
      M::time_derivative_jacobian_sparse(*b.p, u.data(), tv.data(), *b.ws);
      compare(n, J, tp, tc, tv);
    }
  }
}

TEST(SparseJacobianE2E, KdV) { checkNewton<dgc_models::KdV::Model>(-1, 1); }
TEST(SparseJacobianE2E, CahnHilliard) {
  checkNewton<dgc_models::CahnHilliard::Model>(-1, 1);
}
TEST(SparseJacobianE2E, AllenCahn2D) {
  checkNewton<dgc_models::AllenCahn2D::Model>(-1, 1);
}
TEST(SparseJacobianE2E, KdVNet) {
  checkNewton<dgc_models::KdVNet::Model>(-1, 1);
}

TEST(SparseJacobianE2E, DenseModelsKeepTheDensePath) {
  static_assert(!dgc_models::MassSpringNet::Model::has_newton_jacobian_sparse);
  static_assert(!dgc_models::Pendulum::Model::has_newton_jacobian_sparse);
}

} // namespace
