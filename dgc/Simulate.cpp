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

int runSimulate(const SimulateOptions &opts) {
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
  int rc = runProcess(argv);
  if (rc < 0) {
    userError("cannot run '" + binary + "'");
    return 1;
  }
  return rc;
}

} // namespace dgc::driver
