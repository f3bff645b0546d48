//===- EvaluatorImpl.h - The evaluator's values and class -------*- C++ -*-===//
//
// Part of dgc. Private to lib/CxxFrontend: the abstract values of the
// import-time evaluator (Val, Array, Closure, LRef, Frame) and the class
// Evaluator, an abstract interpreter over Clang's AST of an energy function
// (see Evaluator.cpp). Its methods are defined by node family:
// Evaluator.cpp (entry and helpers), EvalStatements.cpp (statements),
// EvalValues.cpp (initial values, structs, lvalues, constants),
// EvalExpressions.cpp (expressions) and EvalCalls.cpp (calls, lambdas and
// <cmath>).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Builder.h"

#include <clang/AST/OperationKinds.h>
#include <clang/AST/Type.h>
#include <clang/Basic/SourceLocation.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class BinaryOperator;
class CXXConstructorDecl;
class CXXOperatorCallExpr;
class CXXRecordDecl;
class CallExpr;
class CastExpr;
class DeclRefExpr;
class DiagnosticsEngine;
class Expr;
class FunctionDecl;
class LambdaExpr;
class MemberExpr;
class ParmVarDecl;
class RecordDecl;
class Stmt;
class UnaryOperator;
class VarDecl;
} // namespace clang

namespace dgc::cxx::detail {

// The names of Clang's AST that the declarations below use.
using clang::ASTContext;
using clang::BinaryOperator;
using clang::BinaryOperatorKind;
using clang::CXXConstructorDecl;
using clang::CXXOperatorCallExpr;
using clang::CXXRecordDecl;
using clang::CallExpr;
using clang::CastExpr;
using clang::DeclRefExpr;
using clang::DiagnosticsEngine;
using clang::Expr;
using clang::FunctionDecl;
using clang::LambdaExpr;
using clang::MemberExpr;
using clang::ParmVarDecl;
using clang::QualType;
using clang::RecordDecl;
using clang::SourceLocation;
using clang::Stmt;
using clang::UnaryOperator;
using clang::VarDecl;
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
Val copyOf(const Val &v);

/// " for 'u' (size 4)": the array's name and size, where known, for an
/// out-of-range message.
std::string rangeOf(const Array &a);

/// The name of field `index` of a struct.
std::string fieldName(const RecordDecl *rd, int64_t index);

std::string typeName(QualType t);

/// std::array<T, N> or std::span<T, N>: the record's name and N.
bool stdContainer(QualType t, std::string &name, int64_t &n);

class Evaluator {
public:
  Evaluator(ASTContext &ctx, DiagnosticsEngine &diags, ir::Function &f,
            uint32_t buffer)
      : ctx(ctx), diags(diags), b(f), buffer(buffer) {}

  [[noreturn]] void fail(SourceLocation loc, const std::string &msg);
  [[noreturn]] void fail(const Stmt *s, const std::string &msg);
  bool run(const FunctionDecl *fd, int64_t knownSize, int64_t &stateSize);

private:
  //===--------------------------------------------------------------===//
  // Entry
  //===--------------------------------------------------------------===//

  void runOrThrow(const FunctionDecl *fd, int64_t knownSize,
                  int64_t &stateSize);

  int64_t stateParamSize(const FunctionDecl *fd, const ParmVarDecl *p,
                         int64_t knownSize);

  //===--------------------------------------------------------------===//
  // Helpers
  //===--------------------------------------------------------------===//

  SourceLoc loc(SourceLocation l);
  void at(const Stmt *s);
  ValueId asValue(const Val &v, const Stmt *s);

  /// C++ integer semantics: wrap to the width and signedness of `t`.
  int64_t normInt(int64_t v, QualType t);

  /// Converts `v` to a value of scalar type `t` (C++ conversion rules).
  Val convert(Val v, QualType t, const Stmt *s);

  int64_t evalInt(const Expr *e, const char *what);
  bool evalCond(const Expr *e, const char *what);
  void countStep(const Stmt *s);
  std::shared_ptr<Val> lookup(const VarDecl *vd);

  //===--------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------===//

  Flow exec(const Stmt *s);
  void declare(const VarDecl *vd);

  /// The value a variable of type `t` starts with: from `init`, or, without
  /// one, uninitialised (`zero`: value-initialised, as `T{}`).
  Val initValue(QualType t, const Expr *init, SourceLocation where,
                bool zero = false);

  /// An array of `n` elements of type `et` (numbers, arrays, structs);
  /// `stdArray`: a std::array, whose braced list wraps its inner C array.
  Val arrayValue(int64_t n, QualType et, const Expr *init,
                 SourceLocation where, bool zero, bool stdArray);

  //===--------------------------------------------------------------===//
  // Structs: plain aggregates of numbers, arrays and structs, with
  // constructors and methods whose bodies are visible
  //===--------------------------------------------------------------===//

  void checkRecord(const CXXRecordDecl *rd, SourceLocation where);

  /// A struct from `init`: a braced list (aggregate), a constructor (the
  /// implicit ones, or a user's with a visible body), or a struct value.
  Val recordValue(const CXXRecordDecl *rd, const Expr *init,
                  SourceLocation where, bool zero);

  /// `base.field` or `base->field`.
  LRef member(const MemberExpr *me);

  /// A reference bound to `init`: an alias for lvalues, else a new cell.
  std::shared_ptr<Val> bindRef(const Expr *init, QualType t);

  //===--------------------------------------------------------------===//
  // Lvalues
  //===--------------------------------------------------------------===//

  static bool isSubscript(const Expr *e);
  LRef subscript(const Expr *base, const Expr *index, const Expr *whole);
  LRef lvalue(const Expr *e);
  Val load(const LRef &r, const Stmt *where);
  void store(const LRef &r, const Val &v, const Stmt *where);

  //===--------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------===//

  Val eval(const Expr *e);

  /// Clang's constant evaluator, for the few compile-time expressions that
  /// dgc does not fold itself (sizeof, type traits).
  Val clangConstant(const Expr *e);
  /// The same, or nothing where Clang cannot fold `e` (or it has side
  /// effects).
  std::optional<Val> tryClangConstant(const Expr *e);

  Val castExpr(const CastExpr *c);
  Val declRef(const DeclRefExpr *dre);

  /// A global or static const/constexpr variable: its (cached) value.
  Val globalValue(const VarDecl *vd, const Expr *use = nullptr);

  Val unary(const UnaryOperator *u);
  Val binary(const BinaryOperator *bo);

  /// `a op b` where the operands have (converted) type `t`.
  Val arith(BinaryOperatorKind op, Val a, Val c, QualType t, const Stmt *s);

  Val intArith(BinaryOperatorKind op, int64_t x, int64_t y, QualType t,
               const Stmt *s);

  //===--------------------------------------------------------------===//
  // Calls
  //===--------------------------------------------------------------===//

  bool isLibraryMath(const FunctionDecl *fd, std::string &base);
  Val call(const CallExpr *c);

  /// The definition of `fd` to inline; refused for library functions.
  const FunctionDecl *visibleBody(const FunctionDecl *fd, const Expr *c);

  /// `a op b` through an overloaded operator: a lambda's call, the implicit
  /// assignment of a struct or std::array, or a user's operator (inlined).
  Val operatorCall(const CXXOperatorCallExpr *oc);

  /// A lambda: captures by reference share the caller's cells, captures by
  /// copy are copied now.
  Val closure(const LambdaExpr *le);

  /// Inlines `def` at `site` with `args`; `self` is `*this` of a method or
  /// constructor (whose member initialisers run first), `captured` a
  /// lambda's variables.
  Val inlineCall(const FunctionDecl *def, const std::vector<const Expr *> &args,
                 const Expr *site, const Val *self = nullptr,
                 const Vars *captured = nullptr);

  /// A constructor's member initialisers (written, or the members' own
  /// defaults), into `*this` of the current frame.
  void initMembers(const CXXConstructorDecl *ctor);

  Val math(const std::string &name, const CallExpr *c);

  //===--------------------------------------------------------------===//
  // <numeric> folds (EvalAlgorithms.cpp)
  //===--------------------------------------------------------------===//

  /// An iterator: element `index` of `arr` (the state or an array).
  struct Iter {
    std::shared_ptr<Array> arr;
    int64_t index = 0;
  };

  static bool isStdFold(const FunctionDecl *fd);
  Iter iterator(const Expr *e);
  Val foldElement(const Iter &it, int64_t k, const Expr *where);
  /// std::accumulate, std::reduce, std::inner_product, std::transform_reduce.
  Val fold(const FunctionDecl *fd, const CallExpr *c);

  static constexpr int64_t kUnknownSize = int64_t(1) << 30;
  /// The import-time step budget (about 1 s here). test/fuzz builds with
  /// a smaller one (DGC_CXX_MAX_STEPS): its sanitizers run the evaluator
  /// about 15 times slower, and its per-input limit is 10 s.
#ifdef DGC_CXX_MAX_STEPS
  static constexpr int64_t kMaxSteps = DGC_CXX_MAX_STEPS;
#else
  static constexpr int64_t kMaxSteps = 50'000'000;
#endif
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

} // namespace dgc::cxx::detail
