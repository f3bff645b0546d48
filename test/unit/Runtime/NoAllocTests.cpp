//===- NoAllocTests.cpp - Steps do not allocate ---------------------------===//
//
// Part of dgc's tests. After a stepper is built and reset, advancing it
// allocates nothing: neither through operator new (counted by the
// replacement below) nor inside Eigen (the binary is built with
// EIGEN_RUNTIME_NO_MALLOC, and Eigen asserts on a heap allocation while
// set_is_malloc_allowed(false) is in force). That holds for the dense and
// gmres linear solvers, with a sparse Jacobian (HandModel.h) or without;
// sparse-lu and gmres-ilu allocate inside Eigen's factorisations.
//
//===----------------------------------------------------------------------===//
#include "HandModel.h"
#include "SchemeTestSupport.h"
#include "allen_cahn_2d.hpp"
#include "kdv.hpp"
#include "oscillator.hpp"

#include "dgc/runtime/Integrators.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
} // namespace

// The replacements pair malloc with free, which GCC cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void *operator new(std::size_t n) {
  if (counting)
    ++allocations;
  if (void *p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}
void *operator new[](std::size_t n) { return operator new(n); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }

using namespace dgc::rt;

namespace {

/// Allocations made by `steps` calls of advance after one warm-up step.
template <class M>
long allocationsPerRun(Scheme s, double dt, std::vector<double> u,
                       LinearSolver ls = LinearSolver::Auto) {
  typename M::template ParamsT<double> p;
  M::init_params(p, 0);
  SchemeOptions o;
  o.scheme = s;
  o.dt = dt;
  o.linearSolver = ls;
  auto st = makeStepper<M>(p, o);
  st->reset(u.data());
  st->advance(u.data(), 0);
  allocations = 0;
  counting = true;
  Eigen::internal::set_is_malloc_allowed(false);
  for (int64_t n = 1; n < 20; ++n)
    st->advance(u.data(), n);
  Eigen::internal::set_is_malloc_allowed(true);
  counting = false;
  return allocations;
}

TEST(NoAllocTest, StepsDoNotAllocate) {
  using KdV = dgc_models::KdV::Model;
  std::vector<double> u0 = test::kdvTwoSolitons();
  for (Scheme s : {Scheme::DG, Scheme::ImplicitMidpoint, Scheme::RK2,
                   Scheme::RK4, Scheme::Dopri5})
    EXPECT_EQ(allocationsPerRun<KdV>(s, 1e-3, u0), 0) << schemeName(s);
  EXPECT_EQ(allocationsPerRun<KdV>(Scheme::DG, 1e-3, u0, LinearSolver::Gmres),
            0)
      << "Newton-Krylov";
  using Osc = dgc_models::Oscillator::Model;
  EXPECT_EQ(allocationsPerRun<Osc>(Scheme::Leapfrog, 0.1, {1.0, 0.0}), 0);
  using AC = dgc_models::AllenCahn2D::Model;
  EXPECT_EQ(allocationsPerRun<AC>(Scheme::DG, 1e-3,
                                  test::smoothRandom(32, 2, 3, 0.2),
                                  LinearSolver::Gmres),
            0);
  // The dense LU of a scattered sparse Jacobian (what auto picks for small
  // states that have one) and GMRES next to it.
  using Hand = test::HandAllenCahn<16>;
  for (Scheme s : {Scheme::DG, Scheme::ImplicitMidpoint})
    for (LinearSolver ls : {LinearSolver::Auto, LinearSolver::Gmres})
      EXPECT_EQ(allocationsPerRun<Hand>(s, 0.05,
                                        test::smoothRandom(16, 2, 3, 0.3), ls),
                0)
          << schemeName(s) << " " << linearSolverName(ls);
}

TEST(NoAllocTest, TheCounterSeesAllocations) {
  counting = true;
  allocations = 0;
  auto *v = new std::vector<double>(10);
  counting = false;
  delete v;
  EXPECT_GE(allocations, 2);
  EXPECT_DEATH(
      {
        Eigen::internal::set_is_malloc_allowed(false);
        Eigen::VectorXd x(10);
        x.setZero();
      },
      "heap allocation is forbidden");
}

} // namespace
