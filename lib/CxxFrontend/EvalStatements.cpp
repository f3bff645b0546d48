//===- EvalStatements.cpp - The evaluator's statements --------------------===//
//
// Part of dgc. Evaluator::exec runs a statement at import time: blocks,
// declarations, returns, `if` with a compile-time condition, loops (unrolled:
// each iteration runs), break and continue; goto, labels, switch, exceptions
// and inline assembly are refused. Evaluator::declare binds a local
// variable. The class and its values are in EvaluatorImpl.h.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/EvaluatorImpl.h"

#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/Stmt.h>
#include <clang/AST/StmtCXX.h>

#include <string>

namespace dgc::cxx::detail {

using namespace clang;

Flow Evaluator::exec(const Stmt *s) {
  if (!s)
    return Flow::Normal;
  countStep(s);
  if (const auto *cs = dyn_cast<CompoundStmt>(s)) {
    for (const Stmt *c : cs->body()) {
      Flow f = exec(c);
      if (f != Flow::Normal)
        return f;
    }
    return Flow::Normal;
  }
  if (const auto *ds = dyn_cast<DeclStmt>(s)) {
    for (const Decl *d : ds->decls())
      if (const auto *vd = dyn_cast<VarDecl>(d))
        declare(vd);
      else if (!isa<TypedefNameDecl>(d) && !isa<TagDecl>(d) &&
               !isa<StaticAssertDecl>(d) &&
               !isa<UsingDecl>(d) && !isa<UsingDirectiveDecl>(d))
        fail(d->getLocation(), std::string("unsupported local declaration "
                                           "(") + d->getDeclKindName() +
                                   ")");
    return Flow::Normal;
  }
  if (isa<NullStmt>(s))
    return Flow::Normal;
  if (const auto *e = dyn_cast<Expr>(s)) {
    eval(e);
    return Flow::Normal;
  }
  if (const auto *rs = dyn_cast<ReturnStmt>(s)) {
    if (rs->getRetValue()) {
      Val v = eval(rs->getRetValue());
      if (v.k == Val::K::Undef)
        fail(rs, "read of an uninitialised value");
      frames.back().ret = v;
    }
    return Flow::Return;
  }
  if (const auto *is = dyn_cast<IfStmt>(s)) {
    if (is->getInit())
      exec(is->getInit());
    if (is->getConditionVariableDeclStmt())
      exec(is->getConditionVariableDeclStmt());
    bool c = evalCond(is->getCond(), "'if' condition");
    return c ? exec(is->getThen()) : exec(is->getElse());
  }
  if (const auto *fs = dyn_cast<ForStmt>(s)) {
    exec(fs->getInit());
    while (true) {
      if (fs->getConditionVariableDeclStmt())
        exec(fs->getConditionVariableDeclStmt());
      if (fs->getCond() && !evalCond(fs->getCond(), "loop condition"))
        break;
      Flow f = exec(fs->getBody());
      if (f == Flow::Break)
        break;
      if (f == Flow::Return)
        return f;
      if (fs->getInc())
        eval(fs->getInc());
    }
    return Flow::Normal;
  }
  if (const auto *ws = dyn_cast<WhileStmt>(s)) {
    while (true) {
      if (ws->getConditionVariableDeclStmt())
        exec(ws->getConditionVariableDeclStmt());
      if (!evalCond(ws->getCond(), "loop condition"))
        break;
      Flow f = exec(ws->getBody());
      if (f == Flow::Break)
        break;
      if (f == Flow::Return)
        return f;
    }
    return Flow::Normal;
  }
  if (const auto *dw = dyn_cast<DoStmt>(s)) {
    while (true) {
      Flow f = exec(dw->getBody());
      if (f == Flow::Break)
        break;
      if (f == Flow::Return)
        return f;
      if (!evalCond(dw->getCond(), "loop condition"))
        break;
    }
    return Flow::Normal;
  }
  if (const auto *rf = dyn_cast<CXXForRangeStmt>(s)) {
    Val range = eval(rf->getRangeInit());
    if (range.k != Val::K::Arr || range.arr->size < 0)
      fail(rf->getRangeInit(), "range-based 'for' needs an array of "
                               "compile-time size");
    const VarDecl *lv = rf->getLoopVariable();
    for (int64_t i = 0; i < range.arr->size; ++i) {
      LRef r{nullptr, range.arr, i};
      std::shared_ptr<Val> cell;
      if (lv->getType()->isReferenceType() && !range.arr->isState)
        cell = std::shared_ptr<Val>(
            range.arr, &range.arr->elems[static_cast<size_t>(i)]);
      else
        cell = std::make_shared<Val>(copyOf( // by value: a copy
            convert(load(r, rf), lv->getType().getNonReferenceType(), rf)));
      frames.back().vars[lv] = cell;
      Flow f = exec(rf->getBody());
      if (f == Flow::Break)
        break;
      if (f == Flow::Return)
        return f;
    }
    return Flow::Normal;
  }
  if (isa<BreakStmt>(s))
    return Flow::Break;
  if (isa<ContinueStmt>(s))
    return Flow::Continue;
  if (const auto *as = dyn_cast<AttributedStmt>(s))
    return exec(as->getSubStmt());
  if (isa<GotoStmt>(s) || isa<IndirectGotoStmt>(s))
    fail(s, "'goto' is not supported in an energy function");
  if (isa<LabelStmt>(s))
    fail(s, "labels (and 'goto') are not supported in an energy function");
  if (isa<SwitchStmt>(s))
    fail(s, "'switch' is not supported; use 'if' with a compile-time "
            "condition");
  if (isa<CXXTryStmt>(s) || isa<CXXThrowExpr>(s))
    fail(s, "exceptions are not supported in an energy function");
  if (isa<GCCAsmStmt>(s) || isa<MSAsmStmt>(s))
    fail(s, "inline assembly is not supported");
  fail(s, std::string("unsupported statement (") + s->getStmtClassName() +
              ")");
}

void Evaluator::declare(const VarDecl *vd) {
  QualType t = vd->getType();
  if (isa<DecompositionDecl>(vd))
    fail(vd->getLocation(), "structured bindings are not supported; "
                            "name the elements one by one");
  if (vd->isStaticLocal() && !t.isConstQualified() && !vd->isConstexpr())
    fail(vd->getLocation(), "static local variable '" +
                                vd->getNameAsString() +
                                "' is mutable global state, which an energy "
                                "function cannot have");
  const Expr *init = vd->getInit();
  // Evaluate first: evaluation may push frames (constants), so no
  // reference into `frames` is held across it.
  std::shared_ptr<Val> cell;
  if (t->isReferenceType()) {
    if (!init)
      fail(vd->getLocation(), "reference without an initialiser");
    cell = bindRef(init, t);
  } else if (vd->isStaticLocal()) { // const/constexpr: compile-time
    cell = std::make_shared<Val>(globalValue(vd));
  } else {
    cell = std::make_shared<Val>(initValue(t, init, vd->getLocation()));
  }
  frames.back().vars[vd] = cell;
}

} // namespace dgc::cxx::detail
