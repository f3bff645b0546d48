//===- EvalValues.cpp - The evaluator's variables and lvalues -------------===//
//
// Part of dgc. The values variables start with (numbers, arrays, std::array,
// structs, lambdas), constant globals, references, and the lvalues an
// assignment or a read goes through: a variable's cell, an element of the
// state (made on first read), of an array or of a struct. The class and its
// values are in EvaluatorImpl.h.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/EvaluatorImpl.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>

#include <iterator>
#include <string>

namespace dgc::cxx::detail {

using namespace clang;

//===----------------------------------------------------------------------===//
// Initial values
//===----------------------------------------------------------------------===//

Val Evaluator::initValue(QualType t, const Expr *init, SourceLocation where,
                         bool zero) {
  QualType ct = t.getCanonicalType();
  if (init) {
    init = init->IgnoreImplicit();
    if (const auto *d = dyn_cast<CXXDefaultInitExpr>(init))
      init = d->getExpr()->IgnoreImplicit();
    else if (const auto *d = dyn_cast<CXXDefaultArgExpr>(init))
      init = d->getExpr()->IgnoreImplicit();
    if (isa<ImplicitValueInitExpr>(init)) {
      init = nullptr;
      zero = true;
    }
  }
  std::string kind;
  int64_t n = 0;
  if (const auto *at = ctx.getAsConstantArrayType(ct))
    return arrayValue(static_cast<int64_t>(at->getSize().getZExtValue()),
                      at->getElementType(), init, where, zero, false);
  if (stdContainer(ct, kind, n)) {
    if (kind != "array")
      fail(where, "local 'std::span' variables are not supported; index "
                  "the state directly");
    const auto *rd = cast<ClassTemplateSpecializationDecl>(
        ct->getAsCXXRecordDecl());
    return arrayValue(n, rd->getTemplateArgs()[0].getAsType(), init, where,
                      zero, true);
  }
  if (const CXXRecordDecl *rd = ct->getAsCXXRecordDecl()) {
    if (rd->isLambda()) { // a closure is immutable: copies share it
      if (const auto *ce = dyn_cast_or_null<CXXConstructExpr>(init);
          ce && ce->getNumArgs() == 1)
        init = ce->getArg(0);
      if (!init || !(init = init->IgnoreImplicit()) ||
          isa<CXXConstructExpr>(init))
        fail(where, "unsupported initialisation of a lambda");
      return eval(init);
    }
    return recordValue(rd, init, where, zero);
  }
  if (ct->isArithmeticType()) {
    if (!init)
      return zero ? convert(Val::ofInt(0), ct, nullptr) : Val();
    return convert(eval(init), ct, init);
  }
  if (ct->isPointerType()) {
    if (!init)
      return Val();
    Val v = eval(init);
    if (v.k != Val::K::Arr)
      fail(init, "pointers must point to the start of the state or of an "
                 "array");
    return v;
  }
  fail(where, "variables of type '" + typeName(t) + "' are not supported");
}

Val Evaluator::arrayValue(int64_t n, QualType et, const Expr *init,
                          SourceLocation where, bool zero, bool stdArray) {
  auto arr = std::make_shared<Array>();
  arr->size = n;
  arr->elems.resize(static_cast<size_t>(n));
  auto fill = [&](bool z) {
    for (Val &e : arr->elems)
      e = initValue(et, nullptr, where, z);
    return Val::ofArr(arr);
  };
  if (!init)
    return fill(zero);
  init = init->IgnoreImplicit();
  if (const auto *ce = dyn_cast<CXXConstructExpr>(init)) {
    if (ce->getNumArgs() == 0) // value-initialised
      return fill(true);
    if (ce->getNumArgs() == 1) { // a copy
      Val src = eval(ce->getArg(0));
      if (src.k != Val::K::Arr || src.arr->size != n || src.arr->record)
        fail(init, "unsupported array initialiser");
      for (int64_t i = 0; i < n; ++i)
        arr->elems[static_cast<size_t>(i)] =
            copyOf(load(LRef{nullptr, src.arr, i}, init));
      return Val::ofArr(arr);
    }
    fail(init, "unsupported array initialiser");
  }
  const auto *il = dyn_cast<InitListExpr>(init);
  if (!il) {
    Val src = eval(init); // e.g. a function returning a std::array
    if (src.k != Val::K::Arr || src.arr->size != n || src.arr->record)
      fail(init, "unsupported array initialiser (use a braced list)");
    return copyOf(src);
  }
  if (stdArray && il->getNumInits() == 1 &&
      isa<InitListExpr>(il->getInit(0)->IgnoreImplicit()))
    il = cast<InitListExpr>(il->getInit(0)->IgnoreImplicit());
  if (static_cast<int64_t>(il->getNumInits()) > n)
    fail(init, "too many initialisers");
  for (int64_t i = 0; i < n; ++i)
    arr->elems[static_cast<size_t>(i)] =
        i < static_cast<int64_t>(il->getNumInits())
            ? initValue(et, il->getInit(static_cast<unsigned>(i)), where)
            : initValue(et, nullptr, where, true);
  return Val::ofArr(arr);
}

Val Evaluator::globalValue(const VarDecl *vd, const Expr *use) {
  auto it = globals.find(vd);
  if (it != globals.end())
    return it->second;
  QualType t = vd->getType();
  bool isConst = vd->isConstexpr() || t.isConstQualified() ||
                 (ctx.getAsArrayType(t) &&
                  ctx.getAsArrayType(t)->getElementType().isConstQualified());
  SourceLocation where = use ? use->getBeginLoc() : vd->getLocation();
  if (!isConst)
    fail(where, "use of global mutable variable '" + vd->getNameAsString() +
                    "': an energy function cannot read mutable global "
                    "state (make it constexpr or const)");
  const VarDecl *def = vd->getDefinition() ? vd->getDefinition() : vd;
  const Expr *init = def->getAnyInitializer();
  if (!init)
    fail(where, "constant '" + vd->getNameAsString() +
                    "' has no initialiser that dgc can see");
  // Evaluated in a frame of its own: a constant sees no locals.
  frames.emplace_back();
  Val v = initValue(t, init, vd->getLocation());
  frames.pop_back();
  if (v.k == Val::K::Dyn)
    fail(where, "constant '" + vd->getNameAsString() +
                    "' depends on the state");
  if (v.k == Val::K::Arr)
    v.arr->name = '@' + vd->getNameAsString();
  globals[vd] = v;
  return v;
}

//===----------------------------------------------------------------------===//
// Structs: plain aggregates of numbers, arrays and structs, with
// constructors and methods whose bodies are visible
//===----------------------------------------------------------------------===//

void Evaluator::checkRecord(const CXXRecordDecl *rd, SourceLocation where) {
  if (rd->isInStdNamespace())
    fail(where, "variables of type '" + rd->getQualifiedNameAsString() +
                    "' are not supported (dgc knows std::array and "
                    "std::span)");
  if (!rd->hasDefinition())
    fail(where, "struct '" + rd->getNameAsString() +
                    "' has no definition that dgc can see");
  if (rd->isUnion())
    fail(where, "unions are not supported");
  if (rd->getNumBases() > 0 || rd->isPolymorphic())
    fail(where, "struct '" + rd->getNameAsString() +
                    "' has base classes or virtual functions; dgc supports "
                    "plain structs of numbers, arrays and structs");
}

Val Evaluator::recordValue(const CXXRecordDecl *rd, const Expr *init,
                           SourceLocation where, bool zero) {
  checkRecord(rd, where);
  auto arr = std::make_shared<Array>();
  arr->record = rd;
  arr->size = std::distance(rd->field_begin(), rd->field_end());
  arr->elems.resize(static_cast<size_t>(arr->size));
  Val self = Val::ofArr(arr);
  auto fieldInit = [&](const FieldDecl *f, const Expr *e, bool z) {
    QualType ft = f->getType();
    if (ft->isReferenceType() || ft->isPointerType())
      fail(f->getLocation(), "struct member '" + f->getNameAsString() +
                                 "' is a reference or a pointer; dgc "
                                 "supports members that are numbers, "
                                 "arrays and structs");
    if (!e && f->hasInClassInitializer())
      e = f->getInClassInitializer();
    arr->elems[f->getFieldIndex()] = initValue(ft, e, f->getLocation(), z);
  };
  if (init)
    init = init->IgnoreImplicit();
  const auto *ce = dyn_cast_or_null<CXXConstructExpr>(init);
  if (!init || (ce && ce->getConstructor()->isDefaultConstructor() &&
                !ce->getConstructor()->isUserProvided())) {
    bool z = zero || (ce && ce->requiresZeroInitialization());
    for (const FieldDecl *f : rd->fields())
      fieldInit(f, nullptr, z);
    return self;
  }
  if (const auto *il = dyn_cast<InitListExpr>(init)) {
    unsigned i = 0;
    for (const FieldDecl *f : rd->fields()) {
      fieldInit(f, i < il->getNumInits() ? il->getInit(i) : nullptr, true);
      ++i;
    }
    return self;
  }
  if (ce) {
    const CXXConstructorDecl *ctor = ce->getConstructor();
    if (ctor->isCopyOrMoveConstructor() && !ctor->isUserProvided()) {
      Val src = eval(ce->getArg(0));
      if (src.k != Val::K::Arr || !src.arr->record)
        fail(init, "expected a struct");
      return copyOf(src);
    }
    std::vector<const Expr *> args(ce->arg_begin(), ce->arg_end());
    const FunctionDecl *def = visibleBody(ctor, init);
    inlineCall(def, args, init, &self);
    return self;
  }
  Val src = eval(init); // a function returning a struct, ...
  if (src.k != Val::K::Arr || !src.arr->record)
    fail(init, "expected a struct");
  return copyOf(src);
}

LRef Evaluator::member(const MemberExpr *me) {
  const auto *fd = dyn_cast<FieldDecl>(me->getMemberDecl());
  if (!fd)
    fail(me, "member access to '" + me->getMemberDecl()->getNameAsString() +
                 "' is not supported");
  Val base = eval(me->getBase());
  if (base.k != Val::K::Arr || !base.arr->record)
    fail(me, "member access on something that is not a struct");
  return LRef{nullptr, base.arr, fd->getFieldIndex()};
}

std::shared_ptr<Val> Evaluator::bindRef(const Expr *init, QualType t) {
  const Expr *e = init->IgnoreImplicit();
  if (e->isLValue() || e->isXValue()) {
    if (const auto *dre = dyn_cast<DeclRefExpr>(e->IgnoreParens()))
      if (const auto *vd = dyn_cast<VarDecl>(dre->getDecl()))
        if (auto cell = lookup(vd))
          return cell;
    if (isSubscript(e) || isa<MemberExpr>(e->IgnoreParens())) {
      LRef r = lvalue(e);
      if (!r.arr->isState)
        return std::shared_ptr<Val>(
            r.arr, &r.arr->elems[static_cast<size_t>(r.index)]);
      return std::make_shared<Val>(load(r, e));
    }
  }
  Val v = eval(init);
  if (t.getNonReferenceType()->isArithmeticType())
    v = convert(v, t.getNonReferenceType(), init);
  return std::make_shared<Val>(v);
}

//===----------------------------------------------------------------------===//
// Lvalues
//===----------------------------------------------------------------------===//

bool Evaluator::isSubscript(const Expr *e) {
  e = e->IgnoreParens();
  if (isa<ArraySubscriptExpr>(e))
    return true;
  const auto *oc = dyn_cast<CXXOperatorCallExpr>(e);
  return oc && oc->getOperator() == OO_Subscript;
}

std::string rangeOf(const Array &a) {
  return (a.name.empty() ? std::string() : " for '" + a.name + "'") +
         (a.size >= 0 ? " (size " + std::to_string(a.size) + ")"
                      : std::string());
}

LRef Evaluator::subscript(const Expr *base, const Expr *index,
                          const Expr *whole) {
  Val bv = eval(base);
  if (bv.k != Val::K::Arr)
    fail(whole, "subscript of something that is not the state or an array");
  int64_t i = evalInt(index, "array index");
  const Array &a = *bv.arr;
  if (i < 0 || (a.size >= 0 && i >= a.size))
    fail(index, "index " + std::to_string(i) + " is out of range" +
                    rangeOf(a));
  if (a.size < 0 && i >= kUnknownSize)
    fail(index, "index " + std::to_string(i) + " is too large");
  return LRef{nullptr, bv.arr, i};
}

LRef Evaluator::lvalue(const Expr *e) {
  e = e->IgnoreParens();
  if (const auto *dre = dyn_cast<DeclRefExpr>(e)) {
    if (const auto *vd = dyn_cast<VarDecl>(dre->getDecl())) {
      if (auto cell = lookup(vd))
        return LRef{cell, nullptr, 0};
      if (vd->hasGlobalStorage())
        fail(e, "assignment to global variable '" + vd->getNameAsString() +
                    "': an energy function cannot have mutable global "
                    "state");
    }
    fail(e, "unsupported assignment target");
  }
  if (const auto *as = dyn_cast<ArraySubscriptExpr>(e))
    return subscript(as->getBase(), as->getIdx(), e);
  if (const auto *me = dyn_cast<MemberExpr>(e))
    return member(me);
  if (const auto *oc = dyn_cast<CXXOperatorCallExpr>(e);
      oc && oc->getOperator() == OO_Subscript)
    return subscript(oc->getArg(0), oc->getArg(1), e);
  if (const auto *uo = dyn_cast<UnaryOperator>(e);
      uo && uo->getOpcode() == UO_Deref)
    fail(e, "pointer dereference is not supported: index the array as "
            "u[i]");
  fail(e, std::string("unsupported assignment target (") +
              e->getStmtClassName() + ")");
}

Val Evaluator::load(const LRef &r, const Stmt *where) {
  if (r.cell) {
    if (r.cell->k == Val::K::Undef)
      fail(where, "read of an uninitialised variable");
    return *r.cell;
  }
  Array &a = *r.arr;
  if (a.isState) {
    auto it = a.stateElems.find(r.index);
    if (it != a.stateElems.end())
      return Val::ofDyn(it->second);
    SourceLoc keep = b.currentLoc();
    at(where);
    ValueId v = b.reshape(b.slice(stateInput, r.index, r.index + 1),
                          Shape());
    b.setLoc(keep);
    a.stateElems[r.index] = v;
    return Val::ofDyn(v);
  }
  const Val &v = a.elems[static_cast<size_t>(r.index)];
  if (v.k == Val::K::Undef && a.record)
    fail(where, "read of uninitialised member '" +
                    fieldName(a.record, r.index) + "'");
  if (v.k == Val::K::Undef)
    fail(where, "read of uninitialised element " + std::to_string(r.index) +
                    " of an array");
  return v;
}

void Evaluator::store(const LRef &r, const Val &v, const Stmt *where) {
  if (r.cell) {
    *r.cell = v;
    return;
  }
  if (r.arr->isState)
    fail(where, "the state '" + r.arr->name + "' is read-only");
  if (r.arr->name.size() && r.arr->name[0] == '@')
    fail(where, "assignment to a constant");
  r.arr->elems[static_cast<size_t>(r.index)] = v;
}

} // namespace dgc::cxx::detail
