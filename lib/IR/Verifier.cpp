//===- Verifier.cpp - Structural checks of the IR -------------------------===//
//
// Part of dgc. Checks, op by op: operand count (Ops.def arity), operands that
// refer to earlier ops, the attribute counts and ranges each op needs, and
// the shape preconditions of its Builder rule. When those hold, the expected
// result type is computed by the Builder itself on a scratch function, so the
// verifier and the type rules cannot drift apart. Then the signature: every
// listed input is an Input op, every Input op is listed once, results exist.
//
//===----------------------------------------------------------------------===//
#include "IR/Verifier.h"

#include "IR/Builder.h"

#include <fmt/format.h>

#include <set>

namespace dgc::ir {

namespace {

/// Shape preconditions and attribute checks of `op`; empty when they hold.
std::string checkPreconditions(const Function &f, const Op &op) {
  auto t = [&](size_t i) -> const Shape & { return f.type(op.operands[i]); };
  switch (op.kind) {
  case OpKind::Input:
    if (op.name.empty())
      return "input has no name";
    return "";
  case OpKind::Const:
    return "";
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
    if (t(0) != t(1) && !t(0).isScalar() && !t(1).isScalar())
      return fmt::format("operands of different shapes {} and {}", t(0).str(),
                         t(1).str());
    return "";
  case OpKind::Neg:
  case OpKind::Sum:
    return "";
  case OpKind::Reshape:
    if (op.type.numel() != t(0).numel())
      return fmt::format("reshape of {} elements to {}", t(0).numel(),
                         op.type.str());
    return "";
  case OpKind::Map:
  case OpKind::DivDiff:
    if (op.kind == OpKind::DivDiff && t(0) != t(1))
      return "divdiff points of different shapes";
    if (op.fn == Fn::PowI && op.k < 1)
      return "powi needs an exponent k >= 1";
    if (op.order < 0)
      return "negative order";
    if (op.kind == OpKind::Map && op.order > maxOrder(op.fn))
      return fmt::format("order {} exceeds the maximum {} of {}", op.order,
                         maxOrder(op.fn), spelling(op.fn));
    if (op.kind == OpKind::DivDiff && op.order > 2)
      return "divdiff order must be 0, 1 or 2";
    return "";
  case OpKind::Broadcast:
    if (!t(0).isScalar())
      return "broadcast of a non-scalar";
    return "";
  case OpKind::Expand:
    if (t(0).rank() != 1 || op.type.rank() != 2)
      return "expand must take rank 1 to rank 2";
    return "";
  case OpKind::SumLast:
    if (t(0).rank() != 2)
      return "sumlast of a value that is not rank 2";
    return "";
  case OpKind::Slice:
    if (op.ints.size() != 2)
      return "slice needs ints = [begin, end]";
    if (t(0).rank() != 1 || op.ints[0] < 0 || op.ints[0] >= op.ints[1] ||
        op.ints[1] > t(0)[0])
      return "slice bounds out of range";
    return "";
  case OpKind::Pad:
    if (op.ints.size() != 1)
      return "pad needs ints = [offset]";
    if (t(0).rank() != 1 || op.type.rank() != 1 || op.ints[0] < 0 ||
        op.ints[0] + t(0)[0] > op.type[0])
      return "pad offset out of range";
    return "";
  case OpKind::Concat:
    if (op.operands.empty())
      return "concat of nothing";
    for (size_t i = 0; i < op.operands.size(); ++i)
      if (t(i).rank() > 1)
        return "concat piece of rank > 1";
    return "";
  case OpKind::MatMul: {
    if (op.ints.size() != 2 || op.ints[0] < 0 || op.ints[0] > 1 ||
        op.ints[1] < 0 || op.ints[1] > 1)
      return "matmul needs ints = [transA, transB] of 0/1";
    if (t(0).rank() != 2 || (t(1).rank() != 1 && t(1).rank() != 2))
      return "matmul needs a rank-2 A and a rank-1 or rank-2 B";
    if (op.ints[1] && t(1).rank() == 1)
      return "matmul transB with a rank-1 B";
    int64_t ka = op.ints[0] ? t(0)[0] : t(0)[1];
    int64_t kb = t(1).rank() == 1 ? t(1)[0] : (op.ints[1] ? t(1)[1] : t(1)[0]);
    if (ka != kb)
      return "matmul inner extents differ";
    return "";
  }
  case OpKind::Conv:
    if (t(0).rank() != 3 || t(1).rank() < 2 || t(0)[1] != t(1)[0])
      return "conv needs K[o,i,w] and x[i,n,...]";
    return "";
  case OpKind::ConvT:
    if (t(0).rank() != 3 || t(1).rank() < 2 || t(0)[0] != t(1)[0])
      return "convt needs K[o,i,w] and ybar[o,n,...]";
    return "";
  case OpKind::ConvW: {
    bool same = t(0).rank() >= 2 && t(0).rank() == t(1).rank();
    for (int i = 1; same && i < t(0).rank(); ++i)
      same = t(0)[i] == t(1)[i];
    if (!same || op.type.rank() != 3 || op.type[2] < 1)
      return "convw needs ybar[o,n,...], x[i,n,...] and a type [o,i,w]";
    return "";
  }
  case OpKind::Stencil:
    if (op.ints.empty() || op.ints.size() != op.reals.size() + 1 ||
        op.reals.empty())
      return "stencil needs ints = [axis, offsets...] and one real per offset";
    if (op.ints[0] < 0 || op.ints[0] >= t(0).rank())
      return "stencil axis out of range";
    return "";
  }
  return "";
}

/// The type the Builder gives `op` (whose preconditions hold).
Shape builderType(const Function &f, const Op &op) {
  Function scratch;
  Builder b(scratch);
  std::vector<ValueId> args;
  for (ValueId v : op.operands)
    args.push_back(b.input("a" + std::to_string(args.size()), f.type(v)));
  auto a = [&](size_t i) { return args[i]; };
  ValueId r = -1;
  switch (op.kind) {
  case OpKind::Input: r = b.input(op.name, op.type, op.param); break;
  case OpKind::Const: r = b.constant(op.real, op.type); break;
  case OpKind::Add: r = b.add(a(0), a(1)); break;
  case OpKind::Sub: r = b.sub(a(0), a(1)); break;
  case OpKind::Mul: r = b.mul(a(0), a(1)); break;
  case OpKind::Neg: r = b.neg(a(0)); break;
  case OpKind::Map: r = b.map(op.fn, a(0), op.order, op.k); break;
  case OpKind::DivDiff:
    r = b.divdiff(op.fn, a(0), a(1), op.order, op.k);
    break;
  case OpKind::Broadcast: r = b.broadcast(a(0), op.type); break;
  case OpKind::Expand: r = b.expand(a(0), op.type[1]); break;
  case OpKind::Sum: r = b.sum(a(0)); break;
  case OpKind::SumLast: r = b.sumLast(a(0)); break;
  case OpKind::Reshape: r = b.reshape(a(0), op.type); break;
  case OpKind::Slice: r = b.slice(a(0), op.ints[0], op.ints[1]); break;
  case OpKind::Pad: r = b.pad(a(0), op.ints[0], op.type[0]); break;
  case OpKind::Concat: r = b.concat(args); break;
  case OpKind::MatMul:
    r = b.matmul(a(0), a(1), op.ints[0] != 0, op.ints[1] != 0);
    break;
  case OpKind::Conv: r = b.conv(a(0), a(1)); break;
  case OpKind::ConvT: r = b.convT(a(0), a(1)); break;
  case OpKind::ConvW: r = b.convW(a(0), a(1), op.type[2]); break;
  case OpKind::Stencil: {
    std::vector<int64_t> offsets(op.ints.begin() + 1, op.ints.end());
    r = b.stencil(a(0), static_cast<int>(op.ints[0]), offsets, op.reals);
    break;
  }
  }
  return scratch.type(r);
}

std::string verifyOp(const Function &f, ValueId v) {
  const Op &op = f.op(v);
  int ar = arity(op.kind);
  if (ar >= 0 && static_cast<int>(op.operands.size()) != ar)
    return fmt::format("{} has {} operands, expected {}", mnemonic(op.kind),
                       op.operands.size(), ar);
  for (ValueId o : op.operands)
    if (o < 0 || o >= v)
      return fmt::format("operand %{} does not precede its user", o);
  std::string err = checkPreconditions(f, op);
  if (!err.empty())
    return fmt::format("{}: {}", mnemonic(op.kind), err);
  Shape expected = builderType(f, op);
  if (expected != op.type)
    return fmt::format("{} has type {}, its type rule gives {}",
                       mnemonic(op.kind), op.type.str(), expected.str());
  return "";
}

} // namespace

std::string verify(const Function &f) {
  auto where = [&](ValueId v) { return fmt::format("@{}: %{}: ", f.name, v); };
  for (size_t i = 0; i < f.ops.size(); ++i) {
    std::string err = verifyOp(f, static_cast<ValueId>(i));
    if (!err.empty())
      return where(static_cast<ValueId>(i)) + err;
  }
  std::set<ValueId> listed;
  std::set<std::string> names;
  for (ValueId v : f.inputs) {
    if (v < 0 || static_cast<size_t>(v) >= f.ops.size() ||
        f.op(v).kind != OpKind::Input)
      return fmt::format("@{}: input %{} is not an input op", f.name, v);
    // Arguments and parameters are separate name spaces.
    std::string key = (f.op(v).param ? "param:" : "arg:") + f.op(v).name;
    if (!listed.insert(v).second || !names.insert(key).second)
      return fmt::format("@{}: input %{} listed twice", f.name, v);
  }
  for (size_t i = 0; i < f.ops.size(); ++i)
    if (f.ops[i].kind == OpKind::Input && !listed.count(static_cast<ValueId>(i)))
      return where(static_cast<ValueId>(i)) + "input op not in the signature";
  if (f.results.empty())
    return fmt::format("@{}: no results", f.name);
  if (f.resultNames.size() != f.results.size())
    return fmt::format("@{}: {} results but {} result names", f.name,
                       f.results.size(), f.resultNames.size());
  for (ValueId r : f.results)
    if (r < 0 || static_cast<size_t>(r) >= f.ops.size())
      return fmt::format("@{}: result %{} does not exist", f.name, r);
  return "";
}

} // namespace dgc::ir
