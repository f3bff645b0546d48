//===- ImportCxx.h - Importing a C++ energy from a test's string ----------===//
//
// Part of dgc's tests. Writes the code to a file under the test's temporary
// folder and imports it as the driver does (dgc/CxxInput.cpp).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "CxxInput.h"

#include "Support/SourceManager.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace dgc::testing {

/// Imports function `function` of `code` with structure `structure` and
/// grid `grid` ("" for an ODE state); false (diagnostics on stderr) if
/// dgc refuses it.
inline bool importCxx(const std::string &fileName, const std::string &code,
                      const std::string &function,
                      const std::string &structure, const std::string &grid,
                      ir::ModelIR &out) {
  std::filesystem::path p =
      std::filesystem::path(::testing::TempDir()) / fileName;
  std::ofstream(p) << code;
  driver::CxxInputOptions o;
  o.input = p.string();
  o.function = function;
  o.structure = structure;
  o.grid = grid;
  SourceManager sm;
  std::vector<ir::ModelIR> models;
  if (!driver::loadCxxModels(o, sm, models) || models.size() != 1)
    return false;
  out = std::move(models[0]);
  return true;
}

} // namespace dgc::testing
