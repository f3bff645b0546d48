//===- Driver.h - The dgc pipeline up to a requested stage ------*- C++ -*-===//
//
// Part of dgc. Runs source -> tokens -> AST -> Sema -> IR -> passes -> C++,
// stopping at the stage a subcommand asks for. Output files are written
// atomically (a temporary file renamed into place), so an error never leaves
// a partial file behind.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dgc::driver {

struct Options {
  std::string input;                  ///< the .dg file
  std::vector<std::string> defines;   ///< raw `NAME=VALUE` from -D
  std::string model;                  ///< --model, empty = every model
  std::string output;                 ///< -o, empty = stdout where allowed
  std::string stage;                  ///< emit: tokens|ast|ir|ddiff|sched|cpp
};

int runCheck(const Options &opts);
int runCompile(const Options &opts);
int runEmit(const Options &opts);

/// Writes `text` to `path` through a temporary file in the same folder.
/// Returns false and prints an error on failure.
bool writeFileAtomic(const std::string &path, const std::string &text);

} // namespace dgc::driver
