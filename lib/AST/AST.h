//===- AST.h - Abstract syntax tree of the dg language ----------*- C++ -*-===//
//
// Part of dgc. The parser builds these nodes; Sema fills in `type` on every
// expression. Nodes use a kind enum with `classof` (LLVM style) so passes can
// write `llvm::isa`-like checks with `dgc::isa<>`/`dgc::dyn_cast<>` below.
// Every node carries the SourceLoc of its first token; binary expressions
// carry the location of their operator.
//
// Structure expressions (`S - friction(g)`, `-I`, `skew(A)`) and network
// constructors (`mlp(in: 2, ...)`) are parsed as ordinary expressions; Sema
// gives them their meaning by context.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Support/Shape.h"
#include "Support/SourceManager.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dgc {

template <class To, class From> bool isa(const From *n) {
  return n && To::classof(n);
}
template <class To, class From> To *dyn_cast(From *n) {
  return isa<To>(n) ? static_cast<To *>(n) : nullptr;
}
template <class To, class From> const To *dyn_cast(const From *n) {
  return isa<To>(n) ? static_cast<const To *>(n) : nullptr;
}
template <class To, class From> To *cast(From *n) {
  return static_cast<To *>(n);
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum class Kind {
    Number, // 0.25, 6, 1e-3
    Bool,   // true, false
    Ident,  // u, alpha, tanh (as a name), S
    Member, // x.dx, x.n
    Unary,  // -e, +e
    Binary, // e + e, e - e, e * e, e / e, e ^ e
    Call,   // f(x), periodic(50, 10.0), mlp(in: 2, ...), normal(0.1)
    Index,  // u[i]
    Slice,  // u[a:b]
    List,   // [q, p] (concatenation, or a list argument like hidden: [200])
  };

  Expr(Kind k, SourceLoc loc) : kind(k), loc(loc) {}
  virtual ~Expr() = default;

  const Kind kind;
  SourceLoc loc;
  /// Filled by Sema: the static shape of the value.
  Shape type;
};
using ExprPtr = std::unique_ptr<Expr>;

class NumberExpr : public Expr {
public:
  NumberExpr(SourceLoc loc, double value, std::string spelling)
      : Expr(Kind::Number, loc), value(value), spelling(std::move(spelling)) {}
  double value;
  std::string spelling; ///< as written, e.g. "3" or "1e-3"
  /// True when spelled as a decimal integer (needed by `x ^ k`).
  bool isIntegerLiteral() const {
    return !spelling.empty() &&
           spelling.find_first_not_of("0123456789") == std::string::npos;
  }
  static bool classof(const Expr *e) { return e->kind == Kind::Number; }
};

class BoolExpr : public Expr {
public:
  BoolExpr(SourceLoc loc, bool value) : Expr(Kind::Bool, loc), value(value) {}
  bool value;
  static bool classof(const Expr *e) { return e->kind == Kind::Bool; }
};

class IdentExpr : public Expr {
public:
  IdentExpr(SourceLoc loc, std::string name)
      : Expr(Kind::Ident, loc), name(std::move(name)) {}
  std::string name;
  static bool classof(const Expr *e) { return e->kind == Kind::Ident; }
};

/// `base.member`; base is an identifier (a grid) in the language as
/// written.
class MemberExpr : public Expr {
public:
  MemberExpr(SourceLoc loc, ExprPtr base, std::string member,
             SourceLoc memberLoc)
      : Expr(Kind::Member, loc), base(std::move(base)),
        member(std::move(member)), memberLoc(memberLoc) {}
  ExprPtr base;
  std::string member;
  SourceLoc memberLoc;
  static bool classof(const Expr *e) { return e->kind == Kind::Member; }
};

class UnaryExpr : public Expr {
public:
  UnaryExpr(SourceLoc loc, char op, ExprPtr operand)
      : Expr(Kind::Unary, loc), op(op), operand(std::move(operand)) {}
  char op; ///< '-' or '+'
  ExprPtr operand;
  static bool classof(const Expr *e) { return e->kind == Kind::Unary; }
};

class BinaryExpr : public Expr {
public:
  BinaryExpr(SourceLoc opLoc, char op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, opLoc), op(op), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  char op; ///< one of + - * / ^
  ExprPtr lhs, rhs;
  static bool classof(const Expr *e) { return e->kind == Kind::Binary; }
};

/// One argument of a call: positional (`name` empty) or named (`in: 2`).
struct CallArg {
  std::string name;
  SourceLoc nameLoc;
  ExprPtr value;
};

class CallExpr : public Expr {
public:
  CallExpr(SourceLoc loc, std::string callee, std::vector<CallArg> args)
      : Expr(Kind::Call, loc), callee(std::move(callee)),
        args(std::move(args)) {}
  std::string callee;
  std::vector<CallArg> args;
  static bool classof(const Expr *e) { return e->kind == Kind::Call; }
};

class IndexExpr : public Expr {
public:
  IndexExpr(SourceLoc loc, ExprPtr base, ExprPtr index)
      : Expr(Kind::Index, loc), base(std::move(base)),
        index(std::move(index)) {}
  ExprPtr base, index;
  static bool classof(const Expr *e) { return e->kind == Kind::Index; }
};

/// `base[lo:hi]`; either bound may be omitted (null): `u[:3]`, `u[2:]`.
class SliceExpr : public Expr {
public:
  SliceExpr(SourceLoc loc, ExprPtr base, ExprPtr lo, ExprPtr hi)
      : Expr(Kind::Slice, loc), base(std::move(base)), lo(std::move(lo)),
        hi(std::move(hi)) {}
  ExprPtr base, lo, hi;
  static bool classof(const Expr *e) { return e->kind == Kind::Slice; }
};

class ListExpr : public Expr {
public:
  ListExpr(SourceLoc loc, std::vector<ExprPtr> elems)
      : Expr(Kind::List, loc), elems(std::move(elems)) {}
  std::vector<ExprPtr> elems;
  static bool classof(const Expr *e) { return e->kind == Kind::List; }
};

//===----------------------------------------------------------------------===//
// Types written in declarations
//===----------------------------------------------------------------------===//

/// `real`, `real[E, ...]` or `field(GRID)`.
struct TypeSpec {
  enum class Kind { Real, Array, Field } kind = Kind::Real;
  SourceLoc loc;
  std::vector<ExprPtr> dims; ///< Array: extents (constant expressions)
  std::string grid;          ///< Field: the grid's name
  SourceLoc gridLoc;
};

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

class Decl {
public:
  enum class Kind {
    Const,       // const NAME = EXPR;
    Grid,        // grid NAME = periodic(...) | periodic2(...);
    State,       // state NAME : TYPE;
    Param,       // param NAME : TYPE init INIT [nonneg];
    Net,         // net NAME = mlp(...) | conv_net(...);
    Let,         // let NAME = EXPR;
    Energy,      // energy NAME = EXPR;
    Structure,   // structure NAME = GEXPR;
    VectorField, // vectorfield NAME = EXPR;
    Claim,       // conserves energy, mass; | dissipates energy;
  };

  Decl(Kind k, SourceLoc loc, std::string name, SourceLoc nameLoc)
      : kind(k), loc(loc), name(std::move(name)), nameLoc(nameLoc) {}
  virtual ~Decl() = default;

  const Kind kind;
  SourceLoc loc; ///< the keyword
  std::string name;
  SourceLoc nameLoc;
};
using DeclPtr = std::unique_ptr<Decl>;

/// const, grid, net, let, energy, structure and vectorfield declarations:
/// a name bound to one expression. For grid and net the expression is the
/// constructor call.
class ValueDecl : public Decl {
public:
  ValueDecl(Kind k, SourceLoc loc, std::string name, SourceLoc nameLoc,
            ExprPtr value)
      : Decl(k, loc, std::move(name), nameLoc), value(std::move(value)) {}
  ExprPtr value;
  static bool classof(const Decl *d) {
    return d->kind != Kind::State && d->kind != Kind::Param &&
           d->kind != Kind::Claim;
  }
};

class StateDecl : public Decl {
public:
  StateDecl(SourceLoc loc, std::string name, SourceLoc nameLoc, TypeSpec type)
      : Decl(Kind::State, loc, std::move(name), nameLoc),
        type(std::move(type)) {}
  TypeSpec type;
  static bool classof(const Decl *d) { return d->kind == Kind::State; }
};

class ParamDecl : public Decl {
public:
  ParamDecl(SourceLoc loc, std::string name, SourceLoc nameLoc, TypeSpec type,
            ExprPtr init, bool nonneg)
      : Decl(Kind::Param, loc, std::move(name), nameLoc),
        type(std::move(type)), init(std::move(init)), nonneg(nonneg) {}
  TypeSpec type;
  /// `zeros`, `ones`, `orthogonal` (IdentExpr), `normal(STD)` (CallExpr),
  /// or a literal (NumberExpr, possibly under a unary minus).
  ExprPtr init;
  bool nonneg;
  static bool classof(const Decl *d) { return d->kind == Kind::Param; }
};

class ClaimDecl : public Decl {
public:
  struct Item {
    std::string what; ///< "energy" or "mass"
    SourceLoc loc;
  };
  /// `conserves` or `dissipates` is stored in `name`.
  ClaimDecl(SourceLoc loc, std::string verb, std::vector<Item> items)
      : Decl(Kind::Claim, loc, std::move(verb), loc), items(std::move(items)) {
  }
  bool isConserves() const { return name == "conserves"; }
  std::vector<Item> items;
  static bool classof(const Decl *d) { return d->kind == Kind::Claim; }
};

//===----------------------------------------------------------------------===//
// Models and files
//===----------------------------------------------------------------------===//

struct Model {
  std::string name;
  SourceLoc loc;     ///< the `model` keyword
  SourceLoc nameLoc;
  std::vector<DeclPtr> decls;
};

struct File {
  uint32_t buffer = 0;
  std::vector<Model> models;
};

} // namespace dgc
