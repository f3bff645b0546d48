//===- Sparsity.h - Jacobian sparsity facts of a model ----------*- C++ -*-===//
//
// Part of dgc. What the sparsity analysis (Transforms/Sparsity.cpp) and the
// column colouring (Transforms/Colouring.cpp) find out about a Jacobian of
// one of the model's functions, and how the pipeline computes its values
// (Transforms/Pipeline.cpp): IR in, facts out. The emitter turns the facts
// into a CSR pattern and a `<base>_jacobian_sparse` function; the runtime's
// sparse Newton solves with them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dgc::ir {

/// The dependency pattern of result 0 of `function` on its input `wrt`
/// (rows: result elements, columns: input elements), in CSR with ascending
/// columns. Structural: an entry is there when the IR lets the output
/// element depend on the input element, whatever the values.
struct JacobianPattern {
  std::string function, wrt;
  int64_t rows = 0, cols = 0;
  /// Too many entries to list (a reduction or a product across the whole
  /// input feeding every row): treat every row as full; rowPtr, colIdx empty.
  bool dense = false;
  std::vector<int64_t> rowPtr; ///< rows + 1
  std::vector<int32_t> colIdx; ///< nnz
  int64_t nnz() const { return rowPtr.empty() ? 0 : rowPtr.back(); }
};

/// A pattern that is the same stencil at every grid point: every state
/// variable is a field on one grid, and row (variable a, point p) has the
/// columns (variable b, point p + o) for every offset o of block (a, b).
struct StencilForm {
  int dims = 1;                   ///< 1 or 2
  int64_t n[2] = {0, 1};          ///< points along x, y
  std::vector<int64_t> varOffset; ///< first element of each field in u
  struct Block {
    int rowVar = 0, colVar = 0;
    std::vector<std::array<int64_t, 2>> offsets; ///< (dx, dy), ascending column
  };
  std::vector<Block> blocks;
};

/// A Curtis-Powell-Reid colouring of the columns: no two columns of one
/// colour share a row, so one forward-mode product per colour recovers
/// every entry.
struct Colouring {
  int64_t colours = 0;
  std::vector<int32_t> colour; ///< per column
  /// How a stencil form's colours follow from the grid point (x, y) of
  /// field v (Listed: no rule, the colours are listed):
  ///   Product: v * px * py + (y mod py) * px + x mod px   (rule = {px, py, 0})
  ///   Linear:  v * K + (a x + b y) mod K                 (rule = {a, b, K})
  enum class Kind { Listed, Product, Linear } kind = Kind::Listed;
  int64_t rule[3] = {0, 0, 0};
};

/// One Jacobian the sparsity analysis looked at; the model provides it as
/// `<base>_jacobian_sparse` unless `denseReason` says why not.
struct SparseJacobian {
  std::string denseReason; ///< empty: provided in sparse form
  std::string base;     ///< "newton" (dF/dv of newton_residual) or "time_derivative"
  std::string jvp;      ///< function whose input `w` takes `tile` seed columns
  int64_t tile = 1;     ///< seed columns per call of `jvp` ([n, tile]; 1: [n])
  bool addDiagonal = false; ///< pattern includes the diagonal though F may not
  JacobianPattern pattern;
  bool stencil = false; ///< `form` describes the pattern
  StencilForm form;
  Colouring colouring;
};

} // namespace dgc::ir
