//===- Simplify.cpp - Folding, identities, CSE and DCE --------------------===//
//
// Part of dgc. Three rebuilds of the function, repeated until the op count
// stops shrinking: (1) constant folding (a Const is a uniformly filled
// tensor, so element-wise ops, reductions and shape ops of constants fold)
// and algebraic identities (x+0, x*1, x*0, neg neg x, chains of scalar
// constant factors, a filled constant tensor beside a full operand becomes a
// scalar), each keeping the op's type by broadcasting a scalar
// where the identity would change the shape; (2) common subexpression
// elimination on (kind, type, operands, attributes), operands of add and mul
// in canonical order; (3) dead-code elimination, which keeps every input
// (the signature never changes) and every result. Values are renumbered in
// order by each rebuild.
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "IR/Interpreter.h"
#include "Transforms/Passes.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <map>

namespace dgc::transforms {

using namespace ir;

namespace {

/// A function with `f`'s name, to be filled by a rebuild.
Function emptyLike(const Function &f) {
  Function g;
  g.name = f.name;
  g.resultNames = f.resultNames;
  return g;
}

/// Copies `op` with operands remapped through `map`.
Op remapped(const Op &op, const std::vector<ValueId> &map) {
  Op c = op;
  for (ValueId &o : c.operands)
    o = map[static_cast<size_t>(o)];
  return c;
}

void finish(Function &g, const Function &f, const std::vector<ValueId> &map) {
  g.inputs.clear();
  for (ValueId v : f.inputs)
    g.inputs.push_back(map[static_cast<size_t>(v)]);
  g.results.clear();
  for (ValueId v : f.results)
    g.results.push_back(map[static_cast<size_t>(v)]);
}

//===----------------------------------------------------------------------===//
// Folding and identities
//===----------------------------------------------------------------------===//

class Folder {
public:
  explicit Folder(Builder &b) : b(b) {}

  /// The value `op` (operands already in the new function) simplifies to.
  ValueId fold(const Op &op);

private:
  Builder &b;

  bool isConst(ValueId v, double &c) const {
    const Op &o = b.function().op(v);
    if (o.kind != OpKind::Const)
      return false;
    c = o.real;
    return true;
  }
  bool isConstEq(ValueId v, double value) const {
    double c;
    return isConst(v, c) && c == value;
  }
  bool isScalarConst(ValueId v, double &c) const {
    return isConst(v, c) && b.type(v).isScalar();
  }
  const Op &def(ValueId v) const { return b.function().op(v); }
  /// `v` given type `t`: v itself, or a broadcast of the scalar v.
  ValueId asType(ValueId v, const Shape &t) {
    if (b.type(v) == t)
      return v;
    assert(b.type(v).isScalar());
    double c;
    if (isConst(v, c))
      return b.constant(c, t);
    return b.broadcast(v, t);
  }
  /// `c * x` where c is a scalar constant and x an op with a scalar
  /// constant factor or a negation: the factors multiplied out.
  bool foldFactor(double c, ValueId x, ValueId &out) {
    const Op &d = def(x);
    double c2;
    if (d.kind == OpKind::Neg) {
      ValueId inner = d.operands[0]; // read before emitting moves the ops
      out = b.mul(b.constant(-c), inner);
      return true;
    }
    if (d.kind != OpKind::Mul)
      return false;
    for (int i = 0; i < 2; ++i)
      if (isScalarConst(d.operands[static_cast<size_t>(i)], c2)) {
        ValueId other = d.operands[static_cast<size_t>(1 - i)];
        out = b.mul(b.constant(c * c2), other);
        return true;
      }
    return false;
  }
};

ValueId Folder::fold(const Op &in) {
  Op op = in;
  const Shape &t = op.type;
  auto x = [&](size_t i) { return op.operands[i]; };
  double c0 = 0, c1 = 0;
  // A filled tensor beside an operand of the result's type acts as a scalar.
  if (op.kind == OpKind::Add || op.kind == OpKind::Sub ||
      op.kind == OpKind::Mul)
    for (size_t i = 0; i < 2; ++i)
      if (isConst(x(i), c0) && !b.type(x(i)).isScalar() &&
          b.type(x(1 - i)) == t)
        op.operands[i] = b.constant(c0);
  bool k0 = !op.operands.empty() && isConst(x(0), c0);
  bool k1 = op.operands.size() > 1 && isConst(x(1), c1);
  switch (op.kind) {
  case OpKind::Input:
  case OpKind::Const:
    break;
  case OpKind::Add:
    if (k0 && k1)
      return b.constant(c0 + c1, t);
    if (k1 && c1 == 0)
      return asType(x(0), t);
    if (k0 && c0 == 0)
      return asType(x(1), t);
    if (def(x(1)).kind == OpKind::Neg) // a + (-b) = a - b
      return b.sub(x(0), def(x(1)).operands[0]);
    break;
  case OpKind::Sub:
    if (k0 && k1)
      return b.constant(c0 - c1, t);
    if (k1 && c1 == 0)
      return asType(x(0), t);
    if (k0 && c0 == 0)
      return asType(b.neg(x(1)), t);
    if (x(0) == x(1))
      return b.constant(0.0, t);
    if (def(x(1)).kind == OpKind::Neg) // a - (-b) = a + b
      return b.add(x(0), def(x(1)).operands[0]);
    break;
  case OpKind::Mul: {
    if (k0 && k1)
      return b.constant(c0 * c1, t);
    if ((k0 && c0 == 0) || (k1 && c1 == 0))
      return b.constant(0.0, t);
    if (k1 && c1 == 1)
      return asType(x(0), t);
    if (k0 && c0 == 1)
      return asType(x(1), t);
    if (k1 && c1 == -1)
      return asType(b.neg(x(0)), t);
    if (k0 && c0 == -1)
      return asType(b.neg(x(1)), t);
    ValueId out;
    double c;
    if (isScalarConst(x(0), c) && foldFactor(c, x(1), out))
      return out;
    if (isScalarConst(x(1), c) && foldFactor(c, x(0), out))
      return out;
    break;
  }
  case OpKind::Neg:
    if (k0)
      return b.constant(-c0, t);
    if (def(x(0)).kind == OpKind::Neg)
      return def(x(0)).operands[0];
    if (def(x(0)).kind == OpKind::Mul) {
      ValueId out;
      if (foldFactor(-1.0, x(0), out))
        return out;
    }
    break;
  case OpKind::Map:
    if (k0)
      return b.constant(evalFn(op.fn, op.order, op.k, c0), t);
    break;
  case OpKind::Broadcast:
  case OpKind::Expand:
  case OpKind::Reshape:
  case OpKind::Slice:
    if (k0)
      return b.constant(c0, t);
    if (op.kind == OpKind::Reshape && def(x(0)).kind == OpKind::Reshape)
      return b.reshape(def(x(0)).operands[0], t);
    break;
  case OpKind::Sum:
    if (k0)
      return b.constant(c0 * static_cast<double>(b.type(x(0)).numel()), t);
    break;
  case OpKind::SumLast:
    if (k0)
      return b.constant(c0 * static_cast<double>(b.type(x(0))[1]), t);
    break;
  case OpKind::Pad:
    if (k0 && c0 == 0)
      return b.constant(0.0, t);
    break;
  case OpKind::Concat: {
    bool allSame = k0;
    for (ValueId v : op.operands)
      allSame = allSame && isConstEq(v, c0);
    if (allSame)
      return b.constant(c0, t);
    break;
  }
  case OpKind::Stencil:
    if (k0) {
      double s = 0;
      for (double w : op.reals)
        s += w;
      return b.constant(c0 * s, t);
    }
    break;
  case OpKind::DivDiff:
  case OpKind::MatMul:
  case OpKind::Conv:
  case OpKind::ConvT:
  case OpKind::ConvW:
    // Bilinear in their operands: a zero operand gives zero.
    if ((k0 && c0 == 0 && op.kind != OpKind::DivDiff) ||
        (k1 && c1 == 0 && op.kind != OpKind::DivDiff))
      return b.constant(0.0, t);
    break;
  }
  return b.append(op);
}

Function foldPass(const Function &f) {
  Function g = emptyLike(f);
  Builder b(g);
  Folder folder(b);
  std::vector<ValueId> map(f.ops.size(), -1);
  for (size_t i = 0; i < f.ops.size(); ++i) {
    b.setLoc(f.ops[i].loc);
    Op op = remapped(f.ops[i], map);
    map[i] = folder.fold(op);
    assert(g.type(map[i]) == f.ops[i].type && "simplify changed a type");
  }
  finish(g, f, map);
  return g;
}

//===----------------------------------------------------------------------===//
// Common subexpressions
//===----------------------------------------------------------------------===//

/// Everything that makes two ops compute the same value.
std::string cseKey(const Op &op) {
  auto bits = [](double d) {
    char buf[sizeof d];
    std::memcpy(buf, &d, sizeof d);
    return std::string(buf, sizeof d);
  };
  std::vector<ValueId> operands = op.operands;
  if (op.kind == OpKind::Add || op.kind == OpKind::Mul)
    std::sort(operands.begin(), operands.end());
  std::string key = std::to_string(static_cast<int>(op.kind)) + "|";
  for (int64_t d : op.type.dims)
    key += std::to_string(d) + ",";
  key += "|";
  for (ValueId v : operands)
    key += std::to_string(v) + ",";
  key += "|" + bits(op.real) + "|" + std::to_string(static_cast<int>(op.fn)) +
         "|" + std::to_string(op.order) + "|" + std::to_string(op.k) + "|";
  for (int64_t v : op.ints)
    key += std::to_string(v) + ",";
  key += "|";
  for (double v : op.reals)
    key += bits(v);
  return key;
}

Function csePass(const Function &f) {
  Function g = emptyLike(f);
  Builder b(g);
  std::map<std::string, ValueId> seen;
  std::vector<ValueId> map(f.ops.size(), -1);
  for (size_t i = 0; i < f.ops.size(); ++i) {
    Op op = remapped(f.ops[i], map);
    if (op.kind == OpKind::Input) {
      map[i] = b.append(std::move(op));
      continue;
    }
    std::string key = cseKey(op);
    auto it = seen.find(key);
    if (it != seen.end()) {
      map[i] = it->second;
      continue;
    }
    map[i] = b.append(std::move(op));
    seen.emplace(std::move(key), map[i]);
  }
  finish(g, f, map);
  return g;
}

//===----------------------------------------------------------------------===//
// Dead code
//===----------------------------------------------------------------------===//

Function dcePass(const Function &f) {
  std::vector<bool> live(f.ops.size(), false);
  for (ValueId v : f.inputs)
    live[static_cast<size_t>(v)] = true;
  for (ValueId v : f.results)
    live[static_cast<size_t>(v)] = true;
  for (size_t i = f.ops.size(); i-- > 0;)
    if (live[i])
      for (ValueId o : f.ops[i].operands)
        live[static_cast<size_t>(o)] = true;
  Function g = emptyLike(f);
  Builder b(g);
  std::vector<ValueId> map(f.ops.size(), -1);
  for (size_t i = 0; i < f.ops.size(); ++i)
    if (live[i])
      map[i] = b.append(remapped(f.ops[i], map));
  finish(g, f, map);
  return g;
}

} // namespace

void simplify(Function &f) {
  for (int round = 0; round < 10; ++round) {
    size_t before = f.ops.size();
    f = dcePass(csePass(dcePass(foldPass(f))));
    if (f.ops.size() >= before)
      break;
  }
}

} // namespace dgc::transforms
