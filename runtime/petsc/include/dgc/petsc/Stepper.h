//===- Stepper.h - The dg scheme on a DMDA with PETSc's SNES ----*- C++ -*-===//
//
// Part of dgc's PETSc backend. One step of the paper's Eq. 6 on a periodic
// DMDA: SNES solves F(v) = (v - u)/dt - G dgrad H(u, v) = 0 with the
// generated local residual and its exact Jacobian (the generated sparse
// Jacobian of each tile, inserted row by row with MatSetValuesStencil), from
// the explicit-midpoint predictor (or u_n where its residual is smaller: at
// a stiff dt the explicit step is far off). The energy is the sum of the
// generated energy density over owned points and the mass the weighted sum
// of the state, each one MPI reduction. M is the generated Model (params,
// laws, inner weight), K its local::Kernels.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/petsc/Tiles.h"

#include <petscsnes.h>

#include <cmath>
#include <memory>

namespace dgc::petsc {

template <class M, class K> class Stepper {
  static_assert(K::has_newton_jacobian,
                "local kernels without a sparse Newton Jacobian");

public:
  using Params = typename M::template ParamsT<double>;

  Stepper(DM da, const Params &p, double dt)
      : da(da), params(p), dt(dt), cover(da),
        ut(K::state_size), vt(K::state_size), out(K::state_size) {
    check(DMCreateLocalVector(da, &uLoc), "DMCreateLocalVector");
    check(DMCreateLocalVector(da, &vLoc), "DMCreateLocalVector");
    check(DMCreateGlobalVector(da, &fVec), "DMCreateGlobalVector");
    check(DMCreateGlobalVector(da, &tmp), "DMCreateGlobalVector");
    check(DMCreateMatrix(da, &jac), "DMCreateMatrix");
    check(MatSetOption(jac, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE),
          "MatSetOption");
    check(SNESCreate(PetscObjectComm((PetscObject)da), &snes), "SNESCreate");
    check(SNESSetDM(snes, da), "SNESSetDM");
    check(SNESSetFunction(snes, fVec, &Stepper::residualCb, this),
          "SNESSetFunction");
    check(SNESSetJacobian(snes, jac, jac, &Stepper::jacobianCb, this),
          "SNESSetJacobian");
    // The Jacobian (and its factorisation) is built at the run's first
    // iteration (lag -2) and kept, across iterations and steps, while
    // Newton converges fast; convergedCb asks for a new one when |F| stops
    // halving (dt is fixed here, so only the states age it). That is the
    // serial runtime's reuse of its LU. A user's own -snes_lag_jacobian
    // (SNESSetFromOptions, later) wins, and convergedCb then leaves the lag
    // alone (docs/performance.md has the timings).
    check(SNESSetLagJacobian(snes, -2), "SNESSetLagJacobian");
    PetscBool userLag = PETSC_FALSE;
    check(PetscOptionsHasName(nullptr, nullptr, "-snes_lag_jacobian", &userLag),
          "PetscOptionsHasName");
    conv.adaptiveLag = !userLag;
    if constexpr (K::has_newton_jacobian)
      values.resize(static_cast<size_t>(K::newton_jacobian_nnz));
  }
  ~Stepper() {
    SNESDestroy(&snes);
    MatDestroy(&jac);
    VecDestroy(&tmp);
    VecDestroy(&fVec);
    VecDestroy(&vLoc);
    VecDestroy(&uLoc);
  }
  Stepper(const Stepper &) = delete;
  Stepper &operator=(const Stepper &) = delete;

  SNES solver() { return snes; }

  /// Newton's stopping rule, the serial runtime's (Newton.h): converged
  /// when |F| <= tol (1 + |u|) / dt and the last step was below 1e-14 of
  /// the state, or at the round-off floor of a stiff residual: a step
  /// below 1e-10 of the state that no longer halved |F| (with the exact
  /// Jacobian the error after it is of the order of its square). Norms are
  /// 2-norms scaled by sqrt(N) to compare with the serial max-norms. At
  /// least one iteration. `-snes_convergence_test default` (after this, in
  /// SNESSetFromOptions) gives PETSc's own test and -snes_atol/rtol/stol.
  void setTolerances(double tol, double scale, int64_t n, int maxIters) {
    conv.root = std::sqrt(double(n));
    conv.atol = tol * (1 + scale) / dt * conv.root;
    conv.maxIters = maxIters;
    check(SNESSetTolerances(snes, conv.atol, 1e-14, 1e-14, maxIters, 100000),
          "SNESSetTolerances");
    check(SNESSetConvergenceTest(snes, &Stepper::convergedCb, &conv, nullptr),
          "SNESSetConvergenceTest");
  }

  /// One dg step: u (global) -> v (global). Returns SNES's reason (> 0:
  /// converged) and adds its iterations to `iters`, its linear ones to
  /// `linearIters`.
  SNESConvergedReason step(Vec u, Vec v, int64_t &iters,
                           int64_t &linearIters) {
    check(DMGlobalToLocal(da, u, INSERT_VALUES, uLoc), "DMGlobalToLocal");
    // Predictor: v = u + dt f(u + dt/2 f(u)), unless u_n's residual is
    // smaller.
    timeDerivative(u, tmp);                         // tmp = f(u)
    check(VecWAXPY(v, 0.5 * dt, tmp, u), "VecWAXPY"); // v = u + dt/2 f(u)
    timeDerivative(v, tmp);
    check(VecWAXPY(v, dt, tmp, u), "VecWAXPY");
    double rPred = residualNorm(v);
    double rOld = residualNorm(u);
    if (!(rPred <= rOld))
      check(VecCopy(u, v), "VecCopy");
    check(SNESSolve(snes, nullptr, v), "SNESSolve");
    SNESConvergedReason reason;
    PetscInt it = 0, lit = 0;
    check(SNESGetConvergedReason(snes, &reason), "SNESGetConvergedReason");
    check(SNESGetIterationNumber(snes, &it), "SNESGetIterationNumber");
    check(SNESGetLinearSolveIterations(snes, &lit),
          "SNESGetLinearSolveIterations");
    iters += it;
    linearIters += lit;
    return reason;
  }

  /// H(u) over the whole grid (one MPI sum).
  double energy(Vec u) {
    check(DMGlobalToLocal(da, u, INSERT_VALUES, uLoc), "DMGlobalToLocal");
    const PetscScalar *loc;
    check(VecGetArrayRead(uLoc, &loc), "VecGetArrayRead");
    std::vector<double> density(static_cast<size_t>(cover.owned()));
    for (int64_t y0 : cover.originsY())
      for (int64_t x0 : cover.originsX()) {
        cover.gather(loc, x0, y0, ut.data());
        K::energy_density(params, ut.data(), out.data(), ws);
        cover.forInterior(x0, y0, [&](int64_t t, int64_t o) {
          density[static_cast<size_t>(o)] = out[static_cast<size_t>(t)];
        });
      }
    check(VecRestoreArrayRead(uLoc, &loc), "VecRestoreArrayRead");
    double mine = 0, all = 0;
    for (double e : density)
      mine += e;
    MPI_Allreduce(&mine, &all, 1, MPI_DOUBLE, MPI_SUM,
                  PetscObjectComm((PetscObject)da));
    return all;
  }

  /// M(u) = sum_i w_i u_i (one MPI sum; every field element has the grid's
  /// cell volume as its weight).
  double mass(Vec u) {
    PetscScalar s = 0;
    check(VecSum(u, &s), "VecSum");
    return M::inner_weight[0] * s;
  }

private:
  struct Convergence {
    double atol = 0, root = 1, lastF = INFINITY;
    int maxIters = 50;
    bool adaptiveLag = true; ///< keep the Jacobian while |F| halves
  } conv;
  DM da;
  const Params &params;
  double dt;
  TileCover<K> cover;
  std::vector<double> ut, vt, out, values;
  typename K::template WorkspaceT<double> ws;
  Vec uLoc = nullptr, vLoc = nullptr, fVec = nullptr, tmp = nullptr;
  Mat jac = nullptr;
  SNES snes = nullptr;

  double residualNorm(Vec v) {
    residual(v, fVec);
    PetscReal n = 0;
    check(VecNorm(fVec, NORM_2, &n), "VecNorm");
    return std::isfinite(n) ? n : INFINITY;
  }

  /// out = f(in), f = G grad H, tile by tile.
  void timeDerivative(Vec in, Vec outVec) {
    check(DMGlobalToLocal(da, in, INSERT_VALUES, vLoc), "DMGlobalToLocal");
    const PetscScalar *loc;
    PetscScalar *own;
    check(VecGetArrayRead(vLoc, &loc), "VecGetArrayRead");
    check(VecGetArray(outVec, &own), "VecGetArray");
    for (int64_t y0 : cover.originsY())
      for (int64_t x0 : cover.originsX()) {
        cover.gather(loc, x0, y0, vt.data());
        K::time_derivative(params, vt.data(), out.data(), ws);
        cover.scatter(out.data(), x0, y0, own);
      }
    check(VecRestoreArray(outVec, &own), "VecRestoreArray");
    check(VecRestoreArrayRead(vLoc, &loc), "VecRestoreArrayRead");
  }

  /// F = F(v) with u from the last step (uLoc).
  void residual(Vec v, Vec f) {
    check(DMGlobalToLocal(da, v, INSERT_VALUES, vLoc), "DMGlobalToLocal");
    const PetscScalar *uloc, *vloc;
    PetscScalar *own;
    check(VecGetArrayRead(uLoc, &uloc), "VecGetArrayRead");
    check(VecGetArrayRead(vLoc, &vloc), "VecGetArrayRead");
    check(VecGetArray(f, &own), "VecGetArray");
    for (int64_t y0 : cover.originsY())
      for (int64_t x0 : cover.originsX()) {
        cover.gather(uloc, x0, y0, ut.data());
        cover.gather(vloc, x0, y0, vt.data());
        K::newton_residual(params, ut.data(), vt.data(), &dt, out.data(), ws);
        cover.scatter(out.data(), x0, y0, own);
      }
    check(VecRestoreArray(f, &own), "VecRestoreArray");
    check(VecRestoreArrayRead(vLoc, &vloc), "VecRestoreArrayRead");
    check(VecRestoreArrayRead(uLoc, &uloc), "VecRestoreArrayRead");
  }

  /// The exact Jacobian dF/dv: each tile's generated sparse Jacobian, its
  /// interior rows inserted with their neighbours' grid coordinates.
  void jacobian(Vec v, Mat a) {
    if constexpr (K::has_newton_jacobian) {
      check(DMGlobalToLocal(da, v, INSERT_VALUES, vLoc), "DMGlobalToLocal");
      const PetscScalar *uloc, *vloc;
      check(VecGetArrayRead(uLoc, &uloc), "VecGetArrayRead");
      check(VecGetArrayRead(vLoc, &vloc), "VecGetArrayRead");
      for (int64_t y0 : cover.originsY())
        for (int64_t x0 : cover.originsX()) {
          cover.gather(uloc, x0, y0, ut.data());
          cover.gather(vloc, x0, y0, vt.data());
          K::newton_jacobian_sparse(params, ut.data(), vt.data(), &dt,
                                    values.data(), ws);
          cover.insertJacobian(a, K::newton_jacobian_pattern(),
                               values.data(), x0, y0);
        }
      check(VecRestoreArrayRead(vLoc, &vloc), "VecRestoreArrayRead");
      check(VecRestoreArrayRead(uLoc, &uloc), "VecRestoreArrayRead");
      check(MatAssemblyBegin(a, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin");
      check(MatAssemblyEnd(a, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd");
    }
  }

  static PetscErrorCode convergedCb(SNES snes, PetscInt it, PetscReal xnorm,
                                    PetscReal step, PetscReal fnorm,
                                    SNESConvergedReason *reason, void *ctx) {
    auto *c = static_cast<Convergence *>(ctx);
    *reason = SNES_CONVERGED_ITERATING;
    if (!std::isfinite(fnorm)) {
      *reason = SNES_DIVERGED_FNORM_NAN;
      return 0;
    }
    if (it > 0) {
      const double size = c->root + xnorm;
      if (fnorm <= c->atol && step <= 1e-14 * size)
        *reason = SNES_CONVERGED_FNORM_ABS;
      else if (step <= 1e-10 * size && fnorm > 0.5 * c->lastF)
        *reason = SNES_CONVERGED_SNORM_RELATIVE;
      else if (it >= c->maxIters)
        *reason = SNES_DIVERGED_MAX_IT;
      else if (c->adaptiveLag && fnorm > 0.5 * c->lastF)
        // Slow with the kept Jacobian: a new one at the next iteration.
        PetscCall(SNESSetLagJacobian(snes, -2));
    }
    c->lastF = fnorm;
    return 0;
  }

  static PetscErrorCode residualCb(SNES, Vec x, Vec f, void *ctx) {
    try {
      static_cast<Stepper *>(ctx)->residual(x, f);
    } catch (const std::exception &e) {
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "%s", e.what());
    }
    return 0;
  }
  static PetscErrorCode jacobianCb(SNES, Vec x, Mat a, Mat, void *ctx) {
    try {
      static_cast<Stepper *>(ctx)->jacobian(x, a);
    } catch (const std::exception &e) {
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "%s", e.what());
    }
    return 0;
  }
};

} // namespace dgc::petsc
