//===- EnergyDensity.cpp - The energy as a sum over grid points -----------===//
//
// Part of dgc. A distributed run needs the energy of each rank's points,
// so that the global H is one MPI sum. For an energy that is an affine
// combination of grid sums, H = c0 + sum_k c_k sum(x_k) with c_k free of u,
// the density e = c0 / N + sum_k c_k x_k (a field) has sum(e) = H: this
// pass walks H's expression from the result down, through +, -, negation
// and products with u-free factors, to the sums, and rebuilds it on the
// summands. Anything else above a sum (a square of a sum, a sum inside a
// tanh) makes H non-local, and the pass says where.
//
//===----------------------------------------------------------------------===//
#include "Transforms/Passes.h"

#include "IR/Builder.h"

#include <fmt/core.h>

namespace dgc::transforms {

namespace {

using ir::Function;
using ir::Op;
using ir::OpKind;
using ir::ValueId;

class DensityBuilder {
public:
  DensityBuilder(Function &f, const Shape &points, double total)
      : f(f), b(f), points(points), total(total) {
    dependsOnU.assign(f.ops.size(), false);
    for (size_t i = 0; i < f.ops.size(); ++i) {
      const Op &op = f.ops[i];
      bool d = op.kind == OpKind::Input && !op.param;
      for (ValueId o : op.operands)
        d = d || dependsOnU[static_cast<size_t>(o)];
      dependsOnU[i] = d;
    }
  }

  /// A value of shape `points` whose sum is the scalar `v`; -1 (and
  /// `failure`) when v is not an affine combination of grid sums.
  ValueId density(ValueId v) {
    const Op op = f.op(v); // a copy: building appends to f.ops
    b.setLoc(op.loc);
    if (!dependsOnU[static_cast<size_t>(v)])
      return b.broadcast(b.mul(v, b.constant(1.0 / total)), points);
    switch (op.kind) {
    case OpKind::Sum:
      return summand(op.operands[0], op);
    case OpKind::Add:
    case OpKind::Sub: {
      ValueId l = density(op.operands[0]);
      ValueId r = l < 0 ? -1 : density(op.operands[1]);
      if (r < 0)
        return -1;
      return op.kind == OpKind::Add ? b.add(l, r) : b.sub(l, r);
    }
    case OpKind::Neg: {
      ValueId x = density(op.operands[0]);
      return x < 0 ? -1 : b.neg(x);
    }
    case OpKind::Mul: {
      ValueId a = op.operands[0], c = op.operands[1];
      if (dependsOnU[static_cast<size_t>(a)])
        std::swap(a, c);
      if (dependsOnU[static_cast<size_t>(a)] || f.type(a).rank() != 0)
        return fail(op, "a product of two sums over the grid");
      ValueId x = density(c);
      return x < 0 ? -1 : b.mul(a, x);
    }
    case OpKind::Reshape:
      if (f.type(op.operands[0]).numel() == 1)
        return density(op.operands[0]);
      return fail(op, "a reshape of the energy");
    case OpKind::Map:
    case OpKind::DivDiff:
      return fail(op, fmt::format("'{}' of a sum over the grid",
                                  ir::spelling(op.fn)));
    case OpKind::MatMul:
      return fail(op, "a matrix product across the grid's points: an mlp "
                      "over the whole state or a dense matrix over a field");
    default:
      return fail(op, fmt::format("'{}' over the whole state",
                                  ir::mnemonic(op.kind)));
    }
  }

  std::string failure;
  SourceLoc where;

private:
  Function &f;
  ir::Builder b;
  Shape points;
  double total;
  std::vector<bool> dependsOnU;

  /// The summand x of sum(x) as a field of `points`: x itself, or for a
  /// stack [c, n] of fields on a 1-D grid its sum over c (a [1, c] row of
  /// ones times x).
  ValueId summand(ValueId x, const Op &sum) {
    const Shape &t = f.type(x);
    if (t == points)
      return x;
    if (points.rank() == 1 && t.rank() == 2 && t[1] == points[0]) {
      ValueId ones = b.constant(1.0, Shape{1, t[0]});
      return b.reshape(b.matmul(ones, x), points);
    }
    return fail(sum, fmt::format("a sum over {} values, not over the grid's "
                                 "points {}",
                                 t.str(), points.str()));
  }

  ValueId fail(const Op &op, const std::string &why) {
    if (failure.empty()) {
      failure = why;
      where = op.loc;
    }
    return -1;
  }
};

} // namespace

std::optional<ir::Function> energyDensity(const ir::Function &energy,
                                          const Shape &points, double total,
                                          std::string &why, SourceLoc &where) {
  Function f = energy;
  f.name = "energy_density";
  DensityBuilder d(f, points, total);
  ValueId e = d.density(f.results[0]);
  if (e < 0) {
    why = d.failure;
    where = d.where;
    return std::nullopt;
  }
  f.results = {e};
  f.resultNames = {"density"};
  simplify(f);
  return f;
}

} // namespace dgc::transforms
