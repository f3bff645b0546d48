//===- Laws.cpp - Structure expressions, derived laws and claims ----------===//
//
// Part of dgc. Interprets the expression of `structure NAME = ...` as a tree
// of StructTerms (design/dsl.md, "Structure expressions") and derives, for
// every node, the sign of x^T G x (EnergySign) and whether 1^T G = 0 (mass
// conservation):
//
//   S, D, Dx, Dy, skew(A)       skew: sign 0 (conserve energy)
//   D2, Lap                     symmetric negative semi-definite: sign <= 0
//   I, psd(L), friction(g)      positive semi-definite: sign >= 0, so that
//                               -I, -psd(L), -friction(g) dissipate
//   D, D2, Dx, Dy, Lap          conserve mass; the other terms do not
//   -G                          flips the sign
//   c * G, G * c, G / c         c > 0 keeps the sign, c < 0 flips it, c = 0
//                               gives the zero matrix (sign 0)
//   G1 + G2, G1 - G2            0 + s = s; s + s = s; otherwise no sign;
//                               mass is conserved when both conserve it
//
// Leapfrog's structure: G = c S, ignoring friction(g) terms, gives
// laws.symplecticScale = c (0 for any other G).
//
// A `conserves energy` claim needs sign 0, `dissipates energy` sign 0 or
// <= 0, `conserves mass` mass conservation. A claim that does not follow is
// reported at the first additive term that breaks it, e.g.
// "cannot prove 'conserves energy': 'friction(g)' dissipates energy".
//
//===----------------------------------------------------------------------===//
#include "Sema/SemaContext.h"

#include <fmt/format.h>
#include <functional>

namespace dgc::sema {

namespace {

int precedence(char op) {
  return op == '^' ? 3 : (op == '*' || op == '/') ? 2 : 1;
}

std::string spellOperand(const Expr &e, int parentPrec, bool right,
                         char parentOp) {
  std::string s = spell(e);
  if (auto *b = dyn_cast<BinaryExpr>(&e)) {
    int p = precedence(b->op);
    bool paren = p < parentPrec ||
                 (right && p == parentPrec &&
                  (parentOp == '-' || parentOp == '/' || parentOp == '^'));
    if (paren)
      return "(" + s + ")";
  }
  return s;
}

} // namespace

std::string spell(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Number:
    return dyn_cast<NumberExpr>(&e)->spelling;
  case Expr::Kind::Bool:
    return dyn_cast<BoolExpr>(&e)->value ? "true" : "false";
  case Expr::Kind::Ident:
    return dyn_cast<IdentExpr>(&e)->name;
  case Expr::Kind::Member: {
    auto *m = dyn_cast<MemberExpr>(&e);
    return spell(*m->base) + "." + m->member;
  }
  case Expr::Kind::Unary: {
    auto *u = dyn_cast<UnaryExpr>(&e);
    return std::string(1, u->op) + spellOperand(*u->operand, 3, false, 0);
  }
  case Expr::Kind::Binary: {
    auto *b = dyn_cast<BinaryExpr>(&e);
    int p = precedence(b->op);
    return spellOperand(*b->lhs, p, false, b->op) + " " +
           std::string(1, b->op) + " " +
           spellOperand(*b->rhs, p, true, b->op);
  }
  case Expr::Kind::Call: {
    auto *c = dyn_cast<CallExpr>(&e);
    std::string s = c->callee + "(";
    for (size_t i = 0; i < c->args.size(); ++i) {
      if (i)
        s += ", ";
      if (!c->args[i].name.empty())
        s += c->args[i].name + ": ";
      s += spell(*c->args[i].value);
    }
    return s + ")";
  }
  case Expr::Kind::Index: {
    auto *x = dyn_cast<IndexExpr>(&e);
    return spell(*x->base) + "[" + spell(*x->index) + "]";
  }
  case Expr::Kind::Slice: {
    auto *x = dyn_cast<SliceExpr>(&e);
    return spell(*x->base) + "[" + (x->lo ? spell(*x->lo) : "") + ":" +
           (x->hi ? spell(*x->hi) : "") + "]";
  }
  case Expr::Kind::List: {
    auto *l = dyn_cast<ListExpr>(&e);
    std::string s = "[";
    for (size_t i = 0; i < l->elems.size(); ++i)
      s += (i ? ", " : "") + spell(*l->elems[i]);
    return s + "]";
  }
  }
  return "?";
}

namespace {

using TermPtr = std::unique_ptr<StructTerm>;

EnergySign flip(EnergySign s) {
  switch (s) {
  case EnergySign::NonPos:
    return EnergySign::NonNeg;
  case EnergySign::NonNeg:
    return EnergySign::NonPos;
  case EnergySign::Zero:
  case EnergySign::Indefinite:
    break;
  }
  return s;
}

EnergySign combine(EnergySign a, EnergySign b) {
  if (a == EnergySign::Zero)
    return b;
  if (b == EnergySign::Zero || a == b)
    return a;
  return EnergySign::Indefinite;
}

const char *describe(EnergySign s) {
  switch (s) {
  case EnergySign::Zero:
    return "conserves energy";
  case EnergySign::NonPos:
    return "dissipates energy";
  case EnergySign::NonNeg:
    return "may increase energy";
  case EnergySign::Indefinite:
    break;
  }
  return "has no definite energy law";
}

/// The location of the first token of `e` (a binary expression's own
/// location is its operator).
SourceLoc startLoc(const Expr &e) {
  if (auto *b = dyn_cast<BinaryExpr>(&e))
    return startLoc(*b->lhs);
  if (auto *m = dyn_cast<MemberExpr>(&e))
    return startLoc(*m->base);
  if (auto *i = dyn_cast<IndexExpr>(&e))
    return startLoc(*i->base);
  if (auto *s = dyn_cast<SliceExpr>(&e))
    return startLoc(*s->base);
  return e.loc;
}

/// True when `e` mentions a structure term, i.e. is a matrix rather than a
/// scale factor.
bool isStructural(const Expr &e) {
  if (auto *id = dyn_cast<IdentExpr>(&e))
    return id->name == "S" || id->name == "I" || id->name == "D" ||
           id->name == "D2" || id->name == "Dx" || id->name == "Dy" ||
           id->name == "Lap" || id->name == "Df" || id->name == "Db";
  if (auto *c = dyn_cast<CallExpr>(&e))
    return c->callee == "friction" || c->callee == "skew" ||
           c->callee == "psd";
  if (auto *u = dyn_cast<UnaryExpr>(&e))
    return isStructural(*u->operand);
  if (auto *b = dyn_cast<BinaryExpr>(&e))
    return isStructural(*b->lhs) || isStructural(*b->rhs);
  return false;
}

class StructureChecker {
public:
  explicit StructureChecker(SemaContext &ctx)
      : ctx(ctx), cm(ctx.cm), n(ctx.cm.stateSize) {}

  TermPtr check(Expr &e) {
    TermPtr t = build(e);
    if (t)
      e.type = Shape{n, n};
    return t;
  }

private:
  TermPtr make(StructTerm::Kind k, const Expr &e, EnergySign sign,
               bool mass) {
    auto t = std::make_unique<StructTerm>();
    t->kind = k;
    t->expr = &e;
    t->sign = sign;
    t->conservesMass = mass;
    return t;
  }

  TermPtr notATerm(const Expr &e) {
    ctx.error(e.loc, fmt::format("'{}' is not a structure; a structure is "
                                 "built from S, I, D, D2, Dx, Dy, Lap, "
                                 "friction(g), skew(A) and psd(L)",
                                 spell(e)));
    return nullptr;
  }

  bool needEven(const Expr &e) {
    if (n % 2 == 0)
      return true;
    ctx.error(e.loc, fmt::format("'{}' needs an even state size (q and p "
                                 "halves), but the state has {} elements",
                                 spell(e), n));
    return false;
  }

  /// The grid of the only state when it is a field on a grid of `dims`
  /// dimensions, else -1 (reported).
  int singleField(const Expr &e, int dims) {
    if (cm.states.size() == 1 && cm.states[0].grid >= 0 &&
        cm.grids[static_cast<size_t>(cm.states[0].grid)].dims == dims)
      return cm.states[0].grid;
    // A field on a grid of the other dimension: name the operators it takes.
    std::string hint;
    if (cm.states.size() == 1 && cm.states[0].grid >= 0) {
      const ir::GridInfo &g = cm.grids[static_cast<size_t>(cm.states[0].grid)];
      hint = fmt::format("; '{}' is {}-D, use {}", g.name, g.dims,
                         g.dims == 2 ? "Dx, Dy or Lap" : "D or D2");
    }
    ctx.error(e.loc, fmt::format("structure '{}' needs the state to be a "
                                 "single field on a {}-D grid{}",
                                 spell(e), dims, hint));
    return -1;
  }

  TermPtr build(Expr &e) {
    if (auto *id = dyn_cast<IdentExpr>(&e))
      return buildName(*id);
    if (auto *u = dyn_cast<UnaryExpr>(&e)) {
      TermPtr a = check(*u->operand);
      if (!a || u->op == '+')
        return a;
      TermPtr t = make(StructTerm::Kind::Neg, e, flip(a->sign),
                       a->conservesMass);
      t->lhs = std::move(a);
      return t;
    }
    if (auto *b = dyn_cast<BinaryExpr>(&e))
      return buildBinary(*b);
    if (auto *c = dyn_cast<CallExpr>(&e))
      return buildCall(*c);
    return notATerm(e);
  }

  TermPtr buildName(IdentExpr &e) {
    const std::string &s = e.name;
    using K = StructTerm::Kind;
    if (s == "S")
      return needEven(e) ? make(K::Symplectic, e, EnergySign::Zero, false)
                         : nullptr;
    if (s == "I")
      return make(K::Identity, e, EnergySign::NonNeg, false);
    bool oneD = s == "D" || s == "D2";
    bool twoD = s == "Dx" || s == "Dy" || s == "Lap";
    if (!oneD && !twoD)
      return notATerm(e);
    int grid = singleField(e, oneD ? 1 : 2);
    if (grid < 0)
      return nullptr;
    K k = s == "D"    ? K::Diff
          : s == "D2" ? K::Diff2
          : s == "Dx" ? K::DiffX
          : s == "Dy" ? K::DiffY
                      : K::Lap;
    bool symmetric = k == K::Diff2 || k == K::Lap;
    TermPtr t = make(k, e, symmetric ? EnergySign::NonPos : EnergySign::Zero,
                     true);
    t->grid = grid;
    return t;
  }

  TermPtr buildBinary(BinaryExpr &e) {
    using K = StructTerm::Kind;
    if (e.op == '+' || e.op == '-') {
      TermPtr a = check(*e.lhs);
      TermPtr b = check(*e.rhs);
      if (!a || !b)
        return nullptr;
      EnergySign sb = e.op == '+' ? b->sign : flip(b->sign);
      TermPtr t = make(e.op == '+' ? K::Add : K::Sub, e,
                       combine(a->sign, sb),
                       a->conservesMass && b->conservesMass);
      t->lhs = std::move(a);
      t->rhs = std::move(b);
      return t;
    }
    if (e.op != '*' && e.op != '/')
      return notATerm(e);
    bool ls = isStructural(*e.lhs), rs = isStructural(*e.rhs);
    if (ls && rs) {
      ctx.error(e.loc, fmt::format("cannot multiply two structures in '{}'; "
                                   "scale a structure by a constant",
                                   spell(e)));
      return nullptr;
    }
    if (!ls && !rs)
      return notATerm(e);
    if (e.op == '/' && rs) {
      ctx.error(e.loc, fmt::format("cannot divide by a structure in '{}'",
                                   spell(e)));
      return nullptr;
    }
    Expr &scaleExpr = ls ? *e.rhs : *e.lhs;
    std::optional<double> c = ctx.constantOf(scaleExpr, "a structure scale");
    TermPtr g = check(ls ? *e.lhs : *e.rhs);
    if (!c || !g)
      return nullptr;
    if (e.op == '/') {
      if (*c == 0) {
        ctx.error(scaleExpr.loc, "division of a structure by zero");
        return nullptr;
      }
      c = 1.0 / *c;
    }
    EnergySign s = *c > 0   ? g->sign
                   : *c < 0 ? flip(g->sign)
                            : EnergySign::Zero;
    TermPtr t = make(K::Scale, e, s, g->conservesMass || *c == 0);
    t->value = *c;
    t->lhs = std::move(g);
    return t;
  }

  TermPtr buildCall(CallExpr &e) {
    using K = StructTerm::Kind;
    if (e.callee != "friction" && e.callee != "skew" && e.callee != "psd")
      return notATerm(e);
    if (e.args.size() != 1 || !e.args[0].name.empty()) {
      ctx.error(e.loc, fmt::format("'{}' takes one argument", e.callee));
      return nullptr;
    }
    Expr &arg = *e.args[0].value;
    std::optional<Shape> t = ctx.typeExpr(arg);
    if (!t)
      return nullptr;
    const Symbol *s = nullptr;
    if (auto *id = dyn_cast<IdentExpr>(&arg))
      s = cm.lookup(id->name);
    bool isParam = s && s->kind == Symbol::Kind::Param && s->index >= 0;
    if (e.callee == "friction")
      return buildFriction(e, arg, *t, isParam ? s : nullptr);
    if (!isParam) {
      ctx.error(arg.loc, fmt::format("{}({}) needs a param, got '{}'",
                                     e.callee, e.callee == "skew" ? "A" : "L",
                                     spell(arg)));
      return nullptr;
    }
    bool skew = e.callee == "skew";
    bool ok = t->rank() == 2 && (*t)[0] == n && (!skew || (*t)[1] == n);
    if (!ok) {
      ctx.error(arg.loc,
                fmt::format("{} needs a param of shape {} for a state of "
                            "size {}, '{}' is {}",
                            skew ? "skew(A)" : "psd(L)",
                            skew ? Shape{n, n}.str()
                                 : fmt::format("real[{}, r]", n),
                            n, spell(arg), t->str()));
      return nullptr;
    }
    TermPtr term = make(skew ? K::Skew : K::Psd, e,
                        skew ? EnergySign::Zero : EnergySign::NonNeg, false);
    term->param = s->index;
    return term;
  }

  TermPtr buildFriction(CallExpr &e, Expr &arg, const Shape &t,
                        const Symbol *param) {
    if (!needEven(e))
      return nullptr;
    // One coefficient for every momentum, or one per momentum: diag(0, g).
    if (!t.isScalar() && !(t.rank() == 1 && t[0] == n / 2)) {
      ctx.error(arg.loc, fmt::format("a friction coefficient must be a "
                                     "scalar or one per momentum ({}), got {}",
                                     Shape{n / 2}.str(), t.str()));
      return nullptr;
    }
    TermPtr term =
        make(StructTerm::Kind::Friction, e, EnergySign::NonNeg, false);
    if (param) {
      const ir::ParamInfo &p = cm.params[static_cast<size_t>(param->index)];
      if (!p.nonneg) {
        ctx.error(arg.loc, fmt::format("friction(g) needs a nonneg param or "
                                       "a constant >= 0; declare '{}' "
                                       "nonneg",
                                       p.name));
        return nullptr;
      }
      term->param = param->index;
      return term;
    }
    std::optional<double> c = cm.constValue(&arg);
    if (!c || *c < 0) {
      ctx.error(arg.loc, fmt::format("friction(g) needs a nonneg param or a "
                                     "constant >= 0, got '{}'",
                                     spell(arg)));
      return nullptr;
    }
    term->value = *c;
    return term;
  }

  SemaContext &ctx;
  CheckedModel &cm;
  int64_t n;
};

/// The first additive term of `t` (looking through sums, differences,
/// negations and scales of sums) that breaks `ok`; `negated` tells whether
/// the context flips the sign. Sets `sign` to the term's sign in context.
const StructTerm *offender(const StructTerm &t, bool negated,
                           const std::function<bool(EnergySign, bool)> &ok,
                           EnergySign &sign) {
  using K = StructTerm::Kind;
  auto isSum = [](const StructTerm &x) {
    return x.kind == K::Add || x.kind == K::Sub;
  };
  if (isSum(t)) {
    if (const StructTerm *o = offender(*t.lhs, negated, ok, sign))
      return o;
    return offender(*t.rhs, t.kind == K::Sub ? !negated : negated, ok, sign);
  }
  if ((t.kind == K::Neg || (t.kind == K::Scale && t.value != 0)) &&
      isSum(*t.lhs)) {
    bool flips = t.kind == K::Neg || t.value < 0;
    return offender(*t.lhs, flips ? !negated : negated, ok, sign);
  }
  EnergySign s = negated ? flip(t.sign) : t.sign;
  if (ok(s, t.conservesMass))
    return nullptr;
  sign = s;
  return &t;
}

/// Adds to `c` the coefficient of S in `t` scaled by `k`; false when `t`
/// has a term other than S and friction(g) (friction terms are skipped:
/// leapfrog ignores them, experiments.md 8).
bool symplecticCoefficient(const StructTerm &t, double k, double &c) {
  using K = StructTerm::Kind;
  switch (t.kind) {
  case K::Symplectic:
    c += k;
    return true;
  case K::Friction:
    return true;
  case K::Neg:
    return symplecticCoefficient(*t.lhs, -k, c);
  case K::Scale:
    return symplecticCoefficient(*t.lhs, k * t.value, c);
  case K::Add:
  case K::Sub:
    return symplecticCoefficient(*t.lhs, k, c) &&
           symplecticCoefficient(*t.rhs, t.kind == K::Sub ? -k : k, c);
  default:
    return false;
  }
}

} // namespace

std::unique_ptr<StructTerm> SemaContext::checkStructure(Expr &e) {
  StructureChecker checker(*this);
  TermPtr t = checker.check(e);
  if (t) {
    cm.laws.conservesEnergy = t->sign == EnergySign::Zero;
    cm.laws.dissipatesEnergy = t->sign == EnergySign::NonPos;
    cm.laws.conservesMass = t->conservesMass;
    double c = 0;
    cm.laws.symplecticScale = symplecticCoefficient(*t, 1.0, c) ? c : 0.0;
  }
  return t;
}

void SemaContext::checkClaims(const std::vector<const ClaimDecl *> &claims) {
  for (const ClaimDecl *c : claims) {
    for (const ClaimDecl::Item &item : c->items) {
      std::string claim = c->name + " " + item.what;
      if (item.what != "energy" && item.what != "mass") {
        error(item.loc, fmt::format("unknown law '{}'; the laws are energy "
                                    "and mass",
                                    item.what));
        continue;
      }
      if (!c->isConserves() && item.what == "mass") {
        error(item.loc, "only energy can be dissipated; mass is conserved or "
                        "not");
        continue;
      }
      if (!cm.structure) {
        error(item.loc, fmt::format("cannot prove '{}': a vectorfield has no "
                                    "structure to derive laws from",
                                    claim));
        continue;
      }
      std::function<bool(EnergySign, bool)> ok;
      if (item.what == "mass")
        ok = [](EnergySign, bool mass) { return mass; };
      else if (c->isConserves())
        ok = [](EnergySign s, bool) { return s == EnergySign::Zero; };
      else
        ok = [](EnergySign s, bool) {
          return s == EnergySign::Zero || s == EnergySign::NonPos;
        };
      EnergySign sign = EnergySign::Indefinite;
      const StructTerm *bad = offender(*cm.structure, false, ok, sign);
      if (!bad)
        continue;
      std::string why = item.what == "mass" ? "does not conserve mass"
                                            : describe(sign);
      error(startLoc(*bad->expr), fmt::format("cannot prove '{}': '{}' {}", claim,
                                        spell(*bad->expr), why));
      diags.note(item.loc, "claimed here");
    }
  }
}

} // namespace dgc::sema
