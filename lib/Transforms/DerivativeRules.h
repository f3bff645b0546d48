//===- DerivativeRules.h - The reverse-mode rule of every op ----*- C++ -*-===//
//
// Part of dgc. One function holds the adjoint rule of every op of Ops.def,
// each case with its formula beside it (Halide's Derivative.cpp, Enzyme's
// rule tables); ReverseAD.cpp only walks the function and keeps the adjoint
// table. The discrete-gradient rules, when they arrive, sit in a sibling
// table with the same case order.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Builder.h"

#include <functional>
#include <vector>

namespace dgc::transforms {

/// The state of one reverse sweep: the function being built (whose first
/// ops are a copy of the forward ops, so a forward value has the same id in
/// both), the adjoint of each value so far (-1 = zero), and which values are
/// active (depend on a differentiated input and reach the result).
struct AdjointTable {
  ir::Builder &b;
  std::vector<ir::ValueId> adj;
  std::vector<bool> active;

  /// The value a bilinear rule (mul, matmul, conv, convt, convw)
  /// multiplies the adjoint by in place of forward value `v`. Unset: `v`
  /// itself (reverse AD). The discrete gradient sets the midpoint of v's
  /// values at the two states.
  std::function<ir::ValueId(ir::ValueId)> linearization;
  /// The factor of an element-wise map `y = f(x)`: unset, f'(x) (a map of
  /// order + 1); the discrete gradient sets the divided difference.
  std::function<ir::ValueId(const ir::Op &)> mapSlope;

  AdjointTable(ir::Builder &b, size_t n)
      : b(b), adj(n, -1), active(n, false) {}

  ir::ValueId point(ir::ValueId v) const {
    return linearization ? linearization(v) : v;
  }

  /// adj[v] += contribution (ignored when v is not active).
  void accumulate(ir::ValueId v, ir::ValueId contribution);
};

/// Emits the adjoint contributions of op `y` (with adjoint `ybar`) to its
/// active operands.
void emitReverseRule(AdjointTable &t, ir::ValueId y, ir::ValueId ybar);

} // namespace dgc::transforms
