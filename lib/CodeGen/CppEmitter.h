//===- CppEmitter.h - C++ emission of models --------------------*- C++ -*-===//
//
// Part of dgc. Emits one self-contained header per .dg file: the runtime
// prologue (CodeGen/Prologue.hpp, embedded at build time) and a namespace per
// model with its Params, Workspace, parameter initialisation and one C++
// function per IR function, scheduled by lib/Schedule.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <string>
#include <vector>

namespace dgc::codegen {

struct EmitOptions {
  std::string sourceName; ///< the .dg file, for the banner
};

std::string emitHeader(const std::vector<ir::ModelIR> &models,
                       const EmitOptions &opts);

} // namespace dgc::codegen
