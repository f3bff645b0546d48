//===- Driver.h - The dgc pipeline up to a requested stage ------*- C++ -*-===//
//
// Part of dgc. Runs source -> tokens -> AST -> Sema -> IR -> passes -> C++,
// stopping at the stage a subcommand asks for. Output files are written
// atomically (a temporary file renamed into place), so an error never leaves
// a partial file behind.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

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
  /// compile, emit, train: how the training functions compute divided
  /// differences, "exact" (also when empty) or "reference"
  /// (codegen::DgNumerics).
  std::string dgNumerics;
  // C++ input (dgc/CxxInput.h): --function, --structure, --grid, -- FLAGS.
  std::string function, structure, grid;
  std::vector<std::string> cxxFlags;
};

int runCheck(const Options &opts);
int runCompile(const Options &opts);
int runEmit(const Options &opts);

/// Runs the pipeline to the IR for `opts` (a .dg or C++ input) and emits
/// the header; false when a user error was reported.
bool buildModels(const Options &opts, std::vector<ir::ModelIR> &out,
                 std::string &headerText);

/// Writes `text` to `path` through a temporary file in the same folder.
/// Returns false and prints an error on failure.
bool writeFileAtomic(const std::string &path, const std::string &text);

} // namespace dgc::driver
