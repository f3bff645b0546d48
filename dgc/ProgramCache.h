//===- ProgramCache.h - Runtime programs compiled per model -----*- C++ -*-===//
//
// Part of dgc. `simulate`, `train` and `eval` each compile one of the
// runtime's programs (runtime/tools/<tool>_main.cpp) against a model's
// generated header with the system C++ compiler, into a cache keyed by a
// hash of everything that affects the binary, and reuse it on later runs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace dgc::driver {

/// Builds (or finds in the cache) runtime/tools/<tool>_main.cpp compiled
/// with `header` for the model namespace `ns` (e.g. dgc_models::KdV).
/// Returns the binary's path, or "" after printing an error.
/// The runtime folder programs are built from (`dgc --version` shows it):
/// $DGC_RUNTIME_DIR, an installed one beside dgc, else the source tree's.
std::string runtimeFolder();

std::string buildRuntimeProgram(const std::string &header,
                                const std::string &ns,
                                const std::string &tool);

/// The PETSc backend's simulation program (runtime/petsc/tools/
/// simulate_main.cpp, with PETSc and MPI); "" after printing an error,
/// also when dgc was built without PETSc.
std::string buildPetscProgram(const std::string &header,
                              const std::string &ns);

} // namespace dgc::driver
