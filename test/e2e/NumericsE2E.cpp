//===- NumericsE2E.cpp - train_dg's gradient under both dg numerics --------===//
//
// Part of dgc's tests: issue 30's check of `--dg-numerics`, without the
// reference library. examples/mass_spring_net.dg (the paper's mass-spring
// DGNet, 2-200-200-1 tanh) from its float initialisation of seed 0:
//
//  - on the mass-spring dataset of seed 0 (`dgc dataset`, made at build
//    time; 25 noisy orbits, 2475 pairs, whose pre-activation differences
//    go down to near-equal), the full-batch gradient of the first layer's
//    weights with `reference` numerics in float is far from the exact one
//    (computed in double at the same float parameters and data): cosine
//    well below 1, the plain formulas' rounding error (about eps / d^2)
//    dominating the second-order terms of the near-equal pairs; `exact`
//    numerics in float follow the double truth;
//  - in double both numerics agree to round-off, at a near-equal pair
//    (h = 1e-3 on a mass-spring orbit: pre-activation differences 3e-7 to
//    1.4e-4) and at a pair one dataset step apart (h = 0.1);
//  - each header records its numerics (dg_numerics).
//
//===----------------------------------------------------------------------===//
#include "NumericsModels.h"

#include "dgc/runtime/TrainData.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace {

using namespace numerics_e2e;

struct Pair {
  double u1[2], u2[2], dt;
};

/// u1 and u2, the state h later on the mass-spring orbit through u1
/// (dq/dt = p, dp/dt = -q), both rounded to float (so that float and
/// double runs see the same data), dt = h rounded to float.
Pair pairAt(double h) {
  Pair r;
  r.u1[0] = double(float(0.6));
  r.u1[1] = double(float(-0.3));
  r.dt = double(float(h));
  const double c = std::cos(r.dt), s = std::sin(r.dt);
  r.u2[0] = double(float(c * r.u1[0] + s * r.u1[1]));
  r.u2[1] = double(float(-s * r.u1[0] + c * r.u1[1]));
  return r;
}

/// The cosine and the relative difference ||a - b|| / ||b|| of the slice
/// `s` of two gradients.
struct Compare {
  double cosine, relDiff;
};
Compare compare(const std::vector<double> &a, const std::vector<double> &b,
                Slice s) {
  double ab = 0, aa = 0, bb = 0, dd = 0;
  for (std::int64_t i = s.offset; i < s.offset + s.size; ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
    dd += (a[i] - b[i]) * (a[i] - b[i]);
  }
  return {ab / std::sqrt(aa * bb), std::sqrt(dd / bb)};
}

TEST(NumericsE2E, HeadersRecordTheirNumerics) {
  EXPECT_EQ(exactHeaderNumerics(), "exact");
  EXPECT_EQ(referenceHeaderNumerics(), "reference");
}

/// The mean of train_dg's gradient over every training pair of the
/// mass-spring dataset (what a full-batch iteration takes), in `dtype`.
template <class Fn>
std::vector<double> meanGradient(Fn trainDg, Dtype dtype,
                                 const std::vector<double> &params,
                                 const dgc::rt::PairSet &ps) {
  std::vector<double> mean(params.size(), 0.0);
  for (std::int64_t k = 0; k < ps.count; ++k) {
    const LossGrad g = trainDg(dtype, params, &ps.u1[2 * k], &ps.u2[2 * k],
                               ps.dt[k]);
    for (size_t i = 0; i < mean.size(); ++i)
      mean[i] += g.grad[i] / double(ps.count);
  }
  return mean;
}

TEST(NumericsE2E, ReferenceFloatGradientIsRoundingOnTheMassSpringData) {
  // Full batch at the initialisation, as the first iteration of
  // `dgc train --dtype float --dg-numerics=reference` takes it. The data
  // are rounded to float first, so the double truth sees the same pairs.
  dgc::rt::PairSet ps = dgc::rt::loadTrainPairs(
      dgc::rt::loadDatasetInfo(DGC_MASS_SPRING_DATA), 2, "MassSpringNet",
      true);
  for (std::vector<double> *v : {&ps.u1, &ps.u2, &ps.dt})
    for (double &x : *v)
      x = double(float(x));
  const std::vector<double> params = initialParamsFloat(0);
  const Slice w1 = paramSlice("f.W1");
  ASSERT_EQ(w1.size, 400);
  const auto exactFn = [](Dtype t, const std::vector<double> &p,
                          const double *a, const double *b, double dt) {
    return trainDgExact(t, p, a, b, dt);
  };
  const auto refFn = [](Dtype t, const std::vector<double> &p,
                        const double *a, const double *b, double dt) {
    return trainDgReference(t, p, a, b, dt);
  };
  const std::vector<double> truth = meanGradient(exactFn, Dtype::Double, params, ps);
  const std::vector<double> ref32 = meanGradient(refFn, Dtype::Float, params, ps);
  const std::vector<double> exact32 = meanGradient(exactFn, Dtype::Float, params, ps);
  const Compare r = compare(ref32, truth, w1);
  const Compare e = compare(exact32, truth, w1);
  std::printf("%lld pairs, f.W1: reference float cosine %.6f rel. diff "
              "%.3g; exact float cosine %.9f rel. diff %.3g\n",
              static_cast<long long>(ps.count), r.cosine, r.relDiff,
              e.cosine, e.relDiff);
  for (const char *name : {"f.b1", "f.W2", "f.b2", "f.W3"}) {
    const Compare c = compare(ref32, truth, paramSlice(name));
    std::printf("  %s: reference float cosine %.6f rel. diff %.3g\n", name,
                c.cosine, c.relDiff);
  }
  EXPECT_LT(r.cosine, 0.99);
  EXPECT_GT(r.relDiff, 0.1);
  EXPECT_GT(e.cosine, 1 - 1e-6);
  EXPECT_LT(e.relDiff, 1e-3);
}

TEST(NumericsE2E, BothNumericsAgreeInDouble) {
  const std::vector<double> params = initialParamsFloat(0);
  for (double h : {1e-3, 0.1}) {
    const Pair pr = pairAt(h);
    const LossGrad exact = trainDgExact(Dtype::Double, params, pr.u1, pr.u2, pr.dt);
    const LossGrad ref = trainDgReference(Dtype::Double, params, pr.u1, pr.u2, pr.dt);
    const Compare c = compare(ref.grad, exact.grad, {0, std::int64_t(exact.grad.size())});
    const Compare c1 = compare(ref.grad, exact.grad, paramSlice("f.W1"));
    std::printf("double, h = %g: all parameters rel. diff %.3g, f.W1 rel. "
                "diff %.3g, loss %.17g vs %.17g\n",
                h, c.relDiff, c1.relDiff, ref.loss, exact.loss);
    EXPECT_NEAR(ref.loss, exact.loss, 1e-12 * std::abs(exact.loss)) << h;
    EXPECT_LT(c.relDiff, 1e-6) << h;
    EXPECT_LT(c1.relDiff, 1e-6) << h;
  }
}

} // namespace
