//===- Printer.h - Textual form of the IR -----------------------*- C++ -*-===//
//
// Part of dgc. What `dgc emit --stage=ir` prints and lit tests check. One op
// per line: `%3 = mul %1, %2 : real[50]`, attributes in braces.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <string>

namespace dgc::ir {

std::string printFunction(const Function &f);
/// The model header (state layout, grids, parameters, laws) and every
/// function.
std::string printModel(const ModelIR &m);
/// The sparsity facts of each analysed Jacobian (SparsityPrinter.cpp):
/// what `dgc emit --stage=sparsity` prints.
std::string printSparsity(const ModelIR &m);

} // namespace dgc::ir
