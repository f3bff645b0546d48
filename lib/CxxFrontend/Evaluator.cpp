//===- Evaluator.cpp - Import-time evaluation of a C++ energy -------------===//
//
// Part of dgc. An abstract interpreter over Clang's AST of an energy
// function. A value is a compile-time integer or real (folded with C++'s
// integer semantics: width, signedness, truncating division), an IR scalar
// that depends on the state (built with ir::Builder, located at the C++
// expression), an array (the state, a local array or std::array, a
// constexpr global table), a struct (an array of its fields) or a lambda
// (its captures). Loops run at import time and calls, methods, overloaded
// operators and lambdas are inlined, so the IR stays straight-line; the
// <cmath> functions are MathLibrary's. A condition that depends on the
// state, pointer arithmetic, goto, calls without a visible body and global
// mutable state are refused with one error at the construct. Nothing is guessed: a construct this file
// does not know is an error naming it, never an approximation.
//
// This file: the value helpers, the entry (Evaluator::run) and the helpers
// every node family uses (locations, conversions, conditions, lookup,
// fail). The class is declared in EvaluatorImpl.h; statements, values,
// expressions and calls are in EvalStatements.cpp, EvalValues.cpp,
// EvalExpressions.cpp and EvalCalls.cpp.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/Evaluator.h"
#include "CxxFrontend/EvaluatorImpl.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Expr.h>
#include <clang/AST/Stmt.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>

#include <cmath>
#include <set>
#include <string>

namespace dgc::cxx::detail {

using namespace clang;

Val copyOf(const Val &v) {
  if (v.k != Val::K::Arr || v.arr->isState)
    return v;
  auto a = std::make_shared<Array>(*v.arr);
  a->name.clear();
  for (Val &e : a->elems)
    e = copyOf(e);
  return Val::ofArr(a);
}

std::string fieldName(const RecordDecl *rd, int64_t index) {
  for (const FieldDecl *f : rd->fields())
    if (f->getFieldIndex() == index)
      return f->getNameAsString();
  return "?";
}

std::string typeName(QualType t) { return t.getAsString(); }

bool stdContainer(QualType t, std::string &name, int64_t &n) {
  const auto *rd = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      t.getNonReferenceType()->getAsCXXRecordDecl());
  if (!rd || !rd->isInStdNamespace() || !rd->getIdentifier())
    return false;
  name = rd->getName().str();
  if (name != "array" && name != "span")
    return false;
  const TemplateArgumentList &args = rd->getTemplateArgs();
  if (args.size() < 2 || args[1].getKind() != TemplateArgument::Integral)
    return false;
  llvm::APSInt v = args[1].getAsIntegral();
  n = v.isUnsigned() && v.getZExtValue() > (uint64_t(1) << 40)
          ? -1 // std::dynamic_extent
          : v.getExtValue();
  return true;
}

void Evaluator::fail(SourceLocation loc, const std::string &msg) {
  unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Error, "%0");
  diags.Report(loc, id) << msg;
  unsigned note = diags.getCustomDiagID(DiagnosticsEngine::Note, "%0");
  // Where the failing code was inlined from, outermost call last; a call
  // site repeated by recursion is shown once.
  std::set<unsigned> shown;
  for (auto it = callSites.rbegin(); it != callSites.rend(); ++it)
    if (shown.insert(it->getRawEncoding()).second)
      diags.Report(*it, note) << "inlined into the energy from here";
  throw Abort{};
}

void Evaluator::fail(const Stmt *s, const std::string &msg) {
  fail(s->getBeginLoc(), msg);
}

bool Evaluator::run(const FunctionDecl *fd, int64_t knownSize,
                    int64_t &stateSize) {
  try {
    runOrThrow(fd, knownSize, stateSize);
    return true;
  } catch (const Abort &) {
    return false;
  }
}

//===----------------------------------------------------------------------===//
// Entry
//===----------------------------------------------------------------------===//

void Evaluator::runOrThrow(const FunctionDecl *fd, int64_t knownSize,
                           int64_t &stateSize) {
  if (!fd->getReturnType()->isRealFloatingType() &&
      !fd->getReturnType()->isIntegerType())
    fail(fd->getLocation(), "the energy function must return a scalar "
                            "('double' or 'float'), not '" +
                                typeName(fd->getReturnType()) + "'");
  if (fd->getNumParams() != 1)
    fail(fd->getLocation(),
         "the energy function must take the state as its only parameter "
         "(it has " + std::to_string(fd->getNumParams()) + ")");
  const ParmVarDecl *p = fd->getParamDecl(0);
  int64_t n = stateParamSize(fd, p, knownSize);
  if (knownSize > 0 && n > 0 && n != knownSize)
    fail(p->getLocation(), "the state '" + p->getNameAsString() + "' has " +
                               std::to_string(n) + " elements but --grid "
                               "gives " + std::to_string(knownSize) +
                               " points");
  if (knownSize > 0)
    n = knownSize;

  auto state = std::make_shared<Array>();
  state->name = p->getNameAsString();
  state->isState = true;
  state->size = n > 0 ? n : -1;
  b.setLoc(loc(p->getLocation()));
  // An unknown size is fixed after the body ran (the largest index read);
  // until then the input is given a size no index reaches.
  stateInput = b.input("u", Shape{n > 0 ? n : kUnknownSize});
  stateArr = state;

  frames.emplace_back();
  frames.back().vars[p] = std::make_shared<Val>(Val::ofArr(state));
  const FunctionDecl *def = nullptr;
  if (!fd->hasBody(def))
    fail(fd->getLocation(), "the energy function has no body");
  Flow flow = exec(def->getBody());
  if (flow != Flow::Return)
    fail(def->getBody()->getEndLoc(),
         "the energy function ends without returning a value");
  Val h = frames.back().ret;
  frames.pop_back();

  if (n <= 0) {
    if (state->stateElems.empty())
      fail(fd->getLocation(),
           "the energy never reads the state, so its size is unknown: "
           "give --grid N,LENGTH or use std::array<double, N>");
    n = state->stateElems.rbegin()->first + 1;
    b.function().op(stateInput).type = Shape{n};
  }
  stateSize = n;
  b.setLoc(loc(fd->getLocation()));
  ValueId hv = asValue(h, def->getBody());
  b.function().results = {hv};
  b.function().resultNames = {"H"};
}

int64_t Evaluator::stateParamSize(const FunctionDecl *fd, const ParmVarDecl *p,
                                  int64_t knownSize) {
  QualType t = p->getType().getNonReferenceType().getCanonicalType();
  std::string kind;
  int64_t n = 0;
  if (const auto *pt = t->getAs<PointerType>()) {
    if (!pt->getPointeeType()->isRealFloatingType())
      fail(p->getLocation(), "the state must point to 'double' or 'float', "
                             "not '" + typeName(p->getType()) + "'");
    // A template argument sizes a pointer (template <int N> double H(const
    // double *u)); otherwise --grid or the largest index read does.
    if (const TemplateArgumentList *args =
            fd->getTemplateSpecializationArgs())
      for (const TemplateArgument &a : args->asArray())
        if (a.getKind() == TemplateArgument::Integral)
          return a.getAsIntegral().getExtValue();
    return 0;
  }
  if (const auto *at = ctx.getAsConstantArrayType(t)) {
    if (!at->getElementType()->isRealFloatingType())
      fail(p->getLocation(), "the state must hold 'double' or 'float'");
    return static_cast<int64_t>(at->getSize().getZExtValue());
  }
  if (stdContainer(t, kind, n)) {
    if (n < 0 && knownSize > 0)
      return knownSize;
    if (n < 0)
      fail(p->getLocation(),
           "the size of 'std::span' state '" + p->getNameAsString() +
               "' is not known at compile time: give --grid N,LENGTH or "
               "use std::span<const double, N>");
    return n;
  }
  fail(p->getLocation(),
       "unsupported state parameter type '" + typeName(p->getType()) +
           "': use 'const double *', 'const float *', std::array<double, "
           "N> or std::span<const double, N>");
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

SourceLoc Evaluator::loc(SourceLocation l) {
  if (buffer == 0 || l.isInvalid())
    return {};
  const clang::SourceManager &sm = ctx.getSourceManager();
  SourceLocation e = sm.getExpansionLoc(l);
  if (sm.getFileID(e) != sm.getMainFileID())
    return {};
  PresumedLoc p = sm.getPresumedLoc(e);
  if (p.isInvalid())
    return {};
  return SourceLoc{buffer, p.getLine(), p.getColumn()};
}

void Evaluator::at(const Stmt *s) { b.setLoc(loc(s->getBeginLoc())); }

ValueId Evaluator::asValue(const Val &v, const Stmt *s) {
  switch (v.k) {
  case Val::K::Int:
  case Val::K::Real:
    return b.constant(v.real());
  case Val::K::Dyn:
    return v.v;
  case Val::K::Arr:
    fail(s, v.arr->record ? "a struct is used where a scalar is expected"
                          : "an array is used where a scalar is expected");
  case Val::K::Closure:
    fail(s, "a lambda is used where a scalar is expected");
  case Val::K::Undef:
    break;
  }
  fail(s, "read of an uninitialised value");
}

int64_t Evaluator::normInt(int64_t v, QualType t) {
  t = t.getCanonicalType();
  if (t->isBooleanType())
    return v != 0;
  if (!t->isIntegerType())
    return v;
  unsigned w = static_cast<unsigned>(ctx.getIntWidth(t));
  if (w >= 64)
    return v;
  uint64_t mask = (uint64_t(1) << w) - 1, u = uint64_t(v) & mask;
  if (t->isUnsignedIntegerOrEnumerationType())
    return static_cast<int64_t>(u);
  if (u >> (w - 1))
    u |= ~mask;
  return static_cast<int64_t>(u);
}

Val Evaluator::convert(Val v, QualType t, const Stmt *s) {
  t = t.getCanonicalType();
  if (v.k == Val::K::Undef)
    fail(s, "read of an uninitialised value");
  if (t->isIntegerType()) {
    if (v.k == Val::K::Dyn)
      fail(s, "conversion of a value that depends on the state to '" +
                  typeName(t) + "' (integers must be compile-time)");
    if (v.k == Val::K::Real) {
      if (t->isBooleanType())
        return Val::ofInt(v.r != 0);
      if (!std::isfinite(v.r) || std::fabs(v.r) > 9.2e18)
        fail(s, "real value out of the range of '" + typeName(t) + "'");
      return Val::ofInt(normInt(static_cast<int64_t>(v.r), t));
    }
    if (v.k == Val::K::Int)
      return Val::ofInt(normInt(v.i, t));
    return v;
  }
  if (t->isRealFloatingType()) {
    if (v.k == Val::K::Int)
      return Val::ofReal(static_cast<double>(v.i));
    return v;
  }
  return v;
}

int64_t Evaluator::evalInt(const Expr *e, const char *what) {
  Val v = eval(e);
  if (v.k == Val::K::Dyn)
    fail(e, std::string(what) + " depends on the state; dgc needs it at "
                                "compile time");
  if (v.k != Val::K::Int)
    fail(e, std::string(what) + " is not an integer");
  return v.i;
}

bool Evaluator::evalCond(const Expr *e, const char *what) {
  const char *outer = condWhat;
  condWhat = what;
  Val v = eval(e);
  condWhat = outer;
  if (v.k == Val::K::Dyn)
    fail(e, std::string(what) +
                " depends on the state: dgc supports only compile-time "
                "conditions (control flow on the state has no discrete "
                "gradient)");
  if (!v.isConst())
    fail(e, std::string(what) + " is not a scalar");
  return v.real() != 0;
}

void Evaluator::countStep(const Stmt *s) {
  if (++steps > kMaxSteps)
    fail(s, "the energy runs more than " + std::to_string(kMaxSteps) +
                " steps at import time; dgc unrolls loops, so the state "
                "and loops must be of moderate size");
}

std::shared_ptr<Val> Evaluator::lookup(const VarDecl *vd) {
  auto it = frames.back().vars.find(vd);
  return it == frames.back().vars.end() ? nullptr : it->second;
}

} // namespace dgc::cxx::detail

namespace dgc::cxx {

bool evaluateEnergy(clang::ASTContext &ctx, clang::DiagnosticsEngine &diags,
                    const clang::FunctionDecl *fd, int64_t knownSize,
                    uint32_t buffer, ir::Function &out, int64_t &stateSize) {
  out = ir::Function();
  out.name = "energy";
  detail::Evaluator ev(ctx, diags, out, buffer);
  return ev.run(fd, knownSize, stateSize);
}

} // namespace dgc::cxx
