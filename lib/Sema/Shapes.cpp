//===- Shapes.cpp - Static shapes of dg expressions -----------------------===//
//
// Part of dgc. Types every expression bottom-up (design/dsl.md,
// "Expressions"): element-wise arithmetic on equal shapes or with a scalar,
// a `[c]` bias broadcast over the points of a `[c, n]` value, `x ^ k` for an
// integer literal k >= 1, element-wise functions, reductions, matmul, conv,
// the difference operators on grid fields, indexing, slicing, concatenation
// and net calls. Along the way it folds every scalar whose value is known at
// compile time (CheckedModel::constValues) and follows which values are
// fields of which grid (CheckedModel::exprGrid), which the difference
// operators need. Every shape error names the shapes as users write them.
//
//===----------------------------------------------------------------------===//
#include "Sema/SemaContext.h"

#include <cmath>
#include <fmt/format.h>

namespace dgc::sema {

bool lookupElementwise(const std::string &name, ir::Fn &out) {
  static const struct {
    const char *name;
    ir::Fn fn;
  } table[] = {{"tanh", ir::Fn::Tanh},         {"sigmoid", ir::Fn::Sigmoid},
               {"softplus", ir::Fn::Softplus}, {"relu", ir::Fn::Relu},
               {"exp", ir::Fn::Exp},           {"log", ir::Fn::Log},
               {"sin", ir::Fn::Sin},           {"cos", ir::Fn::Cos},
               {"sqrt", ir::Fn::Sqrt},         {"square", ir::Fn::Square},
               {"abs", ir::Fn::Abs}};
  for (const auto &e : table)
    if (name == e.name) {
      out = e.fn;
      return true;
    }
  return false;
}

namespace {

/// The value of an element-wise function at a compile-time constant.
double foldFn(ir::Fn fn, double x) {
  switch (fn) {
  case ir::Fn::Tanh:
    return std::tanh(x);
  case ir::Fn::Sigmoid:
    return 1.0 / (1.0 + std::exp(-x));
  case ir::Fn::Softplus:
    return std::log1p(std::exp(x));
  case ir::Fn::Relu:
    return x > 0 ? x : 0.0;
  case ir::Fn::Exp:
    return std::exp(x);
  case ir::Fn::Log:
    return std::log(x);
  case ir::Fn::Sin:
    return std::sin(x);
  case ir::Fn::Cos:
    return std::cos(x);
  case ir::Fn::Sqrt:
    return std::sqrt(x);
  case ir::Fn::Square:
    return x * x;
  case ir::Fn::Abs:
    return std::fabs(x);
  case ir::Fn::PowI:
  case ir::Fn::Recip:
    break;
  }
  return NAN;
}

bool isDiff1D(const std::string &n) {
  return n == "D" || n == "Df" || n == "Db" || n == "D2";
}
bool isDiff2D(const std::string &n) {
  return n == "Dx" || n == "Dy" || n == "Lap";
}

/// A typed expression: its shape, its grid if it is a field, and its value
/// if it is a compile-time scalar.
struct Typed {
  Shape shape;
  int grid = -1;
  std::optional<double> value;
};
using Result = std::optional<Typed>;

class Typer {
public:
  explicit Typer(SemaContext &ctx) : ctx(ctx), cm(ctx.cm) {}

  Result visit(Expr &e) {
    Result t = dispatch(e);
    if (!t)
      return t;
    if (!ctx.checkElementCount(t->shape.dims, e.loc,
                               fmt::format("'{}' ({})", spell(e),
                                           t->shape.str())))
      return std::nullopt;
    if (t->value && !std::isfinite(*t->value)) {
      ctx.error(e.loc, fmt::format("'{}' is not finite at compile time",
                                   spell(e)));
      return std::nullopt;
    }
    e.type = t->shape;
    if (t->value)
      cm.constValues[&e] = *t->value;
    if (t->grid >= 0)
      cm.exprGrid[&e] = t->grid;
    return t;
  }

private:
  Result dispatch(Expr &e) {
    switch (e.kind) {
    case Expr::Kind::Number:
      return Typed{Shape(), -1, cast<NumberExpr>(&e)->value};
    case Expr::Kind::Bool:
      ctx.error(e.loc, "a boolean is not a value");
      return std::nullopt;
    case Expr::Kind::Ident:
      return visitIdent(*cast<IdentExpr>(&e));
    case Expr::Kind::Member:
      return visitMember(*cast<MemberExpr>(&e));
    case Expr::Kind::Unary:
      return visitUnary(*cast<UnaryExpr>(&e));
    case Expr::Kind::Binary:
      return visitBinary(*cast<BinaryExpr>(&e));
    case Expr::Kind::Call:
      return visitCall(*cast<CallExpr>(&e));
    case Expr::Kind::Index:
      return visitIndex(*cast<IndexExpr>(&e));
    case Expr::Kind::Slice:
      return visitSlice(*cast<SliceExpr>(&e));
    case Expr::Kind::List:
      return visitList(*cast<ListExpr>(&e));
    }
    return std::nullopt;
  }

  /// Reports a builtin name used where it does not belong; false if `n` is
  /// not a builtin.
  bool reportBuiltin(const std::string &n, SourceLoc loc) {
    ir::Fn fn;
    if (lookupElementwise(n, fn) || isDiff1D(n) || isDiff2D(n) ||
        n == "sum" || n == "mean" || n == "dot" || n == "matmul" ||
        n == "conv") {
      ctx.error(loc, fmt::format("'{}' is a function; call it as {}(...)", n,
                                 n));
      return true;
    }
    const char *where = nullptr;
    if (n == "S" || n == "I" || n == "friction" || n == "skew" || n == "psd")
      where = "a structure";
    else if (n == "mlp" || n == "conv_net")
      where = "a net declaration";
    else if (n == "periodic" || n == "periodic2")
      where = "a grid declaration";
    else if (n == "zeros" || n == "ones" || n == "orthogonal" ||
             n == "normal")
      where = "the init of a param";
    if (!where)
      return false;
    ctx.error(loc, fmt::format("'{}' can only appear in {}", n, where));
    return true;
  }

  Result visitIdent(IdentExpr &e) {
    if (!cm.lookup(e.name) && reportBuiltin(e.name, e.loc))
      return std::nullopt;
    const Symbol *s = ctx.resolve(e.name, e.loc);
    if (!s)
      return std::nullopt;
    switch (s->kind) {
    case Symbol::Kind::Const:
      if (s->index < 0)
        return std::nullopt; // its declaration was reported
      return Typed{Shape(), -1, cm.consts[static_cast<size_t>(s->index)]};
    case Symbol::Kind::State: {
      if (s->index < 0)
        return std::nullopt;
      const ir::StateVar &v = cm.states[static_cast<size_t>(s->index)];
      return Typed{v.shape, v.grid, std::nullopt};
    }
    case Symbol::Kind::Param:
      if (s->index < 0)
        return std::nullopt;
      return Typed{cm.params[static_cast<size_t>(s->index)].shape, -1,
                   std::nullopt};
    case Symbol::Kind::Let: {
      if (s->index < 0)
        return std::nullopt;
      const Expr *v = cm.lets[static_cast<size_t>(s->index)]->value.get();
      return Typed{v->type, cm.gridOf(v), cm.constValue(v)};
    }
    case Symbol::Kind::Grid:
      ctx.error(e.loc, fmt::format("'{}' is a grid, not a value; use {}.dx "
                                   "or {}.n",
                                   e.name, e.name, e.name));
      return std::nullopt;
    case Symbol::Kind::Net:
      ctx.error(e.loc, fmt::format("'{}' is a net; call it as {}(x)", e.name,
                                   e.name));
      return std::nullopt;
    case Symbol::Kind::Energy:
    case Symbol::Kind::Structure:
    case Symbol::Kind::VectorField:
      ctx.error(e.loc, fmt::format("'{}' is not a value; only consts, states, "
                                   "params and lets can be used here",
                                   e.name));
      return std::nullopt;
    }
    return std::nullopt;
  }

  Result visitMember(MemberExpr &e) {
    auto *base = dyn_cast<IdentExpr>(e.base.get());
    if (!base) {
      ctx.error(e.loc, "only a grid has members");
      return std::nullopt;
    }
    const Symbol *s = ctx.resolve(base->name, base->loc);
    if (!s)
      return std::nullopt;
    if (s->kind != Symbol::Kind::Grid) {
      ctx.error(base->loc, fmt::format("'{}' is not a grid; only a grid has "
                                       "members",
                                       base->name));
      return std::nullopt;
    }
    if (s->index < 0)
      return std::nullopt;
    const ir::GridInfo &g = cm.grids[static_cast<size_t>(s->index)];
    const std::string &m = e.member;
    double v = 0;
    if (m == "dx")
      v = g.dx[0];
    else if (m == "n" || (g.dims == 2 && m == "nx"))
      v = static_cast<double>(g.global[0]);
    else if (g.dims == 1 && m == "length")
      v = g.length[0];
    else if (g.dims == 2 && m == "dy")
      v = g.dx[1];
    else if (g.dims == 2 && m == "ny")
      v = static_cast<double>(g.global[1]);
    else if (g.dims == 1 && (m == "dy" || m == "ny" || m == "nx")) {
      ctx.error(e.memberLoc, fmt::format("'{}' needs a 2-D grid; '{}' is 1-D",
                                         m, base->name));
      return std::nullopt;
    } else {
      ctx.error(e.memberLoc,
                fmt::format("grid '{}' has no member '{}'; it has {}",
                            base->name, m,
                            g.dims == 1 ? "dx, n and length"
                                        : "dx, dy, n, nx and ny"));
      return std::nullopt;
    }
    base->type = Shape();
    return Typed{Shape(), -1, v};
  }

  Result visitUnary(UnaryExpr &e) {
    Result t = visit(*e.operand);
    if (!t)
      return t;
    if (e.op == '-' && t->value)
      t->value = -*t->value;
    return t;
  }

  Result visitBinary(BinaryExpr &e) {
    if (e.op == '^')
      return visitPower(e);
    Result l = visit(*e.lhs);
    Result r = visit(*e.rhs);
    if (!l || !r)
      return std::nullopt;
    Typed out;
    const Shape &a = l->shape, &b = r->shape;
    if (a == b) {
      out.shape = a;
      out.grid = l->grid >= 0 ? l->grid : r->grid;
    } else if (b.isScalar()) {
      out.shape = a;
      out.grid = l->grid;
    } else if (a.isScalar()) {
      out.shape = b;
      out.grid = r->grid;
    } else if (a.rank() == 1 && b.rank() == 2) {
      if (a[0] != b[0])
        return broadcastError(e, a, b);
      out.shape = b;
      out.grid = r->grid;
    } else if (a.rank() == 2 && b.rank() == 1) {
      if (b[0] != a[0])
        return broadcastError(e, b, a);
      out.shape = a;
      out.grid = l->grid;
    } else {
      ctx.error(e.loc, fmt::format("shape mismatch in '{}': {} and {}", e.op,
                                   a.str(), b.str()));
      return std::nullopt;
    }
    if (e.op == '/' && r->value && *r->value == 0) {
      ctx.error(e.loc, fmt::format("division by zero in '{}'", spell(e)));
      return std::nullopt;
    }
    if (l->value && r->value) {
      double x = *l->value, y = *r->value;
      out.value = e.op == '+'   ? x + y
                  : e.op == '-' ? x - y
                  : e.op == '*' ? x * y
                                : x / y;
    }
    return out;
  }

  Result broadcastError(BinaryExpr &e, const Shape &bias, const Shape &t) {
    ctx.error(e.loc, fmt::format("cannot broadcast {} over {} in '{}': the "
                                 "bias must match the channel axis ({})",
                                 bias.str(), t.str(), e.op, t[0]));
    return std::nullopt;
  }

  Result visitPower(BinaryExpr &e) {
    Result l = visit(*e.lhs);
    Result r = visit(*e.rhs);
    auto *k = dyn_cast<NumberExpr>(e.rhs.get());
    if (!k || !k->isIntegerLiteral() || k->value < 1) {
      ctx.error(e.rhs->loc, fmt::format("the exponent of '^' must be an "
                                        "integer literal >= 1, got '{}'",
                                        spell(*e.rhs)));
      return std::nullopt;
    }
    if (!l || !r)
      return std::nullopt;
    Typed out = *l;
    if (l->value)
      out.value = std::pow(*l->value, k->value);
    return out;
  }

  /// Reports named arguments and a wrong count for builtin `call`.
  bool positional(CallExpr &call, size_t n) {
    for (CallArg &a : call.args)
      if (!a.name.empty()) {
        ctx.error(a.nameLoc, fmt::format("'{}' takes no named arguments",
                                         call.callee));
        return false;
      }
    if (call.args.size() != n) {
      ctx.error(call.loc, fmt::format("'{}' takes {} argument{}, got {}",
                                      call.callee, n, n == 1 ? "" : "s",
                                      call.args.size()));
      return false;
    }
    return true;
  }

  /// Types the arguments of `call` (all of them, so every one gets a type
  /// even when one has an error).
  bool visitArgs(CallExpr &call, std::vector<Typed> &out) {
    bool ok = true;
    for (CallArg &a : call.args) {
      Result t = visit(*a.value);
      ok = ok && t.has_value();
      if (t)
        out.push_back(*t);
    }
    return ok;
  }

  Result visitCall(CallExpr &call) {
    const std::string &f = call.callee;
    ir::Fn fn;
    bool builtin = !cm.lookup(f);
    if (builtin && (lookupElementwise(f, fn) || isDiff1D(f) || isDiff2D(f) ||
                    f == "sum" || f == "mean" || f == "dot" ||
                    f == "matmul" || f == "conv")) {
      size_t n = (f == "dot" || f == "matmul" || f == "conv") ? 2 : 1;
      std::vector<Typed> args;
      bool ok = visitArgs(call, args);
      if (!positional(call, n) || !ok)
        return std::nullopt;
      if (lookupElementwise(f, fn)) {
        Typed out = args[0];
        if (out.value)
          out.value = foldFn(fn, *out.value);
        return out;
      }
      if (f == "sum" || f == "mean") {
        Typed out{Shape(), -1, std::nullopt};
        if (args[0].value)
          out.value = args[0].value; // sum and mean of a scalar
        return out;
      }
      if (f == "dot")
        return typeDot(call, args[0], args[1]);
      if (f == "matmul") {
        // A list of fields whose count is the matrix's inner extent is
        // the channel stack real[c, n] (a point-wise linear map).
        const Typed &x = args[1];
        Typed st = stacked(*call.args[1].value, x);
        bool useStack = args[0].shape.rank() == 2 && st.shape.rank() == 2 &&
                        args[0].shape[1] != x.shape[0] &&
                        args[0].shape[1] == st.shape[0];
        return typeMatmul(call, args[0], useStack ? st : x);
      }
      if (f == "conv")
        return typeConv(call, args[0], stacked(*call.args[1].value, args[1]));
      return typeDiff(call, args[0]);
    }
    if (builtin && reportBuiltin(f, call.loc))
      return std::nullopt;
    const Symbol *s = ctx.resolve(f, call.loc);
    if (!s)
      return std::nullopt;
    if (s->kind != Symbol::Kind::Net) {
      ctx.error(call.loc, fmt::format("'{}' is not a function or a net", f));
      return std::nullopt;
    }
    std::vector<Typed> args;
    bool ok = visitArgs(call, args);
    if (!positional(call, 1) || !ok || s->index < 0)
      return std::nullopt;
    const NetInfo &net = cm.nets[static_cast<size_t>(s->index)];
    int grid = -1;
    // An mlp takes its input as one vector where it can; a list of fields
    // is otherwise the [c, n] stack it maps point by point.
    Typed in = net.takesWhole(args[0].shape)
                   ? args[0]
                   : stacked(*call.args[0].value, args[0]);
    std::optional<Shape> t = ctx.typeNetCall(call, net, in.shape, in.grid, grid);
    if (!t)
      return std::nullopt;
    return Typed{*t, grid, std::nullopt};
  }

  Result typeDot(CallExpr &call, const Typed &a, const Typed &b) {
    if (a.shape != b.shape) {
      ctx.error(call.loc, fmt::format("'dot' needs two values of one shape, "
                                      "got {} and {}",
                                      a.shape.str(), b.shape.str()));
      return std::nullopt;
    }
    Typed out;
    if (a.value && b.value)
      out.value = *a.value * *b.value;
    return out;
  }

  Result typeMatmul(CallExpr &call, const Typed &a, const Typed &b) {
    if (a.shape.rank() != 2) {
      ctx.error(call.loc, fmt::format("'matmul' needs a matrix real[m, k] "
                                      "first, got {}",
                                      a.shape.str()));
      return std::nullopt;
    }
    if (b.shape.rank() != 1 && b.shape.rank() != 2) {
      ctx.error(call.loc, fmt::format("'matmul' multiplies a vector real[k] "
                                      "or a matrix real[k, n], got {}",
                                      b.shape.str()));
      return std::nullopt;
    }
    if (a.shape[1] != b.shape[0]) {
      ctx.error(call.loc, fmt::format("'matmul' inner extents differ: {} "
                                      "times {}",
                                      a.shape.str(), b.shape.str()));
      return std::nullopt;
    }
    if (b.shape.rank() == 1)
      return Typed{Shape{a.shape[0]}, -1, std::nullopt};
    return Typed{Shape{a.shape[0], b.shape[1]}, -1, std::nullopt};
  }

  /// The input `t` of `e` as conv, conv_net and matmul see it: a list
  /// `[f1, ..., fc]` of c >= 2 fields of one 1-D grid is the channel stack
  /// real[c, n] on that grid (torch.stack; the same layout as the
  /// concatenation real[c * n], which every other use sees).
  Typed stacked(const Expr &e, const Typed &t) {
    // `let st = [u, D(u)];` then `conv(K, st)`: the list behind the name.
    if (const auto *id = dyn_cast<IdentExpr>(&e))
      if (const Symbol *s = cm.lookup(id->name);
          s && s->kind == Symbol::Kind::Let && s->decl)
        if (const auto *v = dyn_cast<ValueDecl>(s->decl); v && v->value)
          return stacked(*v->value, t);
    const auto *l = dyn_cast<ListExpr>(&e);
    if (!l || l->elems.size() < 2)
      return t;
    int g = cm.gridOf(l->elems[0].get());
    if (g < 0 || cm.grids[static_cast<size_t>(g)].dims != 1)
      return t;
    int64_t n = cm.grids[static_cast<size_t>(g)].n[0];
    for (const ExprPtr &p : l->elems)
      if (cm.gridOf(p.get()) != g || p->type != Shape{n})
        return t;
    return Typed{Shape{static_cast<int64_t>(l->elems.size()), n}, g,
                 std::nullopt};
  }

  Result typeConv(CallExpr &call, const Typed &k, const Typed &x) {
    if (k.shape.rank() != 3) {
      ctx.error(call.loc, fmt::format("'conv' needs a kernel real[out, in, "
                                      "width] first, got {}",
                                      k.shape.str()));
      return std::nullopt;
    }
    // A rank-1 x is one channel.
    int64_t channels = x.shape.rank() == 2 ? x.shape[0] : 1;
    if (x.shape.rank() < 1 || x.shape.rank() > 2 || channels != k.shape[1]) {
      ctx.error(call.loc, fmt::format("'conv' channel mismatch: kernel {} "
                                      "takes {} channel{}, got {}",
                                      k.shape.str(), k.shape[1],
                                      k.shape[1] == 1 ? "" : "s",
                                      x.shape.str()));
      return std::nullopt;
    }
    int64_t n = x.shape[x.shape.rank() - 1];
    return Typed{Shape{k.shape[0], n}, x.grid, std::nullopt};
  }

  Result typeDiff(CallExpr &call, const Typed &a) {
    const std::string &f = call.callee;
    const ir::GridInfo *g =
        a.grid >= 0 ? &cm.grids[static_cast<size_t>(a.grid)] : nullptr;
    if (isDiff1D(f)) {
      if (g && g->dims == 2) {
        ctx.error(call.loc, fmt::format("'{}' needs a field on a 1-D grid; "
                                        "'{}' is 2-D, use Dx, Dy or Lap",
                                        f, g->name));
        return std::nullopt;
      }
      if (!g || a.shape.rank() < 1 || a.shape.rank() > 2 ||
          a.shape[a.shape.rank() - 1] != g->n[0]) {
        ctx.error(call.loc, fmt::format("'{}' needs a field on a 1-D grid, "
                                        "got {}",
                                        f, a.shape.str()));
        return std::nullopt;
      }
      return a;
    }
    if (!g || g->dims != 2 || a.shape != Shape{g->n[1], g->n[0]}) {
      ctx.error(call.loc, fmt::format("'{}' needs a field on a 2-D grid, "
                                      "got {}",
                                      f, a.shape.str()));
      return std::nullopt;
    }
    return a;
  }

  /// A compile-time integer bound or index of a rank-1 value.
  std::optional<int64_t> bound(Expr &e, const char *what) {
    Result t = visit(e);
    if (!t)
      return std::nullopt;
    if (!t->value || !t->shape.isScalar() ||
        *t->value != std::floor(*t->value)) {
      ctx.error(e.loc, fmt::format("{} must be a constant integer, got '{}'",
                                   what, spell(e)));
      return std::nullopt;
    }
    return static_cast<int64_t>(*t->value);
  }

  Result visitIndex(IndexExpr &e) {
    Result b = visit(*e.base);
    std::optional<int64_t> i = bound(*e.index, "an index");
    if (!b || !i)
      return std::nullopt;
    if (b->shape.rank() != 1) {
      ctx.error(e.loc, fmt::format("indexing needs a vector, got {}",
                                   b->shape.str()));
      return std::nullopt;
    }
    if (*i < 0 || *i >= b->shape[0]) {
      ctx.error(e.index->loc, fmt::format("index {} is out of range for {}",
                                          *i, b->shape.str()));
      return std::nullopt;
    }
    return Typed{Shape(), -1, std::nullopt};
  }

  Result visitSlice(SliceExpr &e) {
    Result b = visit(*e.base);
    std::optional<int64_t> lo = int64_t(0), hi;
    if (e.lo)
      lo = bound(*e.lo, "a slice bound");
    if (e.hi)
      hi = bound(*e.hi, "a slice bound");
    if (!b || !lo || (e.hi && !hi))
      return std::nullopt;
    if (b->shape.rank() != 1) {
      ctx.error(e.loc, fmt::format("slicing needs a vector, got {}",
                                   b->shape.str()));
      return std::nullopt;
    }
    int64_t n = b->shape[0];
    if (!hi)
      hi = n;
    if (*lo < 0 || *hi > n || *lo > *hi) {
      ctx.error(e.loc, fmt::format("slice [{}:{}] is out of range for {}",
                                   *lo, *hi, b->shape.str()));
      return std::nullopt;
    }
    if (*lo == *hi) {
      ctx.error(e.loc, fmt::format("slice [{}:{}] is empty", *lo, *hi));
      return std::nullopt;
    }
    return Typed{Shape{*hi - *lo}, -1, std::nullopt};
  }

  Result visitList(ListExpr &e) {
    if (e.elems.empty()) {
      ctx.error(e.loc, "an empty list is not a value");
      return std::nullopt;
    }
    int64_t n = 0;
    bool ok = true;
    for (ExprPtr &p : e.elems) {
      Result t = visit(*p);
      if (!t) {
        ok = false;
        continue;
      }
      if (t->shape.rank() > 1) {
        ctx.error(p->loc, fmt::format("cannot concatenate {}; the pieces of "
                                      "[...] must be scalars or vectors",
                                      t->shape.str()));
        ok = false;
        continue;
      }
      n += t->shape.numel();
    }
    if (!ok)
      return std::nullopt;
    return Typed{Shape{n}, -1, std::nullopt};
  }

  SemaContext &ctx;
  CheckedModel &cm;
};

} // namespace

std::optional<Shape> SemaContext::typeExpr(Expr &e) {
  Typer typer(*this);
  Result t = typer.visit(e);
  if (!t)
    return std::nullopt;
  return t->shape;
}

std::optional<double> SemaContext::constantOf(Expr &e,
                                              const std::string &what) {
  std::optional<Shape> t = typeExpr(e);
  if (!t)
    return std::nullopt;
  if (!t->isScalar()) {
    error(e.loc, fmt::format("{} must be a scalar, got {}", what, t->str()));
    return std::nullopt;
  }
  std::optional<double> v = cm.constValue(&e);
  if (!v)
    error(e.loc, fmt::format("{} must be a compile-time constant, got '{}'",
                             what, spell(e)));
  return v;
}

std::optional<int64_t> SemaContext::constantInt(Expr &e,
                                                const std::string &what,
                                                int64_t min) {
  std::optional<double> v = constantOf(e, what);
  if (!v)
    return std::nullopt;
  if (*v != std::floor(*v) || *v < static_cast<double>(min) || *v > 1e12) {
    error(e.loc, fmt::format("{} must be a {} integer, got {}", what,
                             min >= 1 ? "positive" : "nonnegative",
                             formatNumber(*v)));
    return std::nullopt;
  }
  return static_cast<int64_t>(*v);
}

} // namespace dgc::sema
