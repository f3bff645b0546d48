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

/// Halo mode: check the model on a tile of `tile` points per axis plus
/// `halo` ghost points on each side instead of its whole grid (the kernels
/// of distributed runs; ir::GridInfo::halo).
struct LocalTile {
  int64_t tile[2] = {0, 1};
  int64_t halo = 0;
};

/// Checks `model`; returns null when an error was reported (several may be).
/// Sets `type` on every expression of `model`.
std::unique_ptr<CheckedModel> checkModel(Model &model, const Defines &defines,
                                         DiagnosticEngine &diags,
                                         const LocalTile *local = nullptr);


} // namespace dgc
