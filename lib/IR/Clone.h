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

/// Appends the ops of `callee` to `b`, with each of callee's inputs replaced
/// by `args[name]`; returns the values of callee's results. Every callee
/// input must be bound.
std::vector<ValueId> inlineFunction(Builder &b, const Function &callee,
                                    const std::map<std::string, ValueId> &args);

} // namespace dgc::ir
