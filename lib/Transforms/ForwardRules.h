//===- ForwardRules.h - The forward-mode rule of every op -------*- C++ -*-===//
//
// Part of dgc. One function holds the tangent (Jacobian-vector product) rule
// of every op of Ops.def, each case with its formula beside it, in the case
// order of DerivativeRules.cpp; ForwardAD.cpp only walks the function and
// keeps the tangent table. Forward mode is what Newton's Jacobian of the
// discrete-gradient scheme needs: one sweep per direction.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Builder.h"

#include <vector>

namespace dgc::transforms {

/// The state of one forward sweep: the function being built (whose first ops
/// are a copy of the forward ops, so a forward value has the same id in
/// both) and the tangent of each forward value (-1 = zero, i.e. the value
/// does not depend on a differentiated input).
struct TangentTable {
  ir::Builder &b;
  std::vector<ir::ValueId> tan;

  TangentTable(ir::Builder &b, size_t n) : b(b), tan(n, -1) {}

  /// Is forward value `v` active (does it have a tangent)?
  bool active(ir::ValueId v) const { return tan[static_cast<size_t>(v)] >= 0; }
};

/// Emits the tangent of op `y` from the tangents of its operands and returns
/// it. Call only when at least one operand of `y` is active; inactive
/// operands contribute zero.
ir::ValueId emitForwardRule(TangentTable &t, ir::ValueId y);

} // namespace dgc::transforms
