//===- CxxLanguageTest.cpp - C++ energies against their native build -----===//
//
// Part of dgc's tests. Energies that use structs (aggregates, constructors,
// methods, overloaded operators), lambdas (captures by reference and by
// copy, generic, passed to templates), nested arrays, <numeric> folds
// (accumulate, reduce, inner_product, transform_reduce) and the composite math
// functions (cosh, sinh, tan, hypot, log1p, expm1, exp2, log2, log10,
// pow(x, k/2)). Each source is compiled twice: by this test's compiler, as
// the oracle, and by dgc's importer; the imported energy must equal the
// native one, its gradient the native one's central differences, and its
// discrete gradient must satisfy the discrete chain rule to round-off.
//
//===----------------------------------------------------------------------===//
#include "ChainRule.h"
#include "ImportCxx.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>

using namespace dgc;
using namespace dgc::testing;

namespace {

// The source of each energy is the macro's argument: compiled here (in a
// namespace of its own) and given to dgc as text.
#define DGC_ENERGY(ns, ...)                                                   \
  namespace ns {                                                              \
  __VA_ARGS__                                                                 \
  const char *kSource = "#include <algorithm>\n#include <array>\n"          \
                        "#include <cmath>\n#include <numeric>\n" #__VA_ARGS__; \
  }

DGC_ENERGY(
    nbody,
    struct Vec2 {
      double x = 0, y = 0;
      Vec2() = default;
      Vec2(double a, double b) : x(a), y(b) {}
      Vec2 operator-(const Vec2 &o) const { return {x - o.x, y - o.y}; }
      Vec2 &operator+=(const Vec2 &o) {
        x += o.x;
        y += o.y;
        return *this;
      }
      double norm2() const { return x * x + y * y; }
    };
    inline Vec2 operator*(double s, Vec2 v) { return Vec2(s * v.x, s * v.y); }
    struct Body {
      Vec2 q, p;
      double m;
    };
    struct Params {
      double G = 1.0;
      double soft = 0.1;
    };
    constexpr Params kParams{};

    double energy(const std::array<double, 8> &s) {
      Body b[2];
      for (int i = 0; i < 2; ++i)
        b[i] = Body{{s[2 * i], s[2 * i + 1]}, {s[4 + 2 * i], s[5 + 2 * i]},
                    1.0 + i};
      auto kinetic = [](const Body &bd) { return bd.p.norm2() / (2 * bd.m); };
      double T = 0;
      for (const auto &bd : b)
        T += kinetic(bd);
      Vec2 d = b[0].q - b[1].q;
      Vec2 c;
      c += 0.5 * d;
      Params P = kParams;
      P.soft *= 2;
      auto pot = [&](double r2) {
        return -P.G * b[0].m * b[1].m / std::sqrt(r2 + P.soft);
      };
      return T + pot(d.norm2()) + 0.1 * c.x * c.y;
    })

DGC_ENERGY(
    mathfns,
    template <class F> double sumOver(const double *u, int n, F f) {
      double s = 0;
      for (int i = 0; i < n; ++i)
        s += f(u[i], i);
      return s;
    }

    double energy(const double *u) {
      double w[2][3] = {{1, 2, 3}, {0.5, 0.25}};
      int calls = 0;
      auto term = [&calls, &w](auto x, int i) {
        ++calls;
        return w[i % 2][i % 3] * std::cosh(0.3 * x);
      };
      double a = sumOver(u, 6, term);
      double k = 0.2;
      auto byCopy = [k](double x) { return k * x * x; };
      k = 100; // the copy keeps 0.2
      return a + byCopy(u[0]) + calls * std::sinh(0.1 * u[1]) +
             std::tan(0.2 * u[2]) + std::hypot(u[3], 0.5) +
             std::log1p(u[4] * u[4]) + std::expm1(0.1 * u[5]) +
             std::exp2(0.3 * u[0]) + std::log2(2 + u[1] * u[1]) +
             std::log10(3 + u[2] * u[2]) + std::pow(1 + u[3] * u[3], 1.5) +
             std::pow(2 + u[4] * u[4], -0.5) + std::pow(u[5] * u[5] + 1, 2.5);
    })

DGC_ENERGY(
    closures,
    struct Quad {
      double m[2][2] = {{1, 0.5}, {0.5, 2}};
      static constexpr double k = 2.5;
      double form(const double *x) const {
        double s = 0;
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 2; ++j)
            s += x[i] * m[i][j] * x[j];
        auto scaled = [this](double y) { return m[1][1] * y; };
        return scaled(s);
      }
    };
    struct Arr {
      double a[3];
    };
    struct V2 {
      double x, y;
    };
    V2 operator+(V2 a, V2 b) { return {a.x + b.x, a.y + b.y}; }

    double energy(const double *u) {
      auto make = [](double k) { return [k](double x) { return k * x * x; }; };
      auto g = make(Quad::k);
      auto powTwice = [](auto self, int n, double x) -> double {
        return n == 0 ? x : self(self, n - 1, x * x);
      };
      Arr v{};
      v.a[1] = u[0];
      Arr w = v; // a deep copy: w.a[1] = 5 leaves v alone
      w.a[1] = 5;
      double &r = v.a[2];
      r = u[1];
      V2 a{u[2], u[3]};
      V2 b = a + a;
      b = b + a;
      Quad q;
      V2 pts[2] = {{u[0], u[1]}, {u[2], u[3]}};
      double byValue = 0;
      for (V2 p : pts) { // a copy: pts keeps its values
        p.x *= 10;
        byValue += p.x * pts[0].x;
      }
      struct Spring {
        double k = 1.5;
        double energy(double x) const {
          auto copy = [*this](double y) { return k * y * y; };
          return copy(x);
        }
      } spring;
      return byValue + spring.energy(u[3]) + g(u[0]) + powTwice(powTwice, 2, u[1]) + v.a[1] * v.a[2] +
             w.a[1] * u[2] + b.x * b.y + q.form(u) +
             V2{u[0], u[1]}.y * u[3];
    })

DGC_ENERGY(
    folds,
    double energy(const std::array<double, 6> &u) {
      constexpr double k = std::max(0.5, 1.5);
      const double w[6] = {1, 2, 3, 4, 5, 6};
      double s = std::accumulate(u.begin(), u.end(), 0.0);
      double q = std::inner_product(u.begin(), u.begin() + 3, u.begin() + 3, 1.0);
      double t = std::reduce(std::begin(w), std::end(w));
      double r = std::transform_reduce(u.cbegin() + 1, u.cend(), w, 0.0);
      int n = std::accumulate(w, w + 3, 0); // an int accumulator
      std::array<double, 3> sq{u[0] * u[0], u[1] * u[1], u[2] * u[2]};
      double z = std::accumulate(sq.begin(), sq.end(), 0.0);
      return k * s * s / 2 + q * q / 4 + std::sin(r) + t * z / 10 +
             n * u[5] * u[5];
    })

#undef DGC_ENERGY

struct Case {
  const char *name, *code;
  size_t n;
  std::function<double(const std::vector<double> &)> native;
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

class CxxMatchesNative : public ::testing::TestWithParam<Case> {};

TEST_P(CxxMatchesNative, EnergyGradAndDiscreteChainRule) {
  const Case &c = GetParam();
  ir::ModelIR m;
  ASSERT_TRUE(importCxx(std::string(c.name) + ".cpp", c.code, "energy", "S", "", m));
  ASSERT_EQ(m.stateSize, static_cast<int64_t>(c.n));
  std::mt19937_64 rng(11);
  std::normal_distribution<double> nd(0.0, 0.7);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> u(c.n), v(c.n);
    for (size_t i = 0; i < c.n; ++i) {
      u[i] = nd(rng);
      v[i] = nd(rng);
    }
    auto g = call(m, "grad", {{"u", u}}, {});
    double h = c.native(u);
    EXPECT_NEAR(g[0][0], h, 1e-12 * (1 + std::fabs(h)));
    for (size_t i = 0; i < c.n; ++i) {
      const double e = 1e-6;
      std::vector<double> up = u, um = u;
      up[i] += e;
      um[i] -= e;
      double fd = (c.native(up) - c.native(um)) / (2 * e);
      EXPECT_NEAR(g[1][i], fd, 1e-6 * (1 + std::fabs(fd))) << "grad " << i;
    }
    auto dd = call(m, "discrete_grad", {{"u", u}, {"v", u}}, {});
    for (size_t i = 0; i < c.n; ++i)
      EXPECT_NEAR(dd[0][i], g[1][i], 1e-9 * (1 + std::fabs(g[1][i])));
    EXPECT_LE(chainRule(m, u, v, {}).relative, 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Constructs, CxxMatchesNative,
    ::testing::Values(
        Case{"nbody", nbody::kSource, 8,
             [](const std::vector<double> &u) {
               std::array<double, 8> s;
               std::copy(u.begin(), u.end(), s.begin());
               return nbody::energy(s);
             }},
        Case{"mathfns", mathfns::kSource, 6,
             [](const std::vector<double> &u) {
               return mathfns::energy(u.data());
             }},
        Case{"closures", closures::kSource, 4,
             [](const std::vector<double> &u) {
               return closures::energy(u.data());
             }},
        Case{"folds", folds::kSource, 6,
             [](const std::vector<double> &u) {
               std::array<double, 6> s;
               std::copy(u.begin(), u.end(), s.begin());
               return folds::energy(s);
             }}),
    [](const ::testing::TestParamInfo<Case> &i) { return i.param.name; });

} // namespace
