//===- MathLibrary.cpp - The <cmath> functions an energy may call ---------===//
//
// Part of dgc. One table: name, arity, compile-time value, IR. The IR of a
// composite (cosh, hypot, log10, ...) is written with the Builder's
// element-wise ops, whose discrete gradients are the rules of
// docs/discrete-gradient.md, so no new derivative rule is needed here.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/MathLibrary.h"

#include <cmath>
#include <cstdio>

namespace dgc::cxx {

namespace {

using ir::Builder;
using ir::Fn;
using ir::ValueId;

struct Entry {
  const char *name;
  unsigned arity;
  double (*fold)(const double *);
  ValueId (*build)(Builder &, const ValueId *);
};

ValueId half(Builder &b, ValueId x) { return b.mul(x, b.constant(0.5)); }
ValueId scaled(Builder &b, ValueId x, double c) {
  return b.mul(x, b.constant(c));
}

const Entry kTable[] = {
    {"tanh", 1, [](const double *a) { return std::tanh(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Tanh, a[0]); }},
    {"exp", 1, [](const double *a) { return std::exp(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Exp, a[0]); }},
    {"log", 1, [](const double *a) { return std::log(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Log, a[0]); }},
    {"sin", 1, [](const double *a) { return std::sin(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Sin, a[0]); }},
    {"cos", 1, [](const double *a) { return std::cos(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Cos, a[0]); }},
    {"sqrt", 1, [](const double *a) { return std::sqrt(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Sqrt, a[0]); }},
    {"fabs", 1, [](const double *a) { return std::fabs(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Abs, a[0]); }},
    {"abs", 1, [](const double *a) { return std::fabs(a[0]); },
     [](Builder &b, const ValueId *a) { return b.map(Fn::Abs, a[0]); }},
    // Composites.
    {"cosh", 1, [](const double *a) { return std::cosh(a[0]); },
     [](Builder &b, const ValueId *a) {
       return half(b, b.add(b.map(Fn::Exp, a[0]),
                            b.map(Fn::Exp, b.neg(a[0]))));
     }},
    {"sinh", 1, [](const double *a) { return std::sinh(a[0]); },
     [](Builder &b, const ValueId *a) {
       return half(b, b.sub(b.map(Fn::Exp, a[0]),
                            b.map(Fn::Exp, b.neg(a[0]))));
     }},
    {"tan", 1, [](const double *a) { return std::tan(a[0]); },
     [](Builder &b, const ValueId *a) {
       return b.mul(b.map(Fn::Sin, a[0]),
                    b.map(Fn::Recip, b.map(Fn::Cos, a[0])));
     }},
    {"expm1", 1, [](const double *a) { return std::expm1(a[0]); },
     [](Builder &b, const ValueId *a) {
       return b.sub(b.map(Fn::Exp, a[0]), b.constant(1.0));
     }},
    {"log1p", 1, [](const double *a) { return std::log1p(a[0]); },
     [](Builder &b, const ValueId *a) {
       return b.map(Fn::Log, b.add(a[0], b.constant(1.0)));
     }},
    {"exp2", 1, [](const double *a) { return std::exp2(a[0]); },
     [](Builder &b, const ValueId *a) {
       return b.map(Fn::Exp, scaled(b, a[0], std::log(2.0)));
     }},
    {"log2", 1, [](const double *a) { return std::log2(a[0]); },
     [](Builder &b, const ValueId *a) {
       return scaled(b, b.map(Fn::Log, a[0]), 1.0 / std::log(2.0));
     }},
    {"log10", 1, [](const double *a) { return std::log10(a[0]); },
     [](Builder &b, const ValueId *a) {
       return scaled(b, b.map(Fn::Log, a[0]), 1.0 / std::log(10.0));
     }},
    {"hypot", 2, [](const double *a) { return std::hypot(a[0], a[1]); },
     [](Builder &b, const ValueId *a) {
       return b.map(Fn::Sqrt, b.add(b.map(Fn::Square, a[0]),
                                    b.map(Fn::Square, a[1])));
     }},
    {"pow", 2, [](const double *a) { return std::pow(a[0], a[1]); },
     nullptr}, // needs the exponent: buildMath
};

const Entry *find(const std::string &base) {
  for (const Entry &e : kTable)
    if (base == e.name)
      return &e;
  return nullptr;
}

/// x^k for an integer k >= 0 (1 for k = 0).
ValueId powInt(Builder &b, ValueId x, int k) {
  if (k == 0)
    return b.constant(1.0);
  if (k == 1)
    return x;
  if (k == 2)
    return b.map(Fn::Square, x);
  return b.map(Fn::PowI, x, 0, k);
}

} // namespace

bool mathBaseName(const std::string &n, std::string &base) {
  if (find(n)) {
    base = n;
    return true;
  }
  if (n.size() > 1 && n.back() == 'f' && find(n.substr(0, n.size() - 1))) {
    base = n.substr(0, n.size() - 1); // tanhf, coshf, ...
    return true;
  }
  return false;
}

unsigned mathArity(const std::string &base) { return find(base)->arity; }

const char *knownMathFunctions() {
  return "tanh, exp, log, sin, cos, sqrt, fabs/abs, cosh, sinh, tan, expm1, "
         "log1p, exp2, log2, log10, hypot and pow(x, k) with k an integer or "
         "a half-integer";
}

std::string powExponentProblem(double k) {
  if (std::isfinite(k) && std::fabs(k) <= 64 && 2 * k == std::floor(2 * k))
    return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", k);
  return std::string("'pow' with the exponent ") + buf +
           " is not supported: the exponent must be an integer or a "
           "half-integer of magnitude <= 64 (use exp and log for others)";
}

double foldMath(const std::string &base, const double *args) {
  return find(base)->fold(args);
}

ValueId buildMath(Builder &b, const std::string &base, const ValueId *args,
                  double powExponent) {
  const Entry *e = find(base);
  if (e->build)
    return e->build(b, args);
  // pow(x, k), k = n or n + 1/2: x^n (times sqrt x), reciprocal if k < 0.
  double m = std::fabs(powExponent);
  int n = static_cast<int>(std::floor(m));
  ValueId v = powInt(b, args[0], n);
  if (m != n) {
    ValueId r = b.map(Fn::Sqrt, args[0]);
    v = n == 0 ? r : b.mul(v, r);
  }
  return powExponent < 0 ? b.map(Fn::Recip, v) : v;
}

} // namespace dgc::cxx
