//===- ChainRule.h - Checking discrete gradients with the interpreter ------===//
//
// Part of dgc's tests. Evaluates a model's `energy`, `grad` and
// `discrete_grad` with the IR interpreter at given states and parameters,
// and measures the discrete chain rule H(u) - H(v) = <dgrad, u - v>.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"
#include "IR/Interpreter.h"

#include <random>
#include <vector>

namespace dgc::testing {

/// Random parameters for every param of `m` (normal, std 0.5; nonneg ones
/// made positive), bound by name.
ir::Bindings randomParams(const ir::ModelIR &m, std::mt19937_64 &rng);

/// Evaluates function `name` of `m` with the given state inputs (by input
/// name) and parameters; returns its results.
std::vector<std::vector<double>> call(const ir::ModelIR &m,
                                      const std::string &name,
                                      const ir::Bindings &states,
                                      const ir::Bindings &params);

struct ChainRuleError {
  double hu = 0, hv = 0;  ///< H(u), H(v)
  double lhs = 0, rhs = 0; ///< H(u) - H(v), <dgrad, u - v>
  /// |lhs - rhs| / (|H(u)| + |H(v)| + sum_i |dgrad_i (u_i - v_i) w_i|):
  /// the energies' scale plus the rounding scale of the inner product, so
  /// an energy that is zero by symmetry (mean(D(u))) is measured sensibly.
  double relative = 0;
};

/// The discrete chain rule at (u, v), in the model's inner product.
ChainRuleError chainRule(const ir::ModelIR &m, const std::vector<double> &u,
                         const std::vector<double> &v,
                         const ir::Bindings &params);

} // namespace dgc::testing
