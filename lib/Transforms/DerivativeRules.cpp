//===- DerivativeRules.cpp - The reverse-mode rule of every op ------------===//
//
// Part of dgc. `y = op(...)`, `ybar` its adjoint; each case adds to the
// adjoints of the operands. Scalar operands of element-wise ops broadcast, so
// their adjoint is the sum of the contribution. Every rule emits ops that
// themselves have rules here (map order + 1, convt/convw, divdiff orders 1
// and 2), so reverse AD applies to its own output; only divdiff of order 1
// or 2 has no rule yet.
//
//===----------------------------------------------------------------------===//
#include "Transforms/DerivativeRules.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

namespace dgc::transforms {

using namespace ir;

void AdjointTable::accumulate(ValueId v, ValueId c) {
  if (!active[static_cast<size_t>(v)])
    return;
  assert(b.type(c) == b.type(v) && "adjoint contribution has the wrong shape");
  ValueId &a = adj[static_cast<size_t>(v)];
  a = a < 0 ? c : b.add(a, c);
}

namespace {

/// A contribution of the result's shape, summed when the operand is a scalar
/// that the element-wise op broadcast.
ValueId reduceTo(Builder &b, ValueId c, const Shape &operand) {
  if (b.type(c) == operand)
    return c;
  assert(operand.isScalar() && "only scalars broadcast in element-wise ops");
  return b.sum(c);
}

[[noreturn]] void refuse(const char *why) {
  std::fprintf(stderr, "internal compiler error: reverse AD: %s\n", why);
  std::abort();
}

} // namespace

void emitReverseRule(AdjointTable &t, ValueId y, ValueId ybar) {
  Builder &b = t.b;
  const Op op = b.function().op(y); // a copy: emitting ops reallocates
  auto x = [&](size_t i) { return op.operands[i]; };
  auto on = [&](size_t i) { return t.active[static_cast<size_t>(x(i))]; };
  auto xt = [&](size_t i) { return b.type(x(i)); };
  // The other operand of a bilinear rule (the midpoint in the discrete case).
  auto P = [&](size_t i) { return t.point(x(i)); };
  b.setLoc(op.loc);

  switch (op.kind) {
  case OpKind::Input: // leaves: nothing to propagate
  case OpKind::Const:
    break;

  case OpKind::Add: // abar += ybar, bbar += ybar (summed if broadcast)
    if (on(0))
      t.accumulate(x(0), reduceTo(b, ybar, xt(0)));
    if (on(1))
      t.accumulate(x(1), reduceTo(b, ybar, xt(1)));
    break;

  case OpKind::Sub: // abar += ybar, bbar -= ybar
    if (on(0))
      t.accumulate(x(0), reduceTo(b, ybar, xt(0)));
    if (on(1))
      t.accumulate(x(1), b.neg(reduceTo(b, ybar, xt(1))));
    break;

  case OpKind::Mul: // abar += ybar * b, bbar += ybar * a
    // (discrete: abar += ybar * (b(u) + b(v))/2, the averaged product rule)
    if (on(0))
      t.accumulate(x(0), reduceTo(b, b.mul(ybar, P(1)), xt(0)));
    if (on(1))
      t.accumulate(x(1), reduceTo(b, b.mul(ybar, P(0)), xt(1)));
    break;

  case OpKind::Neg: // abar -= ybar
    t.accumulate(x(0), b.neg(ybar));
    break;

  case OpKind::Map: // y = f^(n)(a): abar += ybar * f^(n+1)(a)
    // (discrete: abar += ybar * q(a(u), a(v)), the divided difference)
    if (t.mapSlope) {
      t.accumulate(x(0), b.mul(ybar, t.mapSlope(op)));
      break;
    }
    if (op.order + 1 > maxOrder(op.fn))
      refuse("derivative order above the function's maximum");
    t.accumulate(x(0), b.mul(ybar, b.map(op.fn, x(0), op.order + 1, op.k)));
    break;

  case OpKind::DivDiff: // y = q(a, b): abar += ybar dq/da, bbar += ybar dq/db
    if (t.mapSlope)
      refuse("the discrete gradient of a divided difference is not defined");
    if (op.order != 0)
      refuse("no derivative rule for divdiff of order 1 or 2 (the derivative "
             "of dq/da and dq/db)");
    if (on(0))
      t.accumulate(x(0), b.mul(ybar, b.divdiff(op.fn, x(0), x(1), 1, op.k)));
    if (on(1))
      t.accumulate(x(1), b.mul(ybar, b.divdiff(op.fn, x(0), x(1), 2, op.k)));
    break;

  case OpKind::Broadcast: // y[...] = s: sbar += sum(ybar)
    t.accumulate(x(0), b.sum(ybar));
    break;

  case OpKind::Expand: // y[c, j] = a[c]: abar += sumlast(ybar)
    t.accumulate(x(0), b.sumLast(ybar));
    break;

  case OpKind::Sum: // y = sum a: abar += broadcast(ybar)
    t.accumulate(x(0), xt(0).isScalar() ? ybar : b.broadcast(ybar, xt(0)));
    break;

  case OpKind::SumLast: // y[c] = sum_j a[c, j]: abar += expand(ybar, n)
    t.accumulate(x(0), b.expand(ybar, xt(0)[1]));
    break;

  case OpKind::Reshape: // same elements: abar += reshape(ybar)
    t.accumulate(x(0), b.reshape(ybar, xt(0)));
    break;

  case OpKind::Slice: // y = a[s:e]: abar += pad(ybar, s, n)
    t.accumulate(x(0), b.pad(ybar, op.ints[0], xt(0)[0]));
    break;

  case OpKind::Pad: // y = pad(a, o): abar += ybar[o : o + len(a)]
    t.accumulate(x(0), b.slice(ybar, op.ints[0], op.ints[0] + xt(0)[0]));
    break;

  case OpKind::Concat: { // y = [p0, p1, ...]: pibar += ybar[off_i : off_i + len]
    int64_t off = 0;
    for (size_t i = 0; i < op.operands.size(); ++i) {
      int64_t len = xt(i).numel();
      if (on(i))
        t.accumulate(x(i), b.reshape(b.slice(ybar, off, off + len), xt(i)));
      off += len;
    }
    break;
  }

  case OpKind::MatMul: {
    // Y = op(A) op(B): op(A)bar = Ybar op(B)^T, op(B)bar = op(A)^T Ybar,
    // transposed back where a flag is set. For a vector B (y = op(A) b):
    // op(A)bar = ybar b^T (an outer product), bbar = op(A)^T ybar.
    // (discrete: the factor that multiplies ybar is the midpoint P(.))
    bool tA = op.ints[0] != 0, tB = op.ints[1] != 0;
    ValueId A = x(0), B = x(1);
    ValueId Ap = on(1) ? P(0) : A, Bp = on(0) ? P(1) : B;
    if (xt(1).rank() == 1) {
      int64_t m = b.type(y)[0], k = xt(1)[0];
      if (on(0)) {
        ValueId col = b.reshape(tA ? Bp : ybar, Shape{tA ? k : m, 1});
        ValueId row = b.reshape(tA ? ybar : Bp, Shape{1, tA ? m : k});
        t.accumulate(A, b.matmul(col, row)); // A: ybar b^T; A^T: b ybar^T
      }
      if (on(1))
        t.accumulate(B, b.matmul(Ap, ybar, !tA)); // op(A)^T ybar
      break;
    }
    if (on(0)) {
      if (!tA) // Abar = Ybar op(B)^T
        t.accumulate(A, b.matmul(ybar, Bp, false, !tB));
      else // Abar = op(B) Ybar^T
        t.accumulate(A, b.matmul(Bp, ybar, tB, true));
    }
    if (on(1)) {
      if (!tB) // Bbar = op(A)^T Ybar
        t.accumulate(B, b.matmul(Ap, ybar, !tA, false));
      else // Bbar = Ybar^T op(A)
        t.accumulate(B, b.matmul(ybar, Ap, true, tA));
    }
    break;
  }

  case OpKind::Conv: // y = conv(K, x): Kbar += convw(ybar, x), xbar += convt(K, ybar)
    if (on(0))
      t.accumulate(x(0), b.convW(ybar, P(1), xt(0)[2]));
    if (on(1))
      t.accumulate(x(1), b.convT(P(0), ybar));
    break;

  case OpKind::ConvT:
    // X = convt(K, z), X[i,p] = sum_{o,t} K[o,i,t] z[o, p-t+w/2]:
    // zbar += conv(K, Xbar), Kbar += convw(z, Xbar).
    if (on(0))
      t.accumulate(x(0), b.convW(P(1), ybar, xt(0)[2]));
    if (on(1))
      t.accumulate(x(1), b.conv(P(0), ybar));
    break;

  case OpKind::ConvW:
    // G = convw(z, x), G[o,i,t] = sum_j z[o,j] x[i, j+t-w/2]:
    // zbar += conv(Gbar, x), xbar += convt(Gbar, z).
    if (on(0))
      t.accumulate(x(0), b.conv(ybar, P(1)));
    if (on(1))
      t.accumulate(x(1), b.convT(ybar, P(0)));
    break;

  case OpKind::Stencil: { // y[j] = sum_s c_s a[j + o_s]: abar[j] = sum_s c_s ybar[j - o_s]
    std::vector<int64_t> negated;
    for (size_t s = 1; s < op.ints.size(); ++s)
      negated.push_back(-op.ints[s]);
    t.accumulate(x(0), b.stencil(ybar, static_cast<int>(op.ints[0]), negated,
                                 op.reals));
    break;
  }
  }
}

} // namespace dgc::transforms
