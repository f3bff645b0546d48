//===- EvalExpressions.cpp - The evaluator's expressions ------------------===//
//
// Part of dgc. Evaluator::eval and the expressions it dispatches to:
// literals, casts, names, unary and binary operators. Compile-time operands
// are folded (integers with C++'s width, signedness and truncating
// division); an operand that depends on the state makes an IR op located at
// the expression. The class and its values are in EvaluatorImpl.h.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/EvaluatorImpl.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>

#include <string>

namespace dgc::cxx::detail {

using namespace clang;

Val Evaluator::eval(const Expr *e) {
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

std::optional<Val> Evaluator::tryClangConstant(const Expr *e) {
  Expr::EvalResult r;
  if (!e->isValueDependent() && e->EvaluateAsRValue(r, ctx) &&
      !r.HasSideEffects) {
    if (r.Val.isInt())
      return Val::ofInt(r.Val.getInt().getExtValue());
    if (r.Val.isFloat())
      return Val::ofReal(r.Val.getFloat().convertToDouble());
  }
  return std::nullopt;
}

Val Evaluator::clangConstant(const Expr *e) {
  if (std::optional<Val> v = tryClangConstant(e))
    return *v;
  fail(e, std::string("unsupported expression (") + e->getStmtClassName() +
              ")");
}

Val Evaluator::castExpr(const CastExpr *c) {
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

Val Evaluator::declRef(const DeclRefExpr *dre) {
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

Val Evaluator::unary(const UnaryOperator *u) {
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

Val Evaluator::binary(const BinaryOperator *bo) {
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

Val Evaluator::arith(BinaryOperatorKind op, Val a, Val c, QualType t,
                     const Stmt *s) {
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

Val Evaluator::intArith(BinaryOperatorKind op, int64_t x, int64_t y, QualType t,
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

} // namespace dgc::cxx::detail
