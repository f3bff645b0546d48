//===- Sema.h - Semantic analysis of a dg model -----------------*- C++ -*-===//
//
// Part of dgc. Resolves names, folds constants (with `-D` overrides), checks
// every shape statically, expands `net` sugar into parameters and layers,
// interprets the structure expression, derives the laws and checks claims.
// The result, a CheckedModel, is what lowering to IR consumes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "AST/AST.h"
#include "Support/Diagnostics.h"

#include <map>
#include <memory>
#include <string>

namespace dgc {

struct CheckedModel; // Sema/CheckedModel.h

/// `-D NAME=VALUE` overrides of `const` declarations.
using Defines = std::map<std::string, double>;

/// Checks `model`; returns null when an error was reported (several may be).
/// Sets `type` on every expression of `model`.
std::unique_ptr<CheckedModel> checkModel(Model &model, const Defines &defines,
                                         DiagnosticEngine &diags);


} // namespace dgc
