//===- Lower.cpp - From the checked AST to the IR -------------------------===//
//
// Part of dgc. Builds a ModelIR from a CheckedModel: the layout (grids,
// states, params with flat offsets, the inner-product weights), the laws,
// and the functions `energy` (u, params... -> H) and `structure`
// (x, params... -> G x), or `vectorfield` (u, params... -> du/dt). A
// function takes, after its state argument, one input per param it uses, in
// declaration order, named as the ParamInfo (`f.W1`). Every op is created
// through ir::Builder with the location of the source expression. Lowering
// does not apply the inner-product weight (grad H = dH/du / weight); a later
// pass does.
//
// Rules: a compile-time scalar becomes one const; a / b is
// a * recip(b) (a * (1/c) for a constant c); x ^ k is x, square(x) or
// powi_k(x); mean is sum * (1/numel); dot is sum(a * b); a [c] operand next
// to a [c, n] one is expanded; difference operators are periodic stencils
// along the grid's axis; nets are matmul / conv, an expanded bias and the
// activation between layers.
//
//===----------------------------------------------------------------------===//
#include "Lower/Lower.h"

#include "IR/Builder.h"
#include "Sema/CheckedModel.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

namespace dgc {

namespace {

using ir::ValueId;

/// Adds to `out` the params used by `e` (through lets and net calls).
void collectParams(const CheckedModel &cm, const Expr &e, std::set<int> &out) {
  switch (e.kind) {
  case Expr::Kind::Number:
  case Expr::Kind::Bool:
  case Expr::Kind::Member:
    return;
  case Expr::Kind::Ident: {
    const Symbol *s = cm.lookup(dyn_cast<IdentExpr>(&e)->name);
    if (s && s->kind == Symbol::Kind::Param)
      out.insert(s->index);
    if (s && s->kind == Symbol::Kind::Let)
      collectParams(cm, *cm.lets[static_cast<size_t>(s->index)]->value, out);
    return;
  }
  case Expr::Kind::Unary:
    collectParams(cm, *dyn_cast<UnaryExpr>(&e)->operand, out);
    return;
  case Expr::Kind::Binary:
    collectParams(cm, *dyn_cast<BinaryExpr>(&e)->lhs, out);
    collectParams(cm, *dyn_cast<BinaryExpr>(&e)->rhs, out);
    return;
  case Expr::Kind::Call: {
    auto *c = dyn_cast<CallExpr>(&e);
    const Symbol *s = cm.lookup(c->callee);
    if (s && s->kind == Symbol::Kind::Net)
      for (const NetLayer &l : cm.nets[static_cast<size_t>(s->index)].layers) {
        out.insert(l.weight);
        if (l.bias >= 0)
          out.insert(l.bias);
      }
    for (const CallArg &a : c->args)
      collectParams(cm, *a.value, out);
    return;
  }
  case Expr::Kind::Index:
    collectParams(cm, *dyn_cast<IndexExpr>(&e)->base, out);
    return;
  case Expr::Kind::Slice:
    collectParams(cm, *dyn_cast<SliceExpr>(&e)->base, out);
    return;
  case Expr::Kind::List:
    for (const ExprPtr &p : dyn_cast<ListExpr>(&e)->elems)
      collectParams(cm, *p, out);
    return;
  }
}

void collectParams(const StructTerm &t, std::set<int> &out) {
  if (t.param >= 0)
    out.insert(t.param);
  if (t.lhs)
    collectParams(*t.lhs, out);
  if (t.rhs)
    collectParams(*t.rhs, out);
}

/// Lowers the expressions of one IR function.
class FunctionLowering {
public:
  FunctionLowering(const CheckedModel &cm, ir::Function &f,
                   const std::string &stateName, const std::set<int> &params)
      : cm(cm), b(f) {
    b.setLoc(cm.model->nameLoc);
    x = b.input(stateName, Shape{cm.stateSize});
    for (int p : params) {
      const ir::ParamInfo &info = cm.params[static_cast<size_t>(p)];
      paramVals[p] = b.input(info.name, info.shape, /*param=*/true);
    }
  }

  ir::Builder &builder() { return b; }
  ValueId stateVector() const { return x; }

  ValueId expr(const Expr &e) {
    if (std::optional<double> v = cm.constValue(&e)) {
      b.setLoc(e.loc);
      return b.constant(*v);
    }
    switch (e.kind) {
    case Expr::Kind::Number:
    case Expr::Kind::Bool:
    case Expr::Kind::Member:
      break; // compile-time values, handled above
    case Expr::Kind::Ident:
      return ident(*dyn_cast<IdentExpr>(&e));
    case Expr::Kind::Unary: {
      auto *u = dyn_cast<UnaryExpr>(&e);
      ValueId a = expr(*u->operand);
      b.setLoc(e.loc);
      return u->op == '-' ? b.neg(a) : a;
    }
    case Expr::Kind::Binary:
      return binary(*dyn_cast<BinaryExpr>(&e));
    case Expr::Kind::Call:
      return call(*dyn_cast<CallExpr>(&e));
    case Expr::Kind::Index: {
      auto *ix = dyn_cast<IndexExpr>(&e);
      ValueId base = expr(*ix->base);
      auto i = static_cast<int64_t>(*cm.constValue(ix->index.get()));
      b.setLoc(e.loc);
      return b.reshape(b.slice(base, i, i + 1), Shape());
    }
    case Expr::Kind::Slice: {
      auto *s = dyn_cast<SliceExpr>(&e);
      ValueId base = expr(*s->base);
      int64_t n = b.type(base)[0];
      int64_t lo = s->lo ? static_cast<int64_t>(*cm.constValue(s->lo.get()))
                         : 0;
      int64_t hi = s->hi ? static_cast<int64_t>(*cm.constValue(s->hi.get()))
                         : n;
      b.setLoc(e.loc);
      return (lo == 0 && hi == n) ? base : b.slice(base, lo, hi);
    }
    case Expr::Kind::List: {
      std::vector<ValueId> pieces;
      for (const ExprPtr &p : dyn_cast<ListExpr>(&e)->elems)
        pieces.push_back(expr(*p));
      b.setLoc(e.loc);
      return b.concat(pieces);
    }
    }
    assert(false && "expression without a value reached lowering");
    return -1;
  }

  /// G x for the structure term `t`.
  ValueId structure(const StructTerm &t) {
    using K = StructTerm::Kind;
    int64_t n = cm.stateSize, h = n / 2;
    switch (t.kind) {
    case K::Symplectic: {
      b.setLoc(t.expr->loc);
      ValueId q = b.slice(x, 0, h), p = b.slice(x, h, n);
      return b.concat({p, b.neg(q)});
    }
    case K::Friction: {
      b.setLoc(t.expr->loc);
      ValueId g = t.param >= 0 ? paramVals.at(t.param) : b.constant(t.value);
      return b.pad(b.mul(g, b.slice(x, h, n)), h, n);
    }
    case K::Diff:
    case K::Diff2:
    case K::DiffX:
    case K::DiffY:
    case K::Lap: {
      b.setLoc(t.expr->loc);
      const ir::GridInfo &g = cm.grids[static_cast<size_t>(t.grid)];
      ValueId field = b.reshape(x, cm.states[0].shape);
      ValueId r = difference(t.kind == K::Diff    ? "D"
                             : t.kind == K::Diff2 ? "D2"
                             : t.kind == K::DiffX ? "Dx"
                             : t.kind == K::DiffY ? "Dy"
                                                  : "Lap",
                             field, g);
      return b.reshape(r, Shape{n});
    }
    case K::Identity:
      return x;
    case K::Skew: {
      b.setLoc(t.expr->loc);
      ValueId a = paramVals.at(t.param);
      return b.sub(b.matmul(a, x), b.matmul(a, x, /*transA=*/true));
    }
    case K::Psd: {
      b.setLoc(t.expr->loc);
      ValueId l = paramVals.at(t.param);
      return b.matmul(l, b.matmul(l, x, /*transA=*/true));
    }
    case K::Neg: {
      ValueId a = structure(*t.lhs);
      b.setLoc(t.expr->loc);
      return b.neg(a);
    }
    case K::Scale: {
      ValueId a = structure(*t.lhs);
      b.setLoc(t.expr->loc);
      return b.mul(b.constant(t.value), a);
    }
    case K::Add:
    case K::Sub: {
      ValueId l = structure(*t.lhs), r = structure(*t.rhs);
      b.setLoc(t.expr->loc);
      return t.kind == K::Add ? b.add(l, r) : b.sub(l, r);
    }
    }
    return -1;
  }

private:
  ValueId ident(const IdentExpr &e) {
    const Symbol *s = cm.lookup(e.name);
    assert(s && "unresolved name reached lowering");
    switch (s->kind) {
    case Symbol::Kind::State:
      return state(s->index, e.loc);
    case Symbol::Kind::Param:
      return paramVals.at(s->index);
    case Symbol::Kind::Let: {
      auto it = letVals.find(s->index);
      if (it != letVals.end())
        return it->second;
      ValueId v = expr(*cm.lets[static_cast<size_t>(s->index)]->value);
      letVals[s->index] = v;
      return v;
    }
    default:
      break;
    }
    assert(false && "name without a value reached lowering");
    return -1;
  }

  ValueId state(int index, SourceLoc loc) {
    auto it = stateVals.find(index);
    if (it != stateVals.end())
      return it->second;
    const ir::StateVar &v = cm.states[static_cast<size_t>(index)];
    b.setLoc(loc);
    ValueId piece = (v.offset == 0 && v.size() == cm.stateSize)
                        ? x
                        : b.slice(x, v.offset, v.offset + v.size());
    ValueId r = b.reshape(piece, v.shape);
    stateVals[index] = r;
    return r;
  }

  ValueId binary(const BinaryExpr &e) {
    if (e.op == '^') {
      ValueId a = expr(*e.lhs);
      int k = static_cast<int>(dyn_cast<NumberExpr>(e.rhs.get())->value);
      b.setLoc(e.loc);
      if (k == 1)
        return a;
      return k == 2 ? b.map(ir::Fn::Square, a) : b.map(ir::Fn::PowI, a, 0, k);
    }
    std::optional<double> lc = cm.constValue(e.lhs.get());
    std::optional<double> rc = cm.constValue(e.rhs.get());
    ValueId l = expr(*e.lhs);
    if (e.op == '/' && rc) {
      b.setLoc(e.loc);
      return b.mul(l, b.constant(1.0 / *rc));
    }
    ValueId r = expr(*e.rhs);
    b.setLoc(e.loc);
    // A [c] operand beside a [c, n] one repeats over the points.
    Shape tl = b.type(l), tr = b.type(r);
    if (tl.rank() == 1 && tr.rank() == 2)
      l = b.expand(l, tr[1]);
    else if (tl.rank() == 2 && tr.rank() == 1)
      r = b.expand(r, tl[1]);
    switch (e.op) {
    case '+':
      return b.add(l, r);
    case '-':
      return b.sub(l, r);
    case '*':
      return b.mul(l, r);
    default:
      break;
    }
    ValueId inv = b.map(ir::Fn::Recip, r);
    if (lc && *lc == 1.0 && b.type(inv) == e.type)
      return inv;
    return b.mul(l, inv);
  }

  /// A difference operator of the language applied to `a` on grid `g`.
  ValueId difference(const std::string &op, ValueId a, const ir::GridInfo &g) {
    int last = b.type(a).rank() - 1;
    double dx = g.dx[0], dy = g.dx[1];
    if (op == "D")
      return b.stencil(a, last, {-1, 1}, {-0.5 / dx, 0.5 / dx});
    if (op == "Df")
      return b.stencil(a, last, {0, 1}, {-1 / dx, 1 / dx});
    if (op == "Db")
      return b.stencil(a, last, {-1, 0}, {-1 / dx, 1 / dx});
    if (op == "D2")
      return b.stencil(a, last, {-1, 0, 1},
                       {1 / (dx * dx), -2 / (dx * dx), 1 / (dx * dx)});
    // 2-D fields are [ny, nx]: x is axis 1, y axis 0.
    if (op == "Dx")
      return b.stencil(a, 1, {-1, 1}, {-0.5 / dx, 0.5 / dx});
    if (op == "Dy")
      return b.stencil(a, 0, {-1, 1}, {-0.5 / dy, 0.5 / dy});
    assert(op == "Lap");
    ValueId xx = b.stencil(a, 1, {-1, 0, 1},
                           {1 / (dx * dx), -2 / (dx * dx), 1 / (dx * dx)});
    ValueId yy = b.stencil(a, 0, {-1, 0, 1},
                           {1 / (dy * dy), -2 / (dy * dy), 1 / (dy * dy)});
    return b.add(xx, yy);
  }

  ValueId call(const CallExpr &e) {
    const std::string &f = e.callee;
    if (const Symbol *s = cm.lookup(f); s && s->kind == Symbol::Kind::Net)
      return net(e, cm.nets[static_cast<size_t>(s->index)]);
    std::vector<ValueId> args;
    for (const CallArg &a : e.args)
      args.push_back(expr(*a.value));
    b.setLoc(e.loc);
    ir::Fn fn;
    if (f != "powi" && f != "recip" && ir::lookupFn(f, fn))
      return b.map(fn, args[0]);
    if (f == "sum")
      return b.sum(args[0]);
    if (f == "mean") {
      // Over the whole grid's points even on a local tile (halo mode).
      double n = static_cast<double>(b.type(args[0]).numel());
      if (int g = cm.gridOf(e.args[0].value.get()); g >= 0) {
        const ir::GridInfo &gi = cm.grids[static_cast<size_t>(g)];
        n = n / static_cast<double>(gi.n[0] * gi.n[1]) *
            static_cast<double>(gi.global[0] * gi.global[1]);
      }
      return b.mul(b.sum(args[0]), b.constant(1.0 / n));
    }
    if (f == "dot")
      return b.sum(b.mul(args[0], args[1]));
    if (f == "matmul") {
      // Sema typed a list of k fields against real[m, k] as their stack.
      ValueId x = args[1];
      int64_t k = b.type(args[0])[1];
      if (b.type(x).rank() == 1 && b.type(x)[0] != k)
        x = b.reshape(x, Shape{k, b.type(x)[0] / k});
      return b.matmul(args[0], x);
    }
    if (f == "conv") {
      // A field is one channel; Sema typed a list of c fields as the
      // stack real[c, n] (the kernel's in-channels).
      ValueId in = args[1];
      int64_t c = b.type(args[0])[1];
      if (b.type(in).rank() == 1)
        in = b.reshape(in, Shape{c, b.type(in)[0] / c});
      return b.conv(args[0], in);
    }
    int grid = cm.gridOf(e.args[0].value.get());
    assert(grid >= 0 && "difference operator on a non-field");
    return difference(f, args[0], cm.grids[static_cast<size_t>(grid)]);
  }

  ValueId net(const CallExpr &e, const NetInfo &net) {
    ValueId h = expr(*e.args[0].value);
    b.setLoc(e.loc);
    bool conv = net.kind == NetInfo::Kind::ConvNet;
    Shape in = b.type(h);
    if (!conv && in.isScalar())
      h = b.reshape(h, Shape{1});
    // A conv_net's field or list of fields, and an mlp's field or stack
    // (point by point, typed in Sema): [net.in, points].
    bool points = !net.takesWhole(in);
    if (points && b.type(h) != Shape{net.in, in.numel() / net.in})
      h = b.reshape(h, Shape{net.in, in.numel() / net.in});
    for (size_t l = 0; l < net.layers.size(); ++l) {
      const NetLayer &layer = net.layers[l];
      ValueId w = paramVals.at(layer.weight);
      h = (conv && l == 0) ? b.conv(w, h) : b.matmul(w, h);
      if (layer.bias >= 0) {
        ValueId bias = paramVals.at(layer.bias);
        if (points)
          bias = b.expand(bias, b.type(h)[1]);
        h = b.add(h, bias);
      }
      if (l + 1 < net.layers.size())
        h = b.map(net.act, h);
    }
    if (net.out == 1) // a scalar, a 1-D field or a 2-D field
      h = b.reshape(h, e.type);
    return h;
  }

  const CheckedModel &cm;
  ir::Builder b;
  ValueId x = -1;
  std::map<int, ValueId> paramVals, stateVals, letVals;
};

} // namespace

ir::ModelIR lowerModel(const CheckedModel &cm) {
  ir::ModelIR m;
  m.kind = cm.kind;
  m.name = cm.name;
  m.stateSize = cm.stateSize;
  m.paramCount = cm.paramCount;
  m.grids = cm.grids;
  for (const ir::GridInfo &g : cm.grids)
    m.halo = std::max(m.halo, g.halo);
  m.states = cm.states;
  m.params = cm.params;
  m.laws = cm.laws;
  for (const ir::StateVar &s : cm.states) {
    double w = s.grid >= 0
                   ? cm.grids[static_cast<size_t>(s.grid)].cellVolume()
                   : 1.0;
    m.innerWeight.insert(m.innerWeight.end(), static_cast<size_t>(s.size()),
                         w);
  }

  auto addFunction = [&](const std::string &name) -> ir::Function & {
    m.functions.emplace_back();
    m.functions.back().name = name;
    return m.functions.back();
  };

  if (cm.kind == ir::ModelIR::Kind::VectorField) {
    std::set<int> params;
    collectParams(cm, *cm.vectorField->value, params);
    ir::Function &f = addFunction("vectorfield");
    FunctionLowering fl(cm, f, "u", params);
    ValueId v = fl.expr(*cm.vectorField->value);
    fl.builder().setLoc(cm.vectorField->value->loc);
    v = fl.builder().reshape(v, Shape{cm.stateSize});
    f.results = {v};
    f.resultNames = {"dudt"};
    return m;
  }

  {
    std::set<int> params;
    collectParams(cm, *cm.energy->value, params);
    ir::Function &f = addFunction("energy");
    FunctionLowering fl(cm, f, "u", params);
    f.results = {fl.expr(*cm.energy->value)};
    f.resultNames = {"H"};
  }
  {
    std::set<int> params;
    collectParams(*cm.structure, params);
    ir::Function &f = addFunction("structure");
    FunctionLowering fl(cm, f, "x", params);
    f.results = {fl.structure(*cm.structure)};
    f.resultNames = {"Gx"};
  }
  return m;
}

} // namespace dgc
