//===- LocalModel.h - The local-tile form of a model for MPI runs -*- C++ -*-===//
//
// Part of dgc. A distributed run (`dgc simulate --backend petsc`, or `dgc
// compile --local-tile` for a user's own PETSc code) calls the model on one
// rank's patch of the grid plus a ghost layer. This checks that the model
// can be split by grid points, reporting the construct that cannot at its
// source location, takes the ghost width from the sparsity of the Newton
// Jacobian, and builds the tile's ModelIR (Sema in halo mode, lowering,
// Transforms::deriveLocalModel) as `mir.local`.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Driver.h"

#include "AST/AST.h"
#include "IR/IR.h"
#include "Sema/Sema.h"
#include "Support/Diagnostics.h"

#include <array>
#include <cstdint>
#include <string>

namespace dgc::driver {

/// Parses --local-tile "T" or "TXxTY"; false with a message otherwise.
bool parseLocalTile(const std::string &text, LocalTileRequest &out);

/// Adds `mir.local` for the checked, derived `mir` of `ast`; false after
/// reporting why the model cannot be split by grid points.
bool addLocalModel(Model &ast, const Defines &defines, ir::ModelIR &mir,
                   const LocalTileRequest &req, const SourceManager &sm,
                   DiagnosticEngine &diags);

} // namespace dgc::driver
