//===- GradCheck.h - Finite-difference checks of reverse AD -----*- C++ -*-===//
//
// Part of dgc's Transforms tests. Random input bindings and the comparison
// of reverseAD's adjoints with central differences of the interpreter.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Interpreter.h"

#include <string>
#include <vector>

namespace dgc::test {

/// Deterministic values for every input of `f`, uniform in [lo, hi].
ir::Bindings randomInputs(const ir::Function &f, unsigned seed,
                          double lo = -1.0, double hi = 1.0);

/// Largest relative error (inf-norm of the difference over the inf-norm of
/// the finite-difference gradient, per input) between reverseAD(f, result,
/// wrt) and central differences of <seed, f's result> with step `h`. Also
/// checks that the derivative function verifies and that simplify keeps
/// its values (failures are reported through gtest).
double gradError(const ir::Function &f, int result,
                 const std::vector<std::string> &wrt, ir::Bindings in,
                 double h = 1e-5);

/// Runs gradError and expects it below `tol`.
void expectGradient(const ir::Function &f, const std::vector<std::string> &wrt,
                    const ir::Bindings &in, double tol = 1e-7,
                    double h = 1e-5, int result = 0);

} // namespace dgc::test
