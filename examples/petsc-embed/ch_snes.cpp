// A PETSc user's Cahn-Hilliard simulator that steps a dgc-generated model.
//
// The model is examples/cahn_hilliard_2d.dg, compiled by dgc_add_model with
// LOCAL_TILE (CMakeLists.txt): its header has, besides the whole-grid
// functions, `namespace local` with the residual of the discrete-gradient
// step, its exact sparse Jacobian and the energy density on one tile of
// the grid plus a ghost layer. Everything else is this program's own: the
// DMDA, the SNES, the time loop and the output. dgc's TileCover
// (dgc/petsc/Tiles.h) moves data between the DMDA's arrays and tiles.
//
//   mpirun -n 2 ./ch_snes [-steps N] [-dt DT] [PETSc options]
//
// Prints the energy and mass after every step and fails (exit 1) if the
// energy ever increases or the mass moves by more than 1e-12.
#include "cahn_hilliard_2d.hpp"

#include <dgc/petsc/Tiles.h>
#include <petscsnes.h>

#include <cmath>
#include <vector>

namespace ch = dgc_models::CahnHilliard2D;
using K = ch::local::Kernels;

struct App {
  DM da;
  Vec uLoc, vLoc; // u_n and the Newton iterate, with ghosts
  double dt;
  ch::Params<double> params{};
  K::WorkspaceT<double> ws;
  std::vector<double> ut = std::vector<double>(K::state_size),
                      vt = std::vector<double>(K::state_size),
                      out = std::vector<double>(K::state_size),
                      jac = std::vector<double>(K::newton_jacobian_nnz);
};

// F(v) = (v - u_n)/dt - G dgrad H(u_n, v), tile by tile.
static PetscErrorCode formFunction(SNES, Vec v, Vec f, void *ctx) {
  auto *app = static_cast<App *>(ctx);
  dgc::petsc::TileCover<K> cover(app->da);
  const PetscScalar *u, *vl;
  PetscScalar *fa;
  PetscCall(DMGlobalToLocal(app->da, v, INSERT_VALUES, app->vLoc));
  PetscCall(VecGetArrayRead(app->uLoc, &u));
  PetscCall(VecGetArrayRead(app->vLoc, &vl));
  PetscCall(VecGetArray(f, &fa));
  for (auto y0 : cover.originsY())
    for (auto x0 : cover.originsX()) {
      cover.gather(u, x0, y0, app->ut.data());
      cover.gather(vl, x0, y0, app->vt.data());
      ch::local::newton_residual(app->params, app->ut.data(), app->vt.data(),
                                 &app->dt, app->out.data(), app->ws);
      cover.scatter(app->out.data(), x0, y0, fa);
    }
  PetscCall(VecRestoreArray(f, &fa));
  PetscCall(VecRestoreArrayRead(app->vLoc, &vl));
  PetscCall(VecRestoreArrayRead(app->uLoc, &u));
  return 0;
}

// The exact Jacobian dF/dv: each tile's generated sparse Jacobian.
static PetscErrorCode formJacobian(SNES, Vec v, Mat a, Mat, void *ctx) {
  auto *app = static_cast<App *>(ctx);
  dgc::petsc::TileCover<K> cover(app->da);
  const PetscScalar *u, *vl;
  PetscCall(DMGlobalToLocal(app->da, v, INSERT_VALUES, app->vLoc));
  PetscCall(VecGetArrayRead(app->uLoc, &u));
  PetscCall(VecGetArrayRead(app->vLoc, &vl));
  for (auto y0 : cover.originsY())
    for (auto x0 : cover.originsX()) {
      cover.gather(u, x0, y0, app->ut.data());
      cover.gather(vl, x0, y0, app->vt.data());
      ch::local::newton_jacobian_sparse(app->params, app->ut.data(),
                                        app->vt.data(), &app->dt,
                                        app->jac.data(), app->ws);
      cover.insertJacobian(a, ch::local::newton_jacobian_pattern_data(),
                           app->jac.data(), x0, y0);
    }
  PetscCall(VecRestoreArrayRead(app->vLoc, &vl));
  PetscCall(VecRestoreArrayRead(app->uLoc, &u));
  PetscCall(MatAssemblyBegin(a, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(a, MAT_FINAL_ASSEMBLY));
  return 0;
}

// H(u) = sum of the energy density over every rank's points.
static double energy(App &app, Vec x) {
  dgc::petsc::TileCover<K> cover(app.da);
  const PetscScalar *u;
  std::vector<double> density(cover.owned());
  DMGlobalToLocal(app.da, x, INSERT_VALUES, app.vLoc);
  VecGetArrayRead(app.vLoc, &u);
  for (auto y0 : cover.originsY())
    for (auto x0 : cover.originsX()) {
      cover.gather(u, x0, y0, app.ut.data());
      ch::local::energy_density(app.params, app.ut.data(), app.out.data(),
                                app.ws);
      cover.forInterior(x0, y0, [&](int64_t t, int64_t o) {
        density[o] = app.out[t];
      });
    }
  VecRestoreArrayRead(app.vLoc, &u);
  double mine = 0, all = 0;
  for (double e : density)
    mine += e;
  MPI_Allreduce(&mine, &all, 1, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD);
  return all;
}

int main(int argc, char **argv) {
  PetscCall(PetscInitialize(&argc, &argv, nullptr, nullptr));
  App app;
  PetscInt steps = 10;
  PetscReal dt = 1e-4;
  PetscCall(PetscOptionsGetInt(nullptr, nullptr, "-steps", &steps, nullptr));
  PetscCall(PetscOptionsGetReal(nullptr, nullptr, "-dt", &dt, nullptr));
  app.dt = dt;
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC,
                         DM_BOUNDARY_PERIODIC, DMDA_STENCIL_BOX, K::global[0],
                         K::global[1], PETSC_DECIDE, PETSC_DECIDE, 1, K::halo,
                         nullptr, nullptr, &app.da));
  PetscCall(DMSetFromOptions(app.da));
  PetscCall(DMSetUp(app.da));
  PetscCall(DMCreateLocalVector(app.da, &app.uLoc));
  PetscCall(VecDuplicate(app.uLoc, &app.vLoc));

  // A smooth mixture with a little of every mode: u = 0.1 sin(2 pi x)
  // cos(4 pi y) + 0.05 sin(6 pi (x + y)) on the unit square.
  Vec u, v;
  PetscCall(DMCreateGlobalVector(app.da, &u));
  PetscCall(VecDuplicate(u, &v));
  PetscScalar **ua;
  PetscInt xs, ys, xm, ym;
  PetscCall(DMDAGetCorners(app.da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArray(app.da, u, &ua));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      double x = double(i) / K::global[0], y = double(j) / K::global[1];
      ua[j][i] = 0.1 * std::sin(2 * M_PI * x) * std::cos(4 * M_PI * y) +
                 0.05 * std::sin(6 * M_PI * (x + y));
    }
  PetscCall(DMDAVecRestoreArray(app.da, u, &ua));

  SNES snes;
  Mat jac;
  PetscCall(DMCreateMatrix(app.da, &jac));
  PetscCall(SNESCreate(PETSC_COMM_WORLD, &snes));
  PetscCall(SNESSetDM(snes, app.da));
  PetscCall(SNESSetFunction(snes, nullptr, formFunction, &app));
  PetscCall(SNESSetJacobian(snes, jac, jac, formJacobian, &app));
  PetscCall(SNESSetTolerances(snes, 1e-9, 1e-12, 1e-12, 50, 1000));
  PetscCall(SNESSetFromOptions(snes));

  const double cell = 1.0 / (K::global[0] * K::global[1]);
  PetscScalar m0;
  PetscCall(VecSum(u, &m0));
  double h = energy(app, u);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "step 0 energy %.12e mass %.3e\n",
                        h, m0 * cell));
  bool ok = true;
  for (PetscInt n = 1; n <= steps; ++n) {
    PetscCall(DMGlobalToLocal(app.da, u, INSERT_VALUES, app.uLoc));
    PetscCall(VecCopy(u, v));
    PetscCall(SNESSolve(snes, nullptr, v));
    SNESConvergedReason reason;
    PetscCall(SNESGetConvergedReason(snes, &reason));
    PetscCall(VecCopy(v, u));
    PetscScalar m;
    PetscCall(VecSum(u, &m));
    double hn = energy(app, u);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "step %d energy %.12e mass %.3e (SNES %s)\n", int(n),
                          hn, m * cell, SNESConvergedReasons[reason]));
    ok = ok && reason > 0 && hn <= h && std::abs(m - m0) * cell <= 1e-12;
    h = hn;
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n",
                        ok ? "energy decreased at every step, mass kept"
                           : "FAILED: energy rose or mass moved"));
  PetscCall(MatDestroy(&jac));
  PetscCall(SNESDestroy(&snes));
  PetscCall(VecDestroy(&v));
  PetscCall(VecDestroy(&u));
  PetscCall(VecDestroy(&app.vLoc));
  PetscCall(VecDestroy(&app.uLoc));
  PetscCall(DMDestroy(&app.da));
  PetscCall(PetscFinalize());
  return ok ? 0 : 1;
}
