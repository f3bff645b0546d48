//===- NumericsReference.cpp - mass_spring_net with --dg-numerics=reference ===//
//
// Part of dgc's tests (NumericsModels.h). The header defines the same
// namespace as the exact one of NumericsExact.cpp; the macro renames it
// here, so the program holds two distinct models (no ODR clash between the
// two translation units).
//
//===----------------------------------------------------------------------===//
#define MassSpringNet MassSpringNetReference
#include "mass_spring_net.hpp"
#undef MassSpringNet

#include "NumericsEval.h"

namespace numerics_e2e {

using Ref = dgc_models::MassSpringNetReference::Model;

LossGrad trainDgReference(Dtype dtype, const std::vector<double> &params,
                          const double *u1, const double *u2, double dt) {
  return trainDg<Ref>(dtype, params, u1, u2, dt);
}

std::string referenceHeaderNumerics() { return Ref::dg_numerics; }

} // namespace numerics_e2e
