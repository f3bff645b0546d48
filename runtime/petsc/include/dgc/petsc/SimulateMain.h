//===- SimulateMain.h - The program behind `dgc simulate --backend petsc` -===//
//
// Part of dgc's PETSc backend. Run by `dgc simulate --backend petsc` under
// mpirun:
//   prog --init U0.npy --dt DT --steps N -o TRAJ.npy [--params P]
//        [--tol X] [--save-every K] [-- PETSC OPTIONS...]
// Every rank reads the initial state and takes its patch of a periodic
// DMDA (dof: the model's fields; stencil width: the kernels' halo); the dg
// scheme runs with Stepper (SNES, exact Jacobian); rank 0 gathers every
// K-th state (and the last) and writes the trajectory and the summary line
// in the serial program's format, with `linear_solver=petsc:KSP/PC
// ranks=R`. PETSc's solver defaults here: Newton's tolerances of the serial
// runtime, and an exact LU (MUMPS when PETSc has it) unless the options
// name a -ksp_type or -pc_type. Errors: one `dgc: error:` line (rank 0),
// exit status 1 on every rank, no output file; a step whose SNES fails
// ends the run with the states kept so far and the last good one written
// and exit status 3 (rt::kExitStepFailed), as the serial program.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/petsc/Stepper.h"
#include "dgc/runtime/SimulateCli.h"

#include <chrono>
#include <cstdio>

namespace dgc::petsc {

struct PetscArgs {
  std::string init, params, output;
  double dt = 0, tol = 0;
  int64_t steps = -1, saveEvery = 1;
  int maxIters = 50;
  std::vector<std::string> petsc; ///< after `--`
};

inline PetscArgs parsePetscArgs(int argc, const char *const *argv) {
  using namespace dgc::rt::cli_detail;
  PetscArgs a;
  for (int i = 1; i < argc; ++i) {
    std::string opt = argv[i];
    if (opt == "--") {
      a.petsc.assign(argv + i + 1, argv + argc);
      break;
    }
    std::string value = optionValue(opt, i, argc, argv);
    if (opt == "--init")
      a.init = value;
    else if (opt == "--params")
      a.params = value;
    else if (opt == "-o")
      a.output = value;
    else if (opt == "--dt")
      a.dt = parseDouble(opt, value);
    else if (opt == "--tol")
      a.tol = parseDouble(opt, value);
    else if (opt == "--steps")
      a.steps = parseInt(opt, value);
    else if (opt == "--save-every")
      a.saveEvery = parseInt(opt, value);
    else if (opt == "--max-newton-iters")
      a.maxIters = static_cast<int>(parseInt(opt, value));
    else
      throw rt::InputError("unknown option '" + opt + "'");
  }
  if (a.init.empty() || a.output.empty() || !(a.dt > 0) || a.steps < 0 ||
      a.saveEvery < 1 || a.tol < 0 || a.maxIters < 1)
    throw rt::InputError("usage: --init U0.npy --dt DT --steps N -o "
                         "TRAJ.npy [--params P] [--tol X] [--save-every K] "
                         "[-- PETSC OPTIONS]");
  return a;
}

/// The run, after PetscInitialize; throws on any failure.
template <class M, class K> int runPetsc(const PetscArgs &a) {
  MPI_Comm comm = PETSC_COMM_WORLD;
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  std::vector<double> u0 = rt::loadInitialState<M>(a.init);
  auto params = std::make_unique<typename M::template ParamsT<double>>();
  if (a.params.empty())
    M::init_params(*params, 0);
  else
    rt::loadParams<M>(a.params, *params);

  // Exact LU unless the user chose a linear solver.
  PetscBool kspSet = PETSC_FALSE, pcSet = PETSC_FALSE, mumps = PETSC_FALSE;
  check(PetscOptionsHasName(nullptr, nullptr, "-ksp_type", &kspSet), "options");
  check(PetscOptionsHasName(nullptr, nullptr, "-pc_type", &pcSet), "options");
  if (!kspSet && !pcSet) {
    check(PetscHasExternalPackage("mumps", &mumps), "PetscHasExternalPackage");
    check(PetscOptionsSetValue(nullptr, "-ksp_type", "preonly"), "options");
    check(PetscOptionsSetValue(nullptr, "-pc_type", "lu"), "options");
    if (mumps)
      check(PetscOptionsSetValue(nullptr, "-pc_factor_mat_solver_type",
                                 "mumps"),
            "options");
  }

  const PetscInt nx = static_cast<PetscInt>(K::global[0]),
                 ny = static_cast<PetscInt>(K::global[1]);
  DM da = nullptr;
  if constexpr (K::dims == 1)
    check(DMDACreate1d(comm, DM_BOUNDARY_PERIODIC, nx, K::fields, K::halo,
                       nullptr, &da),
          "DMDACreate1d");
  else
    check(DMDACreate2d(comm, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC,
                       DMDA_STENCIL_BOX, nx, ny, PETSC_DECIDE, PETSC_DECIDE,
                       K::fields, K::halo, nullptr, nullptr, &da),
          "DMDACreate2d");
  check(DMSetFromOptions(da), "DMSetFromOptions");
  check(DMSetUp(da), "DMSetUp");

  Vec u, v, nat, seq;
  VecScatter toZero;
  check(DMCreateGlobalVector(da, &u), "DMCreateGlobalVector");
  check(VecDuplicate(u, &v), "VecDuplicate");
  check(DMDACreateNaturalVector(da, &nat), "DMDACreateNaturalVector");
  check(VecScatterCreateToZero(nat, &toZero, &seq), "VecScatterCreateToZero");
  const int64_t points = K::global[0] * K::global[1];
  {
    TileCover<K> cover(da);
    PetscScalar *own;
    check(VecGetArray(u, &own), "VecGetArray");
    for (int64_t y = 0; y < cover.sizeY(); ++y)
      for (int64_t x = 0; x < cover.sizeX(); ++x)
        for (int64_t c = 0; c < K::fields; ++c)
          own[(y * cover.sizeX() + x) * K::fields + c] =
              u0[static_cast<size_t>(c * points +
                                     (cover.startY() + y) * K::global[0] +
                                     cover.startX() + x)];
    check(VecRestoreArray(u, &own), "VecRestoreArray");
  }

  Stepper<M, K> stepper(da, *params, a.dt);
  double scale = 0;
  for (double x : u0)
    scale = std::max(scale, std::abs(x));
  stepper.setTolerances(a.tol > 0 ? a.tol : rt::defaultNewtonTol<double>(),
                        scale, points * K::fields, a.maxIters);
  check(SNESSetFromOptions(stepper.solver()), "SNESSetFromOptions");

  std::vector<double> rows;
  int64_t kept = 0;
  auto keep = [&](Vec x) {
    check(DMDAGlobalToNaturalBegin(da, x, INSERT_VALUES, nat), "natural");
    check(DMDAGlobalToNaturalEnd(da, x, INSERT_VALUES, nat), "natural");
    check(VecScatterBegin(toZero, nat, seq, INSERT_VALUES, SCATTER_FORWARD),
          "VecScatterBegin");
    check(VecScatterEnd(toZero, nat, seq, INSERT_VALUES, SCATTER_FORWARD),
          "VecScatterEnd");
    if (rank == 0) {
      const PetscScalar *s;
      check(VecGetArrayRead(seq, &s), "VecGetArrayRead");
      size_t at = rows.size();
      rows.resize(at + static_cast<size_t>(points * K::fields));
      for (int64_t p = 0; p < points; ++p)
        for (int64_t c = 0; c < K::fields; ++c)
          rows[at + static_cast<size_t>(c * points + p)] = s[p * K::fields + c];
      check(VecRestoreArrayRead(seq, &s), "VecRestoreArrayRead");
    }
    ++kept;
  };

  rt::SimulationStats st;
  st.scheme = rt::Scheme::DG;
  st.hasEnergy = true;
  st.dissipative = M::dissipates_energy;
  st.hasMass = M::conserves_mass;
  const double h0 = stepper.energy(u), m0 = stepper.mass(u);
  double hPrev = h0;
  st.maxEnergyIncrease = a.steps > 0 ? -INFINITY : 0;
  int64_t iters = 0, linearIters = 0;
  keep(u);
  auto t0 = std::chrono::steady_clock::now();
  std::string failure;
  int64_t done = 0;
  for (int64_t n = 0; n < a.steps; ++n) {
    SNESConvergedReason r = stepper.step(u, v, iters, linearIters);
    if (r <= 0) {
      // Keep what was done: the last good state ends the trajectory.
      failure = std::string("Newton (PETSc SNES) did not converge: ") +
                SNESConvergedReasons[r];
      st.failedStep = n + 1;
      if (n % a.saveEvery != 0)
        keep(u);
      break;
    }
    ++done;
    check(VecCopy(v, u), "VecCopy");
    double h = stepper.energy(u), m = stepper.mass(u);
    st.energyDrift = std::max(st.energyDrift, std::abs(h - h0) /
                                                  (h0 != 0 ? std::abs(h0) : 1));
    st.maxEnergyIncrease = std::max(st.maxEnergyIncrease, h - hPrev);
    st.massDrift = std::max(st.massDrift, std::abs(m - m0));
    hPrev = h;
    if ((n + 1) % a.saveEvery == 0 || n + 1 == a.steps)
      keep(u);
  }
  st.wallSeconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - t0)
                       .count();
  st.steps = done;
  st.newtonIterations = iters;

  KSP ksp;
  PC pc;
  KSPType kt;
  PCType pt;
  check(SNESGetKSP(stepper.solver(), &ksp), "SNESGetKSP");
  check(KSPGetPC(ksp, &pc), "KSPGetPC");
  check(KSPGetType(ksp, &kt), "KSPGetType");
  check(PCGetType(pc, &pt), "PCGetType");
  std::string solver = std::string(kt) + "/" + pt;
  MatSolverType factor = nullptr;
  if (std::string(pt) == "lu" || std::string(pt) == "cholesky")
    if (PCFactorGetMatSolverType(pc, &factor) == 0 && factor)
      solver += std::string("(") + factor + ")";
  if (rank == 0) {
    rt::writeNpy<double>(a.output, {kept, M::state_size}, rows.data());
    // The serial summary up to the Newton fields, then PETSc's.
    std::string s = st.summary();
    s = s.substr(0, s.find(" linear_solver="));
    std::printf("%s linear_solver=petsc:%s ranks=%d linear_iters=%lld%s\n",
                s.c_str(), solver.c_str(), ranks,
                static_cast<long long>(linearIters),
                st.failedStep > 0
                    ? (" failed_step=" + std::to_string(st.failedStep)).c_str()
                    : "");
    if (st.failedStep > 0) {
      std::fflush(stdout);
      std::fprintf(stderr,
                   "dgc: error: step %lld failed: %s; %s holds %lld "
                   "state%s, the last at step %lld\n",
                   static_cast<long long>(st.failedStep), failure.c_str(),
                   a.output.c_str(), static_cast<long long>(kept),
                   kept == 1 ? "" : "s", static_cast<long long>(done));
    }
  }
  VecScatterDestroy(&toZero);
  VecDestroy(&seq);
  VecDestroy(&nat);
  VecDestroy(&v);
  VecDestroy(&u);
  DMDestroy(&da);
  return st.failedStep > 0 ? rt::kExitStepFailed : 0;
}

/// The whole program: returns the exit status.
template <class M, class K> int simulatePetscMain(int argc, char **argv) {
  PetscArgs a;
  try {
    a = parsePetscArgs(argc, argv);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dgc: error: %s\n", e.what());
    return 1;
  }
  // PETSc sees its own options only.
  std::vector<char *> pargv = {argv[0]};
  for (const std::string &s : a.petsc)
    pargv.push_back(const_cast<char *>(s.c_str()));
  pargv.push_back(nullptr);
  int pargc = static_cast<int>(pargv.size()) - 1;
  char **pa = pargv.data();
  if (PetscInitialize(&pargc, &pa, nullptr, nullptr) != 0) {
    std::fprintf(stderr, "dgc: error: PETSc failed to initialise\n");
    return 1;
  }
  PetscPushErrorHandler(errorHandler, nullptr);
  int rank = 0, rc = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  try {
    rc = runPetsc<M, K>(a);
  } catch (const std::exception &e) {
    if (rank == 0)
      std::fprintf(stderr, "dgc: error: %s\n", e.what());
    rc = 1;
  }
  if (rc != 1 && rank == 0) {
    PetscInt left = 0;
    char **names = nullptr, **values = nullptr;
    if (PetscOptionsLeftGet(nullptr, &left, &names, &values) == 0) {
      for (PetscInt i = 0; i < left; ++i)
        std::fprintf(stderr, "dgc: warning: PETSc option -%s was not used\n",
                     names[i]);
      PetscOptionsLeftRestore(nullptr, &left, &names, &values);
    }
  }
  // Every failure above is collective (same input, same options, the
  // same SNES outcome on every rank), so all ranks get here.
  std::fflush(stdout);
  std::fflush(stderr);
  PetscFinalize();
  return rc;
}

} // namespace dgc::petsc
