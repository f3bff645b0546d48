//===- LossesTest.cpp - Training losses and their parameter gradients -----===//
//
// Part of dgc. The functions of Losses.cpp (train_dg, train_rk2, train_rk4,
// train_leapfrog, time_derivative_vjp), evaluated by the IR interpreter in
// double, on hand-built models and on every example model kind (and small
// variants of them compiled from source, where every parameter is checked):
//   - signatures and the layout of dparams;
//   - L against the same loss computed by hand from the model's other
//     functions (discrete_time_derivative, time_derivative, grad);
//   - dparams against central differences of L (relative error <= 1e-6,
//     the largest difference over the largest derivative), at far pairs and
//     at close pairs (|u2 - u1| ~ 1e-4, the series branch of divdiff);
//   - time_derivative_vjp against differences of <ybar, f(u)> and against
//     time_derivative_jvp (<ybar, J w> = <J^T ybar, w>).
//
//===----------------------------------------------------------------------===//
#include "ChainRule.h"
#include "CompileSource.h"

#include "IR/Builder.h"
#include "IR/Interpreter.h"
#include "IR/Printer.h"
#include "IR/Verifier.h"
#include "Transforms/Passes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <regex>
#include <sstream>

using namespace dgc;
using namespace dgc::ir;
using dgc::testing::call;
using dgc::testing::compileSource;
using dgc::testing::readExample;

namespace {

using Vec = std::vector<double>;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Parameters of a moderate scale (normal, std 1/sqrt(fan-in) for weights,
/// 0.2 for biases and scalars; nonneg ones made positive), so tanh layers
/// are not saturated.
Bindings scaledParams(const ModelIR &m, std::mt19937_64 &rng) {
  Bindings b;
  for (const ParamInfo &p : m.params) {
    double fanIn = 1;
    for (int d = 1; d < p.shape.rank(); ++d)
      fanIn *= static_cast<double>(p.shape[d]);
    std::normal_distribution<double> n(0.0, p.shape.rank() >= 2
                                                ? 1.0 / std::sqrt(fanIn)
                                                : 0.2);
    Vec v(static_cast<size_t>(p.size()));
    for (double &x : v)
      x = p.nonneg ? std::fabs(n(rng)) : n(rng);
    b[p.name] = std::move(v);
  }
  return b;
}

Vec randomVec(std::mt19937_64 &rng, int64_t n, double scale) {
  std::normal_distribution<double> d(0.0, scale);
  Vec v(static_cast<size_t>(n));
  for (double &x : v)
    x = d(rng);
  return v;
}

/// The function with its first result only, simplified (no reverse pass):
/// what the finite differences evaluate.
Function firstResultOnly(const Function &f) {
  Function g = f;
  g.results.resize(1);
  g.resultNames.resize(1);
  transforms::simplify(g);
  return g;
}

/// Binds `f`'s inputs from `states` (by name) and `params`.
Bindings bindInputs(const Function &f, const Bindings &states,
              const Bindings &params) {
  Bindings in;
  for (ValueId v : f.inputs) {
    const Op &op = f.op(v);
    if (op.param)
      in[op.name] = params.at(op.name);
    else
      in[op.name] = states.at(op.name);
  }
  return in;
}

/// Flat parameter indices to check: all of a tensor up to `perTensor`
/// elements, else `perTensor` random ones (always including the first and
/// last); perTensor < 0 checks everything.
std::vector<std::pair<size_t, int64_t>>
pickIndices(const ModelIR &m, int perTensor, std::mt19937_64 &rng) {
  std::vector<std::pair<size_t, int64_t>> out;
  for (size_t k = 0; k < m.params.size(); ++k) {
    int64_t n = m.params[k].size();
    if (perTensor < 0 || n <= perTensor) {
      for (int64_t i = 0; i < n; ++i)
        out.push_back({k, i});
      continue;
    }
    std::uniform_int_distribution<int64_t> d(1, n - 2);
    out.push_back({k, 0});
    out.push_back({k, n - 1});
    for (int i = 2; i < perTensor; ++i)
      out.push_back({k, d(rng)});
  }
  return out;
}

struct GradCheckResult {
  double relative = 0; ///< max |ad - fd| / max |fd| over the checked entries
  double scale = 0;    ///< max |fd|
  size_t checked = 0;
};

/// Central differences of result 0 of `scalarFn` (a scalar) in the
/// parameters at `indices`, against `ad` (flat, ModelIR::params layout).
GradCheckResult checkParamGradient(const ModelIR &m, const Function &scalarFn,
                                   const Bindings &states, Bindings params,
                                   const Vec &ad,
                                   const std::vector<std::pair<size_t, int64_t>>
                                       &indices) {
  GradCheckResult r;
  double diff = 0;
  for (auto [k, i] : indices) {
    const ParamInfo &p = m.params[k];
    Vec &x = params.at(p.name);
    double x0 = x[static_cast<size_t>(i)];
    double h = 1e-5 * std::max(1.0, std::fabs(x0));
    x[static_cast<size_t>(i)] = x0 + h;
    double up = interpret(scalarFn, bindInputs(scalarFn, states, params))[0][0];
    x[static_cast<size_t>(i)] = x0 - h;
    double dn = interpret(scalarFn, bindInputs(scalarFn, states, params))[0][0];
    x[static_cast<size_t>(i)] = x0;
    double fd = (up - dn) / (2 * h);
    double a = ad[static_cast<size_t>(p.offset + i)];
    diff = std::max(diff, std::fabs(a - fd));
    r.scale = std::max(r.scale, std::fabs(fd));
    ++r.checked;
  }
  r.relative = r.scale > 0 ? diff / r.scale : diff;
  return r;
}

double meanSquare(const Vec &rate, const Vec &u1, const Vec &u2, double dt) {
  double s = 0;
  for (size_t k = 0; k < rate.size(); ++k) {
    double d = rate[k] - (u2[k] - u1[k]) / dt;
    s += d * d;
  }
  return s / static_cast<double>(rate.size());
}

Vec axpy(const Vec &x, double a, const Vec &y) { // x + a y
  Vec r = x;
  for (size_t i = 0; i < r.size(); ++i)
    r[i] += a * y[i];
  return r;
}

/// L of `loss` recomputed from the model's other functions.
double lossByHand(const ModelIR &m, const std::string &loss, const Vec &u1,
                  const Vec &u2, double dt, const Bindings &params) {
  auto f = [&](const Vec &u) {
    return call(m, "time_derivative", {{"u", u}}, params)[0];
  };
  auto gradH = [&](const Vec &u) {
    return call(m, "grad", {{"u", u}}, params)[1];
  };
  Vec uhat;
  if (loss == "train_dg") {
    Vec rate =
        call(m, "discrete_time_derivative", {{"u", u2}, {"v", u1}}, params)[0];
    return meanSquare(rate, u1, u2, dt);
  }
  if (loss == "train_rk2") {
    Vec k1 = f(u1);
    uhat = axpy(u1, dt, f(axpy(u1, dt / 2, k1)));
  } else if (loss == "train_rk4") {
    Vec k1 = f(u1), k2 = f(axpy(u1, dt / 2, k1)), k3 = f(axpy(u1, dt / 2, k2)),
        k4 = f(axpy(u1, dt, k3));
    uhat = u1;
    for (size_t i = 0; i < u1.size(); ++i)
      uhat[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  } else if (loss == "train_leapfrog") {
    size_t h = u1.size() / 2;
    // G = c S: every kick and drift is c dt long.
    double step = dt * m.laws.symplecticScale;
    Vec u = u1;
    Vec g = gradH(u);
    for (size_t i = h; i < u.size(); ++i) // p -= c dt/2 dV/dq(q)
      u[i] -= step / 2 * g[i - h];
    g = gradH(u);
    for (size_t i = 0; i < h; ++i) // q += c dt dT/dp(p_half)
      u[i] += step * g[i + h];
    g = gradH(u);
    for (size_t i = h; i < u.size(); ++i) // p -= c dt/2 dV/dq(q')
      u[i] -= step / 2 * g[i - h];
    uhat = u;
  } else {
    ADD_FAILURE() << "unknown loss " << loss;
    return 0;
  }
  Vec rate(u1.size());
  for (size_t i = 0; i < rate.size(); ++i)
    rate[i] = (uhat[i] - u1[i]) / dt;
  return meanSquare(rate, u1, u2, dt);
}

/// The model gets train_leapfrog: H separable and G = c S (friction aside).
bool hasLeapfrog(const ModelIR &m) {
  return m.kind == ModelIR::Kind::Energy && m.laws.separable &&
         m.laws.symplecticScale != 0;
}

/// The losses a model gets.
std::vector<std::string> lossesOf(const ModelIR &m) {
  std::vector<std::string> l;
  if (m.kind == ModelIR::Kind::Energy)
    l.push_back("train_dg");
  l.push_back("train_rk2");
  l.push_back("train_rk4");
  if (hasLeapfrog(m))
    l.push_back("train_leapfrog");
  return l;
}

/// Checks the signature of every new function of `m`.
void expectSignatures(const ModelIR &m) {
  auto inputNames = [](const Function &f) {
    std::vector<std::string> n;
    for (ValueId v : f.inputs)
      n.push_back((f.op(v).param ? "param:" : "") + f.op(v).name);
    return n;
  };
  std::vector<std::string> params;
  for (const ParamInfo &p : m.params)
    params.push_back("param:" + p.name);
  int64_t flat = std::max<int64_t>(m.paramCount, 1);
  for (const std::string &name : lossesOf(m)) {
    const Function *f = m.find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(verify(*f), "") << name;
    std::vector<std::string> want = {"u1", "u2", "dt"};
    want.insert(want.end(), params.begin(), params.end());
    EXPECT_EQ(inputNames(*f), want) << name;
    EXPECT_EQ(f->resultNames, (std::vector<std::string>{"L", "dparams"}));
    EXPECT_TRUE(f->type(f->results[0]).isScalar());
    EXPECT_EQ(f->type(f->results[1]), (Shape{flat})) << name;
    EXPECT_TRUE(f->type(f->findInput("dt")).isScalar());
    EXPECT_EQ(f->type(f->findInput("u1")).numel(), m.stateSize);
  }
  if (!hasLeapfrog(m)) {
    EXPECT_EQ(m.find("train_leapfrog"), nullptr);
  }
  if (m.kind == ModelIR::Kind::VectorField) {
    EXPECT_EQ(m.find("train_dg"), nullptr);
  }
  const Function *v = m.find("time_derivative_vjp");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(verify(*v), "");
  std::vector<std::string> want = {"u", "ybar"};
  want.insert(want.end(), params.begin(), params.end());
  EXPECT_EQ(inputNames(*v), want);
  EXPECT_EQ(v->resultNames, (std::vector<std::string>{"ubar", "dparams"}));
  EXPECT_EQ(v->type(v->results[1]), (Shape{flat}));
}

std::string sci(double x) {
  std::ostringstream o;
  o.precision(2);
  o << std::scientific << x;
  return o.str();
}

/// The fraction of the order-0 divided differences of
/// discrete_time_derivative(u2, u1) whose two points are within the series
/// threshold (48 eps)^(1/5) (1 + |midpoint|), over all their elements.
double seriesFraction(const ModelIR &m, const Vec &u1, const Vec &u2,
                      const Bindings &params) {
  Function f = *m.find("discrete_time_derivative");
  std::vector<ValueId> pts;
  for (size_t i = 0; i < f.ops.size(); ++i)
    if (f.ops[i].kind == OpKind::DivDiff && f.ops[i].order == 0) {
      pts.push_back(f.ops[i].operands[0]);
      pts.push_back(f.ops[i].operands[1]);
    }
  if (pts.empty())
    return 0;
  f.results = pts;
  f.resultNames.assign(pts.size(), "x");
  auto r = interpret(f, bindInputs(f, {{"u", u2}, {"v", u1}}, params));
  double thr = std::pow(48 * 2.220446049250313e-16, 0.2);
  size_t below = 0, total = 0;
  for (size_t k = 0; k + 1 < r.size(); k += 2)
    for (size_t i = 0; i < r[k].size(); ++i) {
      double a = r[k][i], b = r[k + 1][i];
      below += std::fabs(a - b) <= thr * (1 + std::fabs((a + b) / 2));
      ++total;
    }
  return static_cast<double>(below) / static_cast<double>(total);
}

/// A data pair: u2 = u1 + sep * (random direction), dt given.
struct Pair {
  Vec u1, u2;
  double dt;
};

Pair makePair(const ModelIR &m, std::mt19937_64 &rng, double sep, double dt) {
  Pair p;
  p.u1 = randomVec(rng, m.stateSize, 0.7);
  p.u2 = axpy(p.u1, sep, randomVec(rng, m.stateSize, 1.0));
  p.dt = dt;
  return p;
}

/// L against the hand computation, and dparams against central differences
/// of L at the given parameter indices. Returns the worst relative error.
double checkLoss(const ModelIR &m, const std::string &name, const Pair &pair,
                 const Bindings &params,
                 const std::vector<std::pair<size_t, int64_t>> &indices) {
  const Function *f = m.find(name);
  EXPECT_NE(f, nullptr) << name;
  if (!f)
    return 1e300;
  Bindings states = {{"u1", pair.u1}, {"u2", pair.u2}, {"dt", {pair.dt}}};
  auto r = interpret(*f, bindInputs(*f, states, params));
  double L = r[0][0];
  const Vec &dparams = r[1];
  EXPECT_EQ(static_cast<int64_t>(dparams.size()),
            std::max<int64_t>(m.paramCount, 1));
  double byHand = lossByHand(m, name, pair.u1, pair.u2, pair.dt, params);
  EXPECT_TRUE(std::isfinite(L));
  EXPECT_NEAR(L, byHand, 1e-10 * (std::fabs(byHand) + 1e-300))
      << name << ": L from the generated function against the hand computation";
  for (double x : dparams)
    EXPECT_TRUE(std::isfinite(x)) << name;
  Function lossOnly = firstResultOnly(*f);
  GradCheckResult g =
      checkParamGradient(m, lossOnly, states, params, dparams, indices);
  EXPECT_LE(g.relative, 1e-6)
      << name << ": dparams against central differences (" << g.checked
      << " entries, max |dL/dp| = " << g.scale << ")";
  EXPECT_GT(g.scale, 0) << name << ": the loss does not depend on the params";
  std::printf("    %s %s |u2-u1|~%s: L = %.6g, %zu entries, rel. err %s\n",
              m.name.c_str(), name.c_str(),
              sci(std::fabs(pair.u2[0] - pair.u1[0])).c_str(), L, g.checked,
              sci(g.relative).c_str());
  return g.relative;
}

/// time_derivative_vjp: ubar against differences of <ybar, f(u)> in u and
/// against time_derivative_jvp, dparams against differences in the params.
void checkVjp(const ModelIR &m, std::mt19937_64 &rng, const Bindings &params,
              const std::vector<std::pair<size_t, int64_t>> &indices) {
  const Function &vjp = *m.find("time_derivative_vjp");
  const Function &td = *m.find("time_derivative");
  Vec u = randomVec(rng, m.stateSize, 0.7);
  Vec ybar = randomVec(rng, m.stateSize, 1.0);
  auto r = interpret(vjp, bindInputs(vjp, {{"u", u}, {"ybar", ybar}}, params));
  const Vec &ubar = r[0], &dparams = r[1];

  // <ybar, f(u)> as a function of the model.
  Function obj = td;
  {
    Builder b(obj);
    ValueId y = b.input("ybar", obj.type(obj.results[0]));
    obj.results = {b.sum(b.mul(y, obj.results[0]))};
    obj.resultNames = {"s"};
  }
  // In u.
  double diff = 0, scale = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    double h = 1e-5;
    Vec up = u, dn = u;
    up[i] += h;
    dn[i] -= h;
    double fd = (interpret(obj, bindInputs(obj, {{"u", up}, {"ybar", ybar}}, params))[0][0] -
                 interpret(obj, bindInputs(obj, {{"u", dn}, {"ybar", ybar}}, params))[0][0]) /
                (2 * h);
    diff = std::max(diff, std::fabs(ubar[i] - fd));
    scale = std::max(scale, std::fabs(fd));
  }
  EXPECT_LE(diff, 1e-6 * scale) << "ubar against central differences";
  // Against the forward JVP: <ybar, J w> = <ubar, w>.
  Vec w = randomVec(rng, m.stateSize, 1.0);
  Vec jw = call(m, "time_derivative_jvp", {{"u", u}, {"w", w}}, params)[0];
  double lhs = 0, rhs = 0, mag = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    lhs += ybar[i] * jw[i];
    rhs += ubar[i] * w[i];
    mag += std::fabs(ybar[i] * jw[i]) + std::fabs(ubar[i] * w[i]);
  }
  EXPECT_NEAR(lhs, rhs, 1e-12 * mag) << "<ybar, J w> against <J^T ybar, w>";
  // In the params.
  if (m.params.empty()) {
    EXPECT_EQ(dparams, Vec{0.0});
    return;
  }
  GradCheckResult g = checkParamGradient(
      m, obj, {{"u", u}, {"ybar", ybar}}, params, dparams, indices);
  EXPECT_LE(g.relative, 1e-6) << "vjp dparams (" << g.checked << " entries)";
  std::printf("    %s time_derivative_vjp: ubar rel. err %s, dparams %zu "
              "entries, rel. err %s\n",
              m.name.c_str(), sci(diff / scale).c_str(), g.checked,
              sci(g.relative).c_str());
}

//===----------------------------------------------------------------------===//
// Hand-built models
//===----------------------------------------------------------------------===//

Function fn(const std::string &name, Function f, ValueId r,
            const std::string &rn) {
  f.name = name;
  f.results = {r};
  f.resultNames = {rn};
  return f;
}

void addParam(ModelIR &m, const std::string &name, Shape s) {
  ParamInfo p;
  p.name = name;
  p.shape = s;
  p.offset = m.paramCount;
  m.paramCount += s.numel();
  m.params.push_back(p);
}

/// State [q (2), p (2)]; H = a sum(tanh(W q)) + sum(softplus(c p^2)) /2,
/// separable; G = S - friction(g) on p; `unused` appears nowhere.
ModelIR handEnergy() {
  ModelIR m;
  m.name = "HandEnergy";
  m.stateSize = 4;
  m.innerWeight = {1, 1, 1, 1};
  addParam(m, "a", Shape());
  addParam(m, "W", Shape{3, 2});
  addParam(m, "unused", Shape{2});
  addParam(m, "c", Shape{2});
  addParam(m, "g", Shape());
  Function e;
  Builder b(e);
  ValueId u = b.input("u", Shape{4});
  ValueId a = b.input("a", Shape(), true);
  ValueId W = b.input("W", Shape{3, 2}, true);
  ValueId c = b.input("c", Shape{2}, true);
  ValueId q = b.slice(u, 0, 2), p = b.slice(u, 2, 4);
  ValueId V = b.mul(a, b.sum(b.map(Fn::Tanh, b.matmul(W, q))));
  ValueId T = b.mul(b.constant(0.5),
                    b.sum(b.map(Fn::Softplus, b.mul(c, b.map(Fn::Square, p)))));
  m.functions.push_back(fn("energy", e, b.add(V, T), "H"));
  Function s;
  Builder d(s);
  ValueId x = d.input("x", Shape{4});
  ValueId g = d.input("g", Shape(), true);
  ValueId xq = d.slice(x, 0, 2), xp = d.slice(x, 2, 4);
  ValueId sx = d.concat({xp, d.neg(xq)});
  m.functions.push_back(
      fn("structure", s, d.sub(sx, d.pad(d.mul(g, xp), 2, 4)), "Gx"));
  m.laws.symplecticScale = 1; // what Sema derives for S - friction(g)
  return m;
}

/// Vector field tanh(W u + b) * s, u of size 3.
ModelIR handVectorField() {
  ModelIR m;
  m.name = "HandVF";
  m.kind = ModelIR::Kind::VectorField;
  m.stateSize = 3;
  m.innerWeight = {1, 1, 1};
  addParam(m, "W", Shape{3, 3});
  addParam(m, "b", Shape{3});
  addParam(m, "s", Shape());
  Function v;
  Builder b(v);
  ValueId u = b.input("u", Shape{3});
  ValueId W = b.input("W", Shape{3, 3}, true);
  ValueId bias = b.input("b", Shape{3}, true);
  ValueId s = b.input("s", Shape(), true);
  m.functions.push_back(fn(
      "vectorfield", v,
      b.mul(b.map(Fn::Tanh, b.add(b.matmul(W, u), bias)), s), "F"));
  return m;
}

/// Pendulum without parameters: H = p^2/2 + 3 (1 - cos q), G = S.
ModelIR handNoParams() {
  ModelIR m;
  m.name = "NoParams";
  m.stateSize = 2;
  m.innerWeight = {1, 1};
  Function e;
  Builder b(e);
  ValueId u = b.input("u", Shape{2});
  ValueId q = b.reshape(b.slice(u, 0, 1), Shape());
  ValueId p = b.reshape(b.slice(u, 1, 2), Shape());
  ValueId h = b.add(b.mul(b.map(Fn::PowI, p, 0, 2), b.constant(0.5)),
                    b.mul(b.constant(3.0), b.sub(b.constant(1.0), b.map(Fn::Cos, q))));
  m.functions.push_back(fn("energy", e, h, "H"));
  Function s;
  Builder c(s);
  ValueId x = c.input("x", Shape{2});
  ValueId sx = c.concat({c.slice(x, 1, 2), c.neg(c.slice(x, 0, 1))});
  m.functions.push_back(fn("structure", s, sx, "Gx"));
  return m;
}

TEST(Losses, HandBuiltEnergyModel) {
  ModelIR m = handEnergy();
  transforms::deriveModel(m);
  ASSERT_TRUE(m.laws.separable);
  expectSignatures(m);
  std::mt19937_64 rng(11);
  Bindings params = scaledParams(m, rng);
  params["g"] = {0.3};
  auto all = pickIndices(m, -1, rng);
  for (const std::string &loss : lossesOf(m))
    for (double sep : {0.5, 1e-4}) {
      Pair pr = makePair(m, rng, sep, sep == 0.5 ? 0.1 : 1e-4);
      SCOPED_TRACE(loss + " sep " + std::to_string(sep));
      checkLoss(m, loss, pr, params, all);
      // The parameter no function uses gets exact zeros.
      const Function &f = *m.find(loss);
      Bindings states = {{"u1", pr.u1}, {"u2", pr.u2}, {"dt", {pr.dt}}};
      Vec d = interpret(f, bindInputs(f, states, params))[1];
      const ParamInfo &unused = *m.findParam("unused");
      for (int64_t i = 0; i < unused.size(); ++i)
        EXPECT_EQ(d[static_cast<size_t>(unused.offset + i)], 0.0);
    }
  checkVjp(m, rng, params, all);
}

TEST(Losses, FrictionEntersEveryLossButLeapfrog) {
  ModelIR m = handEnergy();
  transforms::deriveModel(m);
  std::mt19937_64 rng(12);
  Bindings params = scaledParams(m, rng);
  params["g"] = {0.3};
  Pair pr = makePair(m, rng, 0.5, 0.1);
  Bindings states = {{"u1", pr.u1}, {"u2", pr.u2}, {"dt", {pr.dt}}};
  size_t g = static_cast<size_t>(m.findParam("g")->offset);
  for (const std::string &loss : lossesOf(m)) {
    const Function &f = *m.find(loss);
    double dg = interpret(f, bindInputs(f, states, params))[1][g];
    if (loss == "train_leapfrog")
      EXPECT_EQ(dg, 0.0) << loss << " uses G = S, friction ignored";
    else
      EXPECT_NE(dg, 0.0) << loss;
  }
}

TEST(Losses, HandBuiltVectorFieldModel) {
  ModelIR m = handVectorField();
  transforms::deriveModel(m);
  expectSignatures(m);
  std::mt19937_64 rng(13);
  Bindings params = scaledParams(m, rng);
  auto all = pickIndices(m, -1, rng);
  for (const std::string &loss : lossesOf(m)) {
    SCOPED_TRACE(loss);
    checkLoss(m, loss, makePair(m, rng, 0.5, 0.1), params, all);
  }
  checkVjp(m, rng, params, all);
}

TEST(Losses, ModelWithoutParametersGetsOneZero) {
  ModelIR m = handNoParams();
  transforms::deriveModel(m);
  expectSignatures(m);
  std::mt19937_64 rng(14);
  for (const std::string &loss : lossesOf(m)) {
    const Function &f = *m.find(loss);
    Pair pr = makePair(m, rng, 0.5, 0.1);
    auto r = interpret(f, {{"u1", pr.u1}, {"u2", pr.u2}, {"dt", {pr.dt}}});
    EXPECT_NEAR(r[0][0], lossByHand(m, loss, pr.u1, pr.u2, pr.dt, {}),
                1e-12 * r[0][0])
        << loss;
    EXPECT_EQ(r[1], Vec{0.0}) << loss;
  }
  checkVjp(m, rng, {}, {});
}

TEST(Losses, TrainDGAtEqualStatesIsTheContinuousLoss) {
  // u1 == u2: dgrad(u, u) = grad(u), so L = mean (f(u) - 0)^2 with f the
  // continuous time derivative; and the gradient is still right (every
  // divided difference takes its series).
  ModelIR m = handEnergy();
  transforms::deriveModel(m);
  std::mt19937_64 rng(15);
  Bindings params = scaledParams(m, rng);
  params["g"] = {0.3};
  Pair pr = makePair(m, rng, 0.0, 0.1);
  ASSERT_EQ(pr.u1, pr.u2);
  const Function &f = *m.find("train_dg");
  double L = interpret(f, bindInputs(f, {{"u1", pr.u1}, {"u2", pr.u2}, {"dt", {0.1}}},
                               params))[0][0];
  Vec td = call(m, "time_derivative", {{"u", pr.u1}}, params)[0];
  double want = 0;
  for (double x : td)
    want += x * x / static_cast<double>(td.size());
  EXPECT_NEAR(L, want, 1e-13 * want);
  checkLoss(m, "train_dg", pr, params, pickIndices(m, -1, rng));
}

//===----------------------------------------------------------------------===//
// Example models (examples/*.dg) and small variants of them
//===----------------------------------------------------------------------===//

ModelIR compile(const std::string &text) {
  dgc::testing::Compiled c = compileSource(text);
  EXPECT_TRUE(c.ok()) << c.diagnostics;
  EXPECT_EQ(c.models.size(), 1u);
  return c.ok() && !c.models.empty() ? std::move(c.models[0]) : ModelIR();
}

/// The example with its hidden layers made small (and KdVNet's grid
/// coarser), so that every parameter can be checked.
std::string shrink(std::string text) {
  text = std::regex_replace(text, std::regex(R"(hidden: \[200, 200\])"),
                            "hidden: [6, 5]");
  text = std::regex_replace(text, std::regex(R"(periodic\(50, 10\.0\))"),
                            "periodic(12, 3.0)");
  return text;
}

struct ExampleCase {
  const char *file;
  bool small;        ///< shrunk: check every parameter
  int perTensor;     ///< full size: parameter entries checked per tensor
};

void PrintTo(const ExampleCase &c, std::ostream *os) {
  *os << c.file << (c.small ? " (small)" : "");
}

std::string caseName(const ::testing::TestParamInfo<ExampleCase> &i) {
  std::string s = i.param.file;
  s = s.substr(0, s.find('.'));
  return s + (i.param.small ? "_small" : "");
}

class ExampleLosses : public ::testing::TestWithParam<ExampleCase> {
protected:
  void SetUp() override {
    std::string text = readExample(GetParam().file);
    m = compile(GetParam().small ? shrink(text) : text);
    ASSERT_GT(m.stateSize, 0);
    params = scaledParams(m, rng);
    if (m.findParam("g")) // RealPendulumNet's friction
      params["g"] = {0.3};
    indices = pickIndices(m, GetParam().small ? -1 : GetParam().perTensor, rng);
  }

  ModelIR m;
  Bindings params;
  std::vector<std::pair<size_t, int64_t>> indices;
  std::mt19937_64 rng{2026};
};

TEST_P(ExampleLosses, Signatures) { expectSignatures(m); }

TEST_P(ExampleLosses, FarPairs) {
  for (const std::string &loss : lossesOf(m)) {
    SCOPED_TRACE(loss);
    Pair pr = makePair(m, rng, 0.3, 0.1);
    if (loss == "train_dg") {
      EXPECT_LT(seriesFraction(m, pr.u1, pr.u2, params), 0.5)
          << "far pairs should mostly take the quotient branch";
    }
    double err = checkLoss(m, loss, pr, params, indices);
    RecordProperty(loss + "_far_relerr", sci(err));
  }
}

TEST_P(ExampleLosses, ClosePairs) {
  // |u2 - u1| ~ 1e-4 with dt = 1e-4: for train_dg the pre-activation
  // differences of the divided differences are below the threshold
  // (1.6e-3 times the function's length scale, 1 for tanh), so their
  // series and its derivatives are checked;
  // a vector-field model checks train_rk2 at that step instead.
  Pair pr = makePair(m, rng, 1e-4, 1e-4);
  std::string loss = "train_rk2";
  if (m.kind == ModelIR::Kind::Energy) {
    loss = "train_dg";
    EXPECT_GT(seriesFraction(m, pr.u1, pr.u2, params), 0.9);
  }
  double err = checkLoss(m, loss, pr, params, indices);
  RecordProperty(loss + "_close_relerr", sci(err));
}

TEST_P(ExampleLosses, TimeDerivativeVjp) { checkVjp(m, rng, params, indices); }

INSTANTIATE_TEST_SUITE_P(
    Examples, ExampleLosses,
    ::testing::Values(ExampleCase{"mass_spring_net.dg", true, 0},
                      ExampleCase{"real_pendulum_net.dg", true, 0},
                      ExampleCase{"kdv_net.dg", true, 0},
                      ExampleCase{"mass_spring_node.dg", true, 0},
                      ExampleCase{"mass_spring_sep.dg", true, 0},
                      ExampleCase{"mass_spring_net.dg", false, 40},
                      ExampleCase{"real_pendulum_net.dg", false, 40},
                      ExampleCase{"kdv_net.dg", false, 6},
                      ExampleCase{"mass_spring_node.dg", false, 40},
                      ExampleCase{"mass_spring_sep.dg", false, 20}),
    caseName);

/// friction(g) with one coefficient per momentum (g : real[2]): every loss
/// and its gradient in each coefficient, against central differences.
TEST(Losses, FrictionPerMomentum) {
  ModelIR m = compile("model Pair2 {\n  state q : real[2];\n"
                      "  state p : real[2];\n"
                      "  param k : real[2] init [1.0, 2.0];\n"
                      "  param g : real[2] init [0.1, 0.4] nonneg;\n"
                      "  energy H = sum(k * square(q)) / 2 + sum(square(p)) / 2"
                      " + 0.3 * q[0] * q[1];\n"
                      "  structure G = S - friction(g);\n"
                      "  dissipates energy;\n}\n");
  ASSERT_EQ(m.stateSize, 4);
  std::mt19937_64 rng(31);
  Bindings params = scaledParams(m, rng);
  params["g"] = {0.1, 0.4};
  for (const std::string &loss : lossesOf(m)) {
    SCOPED_TRACE(loss);
    Pair pr = makePair(m, rng, 0.3, 0.1);
    checkLoss(m, loss, pr, params, pickIndices(m, -1, rng));
  }
}

TEST(Losses, LeapfrogOnlyForSeparableModels) {
  ModelIR sep = compile(shrink(readExample("mass_spring_sep.dg")));
  EXPECT_TRUE(sep.laws.separable);
  EXPECT_NE(sep.find("train_leapfrog"), nullptr);
  ModelIR net = compile(shrink(readExample("mass_spring_net.dg")));
  EXPECT_FALSE(net.laws.separable);
  EXPECT_EQ(net.find("train_leapfrog"), nullptr);
}

/// A separable H = V(q) + T(p) with the structure `g`.
ModelIR separableWith(const std::string &g) {
  return compile("model Sep {\n  state q : real[2];\n  state p : real[2];\n"
                 "  param g : real init 0.3 nonneg;\n"
                 "  param A : real[4, 4] init normal(0.5);\n"
                 "  param L : real[4, 2] init normal(0.5);\n"
                 "  net V = mlp(in: 2, hidden: [5], out: 1, act: tanh, "
                 "bias_last: false);\n"
                 "  energy H = V(q) + sum(softplus(p ^ 2));\n"
                 "  structure G = " + g + ";\n}\n");
}

TEST(Losses, LeapfrogNeedsTheStructureS) {
  // Leapfrog steps q' = c dT/dp, p' = -c dV/dq: only G = c S has that form
  // (friction terms are ignored, as by the paper's SRNN on the real
  // pendulum). A separable H under any other G gets no train_leapfrog,
  // where it used to get one that silently stepped with S.
  for (const char *g : {"-I", "skew(A)", "S + skew(A)", "S - S", "-psd(L)"}) {
    SCOPED_TRACE(g);
    ModelIR m = separableWith(g);
    EXPECT_TRUE(m.laws.separable);
    EXPECT_EQ(m.laws.symplecticScale, 0);
    EXPECT_EQ(m.find("train_leapfrog"), nullptr);
  }
  std::mt19937_64 rng(31);
  for (auto [g, c] : std::vector<std::pair<const char *, double>>{
           {"S", 1.0}, {"2.5 * S", 2.5}, {"-S / 2", -0.5},
           {"S - friction(g)", 1.0}, {"3 * (S - friction(0.1))", 3.0}}) {
    SCOPED_TRACE(g);
    ModelIR m = separableWith(g);
    EXPECT_EQ(m.laws.symplecticScale, c);
    ASSERT_NE(m.find("train_leapfrog"), nullptr);
    Bindings params = scaledParams(m, rng);
    checkLoss(m, "train_leapfrog", makePair(m, rng, 0.5, 0.1), params,
              pickIndices(m, -1, rng));
  }
}

} // namespace
