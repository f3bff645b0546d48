//===- NumericsModels.h - One model's train_dg under both dg numerics ------===//
//
// Part of dgc's tests. examples/mass_spring_net.dg compiled twice, with
// `--dg-numerics=exact` (NumericsExact.cpp) and `--dg-numerics=reference`
// (NumericsReference.cpp). The two headers define the same model, so each
// lives in its own translation unit, behind these plain functions.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace numerics_e2e {

enum class Dtype { Float, Double };

/// The loss of train_dg and its gradient, as doubles.
struct LossGrad {
  double loss = 0;
  std::vector<double> grad;
};

/// train_dg of MassSpringNet at `params` (param_count values; for Float
/// they must be floats already) and one pair (u1, u2, dt), evaluated in
/// `dtype` with the header compiled with exact or reference numerics.
LossGrad trainDgExact(Dtype dtype, const std::vector<double> &params,
                      const double *u1, const double *u2, double dt);
LossGrad trainDgReference(Dtype dtype, const std::vector<double> &params,
                          const double *u1, const double *u2, double dt);

/// init_params<float>(seed) as doubles (every value a float).
std::vector<double> initialParamsFloat(std::uint64_t seed);

/// The offset and size of parameter `name` ("f.W1") in the flat vector.
struct Slice {
  std::int64_t offset = -1, size = 0;
};
Slice paramSlice(const std::string &name);

/// The dg_numerics each header records.
std::string exactHeaderNumerics();
std::string referenceHeaderNumerics();

} // namespace numerics_e2e
