//===- CxxInput.h - C++ energy functions as dgc models ----------*- C++ -*-===//
//
// Part of dgc. The driver's C++ route (issue 8): `dgc check|compile|emit
// energy.cpp --function NAME --structure S [--grid N,LENGTH] [-- FLAGS]`.
// The energy comes from the C++ front end (lib/CxxFrontend); the state
// layout, grid, structure and laws come from a small dg model synthesised
// from the options and run through the dg front end, so a C++ energy gets
// exactly what a .dg energy gets.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <string>
#include <vector>

namespace dgc {
class SourceManager;
}

namespace dgc::driver {

struct CxxInputOptions {
  std::string input;              ///< the .cpp/.cc/.cxx file
  std::string function;           ///< --function; empty: annotated ones
  std::string structure;          ///< --structure, a dg structure expression
  std::string grid;               ///< --grid N,LENGTH; empty: a real[N] state
  std::vector<std::string> flags; ///< compiler flags after `--`
};

/// True for names ending in .cpp, .cc, .cxx or .C.
bool isCxxInput(const std::string &path);

/// Imports the energy function(s) of `opts.input` and returns one derived
/// ModelIR per function (as `deriveModel` leaves a .dg model). Prints
/// diagnostics; false on any error. With `derive` false the models hold
/// only `energy` and `structure` (for tests).
bool loadCxxModels(const CxxInputOptions &opts, SourceManager &sm,
                   std::vector<ir::ModelIR> &models, bool derive = true);

} // namespace dgc::driver
