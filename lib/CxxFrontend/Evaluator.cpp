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
//===----------------------------------------------------------------------===//
#include "CxxFrontend/Evaluator.h"
#include "CxxFrontend/MathLibrary.h"

#include "IR/Builder.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/Stmt.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace dgc::cxx {

namespace {

using namespace clang;
using ir::ValueId;

/// Thrown after an error has been reported; caught in evaluateEnergy.
struct Abort {};

struct Array;
struct Closure;

/// An abstract value. Arrays and structs are shared (an lvalue aliases
/// them); copyOf makes the deep copy a by-value C++ copy is.
struct Val {
  enum class K { Undef, Int, Real, Dyn, Arr, Closure } k = K::Undef;
  int64_t i = 0;
  double r = 0;
  ValueId v = -1;
  std::shared_ptr<Array> arr;
  std::shared_ptr<Closure> closure;

  static Val ofInt(int64_t x) { Val a; a.k = K::Int; a.i = x; return a; }
  static Val ofReal(double x) { Val a; a.k = K::Real; a.r = x; return a; }
  static Val ofDyn(ValueId x) { Val a; a.k = K::Dyn; a.v = x; return a; }
  static Val ofArr(std::shared_ptr<Array> x) {
    Val a; a.k = K::Arr; a.arr = std::move(x); return a;
  }
  static Val ofClosure(std::shared_ptr<Closure> x) {
    Val a; a.k = K::Closure; a.closure = std::move(x); return a;
  }
  bool isConst() const { return k == K::Int || k == K::Real; }
  double real() const { return k == K::Int ? static_cast<double>(i) : r; }
};

/// The state (read-only, elements made on first read), a local array, or
/// a struct (`record` set; one element per field, in declaration order).
struct Array {
  std::string name;
  bool isState = false;
  int64_t size = -1; ///< the state's size; -1 while unknown
  std::vector<Val> elems;
  std::map<int64_t, ValueId> stateElems;
  const RecordDecl *record = nullptr;
};

using Vars = std::map<const VarDecl *, std::shared_ptr<Val>>;

/// A lambda: its captured variables (by reference: the caller's cells; by
/// copy: copies made where the lambda was written) and `this`.
struct Closure {
  Vars vars;
  Val self;
};

/// Where an assignment goes: a variable's cell or an array element.
struct LRef {
  std::shared_ptr<Val> cell;
  std::shared_ptr<Array> arr;
  int64_t index = 0;
};

enum class Flow { Normal, Break, Continue, Return };

struct Frame {
  Vars vars;
  Val ret;
  Val self; ///< `*this` in a method or constructor
};

/// The deep copy of a value (a by-value copy of an array or a struct).
Val copyOf(const Val &v) {
  if (v.k != Val::K::Arr || v.arr->isState)
    return v;
  auto a = std::make_shared<Array>(*v.arr);
  a->name.clear();
  for (Val &e : a->elems)
    e = copyOf(e);
  return Val::ofArr(a);
}

/// The name of field `index` of a struct.
std::string fieldName(const RecordDecl *rd, int64_t index) {
  for (const FieldDecl *f : rd->fields())
    if (f->getFieldIndex() == index)
      return f->getNameAsString();
  return "?";
}

std::string typeName(QualType t) { return t.getAsString(); }

/// std::array<T, N> or std::span<T, N>: the record's name and N.
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

class Evaluator {
public:
  Evaluator(ASTContext &ctx, DiagnosticsEngine &diags, ir::Function &f,
            uint32_t buffer)
      : ctx(ctx), diags(diags), b(f), buffer(buffer) {}

  [[noreturn]] void fail(SourceLocation loc, const std::string &msg) {
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
  [[noreturn]] void fail(const Stmt *s, const std::string &msg) {
    fail(s->getBeginLoc(), msg);
  }

  bool run(const FunctionDecl *fd, int64_t knownSize, int64_t &stateSize) {
    try {
      runOrThrow(fd, knownSize, stateSize);
      return true;
    } catch (const Abort &) {
      return false;
    }
  }

private:
  //===--------------------------------------------------------------===//
  // Entry
  //===--------------------------------------------------------------===//

  void runOrThrow(const FunctionDecl *fd, int64_t knownSize,
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

  int64_t stateParamSize(const FunctionDecl *fd, const ParmVarDecl *p,
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

  //===--------------------------------------------------------------===//
  // Helpers
  //===--------------------------------------------------------------===//

  SourceLoc loc(SourceLocation l) {
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
  void at(const Stmt *s) { b.setLoc(loc(s->getBeginLoc())); }

  ValueId asValue(const Val &v, const Stmt *s) {
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

  /// C++ integer semantics: wrap to the width and signedness of `t`.
  int64_t normInt(int64_t v, QualType t) {
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

  /// Converts `v` to a value of scalar type `t` (C++ conversion rules).
  Val convert(Val v, QualType t, const Stmt *s) {
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

  int64_t evalInt(const Expr *e, const char *what) {
    Val v = eval(e);
    if (v.k == Val::K::Dyn)
      fail(e, std::string(what) + " depends on the state; dgc needs it at "
                                  "compile time");
    if (v.k != Val::K::Int)
      fail(e, std::string(what) + " is not an integer");
    return v.i;
  }

  bool evalCond(const Expr *e, const char *what) {
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

  void countStep(const Stmt *s) {
    if (++steps > kMaxSteps)
      fail(s, "the energy runs more than " + std::to_string(kMaxSteps) +
                  " steps at import time; dgc unrolls loops, so the state "
                  "and loops must be of moderate size");
  }

  std::shared_ptr<Val> lookup(const VarDecl *vd) {
    auto it = frames.back().vars.find(vd);
    return it == frames.back().vars.end() ? nullptr : it->second;
  }

  //===--------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------===//

  Flow exec(const Stmt *s) {
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
        else if (!isa<TypedefNameDecl>(d) && !isa<StaticAssertDecl>(d) &&
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
          cell = std::make_shared<Val>(
              convert(load(r, rf), lv->getType().getNonReferenceType(), rf));
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

  void declare(const VarDecl *vd) {
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

  /// The value a variable of type `t` starts with: from `init`, or, without
  /// one, uninitialised (`zero`: value-initialised, as `T{}`).
  Val initValue(QualType t, const Expr *init, SourceLocation where,
                bool zero = false) {
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

  /// An array of `n` elements of type `et` (numbers, arrays, structs);
  /// `stdArray`: a std::array, whose braced list wraps its inner C array.
  Val arrayValue(int64_t n, QualType et, const Expr *init,
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

  //===--------------------------------------------------------------===//
  // Structs: plain aggregates of numbers, arrays and structs, with
  // constructors and methods whose bodies are visible
  //===--------------------------------------------------------------===//

  void checkRecord(const CXXRecordDecl *rd, SourceLocation where) {
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

  /// A struct from `init`: a braced list (aggregate), a constructor (the
  /// implicit ones, or a user's with a visible body), or a struct value.
  Val recordValue(const CXXRecordDecl *rd, const Expr *init,
                  SourceLocation where, bool zero) {
    checkRecord(rd, where);
    auto arr = std::make_shared<Array>();
    arr->record = rd;
    for (const FieldDecl *f : rd->fields()) {
      (void)f;
      arr->elems.emplace_back();
    }
    arr->size = static_cast<int64_t>(arr->elems.size());
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

  /// `base.field` or `base->field`.
  LRef member(const MemberExpr *me) {
    const auto *fd = dyn_cast<FieldDecl>(me->getMemberDecl());
    if (!fd)
      fail(me, "member access to '" + me->getMemberDecl()->getNameAsString() +
                   "' is not supported");
    Val base = eval(me->getBase());
    if (base.k != Val::K::Arr || !base.arr->record)
      fail(me, "member access on something that is not a struct");
    return LRef{nullptr, base.arr, fd->getFieldIndex()};
  }

  /// A reference bound to `init`: an alias for lvalues, else a new cell.
  std::shared_ptr<Val> bindRef(const Expr *init, QualType t) {
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

  //===--------------------------------------------------------------===//
  // Lvalues
  //===--------------------------------------------------------------===//

  static bool isSubscript(const Expr *e) {
    e = e->IgnoreParens();
    if (isa<ArraySubscriptExpr>(e))
      return true;
    const auto *oc = dyn_cast<CXXOperatorCallExpr>(e);
    return oc && oc->getOperator() == OO_Subscript;
  }

  LRef subscript(const Expr *base, const Expr *index, const Expr *whole) {
    Val bv = eval(base);
    if (bv.k != Val::K::Arr)
      fail(whole, "subscript of something that is not the state or an array");
    int64_t i = evalInt(index, "array index");
    const Array &a = *bv.arr;
    if (i < 0 || (a.size >= 0 && i >= a.size))
      fail(index, "index " + std::to_string(i) + " is out of range" +
                      (a.name.empty() ? std::string()
                                      : " for '" + a.name + "'") +
                      (a.size >= 0 ? " (size " + std::to_string(a.size) + ")"
                                   : std::string()));
    if (a.size < 0 && i >= kUnknownSize)
      fail(index, "index " + std::to_string(i) + " is too large");
    return LRef{nullptr, bv.arr, i};
  }

  LRef lvalue(const Expr *e) {
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

  Val load(const LRef &r, const Stmt *where) {
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

  void store(const LRef &r, const Val &v, const Stmt *where) {
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

  //===--------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------===//

  Val eval(const Expr *e) {
    e = e->IgnoreParens();
    countStep(e);
    if (const auto *x = dyn_cast<IntegerLiteral>(e))
      return Val::ofInt(normInt(
          static_cast<int64_t>(x->getValue().getLimitedValue()), x->getType()));
    if (const auto *x = dyn_cast<FloatingLiteral>(e))
      return Val::ofReal(x->getValueAsApproximateDouble());
    if (const auto *x = dyn_cast<CXXBoolLiteralExpr>(e))
      return Val::ofInt(x->getValue());
    if (const auto *x = dyn_cast<CharacterLiteral>(e))
      return Val::ofInt(x->getValue());
    if (const auto *x = dyn_cast<ConstantExpr>(e))
      return eval(x->getSubExpr());
    if (const auto *x = dyn_cast<SubstNonTypeTemplateParmExpr>(e))
      return eval(x->getReplacement());
    if (const auto *x = dyn_cast<MaterializeTemporaryExpr>(e))
      return eval(x->getSubExpr());
    if (const auto *x = dyn_cast<ExprWithCleanups>(e))
      return eval(x->getSubExpr());
    if (const auto *x = dyn_cast<CXXDefaultArgExpr>(e))
      return eval(x->getExpr());
    if (const auto *x = dyn_cast<CXXDefaultInitExpr>(e))
      return eval(x->getExpr());
    if (isa<ImplicitValueInitExpr>(e) || isa<CXXScalarValueInitExpr>(e))
      return convert(Val::ofInt(0), e->getType(), e);
    if (const auto *x = dyn_cast<CastExpr>(e))
      return castExpr(x);
    if (const auto *x = dyn_cast<DeclRefExpr>(e))
      return declRef(x);
    if (const auto *x = dyn_cast<UnaryOperator>(e))
      return unary(x);
    if (const auto *x = dyn_cast<BinaryOperator>(e))
      return binary(x);
    if (const auto *x = dyn_cast<ConditionalOperator>(e))
      return evalCond(x->getCond(), "condition of '?:'")
                 ? eval(x->getTrueExpr())
                 : eval(x->getFalseExpr());
    if (isSubscript(e))
      return load(lvalue(e), e);
    if (const auto *x = dyn_cast<CXXOperatorCallExpr>(e))
      return operatorCall(x);
    if (const auto *x = dyn_cast<CallExpr>(e))
      return call(x);
    if (const auto *x = dyn_cast<MemberExpr>(e)) {
      if (const auto *vd = dyn_cast<VarDecl>(x->getMemberDecl()))
        return globalValue(vd, x); // a static data member
      return load(member(x), e);
    }
    if (isa<CXXThisExpr>(e)) {
      if (frames.back().self.k != Val::K::Arr)
        fail(e, "'this' outside a method");
      return frames.back().self;
    }
    if (const auto *x = dyn_cast<LambdaExpr>(e))
      return closure(x);
    if ((isa<InitListExpr>(e) || isa<CXXConstructExpr>(e)) &&
        !e->getType()->isArithmeticType())
      return initValue(e->getType(), e, e->getBeginLoc());
    if (const auto *x = dyn_cast<InitListExpr>(e);
        x && x->getNumInits() == 1 && e->getType()->isArithmeticType())
      return convert(eval(x->getInit(0)), e->getType(), e);
    if (const auto *x = dyn_cast<InitListExpr>(e);
        x && x->getNumInits() == 0 && e->getType()->isArithmeticType())
      return convert(Val::ofInt(0), e->getType(), e);
    if (isa<UnaryExprOrTypeTraitExpr>(e) || isa<CXXNoexceptExpr>(e) ||
        isa<TypeTraitExpr>(e))
      return clangConstant(e);
    if (isa<CXXNewExpr>(e) || isa<CXXDeleteExpr>(e))
      fail(e, "dynamic allocation is not supported");
    fail(e, std::string("unsupported expression (") + e->getStmtClassName() +
                ")");
  }

  /// Clang's constant evaluator, for the few compile-time expressions that
  /// dgc does not fold itself (sizeof, type traits).
  Val clangConstant(const Expr *e) {
    Expr::EvalResult r;
    if (!e->isValueDependent() && e->EvaluateAsRValue(r, ctx)) {
      if (r.Val.isInt())
        return Val::ofInt(r.Val.getInt().getExtValue());
      if (r.Val.isFloat())
        return Val::ofReal(r.Val.getFloat().convertToDouble());
    }
    fail(e, std::string("unsupported expression (") + e->getStmtClassName() +
                ")");
  }

  Val castExpr(const CastExpr *c) {
    const Expr *sub = c->getSubExpr();
    switch (c->getCastKind()) {
    case CK_LValueToRValue:
    case CK_NoOp:
    case CK_ArrayToPointerDecay:
    case CK_ToVoid:
    case CK_ConstructorConversion:
    case CK_UserDefinedConversion:
      return eval(sub);
    case CK_IntegralCast:
    case CK_IntegralToFloating:
    case CK_FloatingToIntegral:
    case CK_FloatingCast:
    case CK_IntegralToBoolean:
    case CK_FloatingToBoolean: {
      Val v = eval(sub);
      if (v.k == Val::K::Dyn && c->getType()->isBooleanType())
        fail(c, "a value that depends on the state is used as a condition: "
                "dgc supports only compile-time conditions");
      return convert(v, c->getType(), c);
    }
    default:
      break;
    }
    if (c->getCastKind() == CK_PointerToIntegral ||
        c->getCastKind() == CK_IntegralToPointer ||
        c->getCastKind() == CK_BitCast ||
        c->getCastKind() == CK_ReinterpretMemberPointer)
      fail(c, "pointer casts are not supported");
    fail(c, std::string("unsupported conversion (") + c->getCastKindName() +
                ")");
  }

  Val declRef(const DeclRefExpr *dre) {
    const ValueDecl *d = dre->getDecl();
    if (const auto *ec = dyn_cast<EnumConstantDecl>(d))
      return Val::ofInt(ec->getInitVal().getExtValue());
    if (const auto *vd = dyn_cast<VarDecl>(d)) {
      if (auto cell = lookup(vd)) {
        if (cell->k == Val::K::Undef)
          fail(dre, "'" + vd->getNameAsString() +
                        "' is read before it is assigned");
        return *cell;
      }
      if (vd->hasGlobalStorage() || vd->isStaticLocal())
        return globalValue(vd, dre);
      fail(dre, "'" + vd->getNameAsString() +
                    "' is not visible here (captured variables are not "
                    "supported)");
    }
    if (isa<FunctionDecl>(d))
      fail(dre, "function pointers are not supported");
    fail(dre, "unsupported name '" + d->getNameAsString() + "'");
  }

  /// A global or static const/constexpr variable: its (cached) value.
  Val globalValue(const VarDecl *vd, const Expr *use = nullptr) {
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
      v.arr->name = "@" + vd->getNameAsString();
    globals[vd] = v;
    return v;
  }

  Val unary(const UnaryOperator *u) {
    switch (u->getOpcode()) {
    case UO_Plus:
      return eval(u->getSubExpr());
    case UO_Minus: {
      Val v = eval(u->getSubExpr());
      if (v.k == Val::K::Int)
        return Val::ofInt(normInt(-v.i, u->getType()));
      if (v.k == Val::K::Real)
        return Val::ofReal(-v.r);
      at(u);
      return Val::ofDyn(b.neg(asValue(v, u)));
    }
    case UO_LNot:
      return Val::ofInt(!evalCond(u->getSubExpr(), "operand of '!'"));
    case UO_Not:
      return Val::ofInt(normInt(~evalInt(u->getSubExpr(), "operand of '~'"),
                                u->getType()));
    case UO_PreInc:
    case UO_PreDec:
    case UO_PostInc:
    case UO_PostDec: {
      if (u->getSubExpr()->getType()->isPointerType())
        fail(u, "pointer arithmetic is not supported: index the array as "
                "u[i]");
      LRef r = lvalue(u->getSubExpr());
      Val old = load(r, u);
      bool inc = u->getOpcode() == UO_PreInc || u->getOpcode() == UO_PostInc;
      Val nv = arith(inc ? BO_Add : BO_Sub, old, Val::ofInt(1),
                     u->getSubExpr()->getType(), u);
      nv = convert(nv, u->getSubExpr()->getType(), u);
      store(r, nv, u);
      return u->isPrefix() ? nv : old;
    }
    case UO_Deref:
      if (u->getType()->isRecordType()) { // *this, *p of a struct pointer
        Val v = eval(u->getSubExpr());
        if (v.k == Val::K::Arr && v.arr->record)
          return v;
      }
      if (const auto *pa = dyn_cast<BinaryOperator>(
              u->getSubExpr()->IgnoreParenImpCasts()))
        fail(pa, "pointer arithmetic is not supported: index the array as "
                 "u[i]");
      fail(u, "pointer dereference is not supported: index the array as "
              "u[i]");
    case UO_AddrOf:
      fail(u, "taking an address is not supported");
    default:
      break;
    }
    fail(u, std::string("unsupported operator '") +
                UnaryOperator::getOpcodeStr(u->getOpcode()).str() + "'");
  }

  Val binary(const BinaryOperator *bo) {
    BinaryOperatorKind op = bo->getOpcode();
    const Expr *l = bo->getLHS(), *r = bo->getRHS();
    if (op == BO_Comma) {
      eval(l);
      return eval(r);
    }
    if (op == BO_LAnd)
      return Val::ofInt(evalCond(l, "operand of '&&'") &&
                        evalCond(r, "operand of '&&'"));
    if (op == BO_LOr)
      return Val::ofInt(evalCond(l, "operand of '||'") ||
                        evalCond(r, "operand of '||'"));
    if (!bo->isAssignmentOp() &&
        (l->getType()->isPointerType() || r->getType()->isPointerType()))
      fail(bo, "pointer arithmetic is not supported: index the array as "
               "u[i]");
    if (op == BO_Assign) {
      LRef ref = lvalue(l);
      Val v = eval(r);
      if (l->getType()->isArithmeticType())
        v = convert(v, l->getType(), bo);
      store(ref, v, bo);
      return v;
    }
    if (const auto *ca = dyn_cast<CompoundAssignOperator>(bo)) {
      if (l->getType()->isPointerType())
        fail(bo, "pointer arithmetic is not supported: index the array as "
                 "u[i]");
      LRef ref = lvalue(l);
      Val cur = convert(load(ref, bo), ca->getComputationLHSType(), bo);
      Val rv = eval(r);
      Val v = arith(BinaryOperator::getOpForCompoundAssignment(op), cur, rv,
                    ca->getComputationLHSType(), bo);
      v = convert(v, l->getType(), bo);
      store(ref, v, bo);
      return v;
    }
    Val lv = eval(l), rv = eval(r);
    return arith(op, lv, rv, l->getType(), bo);
  }

  /// `a op b` where the operands have (converted) type `t`.
  Val arith(BinaryOperatorKind op, Val a, Val c, QualType t, const Stmt *s) {
    if (a.k == Val::K::Undef || c.k == Val::K::Undef)
      fail(s, "read of an uninitialised value");
    if (a.k == Val::K::Arr || c.k == Val::K::Arr)
      fail(s, "arithmetic on arrays is not supported");
    t = t.getCanonicalType();
    if (a.isConst() && c.isConst()) {
      if (a.k == Val::K::Int && c.k == Val::K::Int && t->isIntegerType())
        return intArith(op, a.i, c.i, t, s);
      double x = a.real(), y = c.real();
      switch (op) {
      case BO_Add: return Val::ofReal(x + y);
      case BO_Sub: return Val::ofReal(x - y);
      case BO_Mul: return Val::ofReal(x * y);
      case BO_Div:
        if (y == 0)
          fail(s, "division by zero in a compile-time value");
        return Val::ofReal(x / y);
      case BO_LT: return Val::ofInt(x < y);
      case BO_GT: return Val::ofInt(x > y);
      case BO_LE: return Val::ofInt(x <= y);
      case BO_GE: return Val::ofInt(x >= y);
      case BO_EQ: return Val::ofInt(x == y);
      case BO_NE: return Val::ofInt(x != y);
      default:
        fail(s, std::string("unsupported operator '") +
                    BinaryOperator::getOpcodeStr(op).str() + "' on reals");
      }
    }
    at(s);
    switch (op) {
    case BO_Add:
      return Val::ofDyn(b.add(asValue(a, s), asValue(c, s)));
    case BO_Sub:
      return Val::ofDyn(b.sub(asValue(a, s), asValue(c, s)));
    case BO_Mul:
      return Val::ofDyn(b.mul(asValue(a, s), asValue(c, s)));
    case BO_Div:
      if (c.isConst()) {
        if (c.real() == 0)
          fail(s, "division by a constant zero");
        return Val::ofDyn(b.mul(asValue(a, s), b.constant(1.0 / c.real())));
      }
      if (a.isConst() && a.real() == 1.0)
        return Val::ofDyn(b.map(ir::Fn::Recip, c.v));
      return Val::ofDyn(b.mul(asValue(a, s), b.map(ir::Fn::Recip, c.v)));
    case BO_LT: case BO_GT: case BO_LE: case BO_GE: case BO_EQ: case BO_NE:
      if (condWhat)
        fail(s, std::string(condWhat) +
                    " depends on the state: dgc supports only compile-time "
                    "conditions (control flow on the state has no discrete "
                    "gradient)");
      fail(s, std::string("comparison '") +
                  BinaryOperator::getOpcodeStr(op).str() +
                  "' of a value that depends on the state: dgc supports only "
                  "compile-time conditions (branching on the state has no "
                  "discrete gradient)");
    default:
      break;
    }
    fail(s, std::string("operator '") + BinaryOperator::getOpcodeStr(op).str() +
                "' on a value that depends on the state is not supported");
  }

  Val intArith(BinaryOperatorKind op, int64_t x, int64_t y, QualType t,
               const Stmt *s) {
    bool uns = t->isUnsignedIntegerOrEnumerationType();
    auto ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
    int64_t r = 0;
    switch (op) {
    case BO_Add: r = static_cast<int64_t>(ux + uy); break;
    case BO_Sub: r = static_cast<int64_t>(ux - uy); break;
    case BO_Mul: r = static_cast<int64_t>(ux * uy); break;
    case BO_Div:
    case BO_Rem:
      if (y == 0)
        fail(s, "integer division by zero");
      if (uns)
        r = static_cast<int64_t>(op == BO_Div ? ux / uy : ux % uy);
      else
        r = op == BO_Div ? x / y : x % y;
      break;
    case BO_Shl: r = static_cast<int64_t>(ux << (uy & 63)); break;
    case BO_Shr: r = uns ? static_cast<int64_t>(ux >> (uy & 63)) : x >> (y & 63); break;
    case BO_And: r = x & y; break;
    case BO_Or: r = x | y; break;
    case BO_Xor: r = x ^ y; break;
    case BO_LT: return Val::ofInt(uns ? ux < uy : x < y);
    case BO_GT: return Val::ofInt(uns ? ux > uy : x > y);
    case BO_LE: return Val::ofInt(uns ? ux <= uy : x <= y);
    case BO_GE: return Val::ofInt(uns ? ux >= uy : x >= y);
    case BO_EQ: return Val::ofInt(x == y);
    case BO_NE: return Val::ofInt(x != y);
    default:
      fail(s, std::string("unsupported operator '") +
                  BinaryOperator::getOpcodeStr(op).str() + "'");
    }
    return Val::ofInt(normInt(r, t));
  }

  //===--------------------------------------------------------------===//
  // Calls
  //===--------------------------------------------------------------===//

  bool isLibraryMath(const FunctionDecl *fd, std::string &base) {
    if (!fd->getIdentifier() || !mathBaseName(fd->getName().str(), base))
      return false;
    if (fd->isInStdNamespace())
      return true;
    const DeclContext *dc = fd->getDeclContext()->getRedeclContext();
    return (dc->isTranslationUnit() || dc->isExternCContext()) &&
           ctx.getSourceManager().isInSystemHeader(fd->getLocation());
  }

  Val call(const CallExpr *c) {
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
    if (fd->getBuiltinID() != 0 && !fd->hasBody())
      fail(c, "call to '" + fd->getNameAsString() +
                  "' is not supported: dgc knows " + knownMathFunctions());
    return inlineCall(visibleBody(fd, c), args, c);
  }

  /// The definition of `fd` to inline; refused for library functions.
  const FunctionDecl *visibleBody(const FunctionDecl *fd, const Expr *c) {
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

  /// `a op b` through an overloaded operator: a lambda's call, the implicit
  /// assignment of a struct or std::array, or a user's operator (inlined).
  Val operatorCall(const CXXOperatorCallExpr *oc) {
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

  /// A lambda: captures by reference share the caller's cells, captures by
  /// copy are copied now.
  Val closure(const LambdaExpr *le) {
    if (le->isMutable())
      fail(le, "'mutable' lambdas are not supported (a lambda may change "
               "what it captures by reference)");
    auto cl = std::make_shared<Closure>();
    for (const LambdaCapture &cap : le->captures()) {
      if (cap.capturesThis()) {
        cl->self = frames.back().self;
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

  /// Inlines `def` at `site` with `args`; `self` is `*this` of a method or
  /// constructor (whose member initialisers run first), `captured` a
  /// lambda's variables.
  Val inlineCall(const FunctionDecl *def, const std::vector<const Expr *> &args,
                 const Expr *site, const Val *self = nullptr,
                 const Vars *captured = nullptr) {
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

  /// A constructor's member initialisers (written, or the members' own
  /// defaults), into `*this` of the current frame.
  void initMembers(const CXXConstructorDecl *ctor) {
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

  Val math(const std::string &name, const CallExpr *c) {
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

  static constexpr int64_t kUnknownSize = int64_t(1) << 30;
  static constexpr int64_t kMaxSteps = 50'000'000;
  static constexpr size_t kMaxDepth = 64;

  ASTContext &ctx;
  DiagnosticsEngine &diags;
  ir::Builder b;
  uint32_t buffer;
  ValueId stateInput = -1;
  std::shared_ptr<Array> stateArr;
  std::vector<Frame> frames;
  std::vector<SourceLocation> callSites;
  std::map<const VarDecl *, Val> globals;
  int64_t steps = 0;
  const char *condWhat = nullptr; ///< the condition being evaluated, if any
};

} // namespace

bool evaluateEnergy(ASTContext &ctx, DiagnosticsEngine &diags,
                    const FunctionDecl *fd, int64_t knownSize, uint32_t buffer,
                    ir::Function &out, int64_t &stateSize) {
  out = ir::Function();
  out.name = "energy";
  Evaluator ev(ctx, diags, out, buffer);
  return ev.run(fd, knownSize, stateSize);
}

} // namespace dgc::cxx
