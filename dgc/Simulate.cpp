//===- Simulate.cpp - `dgc simulate`: compile, cache, run -----------------===//
//
// Part of dgc. Refuses what the model cannot do (checkSchemeForModel:
// leapfrog without a separable energy and G = c S, dg without an energy)
// and a parameter folder trained for another model before compiling,
// builds the simulation program through the program cache
// (ProgramCache.h) and runs it with the user's arguments; its exit status
// is dgc's.
//
//===----------------------------------------------------------------------===//
#include "Simulate.h"
#include "Process.h"
#include "ProgramCache.h"
#include "Train.h"
#include "UserError.h"

#include "dgc/runtime/InputCheck.h"

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace dgc::driver {

namespace fs = std::filesystem;

namespace {

const char *const kSchemes[] = {"dg",   "implicit_midpoint", "rk2", "rk4",
                                "dopri5", "leapfrog",        nullptr};

// As dgc/runtime/SparseNewton.h's linearSolverName.
const char *const kLinearSolvers[] = {"auto",      "dense",     "sparse-lu",
                                      "gmres-ilu", "gmres-fft", "gmres",
                                      nullptr};

/// The initial state, checked as the simulation program checks it
/// (dgc/runtime/InputCheck.h), before that program is compiled.
bool checkInitialState(const SimulateOptions &opts, const ir::ModelIR &m) {
  try {
    rt::NpyArray u0 = rt::readInput(opts.init, "initial state");
    rt::checkInitialState(u0, opts.init, m.name, m.stateSize,
                          m.userStateShape());
  } catch (const rt::InputError &e) {
    userError(e.what());
    return false;
  }
  return true;
}

} // namespace

const char *const *simulateSchemes() { return kSchemes; }

const char *const *simulateLinearSolvers() { return kLinearSolvers; }

namespace {

/// The checks of the options that only one backend takes, before anything
/// is compiled.
bool checkBackendOptions(const SimulateOptions &opts) {
  bool petsc = opts.backend == "petsc";
  if (!petsc && opts.ranks > 0) {
    userError("--ranks needs --backend petsc");
    return false;
  }
  if (!petsc && opts.petscGiven) {
    userError("--petsc passes options to PETSc: it needs --backend petsc");
    return false;
  }
  if (!petsc && opts.saveEvery > 1) {
    userError("--save-every needs --backend petsc (the serial backend "
              "keeps every step)");
    return false;
  }
  if (petsc && opts.scheme != "dg") {
    userError("--backend petsc runs the dg scheme (the paper's Eq. 6), not "
              "'" + opts.scheme + "'");
    return false;
  }
  if (petsc && (!opts.linearSolver.empty() || opts.threads > 0 ||
                opts.maxHalvings >= 0 || !opts.rtol.empty() ||
                !opts.atol.empty())) {
    userError("--backend petsc takes its solver options from PETSc (after "
              "--petsc, e.g. --petsc -ksp_type gmres -pc_type gamg), not "
              "--linear-solver, --threads, --max-halvings, --rtol or --atol");
    return false;
  }
  return true;
}

/// `dgc simulate --backend petsc`: the model's local kernels, the PETSc
/// program, run under mpirun with --ranks ranks.
int runPetsc(const SimulateOptions &opts) {
  int ranks = opts.ranks > 0 ? opts.ranks : 1;
  Options model = opts.model;
  model.local.ranks = ranks;
  std::vector<ir::ModelIR> models;
  std::string header;
  if (!buildModels(model, models, header))
    return 1;
  if (models.size() != 1) {
    userError("'" + opts.model.input + "' holds several models; choose one "
              "with --model");
    return 1;
  }
  const ir::ModelIR &m = models[0];
  if (!checkInitialState(opts, m) ||
      (!opts.params.empty() && !checkParamsModel(opts.params, m)))
    return 1;
  std::string binary = buildPetscProgram(header, "dgc_models::" + m.name);
  if (binary.empty())
    return 1;
  // OpenMPI refuses to start as root without these two variables.
  if (::geteuid() == 0 && !std::getenv("OMPI_ALLOW_RUN_AS_ROOT")) {
    std::fprintf(stderr, "dgc: running as root: setting "
                         "OMPI_ALLOW_RUN_AS_ROOT=1 and "
                         "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 for mpirun\n");
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  }
  // One thread per rank: a threaded BLAS or MUMPS on every rank would
  // oversubscribe the cores (measured: 30x slower on 2 ranks, 2 cores).
  if (!std::getenv("OMP_NUM_THREADS"))
    ::setenv("OMP_NUM_THREADS", "1", 1);
  std::string mpiexec = DGC_MPIEXEC;
  // --quiet: the program's own one-line error is the message on failure.
  std::vector<std::string> argv = {mpiexec, "-n", std::to_string(ranks),
                                   "--quiet", "--oversubscribe",
                                   "--bind-to", "none",
                                   binary,
                                   "--init", opts.init,
                                   "--dt", fmt::format("{:.17g}", opts.dt),
                                   "--steps", std::to_string(opts.steps),
                                   "-o", opts.output};
  if (!opts.params.empty())
    argv.insert(argv.end(), {"--params", opts.params});
  if (!opts.tol.empty())
    argv.insert(argv.end(), {"--tol", opts.tol});
  if (opts.saveEvery > 0)
    argv.insert(argv.end(), {"--save-every", std::to_string(opts.saveEvery)});
  argv.push_back("--");
  argv.insert(argv.end(), opts.petscArgs.begin(), opts.petscArgs.end());
  return runProgram(argv);
}

} // namespace

int runSimulate(const SimulateOptions &opts) {
  if (!checkBackendOptions(opts))
    return 1;
  if (opts.backend == "petsc")
    return runPetsc(opts);
  std::vector<ir::ModelIR> models;
  std::string header;
  if (!buildModels(opts.model, models, header))
    return 1;
  if (models.size() != 1) {
    std::string names;
    for (const ir::ModelIR &m : models)
      names += (names.empty() ? "" : ", ") + m.name;
    userError("'" + opts.model.input + "' holds several models (" + names +
              "); choose one with --model");
    return 1;
  }
  const ir::ModelIR &m = models[0];
  if (!checkSchemeForModel(opts.scheme, m, SchemeUse::Prediction))
    return 1;
  if (!checkInitialState(opts, m) ||
      (!opts.params.empty() && !checkParamsModel(opts.params, m)))
    return 1;
  std::string binary =
      buildRuntimeProgram(header, "dgc_models::" + m.name, "simulate");
  if (binary.empty())
    return 1;
  std::vector<std::string> argv = {binary,
                                   "--init", opts.init,
                                   "--dt", fmt::format("{:.17g}", opts.dt),
                                   "--steps", std::to_string(opts.steps),
                                   "--scheme", opts.scheme,
                                   "-o", opts.output};
  if (!opts.params.empty())
    argv.insert(argv.end(), {"--params", opts.params});
  if (!opts.tol.empty())
    argv.insert(argv.end(), {"--tol", opts.tol});
  if (!opts.rtol.empty())
    argv.insert(argv.end(), {"--rtol", opts.rtol});
  if (!opts.atol.empty())
    argv.insert(argv.end(), {"--atol", opts.atol});
  if (!opts.linearSolver.empty())
    argv.insert(argv.end(), {"--linear-solver", opts.linearSolver});
  if (opts.maxHalvings >= 0)
    argv.insert(argv.end(),
                {"--max-halvings", std::to_string(opts.maxHalvings)});
  if (opts.threads > 0)
    argv.insert(argv.end(), {"--threads", std::to_string(opts.threads)});
  return runProgram(argv);
}

} // namespace dgc::driver
