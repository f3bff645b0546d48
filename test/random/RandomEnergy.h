//===- RandomEnergy.h - Random well-typed dg energies -----------*- C++ -*-===//
//
// Part of dgc's tests. Writes random models in the dg language: a state of
// random size (a vector or a periodic field), random parameters and a small
// random network, and an energy that is a random expression tree over the op
// set of the language (arithmetic, integer powers, every element-wise
// function on a safe domain, sums, dots, matmuls, difference operators,
// slices, concatenation, network calls). Used by the randomised discrete
// chain rule tests (a few hundred in ctest, thousands in the stress target).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>

namespace dgc::testing {

struct RandomModel {
  std::string source; ///< a complete .dg file holding `model R`
  int64_t stateSize = 0;
  bool field = false; ///< state is a field on a periodic grid
};

/// A random model; the same seed gives the same text.
RandomModel randomEnergyModel(uint64_t seed);

} // namespace dgc::testing
