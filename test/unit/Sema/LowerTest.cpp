//===- LowerTest.cpp - Values of lowered expressions ----------------------===//
//
// Part of dgc's unit tests. Lowers small models and evaluates the IR with
// the interpreter against formulas written out by hand: nets (mlp, conv_net
// with periodic centred kernels), the 2-D difference operators and their
// axes, skew/psd structures, broadcasting, reductions, slices, division,
// the order of param inputs and the source locations of ops.
//
//===----------------------------------------------------------------------===//
#include "SemaTestUtil.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>

using namespace dgc;
using namespace dgc::test;

namespace {

std::vector<double> randomVector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<double> v(n);
  for (double &x : v)
    x = d(gen);
  return v;
}

size_t wrap(long j, long n) { return static_cast<size_t>(((j % n) + n) % n); }

/// Checks and lowers `text`; the one function of a vectorfield model, or
/// `name`.
struct Lowered {
  explicit Lowered(const std::string &text) : c(text) {
    EXPECT_EQ(c.errors, 0u) << c.diagText;
    if (c.model)
      m = c.lower();
    for (const ir::Function &f : m.functions)
      EXPECT_EQ(ir::verify(f), "") << f.name;
  }
  std::vector<double> eval(const std::string &fn, const std::vector<double> &u,
                           const std::vector<double> &theta = {}) {
    const ir::Function *f = m.find(fn);
    EXPECT_NE(f, nullptr) << fn;
    return f ? run(m, *f, u, theta) : std::vector<double>{};
  }
  Checked c;
  ir::ModelIR m;
};

TEST(Lower, MlpMatchesHandForward) {
  Lowered l("model M {\n  state q : real;\n  state p : real;\n"
            "  net f = mlp(in: 2, hidden: [3], out: 2, act: tanh, "
            "bias_last: true);\n"
            "  vectorfield F = f([q, p]);\n}\n");
  ASSERT_EQ(l.m.paramCount, 3 * 2 + 3 + 2 * 3 + 2);
  std::vector<double> th = randomVector(17, 5), u = {0.3, -0.8};
  // W1 [3, 2] at 0, b1 [3] at 6, W2 [2, 3] at 9, b2 [2] at 15.
  double h[3];
  for (int i = 0; i < 3; ++i)
    h[i] = std::tanh(th[i * 2] * u[0] + th[i * 2 + 1] * u[1] + th[6 + i]);
  std::vector<double> out = l.eval("vectorfield", u, th);
  ASSERT_EQ(out.size(), 2u);
  for (int o = 0; o < 2; ++o) {
    double y = th[15 + o];
    for (int i = 0; i < 3; ++i)
      y += th[9 + o * 3 + i] * h[i];
    EXPECT_NEAR(out[static_cast<size_t>(o)], y, 1e-12);
  }
}

TEST(Lower, MlpOnAScalar) {
  Lowered l("model M {\n  state q : real;\n  state p : real;\n"
            "  net V = mlp(in: 1, hidden: [], out: 1, act: relu, "
            "bias_last: false);\n"
            "  energy H = V(q) + V(p);\n  structure G = S;\n}\n");
  // No hidden layer: V(x) = w x.
  ASSERT_EQ(l.m.paramCount, 1);
  EXPECT_NEAR(l.eval("energy", {2, 3}, {0.5})[0], 0.5 * 2 + 0.5 * 3, 1e-15);
}

TEST(Lower, ConvNetIsPeriodicAndCentred) {
  Lowered l("model M {\n  grid x = periodic(5, 1.0);\n  state u : field(x);\n"
            "  net f = conv_net(channels_in: 1, hidden: [2], out: 1, "
            "kernel: 3, act: sigmoid, bias_last: true);\n"
            "  vectorfield F = f(u);\n}\n");
  // K1 [2, 1, 3] at 0, b1 [2] at 6, W2 [1, 2] at 8, b2 [1] at 10.
  ASSERT_EQ(l.m.paramCount, 11);
  std::vector<double> th = randomVector(11, 7), u = randomVector(5, 8);
  std::vector<double> out = l.eval("vectorfield", u, th);
  ASSERT_EQ(out.size(), 5u);
  for (long j = 0; j < 5; ++j) {
    double y = th[10];
    for (int c = 0; c < 2; ++c) {
      // Cross-correlation with circular padding 1: taps j-1, j, j+1.
      double s = th[6 + static_cast<size_t>(c)];
      for (long t = 0; t < 3; ++t)
        s += th[static_cast<size_t>(c * 3 + t)] * u[wrap(j + t - 1, 5)];
      y += th[8 + static_cast<size_t>(c)] / (1 + std::exp(-s));
    }
    EXPECT_NEAR(out[static_cast<size_t>(j)], y, 1e-12);
  }
}

TEST(Lower, MlpMapsAFieldPointByPoint) {
  // mlp(in: 1) on a field of 5 points: out_j = f(u_j); mlp(in: 2, out: 2)
  // on the stack [u, u ^ 2]: a [2, 5] value, row o is output o per point.
  Lowered l("model M {\n  grid x = periodic(5, 1.0);\n  state u : field(x);\n"
            "  net f = mlp(in: 1, hidden: [2], out: 1, act: tanh, "
            "bias_last: true);\n"
            "  net g = mlp(in: 2, hidden: [], out: 2, act: tanh, "
            "bias_last: true);\n"
            "  vectorfield F = f(u) + sum(g([u, u ^ 2])) / 10;\n}\n");
  // f: W1 [2, 1] at 0, b1 [2] at 2, W2 [1, 2] at 4, b2 [1] at 6;
  // g: W1 [2, 2] at 7, b1 [2] at 11.
  ASSERT_EQ(l.m.paramCount, 13);
  std::vector<double> th = randomVector(13, 31), u = randomVector(5, 32);
  std::vector<double> out = l.eval("vectorfield", u, th);
  ASSERT_EQ(out.size(), 5u);
  double g = 0;
  for (size_t j = 0; j < 5; ++j)
    for (size_t o = 0; o < 2; ++o)
      g += th[7 + o * 2] * u[j] + th[7 + o * 2 + 1] * u[j] * u[j] + th[11 + o];
  for (size_t j = 0; j < 5; ++j) {
    double y = th[6];
    for (size_t h = 0; h < 2; ++h)
      y += th[4 + h] * std::tanh(th[h] * u[j] + th[2 + h]);
    EXPECT_NEAR(out[j], y + g / 10, 1e-12);
  }
}

TEST(Lower, MlpMapsA2DFieldPointByPoint) {
  Lowered l("model M {\n  grid x = periodic2(3, 2, 1.0, 1.0);\n"
            "  state u : field(x);\n"
            "  net f = mlp(in: 1, hidden: [], out: 1, act: tanh, "
            "bias_last: true);\n"
            "  vectorfield F = Dx(f(u));\n}\n");
  ASSERT_EQ(l.m.paramCount, 2);
  std::vector<double> th = {0.7, -0.2}, u = randomVector(6, 33);
  std::vector<double> out = l.eval("vectorfield", u, th);
  ASSERT_EQ(out.size(), 6u);
  // f(u) = 0.7 u - 0.2 point by point; Dx along the rows of 3 (dx = 1/3).
  for (long r = 0; r < 2; ++r)
    for (long i = 0; i < 3; ++i) {
      double d = 0.7 * (u[static_cast<size_t>(r * 3) + wrap(i + 1, 3)] -
                        u[static_cast<size_t>(r * 3) + wrap(i - 1, 3)]) /
                 (2.0 / 3);
      EXPECT_NEAR(out[static_cast<size_t>(r * 3 + i)], d, 1e-12);
    }
}

TEST(Lower, ListOfFieldsIsAChannelStack) {
  // [u, u ^ 2] into a 2-channel conv_net and into conv: channel 0 is u,
  // channel 1 is u^2 (torch.stack), not the interleaved pairs.
  Lowered l("model M {\n  grid x = periodic(5, 1.0);\n  state u : field(x);\n"
            "  param K : real[1, 2, 1] init ones;\n"
            "  net f = conv_net(channels_in: 2, hidden: [2], out: 1, "
            "kernel: 3, act: tanh, bias_last: false);\n"
            "  vectorfield F = f([u, u ^ 2]) + sum(conv(K, [u ^ 2, D(u) ^ 2]));\n}\n");
  // K [1, 2, 1] at 0, W1 [2, 2, 3] at 2, b1 [2] at 14, W2 [1, 2] at 16.
  ASSERT_EQ(l.m.paramCount, 18);
  std::vector<double> th = randomVector(18, 21), u = randomVector(5, 22);
  std::vector<double> out = l.eval("vectorfield", u, th);
  ASSERT_EQ(out.size(), 5u);
  double k = 0; // sum(conv(K, [u^2, D(u)^2])), a width-1 kernel
  for (long j = 0; j < 5; ++j) {
    double d = (u[wrap(j + 1, 5)] - u[wrap(j - 1, 5)]) / (2 * 0.2);
    k += th[0] * u[static_cast<size_t>(j)] * u[static_cast<size_t>(j)] +
         th[1] * d * d;
  }
  for (long j = 0; j < 5; ++j) {
    double y = k;
    for (int h = 0; h < 2; ++h) {
      double s = th[14 + static_cast<size_t>(h)];
      for (int c = 0; c < 2; ++c)
        for (long t = 0; t < 3; ++t) {
          double x = u[wrap(j + t - 1, 5)];
          s += th[2 + static_cast<size_t>(h * 6 + c * 3 + t)] *
               (c == 0 ? x : x * x);
        }
      y += th[16 + static_cast<size_t>(h)] * std::tanh(s);
    }
    EXPECT_NEAR(out[static_cast<size_t>(j)], y, 1e-12);
  }
}

TEST(Lower, MatmulOfAListOfFieldsIsPointWise) {
  // matmul(A, st) with A real[3, 2] and st = [u, u ^ 2] (a let): the stack
  // real[2, n], so entry (r, j) is A[r,0] u_j + A[r,1] u_j^2; a matrix whose
  // inner extent is 2 n takes the same list as the concatenation.
  Lowered l("model M {\n  grid x = periodic(4, 1.0);\n  state u : field(x);\n"
            "  param A : real[3, 2] init ones;\n"
            "  param B : real[1, 8] init ones;\n"
            "  let st = [u, u ^ 2];\n"
            "  energy H = sum(tanh(matmul(A, st))) + sum(matmul(B, [u, u ^ 2]));\n"
            "  structure G = D;\n}\n");
  ASSERT_EQ(l.m.paramCount, 14);
  std::vector<double> th = randomVector(14, 31), u = randomVector(4, 32);
  double h = 0;
  for (size_t j = 0; j < 4; ++j) {
    for (size_t r = 0; r < 3; ++r)
      h += std::tanh(th[r * 2] * u[j] + th[r * 2 + 1] * u[j] * u[j]);
    h += th[6 + j] * u[j] + th[10 + j] * u[j] * u[j];
  }
  EXPECT_NEAR(l.eval("energy", u, th)[0], h, 1e-12);
}

TEST(Lower, TwoDimensionalAxes) {
  // 4 points along x (dx = 0.25), 3 along y (dy = 2/3); u[y][x] row-major.
  std::string head = "model M {\n  grid g = periodic2(4, 3, 1.0, 2.0);\n"
                     "  state u : field(g);\n  vectorfield F = ";
  std::vector<double> u = randomVector(12, 9);
  auto at = [&](long y, long x) { return u[wrap(y, 3) * 4 + wrap(x, 4)]; };
  double dx = 0.25, dy = 2.0 / 3;
  Lowered lx(head + "Dx(u);\n}\n"), ly(head + "Dy(u);\n}\n"),
      lap(head + "Lap(u);\n}\n");
  std::vector<double> fx = lx.eval("vectorfield", u),
                      fy = ly.eval("vectorfield", u),
                      fl = lap.eval("vectorfield", u);
  for (long y = 0; y < 3; ++y)
    for (long x = 0; x < 4; ++x) {
      size_t i = static_cast<size_t>(y * 4 + x);
      EXPECT_NEAR(fx[i], (at(y, x + 1) - at(y, x - 1)) / (2 * dx), 1e-12);
      EXPECT_NEAR(fy[i], (at(y + 1, x) - at(y - 1, x)) / (2 * dy), 1e-12);
      EXPECT_NEAR(fl[i],
                  (at(y, x + 1) - 2 * at(y, x) + at(y, x - 1)) / (dx * dx) +
                      (at(y + 1, x) - 2 * at(y, x) + at(y - 1, x)) /
                          (dy * dy),
                  1e-10);
    }
  EXPECT_DOUBLE_EQ(lx.m.innerWeight[0], dx * dy);
}

TEST(Lower, LearnedStructure) {
  Lowered l("model M {\n  state q : real[2];\n  state p : real;\n"
            "  state r : real;\n"
            "  param L : real[4, 2] init normal(0.1);\n"
            "  param A : real[4, 4] init orthogonal;\n"
            "  energy H = sum(q ^ 2) + p ^ 2 + r ^ 2;\n"
            "  structure G = 2 * (skew(A) - psd(L));\n  dissipates energy;\n}\n");
  ASSERT_TRUE(l.m.laws.dissipatesEnergy);
  const ir::Function *g = l.m.find("structure");
  ASSERT_NE(g, nullptr);
  // Params in declaration order, whatever the order of use.
  ASSERT_EQ(g->inputs.size(), 3u);
  EXPECT_EQ(g->op(g->inputs[1]).name, "L");
  EXPECT_EQ(g->op(g->inputs[2]).name, "A");
  std::vector<double> th = randomVector(8 + 16, 11), x = randomVector(4, 12);
  std::vector<double> gx = l.eval("structure", x, th);
  for (int i = 0; i < 4; ++i) {
    double s = 0;
    for (int j = 0; j < 4; ++j) {
      double a = th[8 + static_cast<size_t>(i * 4 + j)] -
                 th[8 + static_cast<size_t>(j * 4 + i)];
      double ll = 0;
      for (int k = 0; k < 2; ++k)
        ll += th[static_cast<size_t>(i * 2 + k)] *
              th[static_cast<size_t>(j * 2 + k)];
      s += (a - ll) * x[static_cast<size_t>(j)];
    }
    EXPECT_NEAR(gx[static_cast<size_t>(i)], 2 * s, 1e-12);
  }
}

TEST(Lower, BroadcastReductionsSlicesAndDivision) {
  Lowered l("model M {\n  grid x = periodic(3, 3.0);\n  state u : field(x);\n"
            "  state v : real[4];\n"
            "  param K : real[2, 1, 1] init ones;\n"
            "  param b : real[2] init ones;\n"
            "  let y = conv(K, u) + b;\n"
            "  energy H = sum(y) + mean(v) + dot(v[1:3], [u[0], 2]) "
            "+ 1 / v[3] + sum(u / (1 + v[0:3] ^ 2));\n"
            "  structure G = -I;\n}\n");
  std::vector<double> th = randomVector(4, 13);
  std::vector<double> s = {0.2, -0.4, 0.9, 1.5, -0.7, 0.3, 2.0};
  const double *u = s.data(), *v = s.data() + 3;
  double h = 0;
  for (int c = 0; c < 2; ++c)
    for (int j = 0; j < 3; ++j)
      h += th[static_cast<size_t>(c)] * u[j] + th[2 + static_cast<size_t>(c)];
  h += (v[0] + v[1] + v[2] + v[3]) / 4;
  h += v[1] * u[0] + v[2] * 2;
  h += 1 / v[3];
  for (int j = 0; j < 3; ++j)
    h += u[j] / (1 + v[j] * v[j]);
  EXPECT_NEAR(l.eval("energy", s, th)[0], h, 1e-12);
  // Field elements weigh dx = 1, real ones 1 as well here; check the layout.
  EXPECT_EQ(l.m.states[1].offset, 3);
}

TEST(Lower, MatmulOfMatrices) {
  Lowered l("model M {\n  state q : real[2];\n  state p : real[2];\n"
            "  param A : real[3, 2] init ones;\n"
            "  param B : real[2, 2] init ones;\n"
            "  energy H = sum(matmul(A, B) ^ 2) * sum(q * p);\n"
            "  structure G = S;\n}\n");
  std::vector<double> th = randomVector(10, 17);
  double s = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) {
      double e = 0;
      for (int k = 0; k < 2; ++k)
        e += th[static_cast<size_t>(i * 2 + k)] *
             th[6 + static_cast<size_t>(k * 2 + j)];
      s += e * e;
    }
  std::vector<double> x = {1, 2, 3, 4};
  EXPECT_NEAR(l.eval("energy", x, th)[0], s * (1 * 3 + 2 * 4), 1e-12);
}

TEST(Lower, OpsCarrySourceLocations) {
  std::string text = readExample("kdv.dg");
  Lowered l(text);
  const ir::Function *e = l.m.find("energy");
  ASSERT_NE(e, nullptr);
  // The energy is on line 7 of kdv.dg; each stencil op points at its call.
  std::string line7 = "  energy H = x.dx * sum(-alpha / 6 * u ^ 3 - beta / 2 * "
                      "(Df(u) ^ 2 + Db(u) ^ 2) / 2);";
  ASSERT_NE(text.find(line7), std::string::npos);
  std::vector<uint32_t> cols;
  for (const ir::Op &op : e->ops)
    if (op.kind == ir::OpKind::Stencil) {
      EXPECT_EQ(op.loc.line, 7u);
      cols.push_back(op.loc.col);
    }
  EXPECT_EQ(cols, (std::vector<uint32_t>{
                      static_cast<uint32_t>(line7.find("Df") + 1),
                      static_cast<uint32_t>(line7.find("Db") + 1)}));
  const ir::Function *g = l.m.find("structure");
  EXPECT_EQ(g->op(g->results[0]).loc.line, 8u);
  EXPECT_EQ(g->op(g->results[0]).loc.col, 17u);
}

} // namespace
