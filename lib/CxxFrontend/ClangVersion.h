//===- ClangVersion.h - The Clang the C++ front end is built with -*- C++ -*-===//
//
// Part of dgc. The LibTooling front end arrives with issue 8; until then this
// is the one call into Clang, which `dgc --version` prints, so the build
// proves that Clang 14 links.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace dgc::cxx {

/// Clang's full version string, e.g. "Debian clang version 14.0.6".
std::string clangVersion();

} // namespace dgc::cxx
