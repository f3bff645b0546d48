//===- SparsityTest.cpp - Sparsity patterns and compressed Jacobians ------===//
//
// Part of dgc. Transforms/Sparsity.cpp, Colouring.cpp and the sparse
// Jacobians the pipeline builds, checked with the IR interpreter against
// the dense Jacobian (one JVP per column, at random states): the pattern
// holds every numerical nonzero, and for stencil models nothing else; the
// colouring never puts two columns of a row in one colour; the compressed
// forward-mode values (the tiled JVP on seed columns, gathered) equal the
// dense entries to 1e-12. On the examples (small grids), 2-D models, and
// random energies from test/random.
//
//===----------------------------------------------------------------------===//
#include "ChainRule.h"
#include "CompileSource.h"
#include "RandomEnergy.h"

#include "IR/Interpreter.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <regex>

using namespace dgc;
using namespace dgc::ir;
using dgc::testing::call;

namespace {

ModelIR compile(const std::string &text) {
  dgc::testing::Compiled c = dgc::testing::compileSource(text);
  EXPECT_TRUE(c.ok()) << c.diagnostics << text;
  return c.ok() && !c.models.empty() ? std::move(c.models[0]) : ModelIR();
}

/// An example with its grids and networks made small.
ModelIR smallExample(const std::string &name) {
  std::string text = dgc::testing::readExample(name);
  text = std::regex_replace(text, std::regex(R"(hidden: \[200, 200\])"),
                            "hidden: [6, 5]");
  text = std::regex_replace(text, std::regex(R"(periodic\((50|100), ([0-9.]+)\))"),
                            "periodic(15, $2)");
  text = std::regex_replace(text, std::regex(R"(periodic2\([^,]+, [^,]+,)"),
                            "periodic2(14, 12,");
  return compile(text);
}

struct Inputs {
  Bindings state;  ///< u, v, dt as the function takes them
  Bindings params;
};

Inputs randomInputs(const ModelIR &m, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Inputs in;
  in.params = dgc::testing::randomParams(m, rng);
  std::normal_distribution<double> n(0.0, 1.0);
  std::vector<double> u(static_cast<size_t>(m.stateSize)), v(u.size());
  for (size_t i = 0; i < u.size(); ++i) {
    u[i] = n(rng);
    v[i] = u[i] + 0.3 * n(rng);
  }
  in.state = {{"u", u}, {"v", v}, {"dt", {0.05}}};
  return in;
}

/// The JVP of a sparse Jacobian's base: newton_jvp or time_derivative_jvp.
std::string jvpOf(const SparseJacobian &sj) {
  return sj.base == "newton" ? "newton_jvp" : "time_derivative_jvp";
}

/// Column j of the Jacobian by the (untiled) JVP, row-major dense result.
std::vector<double> denseJacobian(const ModelIR &m, const SparseJacobian &sj,
                                  const Inputs &in) {
  int64_t n = m.stateSize;
  std::vector<double> J(static_cast<size_t>(n * n));
  for (int64_t j = 0; j < n; ++j) {
    Bindings s = in.state;
    s["w"] = std::vector<double>(static_cast<size_t>(n), 0.0);
    s["w"][static_cast<size_t>(j)] = 1;
    std::vector<double> col = call(m, jvpOf(sj), s, in.params)[0];
    for (int64_t i = 0; i < n; ++i)
      J[static_cast<size_t>(i * n + j)] = col[static_cast<size_t>(i)];
  }
  return J;
}

/// The CSR values by the generated recipe: sj.jvp on the seed columns of
/// `tile` colours at a time, gathered by colour.
std::vector<double> compressedJacobian(const ModelIR &m,
                                       const SparseJacobian &sj,
                                       const Inputs &in) {
  const JacobianPattern &p = sj.pattern;
  const Colouring &c = sj.colouring;
  int64_t n = p.cols, tile = sj.tile;
  std::vector<double> values(static_cast<size_t>(p.nnz()), NAN);
  for (int64_t c0 = 0; c0 < c.colours; c0 += tile) {
    Bindings s = in.state;
    std::vector<double> seed(static_cast<size_t>(n * tile), 0.0);
    for (int64_t j = 0; j < n; ++j) {
      int64_t t = c.colour[static_cast<size_t>(j)] - c0;
      if (t >= 0 && t < tile)
        seed[static_cast<size_t>(j * tile + t)] = 1;
    }
    s["w"] = seed;
    std::vector<double> jw = call(m, sj.jvp, s, in.params)[0];
    for (int64_t r = 0; r < p.rows; ++r)
      for (int64_t k = p.rowPtr[static_cast<size_t>(r)];
           k < p.rowPtr[static_cast<size_t>(r) + 1]; ++k) {
        int64_t t = c.colour[static_cast<size_t>(p.colIdx[static_cast<size_t>(k)])] - c0;
        if (t >= 0 && t < tile)
          values[static_cast<size_t>(k)] = jw[static_cast<size_t>(r * tile + t)];
      }
  }
  return values;
}

struct Expect {
  bool sparse = true;      ///< the newton Jacobian comes in sparse form
  bool exact = false;      ///< the pattern is exactly the numerical nonzeros
  int64_t colours = -1;    ///< newton's colours, when known
};

/// Checks every analysed Jacobian of `m`; returns how many were sparse.
int checkModel(const ModelIR &m, const Expect &e, uint64_t seed) {
  Inputs in = randomInputs(m, seed);
  int sparse = 0;
  for (const SparseJacobian &sj : m.sparseJacobians) {
    SCOPED_TRACE(sj.base);
    const JacobianPattern &p = sj.pattern;
    if (sj.base == "newton") {
      EXPECT_EQ(sj.denseReason.empty(), e.sparse) << sj.denseReason;
      if (e.colours >= 0) {
        EXPECT_EQ(sj.colouring.colours, e.colours);
      }
    }
    if (p.dense)
      continue;
    std::vector<double> J = denseJacobian(m, sj, in);
    int64_t n = p.cols;
    // Every numerical nonzero is in the pattern; for exact models, every
    // pattern entry is a numerical nonzero.
    std::vector<char> inPattern(J.size(), 0);
    for (int64_t r = 0; r < p.rows; ++r)
      for (int64_t k = p.rowPtr[static_cast<size_t>(r)];
           k < p.rowPtr[static_cast<size_t>(r) + 1]; ++k)
        inPattern[static_cast<size_t>(r * n + p.colIdx[static_cast<size_t>(k)])] = 1;
    for (size_t i = 0; i < J.size(); ++i) {
      bool diag = static_cast<int64_t>(i) / n == static_cast<int64_t>(i) % n;
      if (J[i] != 0 && !inPattern[i]) {
        ADD_FAILURE() << "nonzero outside the pattern at (" << i / n << ", "
                      << i % n << ")";
        return sparse;
      }
      if (J[i] == 0 && e.exact && inPattern[i] && !(diag && sj.addDiagonal))
        ADD_FAILURE() << "pattern entry (" << i / n << ", " << i % n
                      << ") is zero";
    }
    // No two columns of one colour share a row.
    for (int64_t r = 0; r < p.rows; ++r) {
      std::vector<char> seen(static_cast<size_t>(sj.colouring.colours), 0);
      for (int64_t k = p.rowPtr[static_cast<size_t>(r)];
           k < p.rowPtr[static_cast<size_t>(r) + 1]; ++k) {
        int32_t c = sj.colouring.colour[static_cast<size_t>(p.colIdx[static_cast<size_t>(k)])];
        if (seen[static_cast<size_t>(c)]) {
          ADD_FAILURE() << "two columns of colour " << c << " in row " << r;
          return sparse;
        }
        seen[static_cast<size_t>(c)] = 1;
      }
    }
    if (!sj.denseReason.empty())
      continue;
    ++sparse;
    std::vector<double> values = compressedJacobian(m, sj, in);
    double scale = 1;
    for (double x : J)
      scale = std::max(scale, std::fabs(x));
    for (int64_t r = 0; r < p.rows; ++r)
      for (int64_t k = p.rowPtr[static_cast<size_t>(r)];
           k < p.rowPtr[static_cast<size_t>(r) + 1]; ++k) {
        int64_t col = p.colIdx[static_cast<size_t>(k)];
        double want = J[static_cast<size_t>(r * n + col)];
        if (!(std::fabs(values[static_cast<size_t>(k)] - want) <= 1e-12 * scale)) {
          ADD_FAILURE() << "entry (" << r << ", " << col << "): compressed "
                        << values[static_cast<size_t>(k)] << ", dense " << want;
          return sparse;
        }
      }
  }
  return sparse;
}

TEST(Sparsity, KnownFormExamplesAreExactStencils) {
  for (const char *name : {"kdv.dg", "cahn_hilliard.dg", "allen_cahn_2d.dg",
                           "cahn_hilliard_2d.dg"}) {
    SCOPED_TRACE(name);
    ModelIR m = smallExample(name);
    const SparseJacobian *sj = m.findSparseJacobian("newton");
    ASSERT_TRUE(sj);
    EXPECT_TRUE(sj->stencil);
    checkModel(m, {true, true, -1}, 1);
  }
}

TEST(Sparsity, OneDimensionalStencilWidths) {
  // KdV: G = D (offsets -1, 1) over u^2 and D2-like terms (-1..1): width 5.
  // Cahn-Hilliard: G = D2 over the same: width 5; 15 points, 5 | 15.
  for (const char *name : {"kdv.dg", "cahn_hilliard.dg"}) {
    SCOPED_TRACE(name);
    ModelIR m = smallExample(name);
    const SparseJacobian *sj = m.findSparseJacobian("newton");
    ASSERT_TRUE(sj);
    ASSERT_EQ(sj->form.blocks.size(), 1u);
    std::vector<std::array<int64_t, 2>> want = {
        {-2, 0}, {-1, 0}, {0, 0}, {1, 0}, {2, 0}};
    EXPECT_EQ(sj->form.blocks[0].offsets, want);
    EXPECT_EQ(sj->colouring.colours, 5);
    EXPECT_EQ(sj->colouring.kind, Colouring::Kind::Product);
    EXPECT_EQ(sj->colouring.rule[0], 5);
  }
}

TEST(Sparsity, ColoursDoNotGrowWithTheGrid) {
  // A 2-D Laplacian-type model: the same colours on 10 x 10 and 40 x 30.
  const char *src = R"(model Heat2D {
  grid x = periodic2(NX, NY, 1.0, 1.0);
  state u : field(x);
  energy H = x.dx * x.dx * sum(0.5 * u ^ 2 + (Dx(u) ^ 2 + Dy(u) ^ 2) + u ^ 4);
  structure G = -I;
  dissipates energy;
})";
  int64_t colours = -1;
  for (auto [nx, ny] : {std::pair{10, 10}, std::pair{40, 30}}) {
    std::string text = std::regex_replace(src, std::regex("NX"), std::to_string(nx));
    text = std::regex_replace(text, std::regex("NY"), std::to_string(ny));
    ModelIR m = compile(text);
    const SparseJacobian *sj = m.findSparseJacobian("newton");
    ASSERT_TRUE(sj);
    EXPECT_TRUE(sj->stencil);
    if (colours < 0)
      colours = sj->colouring.colours;
    EXPECT_EQ(sj->colouring.colours, colours);
    if (nx == 10)
      checkModel(m, {true, true, -1}, 3);
  }
  EXPECT_LE(colours, 25);
}

TEST(Sparsity, ConvNetWidensTheStencilByItsTaps) {
  // A first conv layer of width K, tanh, then 1x1 layers (dsl.md's
  // conv_net): f(u) at j reads u[j-K/2 .. j+K/2], so the gradient of
  // sum(f(u)) at j reads u[j-2(K/2) .. j+2(K/2)]; G = D adds one each way:
  // 7 offsets for K = 3, 11 for K = 5, whatever the hidden layers.
  const char *src = R"(model ConvNet {
  grid x = periodic(24, 1.0);
  state u : field(x);
  net f = conv_net(channels_in: 1, hidden: HIDDEN, out: 1, kernel: KERNEL, act: tanh, bias_last: false);
  energy H = x.dx * sum(f(u));
  structure G = D;
  conserves energy;
})";
  struct Case { const char *hidden, *kernel; int reach; };
  for (Case c : {Case{"[4]", "3", 3}, Case{"[4, 3]", "3", 3}, Case{"[4]", "5", 5}}) {
    SCOPED_TRACE(std::string(c.hidden) + " kernel " + c.kernel);
    int reach = c.reach;
    std::string text = std::regex_replace(src, std::regex("HIDDEN"), c.hidden);
    ModelIR m = compile(std::regex_replace(text, std::regex("KERNEL"), c.kernel));
    const SparseJacobian *sj = m.findSparseJacobian("newton");
    ASSERT_TRUE(sj);
    ASSERT_TRUE(sj->stencil);
    ASSERT_EQ(sj->form.blocks.size(), 1u);
    const auto &offs = sj->form.blocks[0].offsets;
    EXPECT_EQ(static_cast<int>(offs.size()), 2 * reach + 1);
    EXPECT_EQ(offs.front()[0], -reach);
    EXPECT_EQ(offs.back()[0], reach);
    checkModel(m, {true, true, -1}, 5);
  }
}

TEST(Sparsity, CouplingOpsMakeRowsDense) {
  // sum(u)^2 couples every point with every other: the dense path is kept.
  const char *src = R"(model Coupled {
  grid x = periodic(20, 1.0);
  state u : field(x);
  energy H = x.dx * sum(u ^ 2) + sum(u) ^ 2;
  structure G = -I;
  dissipates energy;
})";
  ModelIR m = compile(src);
  const SparseJacobian *sj = nullptr;
  for (const SparseJacobian &s : m.sparseJacobians)
    if (s.base == "newton")
      sj = &s;
  ASSERT_TRUE(sj);
  EXPECT_FALSE(sj->denseReason.empty());
  EXPECT_EQ(m.findSparseJacobian("newton"), nullptr);
  checkModel(m, {false, false, -1}, 7);
}

TEST(Sparsity, NetworkExamplesKeepEveryNonzero) {
  for (const char *name : {"kdv_net.dg", "cahn_hilliard_net.dg",
                           "mass_spring_net.dg", "pendulum.dg",
                           "two_body_net.dg", "mass_spring_sep.dg"}) {
    SCOPED_TRACE(name);
    ModelIR m = smallExample(name);
    const SparseJacobian *sj = nullptr;
    for (const SparseJacobian &s : m.sparseJacobians)
      if (s.base == "newton")
        sj = &s;
    ASSERT_TRUE(sj);
    checkModel(m, {sj->denseReason.empty(), false, -1}, 11);
  }
}

TEST(Sparsity, RandomEnergies) {
  int sparse = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    dgc::testing::RandomModel r = dgc::testing::randomEnergyModel(seed);
    ModelIR m = compile(r.source);
    SCOPED_TRACE(r.source);
    const SparseJacobian *sj = nullptr;
    for (const SparseJacobian &s : m.sparseJacobians)
      if (s.base == "newton")
        sj = &s;
    ASSERT_TRUE(sj);
    sparse += checkModel(m, {sj->denseReason.empty(), false, -1}, seed);
    if (::testing::Test::HasFailure())
      break;
  }
  RecordProperty("sparse_jacobians", sparse);
}

} // namespace
