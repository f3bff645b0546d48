//===- Lower.h - From the checked AST to the IR -----------------*- C++ -*-===//
//
// Part of dgc. Builds the ModelIR of a checked model: the state layout,
// grids and parameters, and the functions `energy` and `structure` (or
// `vectorfield`), with every op located at the source it came from.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

namespace dgc {

struct CheckedModel;

ir::ModelIR lowerModel(const CheckedModel &model);

} // namespace dgc
