//===- EvalCalls.cpp - The evaluator's calls ------------------------------===//
//
// Part of dgc. Calls are inlined: functions, methods, constructors,
// overloaded operators and lambdas (whose captures a closure holds) run
// their visible bodies in a frame of their own. A <cmath> function is
// MathLibrary's: folded at compile-time arguments, else its IR. The class
// and its values are in EvaluatorImpl.h.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/EvaluatorImpl.h"
#include "CxxFrontend/MathLibrary.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/Basic/SourceManager.h>

#include <cmath>
#include <string>
#include <vector>

namespace dgc::cxx::detail {

using namespace clang;

bool Evaluator::isLibraryMath(const FunctionDecl *fd, std::string &base) {
  if (!fd->getIdentifier() || !mathBaseName(fd->getName().str(), base))
    return false;
  if (fd->isInStdNamespace())
    return true;
  const DeclContext *dc = fd->getDeclContext()->getRedeclContext();
  return (dc->isTranslationUnit() || dc->isExternCContext()) &&
         ctx.getSourceManager().isInSystemHeader(fd->getLocation());
}

Val Evaluator::call(const CallExpr *c) {
  const FunctionDecl *fd = c->getDirectCallee();
  if (!fd)
    fail(c, "indirect calls are not supported");
  std::vector<const Expr *> args(c->arg_begin(), c->arg_end());
  if (const auto *mc = dyn_cast<CXXMemberCallExpr>(c)) {
    const Expr *obj = mc->getImplicitObjectArgument();
    std::string kind;
    int64_t n = 0;
    if (obj && stdContainer(obj->getType()->isPointerType()
                                ? obj->getType()->getPointeeType()
                                : obj->getType(),
                            kind, n) &&
        fd->getIdentifier() && fd->getName() == "size") {
      Val v = eval(obj);
      if (v.k != Val::K::Arr || v.arr->size < 0)
        fail(c, "the size of this array is not known at compile time");
      return Val::ofInt(v.arr->size);
    }
    const auto *md = cast<CXXMethodDecl>(fd);
    if (md->getParent()->isInStdNamespace())
      fail(c, "call to member function '" + fd->getNameAsString() +
                  "' is not supported (of the standard library dgc knows "
                  "size() of std::array/std::span)");
    Val self = eval(obj);
    if (self.k != Val::K::Arr || !self.arr->record)
      fail(obj, "expected a struct");
    return inlineCall(visibleBody(fd, c), args, c, &self);
  }
  std::string base;
  if (isLibraryMath(fd, base))
    return math(base, c);
  if (isStdFold(fd))
    return fold(fd, c);
  // A constexpr library function of constants (std::max(1.0, k), ...):
  // Clang's constant evaluator folds it.
  if (ctx.getSourceManager().isInSystemHeader(fd->getLocation()) &&
      fd->isConstexpr() && c->getType()->isArithmeticType())
    if (std::optional<Val> v = tryClangConstant(c))
      return *v;
  if (fd->getBuiltinID() != 0 && !fd->hasBody())
    fail(c, "call to '" + fd->getNameAsString() +
                "' is not supported: dgc knows " + knownMathFunctions());
  return inlineCall(visibleBody(fd, c), args, c);
}

const FunctionDecl *Evaluator::visibleBody(const FunctionDecl *fd,
                                           const Expr *c) {
  const FunctionDecl *def = nullptr;
  if (!fd->hasBody(def))
    fail(c, "call to '" + fd->getQualifiedNameAsString() +
                "', which has no body that dgc can see (dgc inlines calls, "
                "and knows " + knownMathFunctions() + ")");
  if (ctx.getSourceManager().isInSystemHeader(def->getLocation()))
    fail(c, "call to library function '" + fd->getQualifiedNameAsString() +
                "' is not supported (dgc knows " + knownMathFunctions() +
                ")");
  return def;
}

Val Evaluator::operatorCall(const CXXOperatorCallExpr *oc) {
  const FunctionDecl *fd = oc->getDirectCallee();
  const auto *md = dyn_cast_or_null<CXXMethodDecl>(fd);
  std::vector<const Expr *> args(oc->arg_begin(), oc->arg_end());
  if (md && md->getParent()->isLambda()) {
    Val f = eval(args[0]);
    if (f.k != Val::K::Closure)
      fail(args[0], "expected a lambda");
    args.erase(args.begin());
    return inlineCall(visibleBody(fd, oc), args, oc, &f.closure->self,
                      &f.closure->vars);
  }
  if (md && oc->getOperator() == OO_Equal && !md->isUserProvided() &&
      (md->isCopyAssignmentOperator() || md->isMoveAssignmentOperator())) {
    Val dst = load(lvalue(args[0]), oc), src = copyOf(eval(args[1]));
    if (dst.k == Val::K::Arr && dst.arr->isState)
      fail(oc, "the state '" + dst.arr->name + "' is read-only");
    if (dst.k != Val::K::Arr || src.k != Val::K::Arr ||
        dst.arr->elems.size() != src.arr->elems.size())
      fail(oc, "unsupported assignment");
    dst.arr->elems = src.arr->elems; // in place: references see it
    return dst;
  }
  if (fd && !ctx.getSourceManager().isInSystemHeader(fd->getLocation())) {
    if (!md)
      return inlineCall(visibleBody(fd, oc), args, oc);
    Val self = eval(args[0]);
    if (self.k != Val::K::Arr || !self.arr->record)
      fail(args[0], "expected a struct");
    args.erase(args.begin());
    return inlineCall(visibleBody(fd, oc), args, oc, &self);
  }
  fail(oc, std::string("overloaded operator '") +
               getOperatorSpelling(oc->getOperator()) +
               "' is not supported");
}

Val Evaluator::closure(const LambdaExpr *le) {
  if (le->isMutable())
    fail(le, "'mutable' lambdas are not supported (a lambda may change "
             "what it captures by reference)");
  auto cl = std::make_shared<Closure>();
  for (const LambdaCapture &cap : le->captures()) {
    if (cap.capturesThis()) { // [this] shares the object, [*this] copies it
      cl->self = cap.getCaptureKind() == LCK_StarThis
                     ? copyOf(frames.back().self)
                     : frames.back().self;
      continue;
    }
    if (!cap.capturesVariable())
      fail(le, "unsupported lambda capture");
    const VarDecl *vd = cap.getCapturedVar();
    if (vd->isInitCapture()) {
      cl->vars[vd] = vd->getType()->isReferenceType()
                         ? bindRef(vd->getInit(), vd->getType())
                         : std::make_shared<Val>(initValue(
                               vd->getType(), vd->getInit(),
                               vd->getLocation()));
      continue;
    }
    std::shared_ptr<Val> cell = lookup(vd);
    if (!cell)
      fail(le, "captured variable '" + vd->getNameAsString() +
                   "' is not visible here");
    cl->vars[vd] = cap.getCaptureKind() == LCK_ByRef
                       ? cell
                       : std::make_shared<Val>(copyOf(*cell));
  }
  return Val::ofClosure(cl);
}

Val Evaluator::inlineCall(const FunctionDecl *def,
                          const std::vector<const Expr *> &args,
                          const Expr *site, const Val *self,
                          const Vars *captured) {
  if (callSites.size() >= kMaxDepth)
    fail(site, "calls nest deeper than " + std::to_string(kMaxDepth) +
                   " (recursion is not supported)");
  if (def->isVariadic())
    fail(site, "variadic functions are not supported");
  if (args.size() < def->getNumParams())
    fail(site, "too few arguments");
  Frame fr;
  if (captured)
    fr.vars = *captured;
  if (self)
    fr.self = *self;
  for (unsigned i = 0; i < def->getNumParams(); ++i) {
    const ParmVarDecl *p = def->getParamDecl(i);
    const Expr *arg = args[i];
    QualType pt = p->getType();
    if (pt->isReferenceType()) {
      fr.vars[p] = bindRef(arg, pt);
      continue;
    }
    Val v = eval(arg);
    if (v.k == Val::K::Undef)
      fail(arg, "read of an uninitialised value");
    if (pt->isArithmeticType())
      v = convert(v, pt, arg);
    else if (!pt->isPointerType())
      v = copyOf(v); // by value: a copy
    fr.vars[p] = std::make_shared<Val>(v);
  }
  callSites.push_back(site->getBeginLoc());
  frames.push_back(std::move(fr));
  if (const auto *ctor = dyn_cast<CXXConstructorDecl>(def))
    initMembers(ctor);
  Flow f = exec(def->getBody());
  Val ret = frames.back().ret;
  frames.pop_back();
  callSites.pop_back();
  QualType rt = def->getReturnType();
  if (rt->isVoidType())
    return Val::ofInt(0);
  if (f != Flow::Return)
    fail(def->getBody()->getEndLoc(), "function '" + def->getNameAsString() +
                                          "' ends without returning a value");
  if (rt->isArithmeticType())
    ret = convert(ret, rt, site);
  else if (!rt->isReferenceType() && !rt->isPointerType())
    ret = copyOf(ret);
  return ret;
}

void Evaluator::initMembers(const CXXConstructorDecl *ctor) {
  Array &self = *frames.back().self.arr;
  for (const CXXCtorInitializer *ci : ctor->inits()) {
    if (ci->isDelegatingInitializer())
      fail(ci->getSourceLocation(),
           "delegating constructors are not supported; initialise the "
           "members in each constructor");
    if (!ci->isAnyMemberInitializer() || ci->isIndirectMemberInitializer())
      fail(ci->getSourceLocation(),
           "only member initialisers are supported in a constructor");
    const FieldDecl *f = ci->getAnyMember();
    self.elems[f->getFieldIndex()] =
        initValue(f->getType(), ci->getInit(), ci->getSourceLocation());
  }
}

Val Evaluator::math(const std::string &name, const CallExpr *c) {
  unsigned want = mathArity(name);
  if (c->getNumArgs() != want)
    fail(c, "'" + name + "' takes " + std::to_string(want) + " argument" +
                (want == 1 ? "" : "s"));
  Val x[2];
  bool allConst = true;
  for (unsigned i = 0; i < want; ++i) {
    x[i] = eval(c->getArg(i));
    if (x[i].k == Val::K::Undef || x[i].k == Val::K::Arr)
      fail(c->getArg(i), "expected a scalar");
    allConst = allConst && x[i].isConst();
  }
  double k = 0;
  if (name == "pow") {
    if (x[1].k == Val::K::Dyn)
      fail(c->getArg(1), "the exponent of 'pow' depends on the state; "
                         "only compile-time exponents are supported");
    k = x[1].real();
    std::string problem = powExponentProblem(k);
    if (!problem.empty())
      fail(c->getArg(1), problem);
    if (k == 0 && !allConst)
      return Val::ofReal(1.0);
  }
  if (allConst) {
    double a[2] = {x[0].real(), want > 1 ? x[1].real() : 0.0};
    double v = foldMath(name, a);
    if (!std::isfinite(v))
      fail(c, "'" + name + "' of a compile-time value is not finite");
    return Val::ofReal(v);
  }
  at(c);
  ValueId args[2] = {asValue(x[0], c->getArg(0)),
                     want > 1 && name != "pow" ? asValue(x[1], c->getArg(1))
                                               : ValueId(-1)};
  return Val::ofDyn(buildMath(b, name, args, k));
}

} // namespace dgc::cxx::detail
