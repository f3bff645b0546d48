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

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dgc::driver {

/// What tile to build: `tile` interior points per axis, or with `ranks` >
/// 0 the largest tile up to kMaxTile that fits in every patch of a grid
/// split among that many ranks.
struct LocalTileRequest {
  std::array<int64_t, 2> tile = {0, 0};
  int ranks = 0;
  bool requested() const { return ranks > 0 || tile[0] > 0; }
};

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
  /// Also emit each model's local-tile kernels (`local` namespace) for
  /// distributed runs: --local-tile, or `simulate --backend petsc`.
  LocalTileRequest local;
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
