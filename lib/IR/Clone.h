//===- Clone.h - Copying functions into builders ----------------*- C++ -*-===//
//
// Part of dgc. Inlining one function's body into another (the pipeline
// composes `structure` with `grad` this way) and renumbering.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Builder.h"

#include <map>
#include <string>
#include <vector>

namespace dgc::ir {

/// Appends the ops of `callee` to `b`, with callee's i-th input (in
/// `callee.inputs` order) replaced by `args[i]`; returns the values of
/// callee's results. Positional, so inputs that share a name (a param
/// called `x` beside the argument `x`) cannot be confused.
std::vector<ValueId> inlineFunction(Builder &b, const Function &callee,
                                    const std::vector<ValueId> &args);

} // namespace dgc::ir
