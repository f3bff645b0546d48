//===- Verifier.h - Structural checks of the IR -----------------*- C++ -*-===//
//
// Part of dgc. Checks that operands precede their users, arities match
// Ops.def, every op's type agrees with its type rule, inputs are listed, and
// results exist. Run after every pass in the pipeline (taco's ir_verifier).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <string>

namespace dgc::ir {

/// Returns an empty string when `f` is well formed, else a description of
/// the first problem.
std::string verify(const Function &f);

} // namespace dgc::ir
