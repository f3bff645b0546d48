//===- MathLibrary.h - The <cmath> functions an energy may call -*- C++ -*-===//
//
// Part of dgc. Which <cmath> functions the C++ front end knows, and the IR
// each becomes. Every one is a composition of the IR's element-wise
// functions and arithmetic (cosh x = (e^x + e^-x)/2, hypot = sqrt(a^2 + b^2),
// pow(x, k + 1/2) = x^k sqrt x, ...), so automatic discrete differentiation
// applies to it by the chain rule and the discrete gradient stays exact.
// A function that is not such a composition (atan, erf, fmin, ...) is not
// here and is refused by the evaluator.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Builder.h"

#include <string>

namespace dgc::cxx {

/// The known function whose (std:: or C, `f`-suffixed or not) name is `n`,
/// e.g. "coshf" -> "cosh"; false if dgc does not know it.
bool mathBaseName(const std::string &n, std::string &base);

/// The number of arguments of the known function `base`.
unsigned mathArity(const std::string &base);

/// One line for diagnostics: the functions dgc knows.
const char *knownMathFunctions();

/// Why `pow(x, k)` with this compile-time exponent cannot be lowered, or
/// empty when it can (integers and halves up to |k| <= 64).
std::string powExponentProblem(double k);

/// The value of `base` at compile-time arguments (std:: semantics).
double foldMath(const std::string &base, const double *args);

/// The IR of `base` applied to `args` (ValueIds; a compile-time argument is
/// made a constant by the caller). For `pow`, `powExponent` is the
/// compile-time exponent, already checked with powExponentProblem.
ir::ValueId buildMath(ir::Builder &b, const std::string &base,
                      const ir::ValueId *args, double powExponent = 0);

} // namespace dgc::cxx
