//===- PrologueTests.cpp - The runtime prologue on its own ----------------===//
//
// Part of dgc. Includes CodeGen/Prologue.hpp directly: every function's
// derivative table against central differences of the order below, the
// divided differences (a == b, continuity across the threshold, symmetry,
// derivatives against differences of q), the reference library's divided
// differences (divdiffReference) against them, the kernels' adjoint identities,
// and the generators of init_params.
//
//===----------------------------------------------------------------------===//
#include "CodeGen/Prologue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

/// f^(N)(x) for the functor F and a runtime order.
template <class F> double deriv(int order, double x, int k) {
  switch (order) {
  case 0: return F::template d<0>(x, k);
  case 1: return F::template d<1>(x, k);
  case 2: return F::template d<2>(x, k);
  case 3: return F::template d<3>(x, k);
  default: return F::template d<4>(x, k);
  }
}

template <class F> void checkTable(int k, std::vector<double> xs) {
  for (double x : xs)
    for (int o = 1; o <= 4; ++o) {
      double h = 1e-5;
      double fd = (deriv<F>(o - 1, x + h, k) - deriv<F>(o - 1, x - h, k)) / (2 * h);
      EXPECT_NEAR(deriv<F>(o, x, k), fd, 1e-6 * (1 + std::abs(fd)))
          << "order " << o << " at " << x;
    }
}

TEST(Prologue, DerivativeTables) {
  std::vector<double> xs = {-2.3, -0.7, 0.4, 1.9};
  std::vector<double> pos = {0.3, 0.9, 1.7, 3.1};
  checkTable<dgc_rt::Tanh>(0, xs);
  checkTable<dgc_rt::Sigmoid>(0, xs);
  checkTable<dgc_rt::Softplus>(0, xs);
  checkTable<dgc_rt::Relu>(0, xs);
  checkTable<dgc_rt::Exp>(0, xs);
  checkTable<dgc_rt::Log>(0, pos);
  checkTable<dgc_rt::Sin>(0, xs);
  checkTable<dgc_rt::Cos>(0, xs);
  checkTable<dgc_rt::Sqrt>(0, pos);
  checkTable<dgc_rt::Square>(0, xs);
  checkTable<dgc_rt::Abs>(0, xs);
  checkTable<dgc_rt::Recip>(0, pos);
  for (int k = 1; k <= 6; ++k)
    checkTable<dgc_rt::PowI>(k, xs);
}

TEST(Prologue, StableFunctions) {
  EXPECT_EQ(dgc_rt::Softplus::d<0>(1000.0, 0), 1000.0);
  EXPECT_EQ(dgc_rt::Softplus::d<0>(-1000.0, 0), 0.0);
  EXPECT_EQ(dgc_rt::Sigmoid::d<0>(-1000.0, 0), 0.0);
  EXPECT_TRUE(std::isfinite(dgc_rt::Sigmoid::d<4>(-800.0, 0)));
  EXPECT_NEAR(dgc_rt::Softplus::d<0>(-40.0f, 0), std::exp(-40.0f), 1e-20f);
  EXPECT_EQ(dgc_rt::PowI::d<4>(2.0, 3), 0.0);
  EXPECT_EQ(dgc_rt::PowI::d<2>(2.0, 3), 12.0);
}

template <class F, class T> void checkDivDiff(T a, int k) {
  // a == b: the series, finite, q = f'(a), dq/da = dq/db = f''(a)/2.
  T q = dgc_rt::divdiff<F, 0>(a, a, k);
  EXPECT_TRUE(std::isfinite(q));
  EXPECT_NEAR(q, F::template d<1>(a, k), 1e-6 * (1 + std::abs(q)));
  EXPECT_NEAR((dgc_rt::divdiff<F, 1>(a, a, k)), F::template d<2>(a, k) / 2,
              1e-5 * (1 + std::abs(F::template d<2>(a, k))));
  EXPECT_EQ((dgc_rt::divdiff<F, 1>(a, a, k)), (dgc_rt::divdiff<F, 2>(a, a, k)));
  // Differences sweeping 1e-16 .. 1: H identity f(a) - f(b) = q (a - b), and
  // symmetry q(a, b) = q(b, a), dq/da(a, b) = dq/db(b, a).
  for (double e = 1e-16; e <= 1; e *= 10) {
    T b = a + static_cast<T>(e);
    T qab = dgc_rt::divdiff<F, 0>(a, b, k);
    EXPECT_EQ(qab, (dgc_rt::divdiff<F, 0>(b, a, k)));
    EXPECT_EQ((dgc_rt::divdiff<F, 1>(a, b, k)), (dgc_rt::divdiff<F, 2>(b, a, k)));
    T fa = F::template d<0>(a, k), fb = F::template d<0>(b, k);
    T tol = 8 * std::numeric_limits<T>::epsilon() *
            (std::abs(fa) + std::abs(fb) + std::abs(qab * a) + std::abs(qab * b));
    EXPECT_NEAR(fa - fb, qab * (a - b), tol) << "e = " << e;
  }
}

TEST(Prologue, DivDiffIdentity) {
  for (double a : {-1.3, 0.2, 0.8}) {
    checkDivDiff<dgc_rt::Tanh, double>(a, 0);
    checkDivDiff<dgc_rt::Tanh, float>(static_cast<float>(a), 0);
    checkDivDiff<dgc_rt::Sin, double>(a, 0);
    checkDivDiff<dgc_rt::Softplus, double>(a, 0);
    checkDivDiff<dgc_rt::Sigmoid, float>(static_cast<float>(a), 0);
    checkDivDiff<dgc_rt::PowI, double>(a, 3);
    checkDivDiff<dgc_rt::Exp, double>(a, 0);
  }
  for (double a : {0.4, 1.7}) {
    checkDivDiff<dgc_rt::Log, double>(a, 0);
    checkDivDiff<dgc_rt::Sqrt, double>(a, 0);
    checkDivDiff<dgc_rt::Recip, double>(a, 0);
  }
}

/// f(a) - f(b) = q (a - b) to a few ulps of f, with b - a swept from 1e-9
/// to 0.5 of `len` about a: far from the origin for the entire functions
/// (a cos near q = 1000, as a rotating pendulum has) and close to the
/// singularity for log, sqrt and 1/x. A threshold that grows with |m|, or
/// one that ignores the singularity, puts the series where it is off by
/// far more (up to 1e13 ulps here).
template <class F> void checkIdentityAt(double a, double len, int k = 0) {
  const double eps = std::numeric_limits<double>::epsilon();
  for (double r = 1e-9; r <= 0.5; r *= 1.1) {
    double b = a + r * len;
    double q = dgc_rt::divdiff<F, 0>(a, b, k);
    double fa = F::template d<0>(a, k), fb = F::template d<0>(b, k);
    long double err = std::fabs((long double)q * ((long double)a - b) -
                                ((long double)fa - fb));
    EXPECT_LE(double(err), 4 * eps * (std::abs(fa) + std::abs(fb)))
        << "a = " << a << ", b = " << b;
  }
}

TEST(Prologue, DivDiffIdentityFarFromTheOriginAndNearSingularities) {
  for (double a : {31.0, 100.3, -250.0, 1000.7}) {
    checkIdentityAt<dgc_rt::Sin>(a, 1);
    checkIdentityAt<dgc_rt::Cos>(a, 1);
  }
  for (double a : {-20.0, 12.0, 30.0})
    checkIdentityAt<dgc_rt::Exp>(a, 1);
  for (double a : {-6.0, 7.0}) {
    checkIdentityAt<dgc_rt::Softplus>(a, 1);
    checkIdentityAt<dgc_rt::Sigmoid>(a, 1);
  }
  for (double a : {1e-4, 0.01, 0.3, 50.0}) {
    checkIdentityAt<dgc_rt::Log>(a, a);
    checkIdentityAt<dgc_rt::Sqrt>(a, a);
    checkIdentityAt<dgc_rt::Recip>(a, a);
    checkIdentityAt<dgc_rt::Recip>(-a, a);
  }
  for (int k : {5, 7, 12})
    for (double a : {0.01, 0.7, 3.0})
      checkIdentityAt<dgc_rt::PowI>(a, a, k);
}

TEST(Prologue, DivDiffAccurateOnBothSidesOfTheThreshold) {
  // Just below and just above the switch, q and dq/da agree with a long
  // double evaluation of their defining quotients: q to 1e-12 and dq/da to
  // 1e-9 (the threshold balances the series' truncation against the
  // quotient's rounding, eps / d^2 for dq/da).
  // (tanh's threshold length is 1.)
  double m = 0.7, thr = dgc_rt::divdiffThreshold<double>();
  for (double s : {0.999, 1.001}) {
    double x = m + s * thr / 2, y = m - s * thr / 2;
    long double X = x, Y = y, D = X - Y;
    long double q = (std::tanh(X) - std::tanh(Y)) / D;
    long double tx = std::tanh(X);
    long double qa = ((1 - tx * tx) - q) / D;
    EXPECT_NEAR((dgc_rt::divdiff<dgc_rt::Tanh, 0>(x, y, 0)), double(q), 1e-12) << s;
    EXPECT_NEAR((dgc_rt::divdiff<dgc_rt::Tanh, 1>(x, y, 0)), double(qa), 1e-9) << s;
  }
}

TEST(Prologue, ThresholdIsFifthRootOf48Eps) {
  EXPECT_NEAR(dgc_rt::divdiffThreshold<double>(),
              std::pow(48.0 * std::numeric_limits<double>::epsilon(), 0.2),
              1e-18);
  EXPECT_NEAR(dgc_rt::divdiffThreshold<float>(),
              std::pow(48.0 * std::numeric_limits<float>::epsilon(), 0.2),
              1e-8);
}

TEST(Prologue, TanhAndExpWithoutLibraryCallsWithin2Ulp) {
  // Over the whole range, including both sides of tanh's switch at 0.625,
  // tiny arguments, saturation, and exp's clamping.
  const double eps = std::numeric_limits<double>::epsilon();
  double worstTanh = 0, worstExp = 0;
  for (double x = -30; x <= 30; x += 1.0e-4 * 3.7) {
    double t = std::tanh(x), e = std::exp(x);
    worstTanh = std::max(worstTanh,
                         std::fabs(dgc_rt::tanhNoCall(x) - t) / (std::fabs(t) * eps));
    worstExp = std::max(worstExp, std::fabs(dgc_rt::expNoCall(x) - e) / (e * eps));
  }
  for (double x = 1e-300; x < 1; x *= 1.01)
    for (double sx : {x, -x})
      worstTanh = std::max(worstTanh, std::fabs(dgc_rt::tanhNoCall(sx) - std::tanh(sx)) /
                                          (std::fabs(std::tanh(sx)) * eps));
  for (double x : {-700.0, -300.0, 300.0, 700.0})
    worstExp = std::max(worstExp, std::fabs(dgc_rt::expNoCall(x) - std::exp(x)) /
                                      (std::exp(x) * eps));
  EXPECT_LE(worstTanh, 2.0);
  EXPECT_LE(worstExp, 2.0);
  EXPECT_EQ(dgc_rt::tanhNoCall(0.0), 0.0);
  EXPECT_EQ(dgc_rt::tanhNoCall(1e3), 1.0);
  EXPECT_EQ(dgc_rt::tanhNoCall(-1e3), -1.0);
  EXPECT_TRUE(std::isnan(dgc_rt::tanhNoCall(std::nan(""))));
  // float, against double references rounded to float.
  const double feps = std::numeric_limits<float>::epsilon();
  double worstF = 0, worstFE = 0;
  for (float x = -12.0f; x <= 12.0f; x += 1.37e-4f) {
    double t = std::tanh(double(x)), e = std::exp(double(x));
    worstF = std::max(worstF, std::fabs(double(dgc_rt::tanhNoCall(x)) - t) /
                                  (std::max(std::fabs(t), 1e-30) * feps));
    worstFE = std::max(worstFE, std::fabs(double(dgc_rt::expNoCall(x)) - e) / (e * feps));
  }
  for (float x = 1e-30f; x < 1.0f; x *= 1.01f)
    worstF = std::max(worstF, std::fabs(double(dgc_rt::tanhNoCall(x)) - std::tanh(double(x))) /
                                  (std::tanh(double(x)) * feps));
  EXPECT_LE(worstF, 2.0);
  EXPECT_LE(worstFE, 2.0);
  EXPECT_EQ(dgc_rt::tanhNoCall(30.0f), 1.0f);
}

TEST(Prologue, DivDiffDerivativesAgainstDifferences) {
  for (double d : {0.5, 1e-3, 1e-7, 0.0}) {
    double a = 0.3 + d, b = 0.3, h = 1e-6;
    double fa = (dgc_rt::divdiff<dgc_rt::Tanh, 0>(a + h, b, 0) -
                 dgc_rt::divdiff<dgc_rt::Tanh, 0>(a - h, b, 0)) / (2 * h);
    double fb = (dgc_rt::divdiff<dgc_rt::Tanh, 0>(a, b + h, 0) -
                 dgc_rt::divdiff<dgc_rt::Tanh, 0>(a, b - h, 0)) / (2 * h);
    EXPECT_NEAR((dgc_rt::divdiff<dgc_rt::Tanh, 1>(a, b, 0)), fa, 1e-5) << d;
    EXPECT_NEAR((dgc_rt::divdiff<dgc_rt::Tanh, 2>(a, b, 0)), fb, 1e-5) << d;
  }
}

/// divdiffReference<F, Order> and divdiff<F, Order> of one order.
template <class F, int Order, class T> std::pair<T, T> bothDivDiffs(T a, T b) {
  return {dgc_rt::divdiffReference<F, Order>(a, b, 0),
          dgc_rt::divdiff<F, Order>(a, b, 0)};
}

TEST(Prologue, ReferenceDivDiffAgreesWithExactFarFromTheDiagonal) {
  // |a - b| from 0.05 to 2: both use the plain formulas in double (tanh's
  // exact threshold is 1.6e-3) or are within their rounding of each other.
  for (double m : {-1.1, 0.2, 0.9})
    for (double d : {2.0, 0.5, 0.05}) {
      double a = m + d / 2, b = m - d / 2;
      auto [q, qe] = bothDivDiffs<dgc_rt::Tanh, 0>(a, b);
      auto [qa, qae] = bothDivDiffs<dgc_rt::Tanh, 1>(a, b);
      auto [qb, qbe] = bothDivDiffs<dgc_rt::Tanh, 2>(a, b);
      EXPECT_NEAR(q, qe, 1e-15) << m << " " << d;
      EXPECT_NEAR(qa, qae, 1e-13) << m << " " << d;
      EXPECT_NEAR(qb, qbe, 1e-13) << m << " " << d;
      auto [s, se] = bothDivDiffs<dgc_rt::Sigmoid, 1>(a, b);
      EXPECT_NEAR(s, se, 1e-13) << m << " " << d;
      // float: the plain quotient's rounding is eps / |d| and eps / d^2.
      float af = float(a), bf = float(b), df = af - bf;
      auto [qf, qfe] = bothDivDiffs<dgc_rt::Tanh, 0>(af, bf);
      auto [qaf, qafe] = bothDivDiffs<dgc_rt::Tanh, 1>(af, bf);
      EXPECT_NEAR(qf, qfe, 1e-6 / std::abs(df)) << m << " " << d;
      EXPECT_NEAR(qaf, qafe, 1e-6 / (df * df)) << m << " " << d;
    }
}

TEST(Prologue, ReferenceDivDiffSwitchesToTheMidpointAt1eMinus6InFloat) {
  // |d| <= 1e-6 (float), 1e-12 (double): f'(m), and f''(m)/2 for both
  // partial derivatives; above it the plain formulas.
  const float m = 0.5f;
  for (float d : {0.0f, 5e-7f, 8e-7f}) {
    float a = m + d / 2, b = m - d / 2, mm = (a + b) / 2;
    EXPECT_EQ((dgc_rt::divdiffReference<dgc_rt::Tanh, 0>(a, b, 0)),
              (dgc_rt::Tanh::d<1>(mm, 0)))
        << d;
    EXPECT_EQ((dgc_rt::divdiffReference<dgc_rt::Tanh, 1>(a, b, 0)),
              (dgc_rt::Tanh::d<2>(mm, 0) / 2))
        << d;
    EXPECT_EQ((dgc_rt::divdiffReference<dgc_rt::Tanh, 2>(a, b, 0)),
              (dgc_rt::Tanh::d<2>(mm, 0) / 2))
        << d;
  }
  const float a = 0.5f, b = 0.5f - 4e-6f, d = a - b;
  ASSERT_GT(d, 1e-6f);
  const float q = (dgc_rt::Tanh::d<0>(a, 0) - dgc_rt::Tanh::d<0>(b, 0)) / d;
  EXPECT_EQ((dgc_rt::divdiffReference<dgc_rt::Tanh, 0>(a, b, 0)), q);
  EXPECT_EQ((dgc_rt::divdiffReference<dgc_rt::Tanh, 1>(a, b, 0)),
            (dgc_rt::Tanh::d<1>(a, 0) - q) / d);
  EXPECT_EQ((dgc_rt::divdiffReference<dgc_rt::Tanh, 2>(a, b, 0)),
            (q - dgc_rt::Tanh::d<1>(b, 0)) / d);
  EXPECT_EQ(dgc_rt::divdiffReferenceThreshold<float>(), 1e-6f);
  EXPECT_EQ(dgc_rt::divdiffReferenceThreshold<double>(), 1e-12);
  // double at 1e-12 and 0: the midpoint, finite.
  EXPECT_EQ((dgc_rt::divdiffReference<dgc_rt::Tanh, 1>(0.3, 0.3, 0)),
            dgc_rt::Tanh::d<2>(0.3, 0) / 2);
}

TEST(Prologue, ReferenceDivDiffDerivativeIsRoundingInFloatAtNearPairs) {
  // 16 float pairs with |a - b| about 1e-4 (pre-activation differences of
  // consecutive states): the truth is the exact divided difference in
  // double at the same float values. The reference dq/da in float is off
  // by more than its own size on average (rounding eps |f| / d^2 ~ 6);
  // the exact one in float is within 1e-4 (relative) everywhere; in double
  // the reference one is within 1e-6 (eps / d^2 ~ 2e-8).
  double refErr = 0, worstExact = 0, worstRef64 = 0;
  const int n = 16;
  for (int i = 0; i < n; ++i) {
    const float a = -0.9f + 0.11f * float(i), b = a + 1e-4f * (1 + 0.1f * float(i));
    const double A = a, B = b;
    const double truth = dgc_rt::divdiff<dgc_rt::Tanh, 1>(A, B, 0);
    const double ref = dgc_rt::divdiffReference<dgc_rt::Tanh, 1>(a, b, 0);
    const double exact = dgc_rt::divdiff<dgc_rt::Tanh, 1>(a, b, 0);
    const double ref64 = dgc_rt::divdiffReference<dgc_rt::Tanh, 1>(A, B, 0);
    const double scale = std::max(std::abs(truth), 0.05);
    refErr += std::abs(ref - truth) / scale / n;
    worstExact = std::max(worstExact, std::abs(exact - truth) / scale);
    worstRef64 = std::max(worstRef64, std::abs(ref64 - truth) / scale);
  }
  EXPECT_GT(refErr, 1.0);
  EXPECT_LT(worstExact, 1e-4);
  EXPECT_LT(worstRef64, 1e-6);
}

TEST(Prologue, ConvAdjoints) {
  // <conv(K, x), y> = <x, convT(K, y)> = <K, convW(y, x)>, odd and even w,
  // with 1 or 3 values per grid point (the tile of a tiled loss); and with
  // 3, every inner column equals the convolution of that column alone.
  const std::int64_t o = 3, ci = 2, n = 7;
  dgc_rt::SplitMix64 rng(3);
  for (std::int64_t q : {1, 3})
    for (std::int64_t w : {1, 2, 3, 4, 5}) {
      std::vector<double> K(o * ci * w), x(ci * n * q), y(o * n * q),
          cx(o * n * q), ty(ci * n * q), wk(o * ci * w);
      for (auto *v : {&K, &x, &y})
        for (double &e : *v)
          e = rng.normal();
      dgc_rt::conv(K.data(), o, ci, w, x.data(), n, q, cx.data());
      dgc_rt::convT(K.data(), o, ci, w, y.data(), n, q, ty.data());
      dgc_rt::convW(y.data(), o, x.data(), ci, n, q, w, wk.data());
      double a = 0, b = 0, c = 0;
      for (size_t i = 0; i < cx.size(); ++i)
        a += cx[i] * y[i];
      for (size_t i = 0; i < ty.size(); ++i)
        b += x[i] * ty[i];
      for (size_t i = 0; i < wk.size(); ++i)
        c += K[i] * wk[i];
      EXPECT_NEAR(a, b, 1e-12 * (1 + std::abs(a))) << "w = " << w;
      EXPECT_NEAR(a, c, 1e-12 * (1 + std::abs(a))) << "w = " << w;
      for (std::int64_t col = 0; col < q; ++col) {
        std::vector<double> xc(ci * n), yc(o * n);
        for (std::int64_t i = 0; i < ci * n; ++i)
          xc[i] = x[i * q + col];
        dgc_rt::conv(K.data(), o, ci, w, xc.data(), n, 1, yc.data());
        for (std::int64_t i = 0; i < o * n; ++i)
          EXPECT_NEAR(yc[i], cx[i * q + col], 1e-13) << "w = " << w;
      }
    }
}

TEST(Prologue, SplitMix64AndInit) {
  // Reference value of splitmix64 seeded with 0.
  dgc_rt::SplitMix64 r(0);
  EXPECT_EQ(r.next(), 0xE220A8397B1DCDAFULL);
  // Normal samples: mean ~0, variance ~1.
  dgc_rt::SplitMix64 g(11);
  double s = 0, s2 = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double z = g.normal();
    s += z;
    s2 += z * z;
  }
  EXPECT_NEAR(s / n, 0.0, 0.03);
  EXPECT_NEAR(s2 / n, 1.0, 0.03);
  // Orthogonal: tall has orthonormal columns, wide orthonormal rows.
  for (auto [rows, cols] : {std::pair{6, 3}, std::pair{3, 6}, std::pair{4, 4}}) {
    std::vector<double> q(static_cast<size_t>(rows * cols));
    auto rng = dgc_rt::paramStream(5, 1);
    dgc_rt::initOrthogonal(q.data(), rows, cols, rng);
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                              Eigen::RowMajor>>
        Q(q.data(), rows, cols);
    Eigen::MatrixXd G = rows >= cols ? Eigen::MatrixXd(Q.transpose() * Q)
                                     : Eigen::MatrixXd(Q * Q.transpose());
    EXPECT_LT((G - Eigen::MatrixXd::Identity(G.rows(), G.cols())).norm(), 1e-12);
  }
}

TEST(Prologue, StencilAndMatmul) {
  // Periodic second difference of j^2 on 5 points.
  double x[5] = {0, 1, 4, 9, 16}, y[5];
  dgc_rt::stencil<double, 3>(x, 1, 5, 1, {{-1, 0, 1}}, {{1.0, -2.0, 1.0}}, y);
  EXPECT_EQ(y[0], 16 - 0 + 1);
  EXPECT_EQ(y[2], 2);
  EXPECT_EQ(y[4], 9 - 32 + 0);
  double A[6] = {1, 2, 3, 4, 5, 6}, v[3] = {1, 0, -1}, w[2];
  dgc_rt::matmul<double, false, false>(A, 2, 3, v, 3, 1, w);
  EXPECT_EQ(w[0], -2);
  EXPECT_EQ(w[1], -2);
  double u2[2] = {1, 1}, z[3];
  dgc_rt::matmul<double, true, false>(A, 2, 3, u2, 2, 1, z);
  EXPECT_EQ(z[0], 5);
  EXPECT_EQ(z[2], 9);
}

} // namespace
