//===- TestModels.h - Hand-built ModelIRs for the CodeGen tests -*- C++ -*-===//
//
// Part of dgc. Models built with ir::Builder, independent of the front end:
// a small MLP energy, a periodic-stencil KdV energy with its time
// derivative, a conv net with the conv adjoints, and one function per op
// family so that every op of Ops.def is emitted and run.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Builder.h"

#include <vector>

namespace dgc::test {

/// Adds a parameter to `m` (offset after the previous ones).
inline void addParam(ir::ModelIR &m, const std::string &name, Shape s,
                     ir::ParamInit::Kind kind, double value = 0) {
  ir::ParamInfo p;
  p.name = name;
  p.shape = std::move(s);
  p.offset = m.paramCount;
  p.init.kind = kind;
  p.init.value = value;
  m.paramCount += p.size();
  m.params.push_back(p);
}

inline ir::Function &newFunction(ir::ModelIR &m, const std::string &name) {
  m.functions.emplace_back();
  m.functions.back().name = name;
  return m.functions.back();
}

inline void setResults(ir::Function &f, std::vector<ir::ValueId> r,
                       std::vector<std::string> names) {
  f.results = std::move(r);
  f.resultNames = std::move(names);
}

/// Flags the inputs named like a parameter of `m` as parameters (the
/// builders below create inputs by name, as lowering does with the flag).
inline ir::ModelIR flagParams(ir::ModelIR m) {
  for (ir::Function &f : m.functions)
    for (ir::ValueId v : f.inputs)
      f.op(v).param = m.findParam(f.op(v).name) != nullptr;
  return m;
}

/// H(u) = sum(W2 tanh(W1 u + b1)) + 0.5 sum(u * u), u in R^2; `grad`
/// returns H and dH/du written out by hand (reverse mode).
inline ir::ModelIR mlpModel() {
  using K = ir::ParamInit::Kind;
  ir::ModelIR m;
  m.name = "Mlp";
  m.stateSize = 2;
  m.states = {{"q", 0, Shape(), -1}, {"p", 1, Shape(), -1}};
  m.innerWeight = {1, 1};
  addParam(m, "f.W1", {8, 2}, K::Orthogonal);
  addParam(m, "f.b1", {8}, K::Normal, 0.5);
  addParam(m, "f.W2", {1, 8}, K::Orthogonal);
  addParam(m, "scale", {}, K::Literal, 0.75);
  {
    ir::Function &f = newFunction(m, "energy");
    ir::Builder b(f);
    auto u = b.input("u", {2});
    auto W1 = b.input("f.W1", {8, 2});
    auto b1 = b.input("f.b1", {8});
    auto W2 = b.input("f.W2", {1, 8});
    auto sc = b.input("scale", {});
    auto h = b.map(ir::Fn::Tanh, b.add(b.matmul(W1, u), b1));
    auto o = b.sum(b.matmul(W2, h));
    auto H = b.add(b.mul(sc, o), b.mul(b.constant(0.5), b.sum(b.mul(u, u))));
    setResults(f, {H}, {"H"});
  }
  {
    ir::Function &f = newFunction(m, "grad");
    ir::Builder b(f);
    auto u = b.input("u", {2});
    auto W1 = b.input("f.W1", {8, 2});
    auto b1 = b.input("f.b1", {8});
    auto W2 = b.input("f.W2", {1, 8});
    auto sc = b.input("scale", {});
    auto z = b.add(b.matmul(W1, u), b1);
    auto h = b.map(ir::Fn::Tanh, z);
    auto o = b.sum(b.matmul(W2, h));
    auto H = b.add(b.mul(sc, o), b.mul(b.constant(0.5), b.sum(b.mul(u, u))));
    // dH/dh = scale * W2^T 1; dH/dz = dH/dh * tanh'(z); dH/du = W1^T dz + u.
    auto ones = b.broadcast(sc, {1});
    auto hbar = b.matmul(W2, ones, /*transA=*/true);
    auto zbar = b.mul(hbar, b.map(ir::Fn::Tanh, z, 1));
    auto g = b.add(b.matmul(W1, zbar, true), u);
    setResults(f, {H, g}, {"H", "grad"});
  }
  return flagParams(std::move(m));
}

/// KdV on n points: H = dx sum(-a/6 u^3 - b/2 ((Df u)^2 + (Db u)^2) / 2),
/// time_derivative = D(-a/2 u^2 + b D2 u).
inline ir::ModelIR kdvModel(int64_t n, double len, double alpha, double beta) {
  ir::ModelIR m;
  m.name = "KdV";
  m.stateSize = n;
  double dx = len / static_cast<double>(n);
  m.states = {{"u", 0, Shape{n}, 0}};
  m.innerWeight.assign(static_cast<size_t>(n), dx);
  m.laws.conservesEnergy = true;
  m.laws.conservesMass = true;
  {
    ir::Function &f = newFunction(m, "energy");
    ir::Builder b(f);
    auto u = b.input("u", {n});
    auto cube = b.mul(b.constant(-alpha / 6), b.map(ir::Fn::PowI, u, 0, 3));
    auto df = b.stencil(u, 0, {0, 1}, {-1 / dx, 1 / dx});
    auto db = b.stencil(u, 0, {-1, 0}, {-1 / dx, 1 / dx});
    auto grad2 = b.mul(b.add(b.map(ir::Fn::Square, df), b.map(ir::Fn::Square, db)),
                       b.constant(0.5));
    auto e = b.sub(cube, b.mul(b.constant(beta / 2), grad2));
    setResults(f, {b.mul(b.constant(dx), b.sum(e))}, {"H"});
  }
  {
    ir::Function &f = newFunction(m, "time_derivative");
    ir::Builder b(f);
    auto u = b.input("u", {n});
    auto d2 = b.stencil(u, 0, {-1, 0, 1}, {1 / (dx * dx), -2 / (dx * dx), 1 / (dx * dx)});
    auto g = b.add(b.mul(b.constant(-alpha / 2), b.mul(u, u)),
                   b.mul(b.constant(beta), d2));
    auto dudt = b.stencil(g, 0, {-1, 1}, {-0.5 / dx, 0.5 / dx});
    setResults(f, {dudt}, {"dudt"});
  }
  return flagParams(std::move(m));
}

/// y = sum(conv(K2, tanh(conv(K1, x) + expand(b1)))) with x = reshape(u),
/// plus `adjoints` computing convT and convW.
inline ir::ModelIR convModel(int64_t n) {
  using K = ir::ParamInit::Kind;
  ir::ModelIR m;
  m.name = "ConvNet";
  m.stateSize = n;
  m.states = {{"u", 0, Shape{n}, 0}};
  m.innerWeight.assign(static_cast<size_t>(n), 0.5);
  addParam(m, "f.K1", {4, 1, 3}, K::Orthogonal);
  addParam(m, "f.b1", {4}, K::Normal, 0.3);
  addParam(m, "f.K2", {1, 4, 1}, K::Orthogonal);
  {
    ir::Function &f = newFunction(m, "energy");
    ir::Builder b(f);
    auto u = b.input("u", {n});
    auto K1 = b.input("f.K1", {4, 1, 3});
    auto b1 = b.input("f.b1", {4});
    auto K2 = b.input("f.K2", {1, 4, 1});
    auto x = b.reshape(u, {1, n});
    auto h = b.map(ir::Fn::Tanh, b.add(b.conv(K1, x), b.expand(b1, n)));
    setResults(f, {b.sum(b.conv(K2, h))}, {"H"});
  }
  {
    ir::Function &f = newFunction(m, "adjoints");
    ir::Builder b(f);
    auto z = b.input("z", {4, n});
    auto x = b.input("x", {2, n});
    auto K5 = b.input("k5", {4, 2, 5});
    auto xbar = b.convT(K5, z);
    auto kbar = b.convW(z, x, 5);
    auto kbar2 = b.convW(z, x, 4); // even width
    setResults(f, {xbar, kbar, kbar2}, {"xbar", "kbar", "kbar4"});
  }
  return flagParams(std::move(m));
}

/// One function per op family; together they use every op of Ops.def.
inline ir::ModelIR opsModel() {
  ir::ModelIR m;
  m.name = "Ops";
  m.stateSize = 6;
  m.states = {{"u", 0, Shape{6}, -1}};
  m.innerWeight.assign(6, 1.0);
  {
    // Every element-wise function, every derivative order, divdiff 0..2.
    ir::Function &f = newFunction(m, "elementwise");
    ir::Builder b(f);
    auto a = b.input("a", {6});
    auto c = b.input("c", {6});
    std::vector<ir::ValueId> rs;
    std::vector<std::string> ns;
    const ir::Fn fns[] = {ir::Fn::Tanh, ir::Fn::Sigmoid, ir::Fn::Softplus,
                          ir::Fn::Relu, ir::Fn::Exp,     ir::Fn::Log,
                          ir::Fn::Sin,  ir::Fn::Cos,     ir::Fn::Sqrt,
                          ir::Fn::Square, ir::Fn::Abs,   ir::Fn::PowI,
                          ir::Fn::Recip};
    auto acc = b.constant(0.0, {6});
    for (ir::Fn fn : fns) {
      int k = fn == ir::Fn::PowI ? 5 : 0;
      for (int o = 0; o <= 4; ++o)
        acc = b.add(acc, b.mul(b.constant(1.0 / (1 + o)), b.map(fn, a, o, k)));
      for (int o = 0; o <= 2; ++o)
        acc = b.sub(acc, b.divdiff(fn, a, c, o, k));
    }
    rs.push_back(acc);
    ns.push_back("y");
    // divdiff at equal points takes the series branch (no NaN).
    rs.push_back(b.divdiff(ir::Fn::Tanh, a, a, 1));
    ns.push_back("same");
    // scalar chains, neg, broadcast, a scalar result.
    auto s = b.neg(b.map(ir::Fn::Exp, b.sum(a)));
    rs.push_back(b.add(b.broadcast(s, {6}), b.mul(s, c)));
    ns.push_back("bc");
    rs.push_back(s);
    ns.push_back("s");
    setResults(f, rs, ns);
  }
  {
    ir::Function &f = newFunction(m, "shapes");
    ir::Builder b(f);
    auto u = b.input("u", {6});
    auto t = b.input("t", {});
    auto m23 = b.reshape(u, {2, 3});
    auto ex = b.expand(b.slice(u, 1, 4), 4);             // [3,4]
    auto sl = b.sumLast(b.map(ir::Fn::Sin, ex));         // [3]
    auto pd = b.pad(sl, 2, 7);                           // [7]
    auto cc = b.concat({t, pd, b.slice(u, 0, 2), b.sum(m23)}); // [11]
    auto st0 = b.stencil(m23, 0, {-1, 1}, {0.5, 2.0});   // along rows
    auto st1 = b.stencil(m23, 1, {-2, 0, 1}, {1.0, -3.0, 0.25});
    auto kc = b.sumLast(b.constant(2.5, {3, 2}));        // const kernel operand
    auto bc = b.expand(b.broadcast(t, {3}), 2);          // materialized broadcast
    // A loop reading its own value through a reshape.
    auto rl = b.mul(b.reshape(b.map(ir::Fn::Tanh, b.add(m23, t)), {6}), u);
    setResults(f, {cc, st0, st1, kc, bc, u, cc, b.reshape(sl, {3, 1}), rl},
               {"cc", "st0", "st1", "kc", "bc", "copy", "cc2", "view", "rl"});
  }
  {
    ir::Function &f = newFunction(m, "matmuls");
    ir::Builder b(f);
    auto A = b.input("A", {3, 4});
    auto B = b.input("B", {4, 2});
    auto Bt = b.input("Bt", {2, 4});
    auto At = b.input("At", {4, 3});
    auto x = b.input("x", {4});
    auto y = b.input("y", {3});
    setResults(f,
               {b.matmul(A, B), b.matmul(A, Bt, false, true),
                b.matmul(At, B, true, false), b.matmul(At, Bt, true, true),
                b.matmul(A, x), b.matmul(A, y, true)},
               {"ab", "abt", "atb", "atbt", "ax", "aty"});
  }
  return flagParams(std::move(m));
}

} // namespace dgc::test
