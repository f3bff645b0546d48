//===- Simulate.h - `dgc simulate`: compile, cache, run ---------*- C++ -*-===//
//
// Part of dgc. Generates a model's header, compiles it with the runtime's
// simulation program (runtime/tools/simulate_main.cpp) by the system C++
// compiler into a cache keyed by everything that affects the binary, and
// runs it. A second run with the same model and compiler reuses the binary.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Driver.h"

#include <string>
#include <vector>

namespace dgc::driver {

struct SimulateOptions {
  Options model;           ///< the input, --model, -D
  std::string init;        ///< --init U0.npy
  double dt = 0;           ///< --dt
  long long steps = 0;     ///< --steps
  std::string scheme;      ///< --scheme
  std::string params;      ///< --params P.npy (optional)
  std::string tol;         ///< --tol (Newton), as given
  std::string rtol, atol;  ///< dopri5 tolerances, as given
  std::string linearSolver; ///< --linear-solver (dg, implicit_midpoint)
  int maxHalvings = -1;    ///< --max-halvings K (-1: not given)
  int threads = 0;         ///< --threads T (0: not given, all cores)
  std::string output;      ///< -o TRAJ.npy
  long long saveEvery = 0; ///< --save-every K (0: not given, every step)
  std::string backend = "serial";     ///< --backend serial|petsc
  int ranks = 0;                      ///< --ranks N (0: not given, 1)
  bool petscGiven = false;            ///< --petsc was on the command line
  std::vector<std::string> petscArgs; ///< everything after --petsc
};

int runSimulate(const SimulateOptions &opts);

/// The schemes the runtime provides, for the command line's check.
const char *const *simulateSchemes();

/// The linear solvers of --linear-solver (auto, dense, sparse-lu,
/// gmres-ilu, gmres), for the command line's check.
const char *const *simulateLinearSolvers();

} // namespace dgc::driver
