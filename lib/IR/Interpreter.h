//===- Interpreter.h - Reference evaluator for the IR -----------*- C++ -*-===//
//
// Part of dgc. Evaluates a Function in double precision, op by op, with
// plain loops: the oracle that tests compare passes and generated C++
// against. Not used by generated code.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <map>
#include <string>
#include <vector>

namespace dgc::ir {

/// Values of the inputs by name (row-major, each of its input's numel).
using Bindings = std::map<std::string, std::vector<double>>;

/// Evaluates `f`; returns each result's elements, in order.
std::vector<std::vector<double>> interpret(const Function &f,
                                           const Bindings &inputs);

/// Scalar element-wise function values: fn^(order)(x) (k: powi exponent).
double evalFn(Fn fn, int order, int k, double x);

} // namespace dgc::ir
