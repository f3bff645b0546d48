//===- CompileSource.h - dg text to derived ModelIRs, for tests -*- C++ -*-===//
//
// Part of dgc's tests. Runs the driver's pipeline (parse, Sema, lower,
// deriveModel) on a source string and returns every model, or the
// diagnostics as text when there was an error.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <string>
#include <vector>

namespace dgc::testing {

struct Compiled {
  std::vector<ir::ModelIR> models;
  std::string diagnostics; ///< empty on success
  bool ok() const { return diagnostics.empty(); }
};

Compiled compileSource(const std::string &text);

/// The text of a file under examples/ (DGC_EXAMPLES_DIR).
std::string readExample(const std::string &name);

} // namespace dgc::testing
