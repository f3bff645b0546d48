//===- ClangVersion.cpp - The Clang the C++ front end is built with -------===//
#include "CxxFrontend/ClangVersion.h"

#include <clang/Basic/Version.h>

namespace dgc::cxx {

std::string clangVersion() { return clang::getClangFullVersion(); }

} // namespace dgc::cxx
