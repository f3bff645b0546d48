//===- Evaluator.h - Import-time evaluation of a C++ energy -----*- C++ -*-===//
//
// Part of dgc. Private to the C++ front end. Evaluates the body of an energy
// function over abstract values: compile-time integers and reals are folded,
// values that depend on the state are IR scalars built with ir::Builder.
// Loops run at import time (their bounds must be compile-time), `if`s must
// have compile-time conditions, calls to functions with a visible body are
// inlined, and the C math functions map to `map` ops.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <cstdint>

namespace clang {
class ASTContext;
class DiagnosticsEngine;
class FunctionDecl;
} // namespace clang

namespace dgc::cxx {

/// Lowers `fd` (state as its only parameter, scalar result) into `out`
/// (`energy(u [N]) -> H`). `knownSize` > 0 fixes N (from --grid); otherwise
/// N comes from the parameter's type, the function's template argument, or
/// the largest index read. Reports errors through `diags`; false on error.
bool evaluateEnergy(clang::ASTContext &ctx, clang::DiagnosticsEngine &diags,
                    const clang::FunctionDecl *fd, int64_t knownSize,
                    uint32_t buffer, ir::Function &out, int64_t &stateSize);

} // namespace dgc::cxx
