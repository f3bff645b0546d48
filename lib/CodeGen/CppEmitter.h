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

/// How the training functions (`train_*`) compute the divided differences
/// of the discrete gradient (docs/discrete-gradient.md, "Numerics"): Exact
/// (series near a = b, dgc_rt::divdiff) or Reference (the authors' PyTorch
/// library's plain formulas in the training dtype,
/// dgc_rt::divdiffReference). Every other function is Exact either way.
enum class DgNumerics { Exact, Reference };

/// "exact" / "reference": the option's spelling, and what the header
/// records as `dg_numerics`.
const char *dgNumericsName(DgNumerics n);
/// The numerics spelled `name`; false if there is none.
bool parseDgNumerics(const std::string &name, DgNumerics &out);

struct EmitOptions {
  std::string sourceName; ///< the .dg file, for the banner
  DgNumerics dgNumerics = DgNumerics::Exact; ///< `--dg-numerics`
};

std::string emitHeader(const std::vector<ir::ModelIR> &models,
                       const EmitOptions &opts);

} // namespace dgc::codegen
