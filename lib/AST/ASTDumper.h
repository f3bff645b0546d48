//===- ASTDumper.h - `dgc emit --stage=ast` ---------------------*- C++ -*-===//
#pragma once

#include "AST/AST.h"

#include <string>

namespace dgc {

/// An indented tree, one node per line with its kind, payload and
/// `@line:col`; expression types appear once Sema has run (`: real[50]`).
std::string dumpAST(const File &file);

} // namespace dgc
