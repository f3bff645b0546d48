//===- EvalAlgorithms.cpp - <numeric> folds over the state and arrays -----===//
//
// Part of dgc. `std::accumulate`, `std::reduce`, `std::inner_product` and
// the three-iterator `std::transform_reduce` over ranges of the state or of
// a local array, unrolled like a loop: the library's bodies use iterator
// arithmetic, which the evaluator does not model in general, so these
// folds are evaluated here, in C++'s order (left to right from `init`).
// An iterator is `a.begin()`/`a.end()` (also `cbegin`, `cend`, `data()`),
// `std::begin(a)`/`std::end(a)`, an array or the state pointer itself,
// and any of those plus or minus a compile-time integer.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/EvaluatorImpl.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>

#include <string>

namespace dgc::cxx::detail {

using namespace clang;

namespace {

bool named(const FunctionDecl *fd, std::initializer_list<const char *> names) {
  if (!fd->getIdentifier())
    return false;
  for (const char *n : names)
    if (fd->getName() == n)
      return true;
  return false;
}

} // namespace

bool Evaluator::isStdFold(const FunctionDecl *fd) {
  return fd->isInStdNamespace() &&
         named(fd, {"accumulate", "reduce", "inner_product",
                    "transform_reduce"});
}

Evaluator::Iter Evaluator::iterator(const Expr *e) {
  e = e->IgnoreImplicit()->IgnoreParens()->IgnoreImplicit();
  if (const auto *bo = dyn_cast<BinaryOperator>(e);
      bo && (bo->getOpcode() == BO_Add || bo->getOpcode() == BO_Sub) &&
      (bo->getLHS()->getType()->isPointerType() ||
       bo->getRHS()->getType()->isPointerType())) {
    bool left = bo->getLHS()->getType()->isPointerType();
    if (!left && bo->getOpcode() == BO_Sub)
      fail(bo, "unsupported iterator expression");
    Iter it = iterator(left ? bo->getLHS() : bo->getRHS());
    int64_t k = evalInt(left ? bo->getRHS() : bo->getLHS(), "iterator offset");
    it.index += bo->getOpcode() == BO_Add ? k : -k;
    return it;
  }
  const Expr *obj = nullptr;
  bool end = false;
  if (const auto *mc = dyn_cast<CXXMemberCallExpr>(e)) {
    const FunctionDecl *fd = mc->getDirectCallee();
    if (fd && named(fd, {"begin", "cbegin", "data", "end", "cend"})) {
      obj = mc->getImplicitObjectArgument();
      end = named(fd, {"end", "cend"});
    }
  } else if (const auto *c = dyn_cast<CallExpr>(e)) {
    const FunctionDecl *fd = c->getDirectCallee();
    if (fd && fd->isInStdNamespace() && c->getNumArgs() == 1 &&
        named(fd, {"begin", "cbegin", "data", "end", "cend"})) {
      obj = c->getArg(0);
      end = named(fd, {"end", "cend"});
    }
  }
  if (!obj && !e->getType()->isPointerType() && !e->getType()->isArrayType())
    fail(e, "unsupported iterator: dgc folds over a.begin()/a.end(), "
            "std::begin/std::end, an array or the state, plus or minus a "
            "compile-time integer");
  Val v = eval(obj ? obj : e);
  if (v.k != Val::K::Arr || v.arr->record)
    fail(e, "an iterator into something that is not the state or an array");
  if (end && v.arr->size < 0)
    fail(e, "the end of the state is not known: give its size (a "
            "std::array, a template argument or --grid)");
  return Iter{v.arr, end ? v.arr->size : 0};
}

Val Evaluator::foldElement(const Iter &it, int64_t k, const Expr *where) {
  const Array &a = *it.arr;
  int64_t i = it.index + k;
  if (i < 0 || (a.size >= 0 && i >= a.size))
    fail(where, "the range reads index " + std::to_string(i) +
                    ", out of range" + rangeOf(a));
  return load(LRef{nullptr, it.arr, i}, where);
}

Val Evaluator::fold(const FunctionDecl *fd, const CallExpr *c) {
  const unsigned n = c->getNumArgs();
  bool inner = named(fd, {"inner_product", "transform_reduce"});
  // accumulate(f, l, init), reduce(f, l[, init]), inner_product(f1, l1, f2,
  // init), transform_reduce(f1, l1, f2, init): other forms take a function
  // object or an execution policy.
  bool ok = inner ? n == 4 : (n == 3 || (n == 2 && fd->getName() == "reduce"));
  if (!ok)
    fail(c, "'std::" + fd->getNameAsString() + "' is supported in the form " +
                (inner ? std::string("(first1, last1, first2, init)")
                       : std::string("(first, last, init)")) +
                ", without an operation or execution policy");
  Iter first = iterator(c->getArg(0)), last = iterator(c->getArg(1));
  if (first.arr != last.arr)
    fail(c, "the range's first and last iterators are not into one array");
  int64_t len = last.index - first.index;
  if (len < 0)
    fail(c, "the range's last iterator is before its first");
  Iter second = inner ? iterator(c->getArg(2)) : Iter{};
  QualType t = c->getType();
  Val acc = n == 2 ? convert(Val::ofInt(0), t, c)
                   : convert(eval(c->getArg(n - 1)), t, c);
  // The sum is taken in double unless the accumulator is a float type
  // (then in that type); an integer accumulator truncates each partial
  // sum, as in C++, which a value of the state cannot be.
  QualType work = t->isRealFloatingType() ? t : ctx.DoubleTy;
  for (int64_t k = 0; k < len; ++k) {
    countStep(c);
    Val x = convert(foldElement(first, k, c), work, c);
    if (inner)
      x = arith(BO_Mul, x, convert(foldElement(second, k, c), work, c), work,
                c);
    acc = convert(arith(BO_Add, convert(acc, work, c), x, work, c), t, c);
  }
  return acc;
}

} // namespace dgc::cxx::detail
