//===- Builder.h - Appends ops to a Function --------------------*- C++ -*-===//
//
// Part of dgc. Every op is created through a Builder, which computes the
// result type from the operands (asserting the shape rules: user shape errors
// are Sema's job, a violation here is a compiler bug) and appends the op.
// Lowering and every pass use it, so a new op's type rule lives in one place.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

namespace dgc::ir {

class Builder {
public:
  explicit Builder(Function &f) : f(f) {}

  Function &function() { return f; }
  /// Location given to ops created from now on.
  void setLoc(SourceLoc l) { loc = l; }
  SourceLoc currentLoc() const { return loc; }

  /// A function argument; `param` marks a model parameter.
  ValueId input(const std::string &name, Shape type, bool param = false);
  ValueId constant(double value, Shape type = Shape());

  ValueId add(ValueId a, ValueId b);
  ValueId sub(ValueId a, ValueId b);
  ValueId mul(ValueId a, ValueId b);
  ValueId neg(ValueId a);
  ValueId map(Fn fn, ValueId a, int order = 0, int k = 0);
  ValueId divdiff(Fn fn, ValueId a, ValueId b, int order = 0, int k = 0);

  ValueId broadcast(ValueId scalar, Shape type);
  ValueId expand(ValueId a, int64_t n);
  ValueId sum(ValueId a);
  ValueId sumLast(ValueId a);
  ValueId reshape(ValueId a, Shape type);
  ValueId slice(ValueId a, int64_t begin, int64_t end);
  ValueId pad(ValueId a, int64_t offset, int64_t total);
  ValueId concat(const std::vector<ValueId> &pieces);

  ValueId matmul(ValueId a, ValueId b, bool transA = false,
                 bool transB = false);
  ValueId conv(ValueId kernel, ValueId x);
  ValueId convT(ValueId kernel, ValueId ybar);
  ValueId convW(ValueId ybar, ValueId x, int64_t width);
  /// Periodic stencil along `axis`: sum_s coeffs[s] * a[j + offsets[s]].
  ValueId stencil(ValueId a, int axis, const std::vector<int64_t> &offsets,
                  const std::vector<double> &coeffs);

  /// Appends a fully formed op (used by passes that copy ops).
  ValueId append(Op op);

  const Shape &type(ValueId v) const { return f.type(v); }

private:
  ValueId push(Op op);
  Function &f;
  SourceLoc loc;
};

} // namespace dgc::ir
