//===- Process.h - Running helper programs --------------------*- C++ -*-===//
//
// Part of dgc. How the driver runs other programs (the C++ compiler and the
// simulation binary of `dgc simulate`, dgc_dataset for `dgc dataset`):
// posix_spawn with the caller's stdio and environment.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace dgc::driver {

/// Runs argv (argv[0] searched in PATH when it has no '/'), inheriting
/// stdio; returns its exit status (128 + signal when killed), or -1 if it
/// could not start.
int runProcess(const std::vector<std::string> &argv);

/// runProcess for the programs dgc hands a command to (the compiled
/// simulate/train/eval programs, dgc_dataset, mpiexec): returns their
/// status, after one `dgc: error:` line when it could not start (then 1)
/// or when it was killed by a signal (then 128 + the signal), so that a
/// crashed program never ends dgc silently.
int runProgram(const std::vector<std::string> &argv);

/// The folder holding the running dgc binary (/proc/self/exe), or "" when
/// it cannot be found.
std::string selfDirectory();

} // namespace dgc::driver
