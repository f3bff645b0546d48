//===- ASTDumper.h - `dgc emit --stage=ast` ---------------------*- C++ -*-===//
#pragma once

#include "AST/AST.h"

#include <string>

namespace dgc {

/// An indented tree, one node per line with its kind, payload and
/// `@line:col`; expression types appear once Sema has run (`: real[50]`).
/// This overload prints no types (the AST as parsed).
std::string dumpAST(const File &file);

/// As above; with `withTypes`, every expression line ends with
/// ` : <type.str()>` (call it after Sema has filled the types).
std::string dumpAST(const File &file, bool withTypes);

} // namespace dgc
