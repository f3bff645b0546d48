//===- UserError.h - The one form of a driver-level user error --*- C++ -*-===//
//
// Part of dgc. Errors about the command line, files and the programs dgc
// builds are printed as `dgc: error: MESSAGE`; errors in a model's source go
// through DiagnosticEngine instead, with file:line:col.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace dgc::driver {

/// Prints `dgc: error: MSG` and a newline to stderr.
void userError(const std::string &msg);

} // namespace dgc::driver
