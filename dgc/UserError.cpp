//===- UserError.cpp - The one form of a driver-level user error ----------===//
//
// Part of dgc.
//
//===----------------------------------------------------------------------===//
#include "UserError.h"

#include <cstdio>

namespace dgc::driver {

void userError(const std::string &msg) {
  std::fprintf(stderr, "dgc: error: %s\n", msg.c_str());
}

} // namespace dgc::driver
