//===- NumericsExact.cpp - mass_spring_net with exact dg numerics ----------===//
//
// Part of dgc's tests (NumericsModels.h): the header that `dgc compile`
// writes by default, for NumericsE2E.cpp.
//
//===----------------------------------------------------------------------===//
#include "mass_spring_net.hpp"

#include "NumericsEval.h"

namespace numerics_e2e {

namespace m = dgc_models::MassSpringNet;
using Exact = m::Model;

LossGrad trainDgExact(Dtype dtype, const std::vector<double> &params,
                      const double *u1, const double *u2, double dt) {
  return trainDg<Exact>(dtype, params, u1, u2, dt);
}

std::vector<double> initialParamsFloat(std::uint64_t seed) {
  auto p = std::make_unique<m::Params<float>>();
  m::init_params(*p, seed);
  return std::vector<double>(p->data.begin(), p->data.end());
}

Slice paramSlice(const std::string &name) {
  for (size_t k = 0; k < m::param_names.size(); ++k)
    if (name == m::param_names[k])
      return {m::param_offsets[k], m::param_sizes[k]};
  return {};
}

std::string exactHeaderNumerics() { return Exact::dg_numerics; }

} // namespace numerics_e2e
