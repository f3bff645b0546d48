//===- SparseNewtonTests.cpp - Newton with sparse Jacobians, halvings -----===//
//
// Part of dgc's tests. On a 2-D Allen-Cahn model written by hand with the
// generated sparse interface (HandModel.h): its sparse Jacobians equal
// finite differences; every linear solver gives the dense solver's states
// (dg and implicit_midpoint); `auto` picks by size and pattern; the sparse
// solvers are refused for a model without a sparse Jacobian; simplified
// Newton reuses factorisations; a step that fails is retried as two half
// steps, each a whole dg step; the summary line reports all of it.
//
//===----------------------------------------------------------------------===//
#include "HandModel.h"
#include "SchemeTestSupport.h"

#include "dgc/runtime/Simulate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

using namespace dgc::rt;
using dgc::rt::test::HandAllenCahn;
using dgc::rt::test::HandAllenCahnDense;
using dgc::rt::test::messageOf;

namespace {

using AC16 = HandAllenCahn<16>;

template <class M> typename M::template ParamsT<double> params() {
  typename M::template ParamsT<double> p;
  M::init_params(p, 0);
  return p;
}

SchemeOptions options(Scheme s, double dt, LinearSolver ls) {
  SchemeOptions o;
  o.scheme = s;
  o.dt = dt;
  o.linearSolver = ls;
  return o;
}

/// A rough random start (+-0.5): the nonlinearity matters.
std::vector<double> start(int64_t n, unsigned seed = 1) {
  std::vector<double> u = test::smoothRandom(n, 2, seed, 0.3);
  for (size_t i = 0; i < u.size(); ++i)
    u[i] += 0.2 * std::sin(double(i) * 1.7);
  return u;
}

/// Scatters CSR values into a dense row-major matrix.
std::vector<double> dense(const SparsePattern &pat,
                          const std::vector<double> &values) {
  std::vector<double> J(size_t(pat.n * pat.n), 0.0);
  for (int64_t i = 0; i < pat.n; ++i)
    for (int32_t k = pat.rowPtr[size_t(i)]; k < pat.rowPtr[size_t(i + 1)]; ++k)
      J[size_t(i * pat.n + pat.cols[size_t(k)])] = values[size_t(k)];
  return J;
}

TEST(SparseNewtonTest, HandModelSparseJacobiansAreExact) {
  using M = HandAllenCahn<6>;
  constexpr int64_t N = M::state_size;
  auto p = params<M>();
  M::WorkspaceT<double> ws;
  std::vector<double> u = start(6, 2), v = start(6, 3);
  const double dt = 0.3, h = 1e-6;
  SparsePattern pat = SparsePattern::make(
      N, M::newton_jacobian_nnz, M::newton_jacobian_pattern, "the test");
  std::vector<double> vals(size_t(pat.nnz())), Fp(N), Fm(N);
  M::newton_jacobian_sparse(p, u.data(), v.data(), &dt, vals.data(), ws);
  std::vector<double> J = dense(pat, vals);
  for (int64_t c = 0; c < N; ++c) {
    std::vector<double> w = v;
    w[size_t(c)] += h;
    M::newton_residual(p, u.data(), w.data(), &dt, Fp.data(), ws);
    w[size_t(c)] -= 2 * h;
    M::newton_residual(p, u.data(), w.data(), &dt, Fm.data(), ws);
    for (int64_t r = 0; r < N; ++r)
      ASSERT_NEAR(J[size_t(r * N + c)], (Fp[r] - Fm[r]) / (2 * h), 1e-6)
          << r << "," << c;
  }
  M::time_derivative_jacobian_sparse(p, u.data(), vals.data(), ws);
  J = dense(pat, vals);
  for (int64_t c = 0; c < N; ++c) {
    std::vector<double> w = u;
    w[size_t(c)] += h;
    M::time_derivative(p, w.data(), Fp.data(), ws);
    w[size_t(c)] -= 2 * h;
    M::time_derivative(p, w.data(), Fm.data(), ws);
    for (int64_t r = 0; r < N; ++r)
      ASSERT_NEAR(J[size_t(r * N + c)], (Fp[r] - Fm[r]) / (2 * h), 1e-6)
          << r << "," << c;
  }
}

TEST(SparseNewtonTest, PatternsAreChecked) {
  auto fill = [](std::vector<int32_t> rp, std::vector<int32_t> cj) {
    return [rp, cj](int32_t *r, int32_t *c) {
      std::copy(rp.begin(), rp.end(), r);
      std::copy(cj.begin(), cj.end(), c);
    };
  };
  EXPECT_EQ(messageOf([&] {
              SparsePattern::make(2, 3, fill({0, 1, 3}, {1, 0, 1}), "J");
            }),
            "the sparsity pattern of J is not valid: row 0 has no diagonal "
            "entry");
  EXPECT_EQ(messageOf([&] {
              SparsePattern::make(2, 3, fill({0, 2, 3}, {1, 0, 1}), "J");
            }),
            "the sparsity pattern of J is not valid: columns of row 0 are "
            "out of range or not ascending");
  SparsePattern ok = SparsePattern::make(2, 3, fill({0, 2, 3}, {0, 1, 1}), "J");
  EXPECT_EQ(ok.diag, (std::vector<int32_t>{0, 2}));
}

/// States after `steps` steps of `s` with linear solver `ls`.
template <class M>
Trajectory<double> run(Scheme s, LinearSolver ls, double dt, int steps,
                       unsigned seed = 1) {
  auto p = params<M>();
  std::vector<double> u0 = start(M::n, seed);
  return simulate<M>(p, u0.data(), steps, options(s, dt, ls));
}

TEST(SparseNewtonTest, EveryLinearSolverMatchesDense) {
  for (Scheme s : {Scheme::DG, Scheme::ImplicitMidpoint}) {
    // dt = 0.5 is twice the explicit limit (a 8 / 2 < 1 / dt fails).
    auto ref = run<AC16>(s, LinearSolver::Dense, 0.5, 6);
    EXPECT_EQ(ref.stats.linearSolver, LinearSolver::Dense);
    for (LinearSolver ls : {LinearSolver::Auto, LinearSolver::SparseLU,
                            LinearSolver::GmresILU, LinearSolver::GmresFFT,
                            LinearSolver::Gmres}) {
      auto tr = run<AC16>(s, ls, 0.5, 6);
      EXPECT_EQ(tr.stats.linearSolver,
                ls == LinearSolver::Auto ? LinearSolver::Dense : ls);
      double diff = 0;
      for (size_t i = 0; i < tr.states.size(); ++i)
        diff = std::max(diff, std::abs(tr.states[i] - ref.states[i]));
      EXPECT_LT(diff, 1e-10) << schemeName(s) << " " << linearSolverName(ls);
    }
    // The dense path of a model without the sparse Jacobian: the same.
    auto old = run<HandAllenCahnDense<16>>(s, LinearSolver::Dense, 0.5, 6);
    for (size_t i = 0; i < old.states.size(); ++i)
      ASSERT_NEAR(old.states[i], ref.states[i], 1e-10) << schemeName(s);
  }
}

TEST(SparseNewtonTest, GradientFlowStaysEnergyDecreasingWithSparseLu) {
  auto tr = run<AC16>(Scheme::DG, LinearSolver::SparseLU, 0.5, 20);
  for (size_t n = 1; n < tr.energy.size(); ++n)
    ASSERT_LT(tr.energy[n], tr.energy[n - 1]) << "step " << n;
}

TEST(SparseNewtonTest, AutoPicksBySizeAndPattern) {
  NewtonOptions o; // krylovThreshold 400, sparseLuThreshold 131072
  auto pick = [&](int64_t n, bool sparse, int64_t nnz) {
    return resolveLinearSolver(LinearSolver::Auto, n, sparse, nnz, o, "M",
                               "J");
  };
  EXPECT_EQ(pick(400, true, 5 * 400), LinearSolver::Dense);
  EXPECT_EQ(pick(401, true, 5 * 401), LinearSolver::SparseLU);
  EXPECT_EQ(pick(128 * 128, true, 13 * 128 * 128), LinearSolver::SparseLU);
  EXPECT_EQ(pick(256 * 256, true, 13 * 256 * 256), LinearSolver::SparseLU);
  EXPECT_EQ(pick(512 * 512, true, 13 * 512 * 512), LinearSolver::GmresILU);
  EXPECT_EQ(pick(1000, true, 200 * 1000), LinearSolver::Gmres); // 20% full
  EXPECT_EQ(pick(400, false, 0), LinearSolver::Dense);
  EXPECT_EQ(pick(401, false, 0), LinearSolver::Gmres);
  // A stencil over one field on a periodic grid: GMRES with the FFT
  // preconditioner, whatever the size above the dense limit.
  StencilGrid g{1, 256, 256};
  EXPECT_EQ(resolveLinearSolver(LinearSolver::Auto, 256 * 256, true,
                                21 * 256 * 256, o, "M", "J", g),
            LinearSolver::GmresFFT);
  EXPECT_EQ(resolveLinearSolver(LinearSolver::Auto, 400, true, 5 * 400, o,
                                "M", "J", StencilGrid{1, 20, 20}),
            LinearSolver::Dense);
  // 30 x 30 = 900 unknowns: the hand model is such a stencil.
  auto p = params<HandAllenCahn<30>>();
  auto st = makeStepper<HandAllenCahn<30>>(
      p, options(Scheme::DG, 0.1, LinearSolver::Auto));
  EXPECT_EQ(st->linearSolver, LinearSolver::GmresFFT);
}

TEST(SparseNewtonTest, SparseSolversNeedASparseJacobian) {
  using D = HandAllenCahnDense<8>;
  auto p = params<D>();
  EXPECT_EQ(messageOf([&] {
              makeStepper<D>(p, options(Scheme::DG, 0.1,
                                        LinearSolver::SparseLU));
            }),
            "linear solver sparse-lu needs the sparse Newton Jacobian, which "
            "the compiler generates for stencil models; model "
            "HandAllenCahnDense has none (use auto, dense or gmres)");
  EXPECT_EQ(messageOf([&] {
              makeStepper<D>(p, options(Scheme::ImplicitMidpoint, 0.1,
                                        LinearSolver::GmresILU));
            }),
            "linear solver gmres-ilu needs the sparse Jacobian of the time "
            "derivative, which the compiler generates for stencil models; "
            "model HandAllenCahnDense has none (use auto, dense or gmres)");
  EXPECT_NO_THROW(makeStepper<D>(p, options(Scheme::DG, 0.1,
                                            LinearSolver::Gmres)));
  // Explicit schemes ignore the choice.
  EXPECT_NO_THROW(makeStepper<D>(p, options(Scheme::RK4, 0.1,
                                            LinearSolver::SparseLU)));
}

TEST(SparseNewtonTest, LinearSolverNames) {
  for (LinearSolver s : {LinearSolver::Auto, LinearSolver::Dense,
                         LinearSolver::SparseLU, LinearSolver::GmresILU,
                         LinearSolver::GmresFFT, LinearSolver::Gmres})
    EXPECT_EQ(parseLinearSolver(linearSolverName(s)), s);
  EXPECT_EQ(messageOf([] { parseLinearSolver("lu"); }),
            "unknown linear solver 'lu' (expected one of auto, dense, "
            "sparse-lu, gmres-ilu, gmres-fft, gmres)");
}

TEST(SparseNewtonTest, CirculantInvertsConstantStencils) {
  // A constant-coefficient periodic stencil on a 12 x 10 grid (a 9-point
  // box with distinct weights): the preconditioner is its exact inverse.
  const int64_t nx = 12, ny = 10, n = nx * ny;
  std::vector<int32_t> rp{0}, cols;
  std::vector<double> vals;
  auto w = [](int64_t dx, int64_t dy) { return dx == 0 && dy == 0 ? 20.0 : 0.5 + 0.3 * dx - 0.2 * dy; };
  for (int64_t r = 0; r < n; ++r) {
    std::vector<std::pair<int32_t, double>> row;
    for (int64_t dy = -1; dy <= 1; ++dy)
      for (int64_t dx = -1; dx <= 1; ++dx)
        row.push_back({int32_t(((r / nx + dy + ny) % ny) * nx +
                               (r % nx + dx + nx) % nx),
                       w(dx, dy)});
    std::sort(row.begin(), row.end());
    for (auto [c, v] : row) {
      cols.push_back(c);
      vals.push_back(v);
    }
    rp.push_back(int32_t(cols.size()));
  }
  CirculantPreconditioner<double> c(n, rp.data(), cols.data(),
                                    StencilGrid{1, nx, ny});
  c.factor(vals.data());
  std::vector<double> x(static_cast<size_t>(n)), y(static_cast<size_t>(n), 0.0),
      z(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    x[size_t(i)] = std::sin(0.7 * double(i)) + 0.1 * double(i % 7);
  for (int64_t r = 0; r < n; ++r)
    for (int32_t k = rp[size_t(r)]; k < rp[size_t(r) + 1]; ++k)
      y[size_t(r)] += vals[size_t(k)] * x[size_t(cols[size_t(k)])];
  c.apply(y.data(), z.data());
  for (int64_t i = 0; i < n; ++i)
    ASSERT_NEAR(z[size_t(i)], x[size_t(i)], 1e-12) << i;
  // More than one field is refused.
  EXPECT_THROW(CirculantPreconditioner<double>(n, rp.data(), cols.data(),
                                               StencilGrid{2, nx, ny / 2}),
               SimulationError);
}

TEST(SparseNewtonTest, SimplifiedNewtonReusesFactorisations) {
  for (LinearSolver ls : {LinearSolver::SparseLU, LinearSolver::Dense}) {
    auto tr = run<AC16>(Scheme::DG, ls, 0.05, 40);
    const SimulationStats &s = tr.stats;
    EXPECT_GE(s.factorizations, 1) << linearSolverName(ls);
    // One factorisation serves many iterations and steps.
    EXPECT_LT(s.factorizations * 4, s.newtonIterations)
        << linearSolverName(ls) << " " << s.summary();
    EXPECT_LT(s.factorizations * 4, s.steps) << s.summary();
  }
  // GMRES-ILU keeps its preconditioner too, and counts its products.
  auto g = run<AC16>(Scheme::DG, LinearSolver::GmresILU, 0.05, 40);
  EXPECT_LT(g.stats.factorizations * 4, g.stats.steps) << g.stats.summary();
  EXPECT_GE(g.stats.linearIterations, g.stats.newtonIterations);
}

TEST(SparseNewtonTest, SummaryReportsSolverFactorisationsAndHalvings) {
  auto lu = run<AC16>(Scheme::DG, LinearSolver::SparseLU, 0.05, 5);
  std::string line = lu.stats.summary();
  EXPECT_NE(line.find(" max_energy_increase=-"), std::string::npos) << line;
  EXPECT_NE(line.find("/step linear_solver=sparse-lu factorizations=" +
                      std::to_string(lu.stats.factorizations) +
                      " halvings=0"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("linear_iters"), std::string::npos) << line;
  auto g = run<AC16>(Scheme::DG, LinearSolver::Gmres, 0.05, 5);
  line = g.stats.summary();
  EXPECT_NE(line.find(" linear_solver=gmres factorizations=0 halvings=0 "
                      "linear_iters=" +
                      std::to_string(g.stats.linearIterations)),
            std::string::npos)
      << line;
  auto rk = run<AC16>(Scheme::RK4, LinearSolver::Auto, 0.05, 5);
  EXPECT_EQ(rk.stats.summary().find("linear_solver"), std::string::npos);
}

/// The halving tests' step: dt = 2 (16 times the explicit limit); Newton
/// fails on any step longer than `dtFail` (HandModel.h).
SchemeOptions hardStep(int maxHalvings, LinearSolver ls) {
  SchemeOptions o = options(Scheme::DG, 2.0, ls);
  o.maxHalvings = maxHalvings;
  return o;
}

TEST(SparseNewtonTest, AFailedStepIsRetriedAsTwoHalfSteps) {
  using M = HandAllenCahn<8>;
  auto p = params<M>();
  p.data[1] = 1.5; // dt = 2 fails, dt = 1 does not
  std::vector<double> u0 = start(8, 5);
  for (LinearSolver ls : {LinearSolver::Dense, LinearSolver::SparseLU,
                          LinearSolver::GmresILU}) {
    EXPECT_EQ(messageOf([&] {
                simulate<M>(p, u0.data(), 3, hardStep(0, ls));
              }).rfind("Newton's method did not converge at step 1: ", 0),
              0u)
        << linearSolverName(ls);
    auto tr = simulate<M>(p, u0.data(), 3, hardStep(3, ls));
    EXPECT_EQ(tr.stats.halvings, 3) << linearSolverName(ls);
    // Each half step is a whole dg step of dt/2: the states of a run at
    // dt/2 (every other one), and the energy decreases at each.
    SchemeOptions half = hardStep(0, ls);
    half.dt = 1.0;
    auto ref = simulate<M>(p, u0.data(), 6, half);
    for (int64_t n = 0; n <= 3; ++n)
      for (int64_t i = 0; i < M::state_size; ++i)
        ASSERT_NEAR(tr.state(n)[i], ref.state(2 * n)[i], 1e-10)
            << linearSolverName(ls) << " step " << n;
    for (size_t n = 1; n < tr.energy.size(); ++n)
      EXPECT_LT(tr.energy[n], tr.energy[n - 1]) << "step " << n;
    EXPECT_NE(tr.stats.summary().find(" halvings=3"), std::string::npos)
        << tr.stats.summary();
  }
}

TEST(SparseNewtonTest, HalvingsRunOutWithAClearError) {
  using M = HandAllenCahn<8>;
  auto p = params<M>();
  p.data[1] = 0.4; // dt = 2 and dt = 1 fail
  std::vector<double> u0 = start(8, 5);
  std::string msg = messageOf(
      [&] { simulate<M>(p, u0.data(), 1, hardStep(1, LinearSolver::Dense)); });
  EXPECT_EQ(msg.rfind("Newton's method did not converge at step 1: ", 0), 0u)
      << msg;
  EXPECT_NE(msg.find(", with the step halved 1 times (dt 1.000e+00)"),
            std::string::npos)
      << msg;
  SchemeOptions o = hardStep(21, LinearSolver::Dense);
  EXPECT_EQ(messageOf([&] { simulate<M>(p, u0.data(), 1, o); }),
            "the number of step halvings must be between 0 and 20");
}

} // namespace
