//===- NumericsEval.h - train_dg of a generated model, in float or double ---===//
//
// Part of dgc's tests: the body shared by NumericsExact.cpp and
// NumericsReference.cpp, templated on the generated `Model`.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "NumericsModels.h"

#include <memory>

namespace numerics_e2e {

template <class M, class T>
LossGrad trainDgIn(const std::vector<double> &params, const double *u1,
                   const double *u2, double dt) {
  auto p = std::make_unique<typename M::template ParamsT<T>>();
  auto ws = std::make_unique<typename M::template WorkspaceT<T>>();
  for (std::int64_t i = 0; i < M::param_count; ++i)
    p->data[i] = T(params[i]);
  T a[M::state_size], b[M::state_size], h = T(dt), L = 0;
  for (std::int64_t i = 0; i < M::state_size; ++i) {
    a[i] = T(u1[i]);
    b[i] = T(u2[i]);
  }
  std::vector<T> g(static_cast<size_t>(M::param_count));
  M::train_dg(*p, a, b, &h, &L, g.data(), *ws);
  LossGrad r;
  r.loss = double(L);
  r.grad.assign(g.begin(), g.end());
  return r;
}

template <class M>
LossGrad trainDg(Dtype dtype, const std::vector<double> &params,
                 const double *u1, const double *u2, double dt) {
  return dtype == Dtype::Float ? trainDgIn<M, float>(params, u1, u2, dt)
                               : trainDgIn<M, double>(params, u1, u2, dt);
}

} // namespace numerics_e2e
