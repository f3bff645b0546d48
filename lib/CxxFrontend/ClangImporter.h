//===- ClangImporter.h - C++ energy functions to the IR ---------*- C++ -*-===//
//
// Part of dgc. The C++ front end (issue 8): parses a translation unit with
// Clang 14's LibTooling, finds an energy function (by name, or every
// function marked [[clang::annotate("dgc::energy")]]) and lowers its body to
// an ir::Function `energy(u [N]) -> H`, the same signature lowering gives a
// .dg energy. The body is evaluated at import time: loops with compile-time
// bounds are unrolled, compile-time `if`s are decided, calls are inlined,
// and every value that depends on the state becomes IR ops on scalars. The
// supported subset is listed in README.md; anything outside it is one error
// through Clang's DiagnosticsEngine at the user's source location.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dgc::cxx {

struct ImportOptions {
  std::string path;                ///< the C++ file (its name in messages)
  std::string code;                ///< its text; read from `path` when empty
  std::string function;            ///< empty: every dgc::energy-annotated one
  int64_t stateSize = 0;           ///< from --grid N; 0: from the function
  std::vector<std::string> flags;  ///< extra compiler flags (after `--`)
  uint32_t buffer = 0;             ///< dgc buffer of `path` for op locations
};

struct ImportedEnergy {
  std::string name;      ///< the C++ function's unqualified name
  int64_t stateSize = 0; ///< N
  ir::Function energy;   ///< inputs: u [N]; result H (scalar)
};

/// Imports the energy function(s). Diagnostics (Clang's own, and dgc's
/// errors for constructs outside the subset) go to stderr in Clang's format;
/// returns false if there was any error.
bool importEnergies(const ImportOptions &opts, std::vector<ImportedEnergy> &out);

/// Clang's resource directory (builtin headers) found at configure time.
const char *resourceDir();

} // namespace dgc::cxx
