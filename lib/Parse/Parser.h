//===- Parser.h - Recursive-descent parser for the dg language --*- C++ -*-===//
//
// Part of dgc. Entry point only; the grammar rules are documented above each
// parseX method in Parser.cpp.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "AST/AST.h"
#include "Support/Diagnostics.h"

namespace dgc {

/// Parses buffer `buffer`. Errors go to `diags` (several per run, recovering
/// at the next `;` or `}`); the returned File holds what parsed.
File parseFile(uint32_t buffer, const SourceManager &sm,
               DiagnosticEngine &diags);

} // namespace dgc
