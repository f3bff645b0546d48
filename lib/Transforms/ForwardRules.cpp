//===- ForwardRules.cpp - The forward-mode rule of every op ---------------===//
//
// Part of dgc. `y = op(...)`, `dx` the tangent of operand x (zero when x is
// inactive); each case returns dy, the op's Jacobian applied to the operand
// tangents. Scalar operands of element-wise ops broadcast, so their tangent
// broadcasts too. Linear ops apply themselves to the tangent; bilinear ones
// (mul, matmul, conv, convt, convw) use the product rule. Every rule emits
// ops that again have rules (map order + 1, divdiff orders 1 and 2 for a
// divdiff of order 0), so forward AD applies to reverse AD's output
// (Hessian-vector products); only divdiff of order 1 or 2 has no rule yet.
//
//===----------------------------------------------------------------------===//
#include "Transforms/ForwardRules.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

namespace dgc::transforms {

using namespace ir;

namespace {

/// A tangent of an element-wise operand, broadcast to the result's shape
/// when the operand is a scalar.
ValueId widenTo(Builder &b, ValueId d, const Shape &result) {
  if (b.type(d) == result)
    return d;
  assert(b.type(d).isScalar() && "only scalars broadcast in element-wise ops");
  return b.broadcast(d, result);
}

/// a + b where either side may be absent (-1 = zero); at least one is present.
ValueId addOpt(Builder &b, ValueId a, ValueId c) {
  assert((a >= 0 || c >= 0) && "a tangent rule with no active operand");
  if (a < 0)
    return c;
  if (c < 0)
    return a;
  return b.add(a, c);
}

[[noreturn]] void refuse(const char *why) {
  std::fprintf(stderr, "internal compiler error: forward AD: %s\n", why);
  std::abort();
}

} // namespace

ValueId emitForwardRule(TangentTable &t, ValueId y) {
  Builder &b = t.b;
  const Op op = b.function().op(y); // a copy: emitting ops reallocates
  auto x = [&](size_t i) { return op.operands[i]; };
  auto on = [&](size_t i) { return t.active(x(i)); };
  auto dx = [&](size_t i) { return t.tan[static_cast<size_t>(x(i))]; };
  auto xt = [&](size_t i) { return b.type(x(i)); };
  const Shape yt = op.type;
  b.setLoc(op.loc);

  switch (op.kind) {
  case OpKind::Input: // leaves: their tangents are set by the pass
  case OpKind::Const:
    assert(false && "leaves have no forward rule");
    return -1;

  case OpKind::Add: // dy = da + db (a scalar's tangent broadcasts)
    return addOpt(b, on(0) ? widenTo(b, dx(0), yt) : -1,
                  on(1) ? widenTo(b, dx(1), yt) : -1);

  case OpKind::Sub: // dy = da - db
    if (!on(1))
      return widenTo(b, dx(0), yt);
    if (!on(0))
      return b.neg(widenTo(b, dx(1), yt));
    return b.sub(widenTo(b, dx(0), yt), widenTo(b, dx(1), yt));

  case OpKind::Mul: // dy = da * b + a * db (mul broadcasts a scalar side)
    return addOpt(b, on(0) ? b.mul(dx(0), x(1)) : -1,
                  on(1) ? b.mul(x(0), dx(1)) : -1);

  case OpKind::Neg: // dy = -da
    return b.neg(dx(0));

  case OpKind::Map: // y = f^(n)(a): dy = da * f^(n+1)(a)
    if (op.order + 1 > maxOrder(op.fn))
      refuse("derivative order above the function's maximum");
    return b.mul(dx(0), b.map(op.fn, x(0), op.order + 1, op.k));

  case OpKind::DivDiff: // y = q(a, b): dy = dq/da * da + dq/db * db
    if (op.order != 0)
      refuse("no derivative rule for divdiff of order 1 or 2 (the derivative "
             "of dq/da and dq/db)");
    return addOpt(
        b, on(0) ? b.mul(b.divdiff(op.fn, x(0), x(1), 1, op.k), dx(0)) : -1,
        on(1) ? b.mul(b.divdiff(op.fn, x(0), x(1), 2, op.k), dx(1)) : -1);

  case OpKind::Broadcast: // y[...] = s: dy = broadcast(ds)
    return b.broadcast(dx(0), yt);

  case OpKind::Expand: // y[c, j] = a[c]: dy = expand(da, n)
    return b.expand(dx(0), yt[1]);

  case OpKind::Sum: // y = sum a: dy = sum da
    return b.sum(dx(0));

  case OpKind::SumLast: // y[c] = sum_j a[c, j]: dy = sumlast(da)
    return b.sumLast(dx(0));

  case OpKind::Reshape: // same elements: dy = reshape(da)
    return b.reshape(dx(0), yt);

  case OpKind::Slice: // y = a[s:e]: dy = da[s:e]
    return b.slice(dx(0), op.ints[0], op.ints[1]);

  case OpKind::Pad: // y = pad(a, o): dy = pad(da, o)
    return b.pad(dx(0), op.ints[0], yt[0]);

  case OpKind::Concat: { // y = [p0, p1, ...]: dy = [dp0, dp1, ...], 0 if inactive
    std::vector<ValueId> pieces;
    for (size_t i = 0; i < op.operands.size(); ++i)
      pieces.push_back(on(i) ? dx(i) : b.constant(0.0, xt(i)));
    return b.concat(pieces);
  }

  case OpKind::MatMul: {
    // Y = op(A) op(B): dY = op(dA) op(B) + op(A) op(dB), with the same flags
    // (transposition is linear). B may be a vector.
    bool tA = op.ints[0] != 0, tB = op.ints[1] != 0;
    return addOpt(b, on(0) ? b.matmul(dx(0), x(1), tA, tB) : -1,
                  on(1) ? b.matmul(x(0), dx(1), tA, tB) : -1);
  }

  case OpKind::Conv: // y = conv(K, x): dy = conv(dK, x) + conv(K, dx)
    return addOpt(b, on(0) ? b.conv(dx(0), x(1)) : -1,
                  on(1) ? b.conv(x(0), dx(1)) : -1);

  case OpKind::ConvT: // X = convt(K, z): dX = convt(dK, z) + convt(K, dz)
    return addOpt(b, on(0) ? b.convT(dx(0), x(1)) : -1,
                  on(1) ? b.convT(x(0), dx(1)) : -1);

  case OpKind::ConvW: // G = convw(z, x): dG = convw(dz, x) + convw(z, dx)
    return addOpt(b, on(0) ? b.convW(dx(0), x(1), yt[2]) : -1,
                  on(1) ? b.convW(x(0), dx(1), yt[2]) : -1);

  case OpKind::Stencil: { // y[j] = sum_s c_s a[j + o_s]: dy = same stencil of da
    std::vector<int64_t> offsets(op.ints.begin() + 1, op.ints.end());
    return b.stencil(dx(0), static_cast<int>(op.ints[0]), offsets, op.reals);
  }
  }
  assert(false && "unknown op kind");
  return -1;
}

} // namespace dgc::transforms
