//===- ASTDumper.cpp - `dgc emit --stage=ast` -----------------------------===//
//
// Part of dgc. Prints the AST as an indented tree, two spaces per level, one
// node per line: its kind, its payload (name, operator, spelling), `@line:col`
// and, when asked for, the expression's type. Children follow in source
// order. Missing slice bounds print as `<none>` so every child has a line.
// The output depends only on the AST, so tests can check it verbatim.
//
//===----------------------------------------------------------------------===//
#include "AST/ASTDumper.h"

#include <cassert>

namespace dgc {

namespace {

class ASTDumper {
public:
  explicit ASTDumper(bool withTypes) : withTypes(withTypes) {}

  void dumpModel(const Model &m);
  std::string take() { return std::move(out); }

private:
  void dumpDecl(const Decl &d);
  void dumpType(const TypeSpec &t);
  void dumpExpr(const Expr *e);

  /// Starts a line at the current indentation.
  void line(const std::string &text) {
    out.append(2 * indent, ' ');
    out += text;
  }
  static std::string at(SourceLoc loc) {
    return " @" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
  }
  /// Ends an expression's line, with its type if asked for.
  void endExpr(const Expr &e) {
    out += at(e.loc);
    if (withTypes)
      out += " : " + e.type.str();
    out += '\n';
  }

  struct Indent {
    explicit Indent(ASTDumper &d) : d(d) { ++d.indent; }
    ~Indent() { --d.indent; }
    ASTDumper &d;
  };

  bool withTypes;
  unsigned indent = 0;
  std::string out;
};

template <class T> const T *as(const Expr *e) {
  assert(T::classof(e) && "wrong expression kind");
  return static_cast<const T *>(e);
}

const char *declKindName(Decl::Kind k) {
  switch (k) {
  case Decl::Kind::Const:
    return "Const";
  case Decl::Kind::Grid:
    return "Grid";
  case Decl::Kind::State:
    return "State";
  case Decl::Kind::Param:
    return "Param";
  case Decl::Kind::Net:
    return "Net";
  case Decl::Kind::Let:
    return "Let";
  case Decl::Kind::Energy:
    return "Energy";
  case Decl::Kind::Structure:
    return "Structure";
  case Decl::Kind::VectorField:
    return "VectorField";
  case Decl::Kind::Claim:
    return "Claim";
  }
  return "?";
}

void ASTDumper::dumpModel(const Model &m) {
  line("Model " + m.name + at(m.loc) + "\n");
  Indent in(*this);
  for (const DeclPtr &d : m.decls)
    dumpDecl(*d);
}

void ASTDumper::dumpDecl(const Decl &d) {
  std::string head = std::string(declKindName(d.kind)) + " " + d.name;
  if (auto *p = dyn_cast<ParamDecl>(&d); p && p->nonneg)
    head += " nonneg";
  line(head + at(d.loc) + "\n");
  Indent in(*this);
  if (auto *v = dyn_cast<ValueDecl>(&d)) {
    dumpExpr(v->value.get());
  } else if (auto *s = dyn_cast<StateDecl>(&d)) {
    dumpType(s->type);
  } else if (auto *p = dyn_cast<ParamDecl>(&d)) {
    dumpType(p->type);
    dumpExpr(p->init.get());
  } else if (auto *c = dyn_cast<ClaimDecl>(&d)) {
    for (const ClaimDecl::Item &item : c->items)
      line("Item " + item.what + at(item.loc) + "\n");
  }
}

void ASTDumper::dumpType(const TypeSpec &t) {
  switch (t.kind) {
  case TypeSpec::Kind::Real:
    line("Type real" + at(t.loc) + "\n");
    return;
  case TypeSpec::Kind::Field:
    line("Type field(" + t.grid + ")" + at(t.loc) + "\n");
    return;
  case TypeSpec::Kind::Array: {
    line("Type real[...]" + at(t.loc) + "\n");
    Indent in(*this);
    for (const ExprPtr &dim : t.dims)
      dumpExpr(dim.get());
    return;
  }
  }
}

void ASTDumper::dumpExpr(const Expr *e) {
  if (!e) {
    line("<none>\n");
    return;
  }
  switch (e->kind) {
  case Expr::Kind::Number:
    line("Number " + as<NumberExpr>(e)->spelling);
    endExpr(*e);
    return;
  case Expr::Kind::Bool:
    line(std::string("Bool ") + (as<BoolExpr>(e)->value ? "true" : "false"));
    endExpr(*e);
    return;
  case Expr::Kind::Ident:
    line("Ident " + as<IdentExpr>(e)->name);
    endExpr(*e);
    return;
  case Expr::Kind::Member: {
    auto *m = as<MemberExpr>(e);
    line("Member ." + m->member);
    endExpr(*e);
    Indent in(*this);
    dumpExpr(m->base.get());
    return;
  }
  case Expr::Kind::Unary: {
    auto *u = as<UnaryExpr>(e);
    line(std::string("Unary ") + u->op);
    endExpr(*e);
    Indent in(*this);
    dumpExpr(u->operand.get());
    return;
  }
  case Expr::Kind::Binary: {
    auto *b = as<BinaryExpr>(e);
    line(std::string("Binary ") + b->op);
    endExpr(*e);
    Indent in(*this);
    dumpExpr(b->lhs.get());
    dumpExpr(b->rhs.get());
    return;
  }
  case Expr::Kind::Call: {
    auto *c = as<CallExpr>(e);
    line("Call " + c->callee);
    endExpr(*e);
    Indent in(*this);
    for (const CallArg &a : c->args) {
      if (a.name.empty()) {
        dumpExpr(a.value.get());
        continue;
      }
      line("Arg " + a.name + at(a.nameLoc) + "\n");
      Indent argIn(*this);
      dumpExpr(a.value.get());
    }
    return;
  }
  case Expr::Kind::Index: {
    auto *i = as<IndexExpr>(e);
    line("Index");
    endExpr(*e);
    Indent in(*this);
    dumpExpr(i->base.get());
    dumpExpr(i->index.get());
    return;
  }
  case Expr::Kind::Slice: {
    auto *s = as<SliceExpr>(e);
    line("Slice");
    endExpr(*e);
    Indent in(*this);
    dumpExpr(s->base.get());
    dumpExpr(s->lo.get());
    dumpExpr(s->hi.get());
    return;
  }
  case Expr::Kind::List: {
    auto *l = as<ListExpr>(e);
    line("List");
    endExpr(*e);
    Indent in(*this);
    for (const ExprPtr &x : l->elems)
      dumpExpr(x.get());
    return;
  }
  }
}

} // namespace

std::string dumpAST(const File &file, bool withTypes) {
  ASTDumper dumper(withTypes);
  for (const Model &m : file.models)
    dumper.dumpModel(m);
  return dumper.take();
}

std::string dumpAST(const File &file) { return dumpAST(file, false); }

} // namespace dgc
