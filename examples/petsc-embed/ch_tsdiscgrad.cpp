// The same Cahn-Hilliard problem as ch_snes.cpp, stepped by PETSc's own
// discrete-gradient integrator TSDISCGRAD with everything written by hand,
// as PETSc asks: u_t = S grad F(u) with
//   F(u) = sum_i (u_i^2 - 1)^2 / 4 - eps/2 u_i (L u)_i,   S = L,
// L the 5-point periodic Laplacian (H = dx dy F, and grad H in the grid's
// inner product is grad F); grad F = u^3 - u - eps L u; Gonzalez's
// discrete gradient (TSDiscGradUseGonzalez); the Jacobian of the implicit
// step, shift I - L (diag(3u^2 - 1) - eps L), by hand as well (without
// the rank-one Gonzalez term, which couples every point: PETSc's step
// is then an inexact Newton). For comparison with the dgc-generated model
// (docs/performance.md, "Distributed"). PETSc 3.18's TSDISCGRAD builds
// its S on one process (MatCreate(PETSC_COMM_SELF)): it runs on 1 rank.
//
//   mpirun -n 2 ./ch_tsdiscgrad [-steps N] [-dt DT] [-n N] [PETSc options]
#include <petscdmda.h>
#include <petscts.h>

#include <cmath>

struct App {
  DM da;
  Mat L; // the periodic 5-point Laplacian
  double eps = 0.01;
  double h2 = 0; // 1 / dx^2
  Vec work;
};

static PetscErrorCode assembleLaplacian(App &app, PetscInt n) {
  PetscInt xs, ys, xm, ym;
  const double h2 = double(n) * n; // 1 / dx^2 on the unit square
  PetscCall(DMCreateMatrix(app.da, &app.L));
  PetscCall(DMDAGetCorners(app.da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      MatStencil row{}, col[5]{};
      row.i = i, row.j = j;
      PetscScalar v[5] = {-4 * h2, h2, h2, h2, h2};
      const PetscInt di[5] = {0, -1, 1, 0, 0}, dj[5] = {0, 0, 0, -1, 1};
      for (int k = 0; k < 5; ++k)
        col[k].i = i + di[k], col[k].j = j + dj[k];
      PetscCall(MatSetValuesStencil(app.L, 1, &row, 5, col, v, INSERT_VALUES));
    }
  PetscCall(MatAssemblyBegin(app.L, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(app.L, MAT_FINAL_ASSEMBLY));
  return 0;
}

// S: TSDISCGRAD creates S itself (two entries per row preallocated).
static PetscErrorCode formS(TS, PetscReal, Vec, Mat S, void *ctx) {
  auto *app = static_cast<App *>(ctx);
  PetscCall(MatSetOption(S, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_FALSE));
  PetscCall(MatCopy(app->L, S, DIFFERENT_NONZERO_PATTERN));
  return 0;
}

// F(u) = sum (u^2 - 1)^2 / 4 - eps/2 u . L u.
static PetscErrorCode formF(TS, PetscReal, Vec u, PetscScalar *F, void *ctx) {
  auto *app = static_cast<App *>(ctx);
  const PetscScalar *a;
  PetscInt n;
  double well = 0, all = 0;
  PetscCall(VecGetLocalSize(u, &n));
  PetscCall(VecGetArrayRead(u, &a));
  for (PetscInt i = 0; i < n; ++i)
    well += 0.25 * (a[i] * a[i] - 1) * (a[i] * a[i] - 1);
  PetscCall(VecRestoreArrayRead(u, &a));
  MPI_Allreduce(&well, &all, 1, MPI_DOUBLE, MPI_SUM, PETSC_COMM_WORLD);
  PetscScalar uLu;
  PetscCall(MatMult(app->L, u, app->work));
  PetscCall(VecDot(u, app->work, &uLu));
  *F = all - 0.5 * app->eps * uLu;
  return 0;
}

// grad F = u^3 - u - eps L u.
static PetscErrorCode formG(TS, PetscReal, Vec u, Vec g, void *ctx) {
  auto *app = static_cast<App *>(ctx);
  const PetscScalar *a;
  PetscScalar *b;
  PetscInt n;
  PetscCall(MatMult(app->L, u, g));
  PetscCall(VecScale(g, -app->eps));
  PetscCall(VecGetLocalSize(u, &n));
  PetscCall(VecGetArrayRead(u, &a));
  PetscCall(VecGetArray(g, &b));
  for (PetscInt i = 0; i < n; ++i)
    b[i] += a[i] * a[i] * a[i] - a[i];
  PetscCall(VecRestoreArray(g, &b));
  PetscCall(VecRestoreArrayRead(u, &a));
  return 0;
}

// d/du of (shift (u - u0) - L grad F(u)) = shift I - L diag(3u^2 - 1)
// + eps L^2: a 13-point stencil, by hand (L^2: 20 at the point, -8 at
// the 4 neighbours, 2 at the 4 diagonal ones, 1 two points away; times
// 1/dx^4).
static PetscErrorCode formJ(TS, PetscReal, Vec u, Vec, PetscReal shift, Mat A,
                            Mat, void *ctx) {
  auto *app = static_cast<App *>(ctx);
  const double h2 = app->h2, eps = app->eps;
  Vec uLoc;
  const PetscScalar **ua;
  PetscInt xs, ys, xm, ym;
  PetscCall(DMGetLocalVector(app->da, &uLoc));
  PetscCall(DMGlobalToLocal(app->da, u, INSERT_VALUES, uLoc));
  PetscCall(DMDAVecGetArrayRead(app->da, uLoc, &ua));
  PetscCall(DMDAGetCorners(app->da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  auto d = [&](PetscInt i, PetscInt j) { return 3 * ua[j][i] * ua[j][i] - 1; };
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      MatStencil row{}, col[13]{};
      PetscScalar v[13];
      row.i = i, row.j = j;
      const PetscInt di[13] = {0, -1, 1, 0, 0, -1, 1, -1, 1, -2, 2, 0, 0};
      const PetscInt dj[13] = {0, 0, 0, -1, 1, -1, -1, 1, 1, 0, 0, -2, 2};
      const double l2[13] = {20, -8, -8, -8, -8, 2, 2, 2, 2, 1, 1, 1, 1};
      for (int k = 0; k < 13; ++k) {
        col[k].i = i + di[k], col[k].j = j + dj[k];
        double lk = k == 0 ? -4 * h2 : k < 5 ? h2 : 0; // L(row, col)
        v[k] = eps * h2 * h2 * l2[k] - lk * d(i + di[k], j + dj[k]) +
               (k == 0 ? shift : 0);
      }
      PetscCall(MatSetValuesStencil(A, 1, &row, 13, col, v, INSERT_VALUES));
    }
  PetscCall(DMDAVecRestoreArrayRead(app->da, uLoc, &ua));
  PetscCall(DMRestoreLocalVector(app->da, &uLoc));
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  return 0;
}

struct Watch {
  App *app;
  double cell, h0 = 0, hPrev = 0, m0 = 0;
  bool ok = true;
};

static PetscErrorCode monitor(TS ts, PetscInt step, PetscReal, Vec u,
                              void *ctx) {
  auto *w = static_cast<Watch *>(ctx);
  PetscScalar F, m;
  PetscCall(formF(ts, 0, u, &F, w->app));
  PetscCall(VecSum(u, &m));
  double h = F * w->cell;
  if (step == 0)
    w->h0 = w->hPrev = h, w->m0 = m * w->cell;
  w->ok = w->ok && h <= w->hPrev && std::abs(m * w->cell - w->m0) <= 1e-12;
  w->hPrev = h;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "step %d energy %.12e mass %.3e\n",
                        int(step), h, m * w->cell));
  return 0;
}

int main(int argc, char **argv) {
  PetscCall(PetscInitialize(&argc, &argv, nullptr, nullptr));
  App app;
  PetscInt n = 64, steps = 10;
  PetscReal dt = 1e-4;
  PetscCall(PetscOptionsGetInt(nullptr, nullptr, "-n", &n, nullptr));
  PetscCall(PetscOptionsGetInt(nullptr, nullptr, "-steps", &steps, nullptr));
  PetscCall(PetscOptionsGetReal(nullptr, nullptr, "-dt", &dt, nullptr));
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC,
                         DM_BOUNDARY_PERIODIC, DMDA_STENCIL_BOX, n, n,
                         PETSC_DECIDE, PETSC_DECIDE, 1, 2, nullptr, nullptr,
                         &app.da));
  PetscCall(DMSetFromOptions(app.da));
  PetscCall(DMSetUp(app.da));
  app.h2 = double(n) * n;
  PetscCall(assembleLaplacian(app, n));

  Vec u;
  PetscScalar **ua;
  PetscInt xs, ys, xm, ym;
  PetscCall(DMCreateGlobalVector(app.da, &u));
  PetscCall(VecDuplicate(u, &app.work));
  PetscCall(DMDAGetCorners(app.da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArray(app.da, u, &ua));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      double x = double(i) / n, y = double(j) / n;
      ua[j][i] = 0.1 * std::sin(2 * M_PI * x) * std::cos(4 * M_PI * y) +
                 0.05 * std::sin(6 * M_PI * (x + y));
    }
  PetscCall(DMDAVecRestoreArray(app.da, u, &ua));

  TS ts;
  Mat J;
  Watch watch{&app, 1.0 / (double(n) * n)};
  PetscCall(DMCreateMatrix(app.da, &J));
  PetscCall(TSCreate(PETSC_COMM_WORLD, &ts));
  PetscCall(TSSetDM(ts, app.da));
  PetscCall(TSSetType(ts, TSDISCGRAD));
  PetscCall(TSDiscGradSetFormulation(ts, formS, formF, formG, &app));
  PetscCall(TSDiscGradUseGonzalez(ts, PETSC_TRUE));
  PetscCall(TSSetIJacobian(ts, J, J, formJ, &app));
  PetscCall(TSSetTimeStep(ts, dt));
  PetscCall(TSSetMaxSteps(ts, steps));
  PetscCall(TSSetMaxTime(ts, 1e30));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSMonitorSet(ts, monitor, &watch, nullptr));
  PetscCall(TSSetFromOptions(ts));
  double t0 = MPI_Wtime();
  PetscCall(TSSolve(ts, u));
  double wall = MPI_Wtime() - t0;
  PetscInt done;
  PetscCall(TSGetStepNumber(ts, &done));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                        "%s; %d steps in %.3f s (%.4f s/step)\n",
                        watch.ok ? "energy decreased at every step, mass kept"
                                 : "FAILED: energy rose or mass moved",
                        int(done), wall, wall / std::max<PetscInt>(done, 1)));
  PetscCall(TSDestroy(&ts));
  PetscCall(MatDestroy(&J));
  PetscCall(VecDestroy(&app.work));
  PetscCall(VecDestroy(&u));
  PetscCall(MatDestroy(&app.L));
  PetscCall(DMDestroy(&app.da));
  PetscCall(PetscFinalize());
  return watch.ok && done == steps ? 0 : 1;
}
