//===- Builder.cpp - Type rules of the IR's ops ---------------------------===//
//
// Part of dgc. Each builder method states its op's shape rule as asserts and
// computes the result type. Shape errors in user programs are reported by
// Sema before lowering; an assert firing here is a compiler bug.
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"

#include <cassert>

namespace dgc::ir {

namespace {
Op makeOp(OpKind k, Shape type, std::vector<ValueId> operands) {
  Op op;
  op.kind = k;
  op.type = std::move(type);
  op.operands = std::move(operands);
  return op;
}

/// Element-wise binary ops: equal shapes, or one side scalar.
Shape elementwiseType(const Shape &a, const Shape &b) {
  if (a == b || b.isScalar())
    return a;
  assert(a.isScalar() && "element-wise operands must match or be scalar");
  return b;
}
} // namespace

ValueId Builder::push(Op op) {
  op.loc = loc;
  f.ops.push_back(std::move(op));
  return static_cast<ValueId>(f.ops.size() - 1);
}

ValueId Builder::append(Op op) {
  for ([[maybe_unused]] ValueId v : op.operands)
    assert(v >= 0 && static_cast<size_t>(v) < f.ops.size());
  f.ops.push_back(std::move(op));
  return static_cast<ValueId>(f.ops.size() - 1);
}

ValueId Builder::input(const std::string &name, Shape type, bool param) {
  Op op = makeOp(OpKind::Input, std::move(type), {});
  op.name = name;
  op.param = param;
  ValueId v = push(std::move(op));
  f.inputs.push_back(v);
  return v;
}

ValueId Builder::constant(double value, Shape type) {
  Op op = makeOp(OpKind::Const, std::move(type), {});
  op.real = value;
  return push(std::move(op));
}

ValueId Builder::add(ValueId a, ValueId b) {
  return push(makeOp(OpKind::Add, elementwiseType(type(a), type(b)), {a, b}));
}
ValueId Builder::sub(ValueId a, ValueId b) {
  return push(makeOp(OpKind::Sub, elementwiseType(type(a), type(b)), {a, b}));
}
ValueId Builder::mul(ValueId a, ValueId b) {
  return push(makeOp(OpKind::Mul, elementwiseType(type(a), type(b)), {a, b}));
}
ValueId Builder::neg(ValueId a) {
  return push(makeOp(OpKind::Neg, type(a), {a}));
}

ValueId Builder::map(Fn fn, ValueId a, int order, int k) {
  assert(fn != Fn::PowI || k >= 1);
  Op op = makeOp(OpKind::Map, type(a), {a});
  op.fn = fn;
  op.order = order;
  op.k = k;
  return push(std::move(op));
}

ValueId Builder::divdiff(Fn fn, ValueId a, ValueId b, int order, int k) {
  assert(type(a) == type(b) && "divdiff points must have one shape");
  assert(order >= 0 && order <= 2);
  Op op = makeOp(OpKind::DivDiff, type(a), {a, b});
  op.fn = fn;
  op.order = order;
  op.k = k;
  return push(std::move(op));
}

ValueId Builder::broadcast(ValueId s, Shape t) {
  assert(type(s).isScalar());
  return push(makeOp(OpKind::Broadcast, std::move(t), {s}));
}

ValueId Builder::expand(ValueId a, int64_t n) {
  assert(type(a).rank() == 1);
  return push(makeOp(OpKind::Expand, Shape{type(a)[0], n}, {a}));
}

ValueId Builder::sum(ValueId a) {
  return push(makeOp(OpKind::Sum, Shape(), {a}));
}

ValueId Builder::sumLast(ValueId a) {
  assert(type(a).rank() == 2);
  return push(makeOp(OpKind::SumLast, Shape{type(a)[0]}, {a}));
}

ValueId Builder::reshape(ValueId a, Shape t) {
  assert(t.numel() == type(a).numel());
  if (t == type(a))
    return a;
  return push(makeOp(OpKind::Reshape, std::move(t), {a}));
}

ValueId Builder::slice(ValueId a, int64_t begin, int64_t end) {
  assert(type(a).rank() == 1 && 0 <= begin && begin < end &&
         end <= type(a)[0]);
  Op op = makeOp(OpKind::Slice, Shape{end - begin}, {a});
  op.ints = {begin, end};
  return push(std::move(op));
}

ValueId Builder::pad(ValueId a, int64_t offset, int64_t total) {
  assert(type(a).rank() == 1 && offset >= 0 &&
         offset + type(a)[0] <= total);
  Op op = makeOp(OpKind::Pad, Shape{total}, {a});
  op.ints = {offset};
  return push(std::move(op));
}

ValueId Builder::concat(const std::vector<ValueId> &pieces) {
  int64_t n = 0;
  for (ValueId p : pieces) {
    assert(type(p).rank() <= 1);
    n += type(p).numel();
  }
  return push(makeOp(OpKind::Concat, Shape{n}, pieces));
}

ValueId Builder::matmul(ValueId a, ValueId b, bool transA, bool transB) {
  const Shape &ta = type(a), &tb = type(b);
  assert(ta.rank() == 2 && (tb.rank() == 1 || tb.rank() == 2));
  assert(!(transB && tb.rank() == 1));
  int64_t m = transA ? ta[1] : ta[0];
  [[maybe_unused]] int64_t ka = transA ? ta[0] : ta[1];
  int64_t kb = tb.rank() == 1 ? tb[0] : (transB ? tb[1] : tb[0]);
  assert(ka == kb && "matmul inner extents differ");
  (void)kb;
  Shape t = tb.rank() == 1 ? Shape{m} : Shape{m, transB ? tb[0] : tb[1]};
  Op op = makeOp(OpKind::MatMul, std::move(t), {a, b});
  op.ints = {transA ? 1 : 0, transB ? 1 : 0};
  return push(std::move(op));
}

namespace {
/// `s` with its first extent replaced by `c` (a conv's channels).
Shape withChannels(const Shape &s, int64_t c) {
  std::vector<int64_t> d = {c};
  for (int i = 1; i < s.rank(); ++i)
    d.push_back(s[i]);
  return Shape(std::move(d));
}
/// Same extents after the channel axis.
bool sameSignal(const Shape &a, const Shape &b) {
  if (a.rank() != b.rank())
    return false;
  for (int i = 1; i < a.rank(); ++i)
    if (a[i] != b[i])
      return false;
  return true;
}
} // namespace

ValueId Builder::conv(ValueId kernel, ValueId x) {
  const Shape &tk = type(kernel), &tx = type(x);
  assert(tk.rank() == 3 && tx.rank() >= 2 && tk[1] == tx[0]);
  return push(makeOp(OpKind::Conv, withChannels(tx, tk[0]), {kernel, x}));
}

ValueId Builder::convT(ValueId kernel, ValueId ybar) {
  const Shape &tk = type(kernel), &ty = type(ybar);
  assert(tk.rank() == 3 && ty.rank() >= 2 && tk[0] == ty[0]);
  return push(makeOp(OpKind::ConvT, withChannels(ty, tk[1]), {kernel, ybar}));
}

ValueId Builder::convW(ValueId ybar, ValueId x, int64_t width) {
  const Shape &ty = type(ybar), &tx = type(x);
  assert(ty.rank() >= 2 && sameSignal(ty, tx));
  (void)sameSignal;
  return push(makeOp(OpKind::ConvW, Shape{ty[0], tx[0], width}, {ybar, x}));
}

ValueId Builder::stencil(ValueId a, int axis,
                         const std::vector<int64_t> &offsets,
                         const std::vector<double> &coeffs) {
  assert(axis >= 0 && axis < type(a).rank());
  assert(offsets.size() == coeffs.size() && !offsets.empty());
  Op op = makeOp(OpKind::Stencil, type(a), {a});
  op.ints.push_back(axis);
  op.ints.insert(op.ints.end(), offsets.begin(), offsets.end());
  op.reals = coeffs;
  return push(std::move(op));
}

} // namespace dgc::ir
