//===- Pipeline.cpp - The derivative pipeline of a model ------------------===//
//
// Part of dgc. One line per pass: from the lowered `energy` and `structure`
// it builds `grad` (reverse AD, then division by the inner-product weight so
// the gradient is taken in the model's inner product), `time_derivative`
// (grad with `structure` inlined on it), `discrete_grad` (automatic discrete
// differentiation, same weight) and `discrete_time_derivative` (G dgrad,
// Gbar = G since every structure is state-independent); for Newton on the
// paper's Eq. 6, `newton_residual` F(v) = (v - u)/dt - G dgrad(u, v) and
// `newton_jvp` (dF/dv) w by forward AD over it; and `time_derivative_jvp`
// (d(G grad H)/du) w for the implicit midpoint rule; for a vector-field
// model `time_derivative` is the vector field itself. Last, from those, the
// training losses with their parameter gradients (Losses.cpp: train_dg,
// train_rk2, train_rk4, train_leapfrog for separable H with G = c S; a
// vector-field model gets train_rk2 and train_rk4) and time_derivative_vjp.
// The lowered functions are simplified first (same signature and results),
// and every function is verified before and after; a verifier failure is a
// compiler bug and aborts with the verifier's message.
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "IR/IR.h"
#include "IR/Clone.h"
#include "IR/Printer.h"
#include "IR/Verifier.h"
#include "Transforms/Passes.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <optional>
#include <cstdlib>

namespace dgc::transforms {

using namespace ir;

namespace {

/// A tiled value of a sparse Jacobian's JVP holds at most this many
/// elements (8 MiB in double); more colours take several calls.
constexpr int64_t kTileBudget = int64_t(1) << 20;
/// A pattern that is not a stencil form is listed in the header: at most
/// this many entries.
constexpr int64_t kMaxListedEntries = 2'000'000;

void verifyOrDie(const Function &f) {
  std::string err = verify(f);
  if (err.empty())
    return;
  std::fprintf(stderr, "internal compiler error: invalid IR after a pass: %s\n%s",
               err.c_str(), printFunction(f).c_str());
  std::abort();
}

/// Adds `f` to the model, replacing a function of the same name.
void put(ModelIR &m, Function f) {
  if (Function *old = m.find(f.name)) {
    *old = std::move(f);
    return;
  }
  m.functions.push_back(std::move(f));
}

/// 1 / innerWeight as a value of type `t`: a scalar constant when all
/// weights agree, else constant runs joined (and reshaped to `t`).
ValueId inverseWeight(Builder &b, const std::vector<double> &w, Shape t) {
  assert(static_cast<int64_t>(w.size()) == t.numel() &&
         "innerWeight does not match the state size");
  bool uniform = true;
  for (double x : w)
    uniform = uniform && x == w[0];
  if (uniform)
    return b.constant(1.0 / w[0]);
  std::vector<ValueId> runs;
  for (size_t i = 0; i < w.size();) {
    size_t j = i;
    while (j < w.size() && w[j] == w[i])
      ++j;
    runs.push_back(
        b.constant(1.0 / w[i], Shape{static_cast<int64_t>(j - i)}));
    i = j;
  }
  return b.reshape(b.concat(runs), t);
}

/// grad: (u, params) -> (H, (dH/du) / weight).
Function makeGrad(const ModelIR &m, const Function &energy) {
  Function g = reverseAD(energy, 0, {"u"}, "grad");
  Builder b(g);
  ValueId dHdu = g.results[1];
  if (!m.innerWeight.empty())
    g.results[1] = b.mul(dHdu, inverseWeight(b, m.innerWeight, g.type(dHdu)));
  g.resultNames = {"H", "grad"};
  return g;
}

/// discrete_grad: (u, v, params) -> dgrad H(u, v) / weight, the discrete
/// gradient in the model's inner product.
Function makeDiscreteGrad(const ModelIR &m, const Function &energy) {
  Function g = discreteGradient(energy, "discrete_grad");
  Builder b(g);
  ValueId d = g.results[2];
  if (!m.innerWeight.empty())
    d = b.mul(d, inverseWeight(b, m.innerWeight, g.type(d)));
  g.results = {d};
  g.resultNames = {"dgrad"};
  return g;
}

/// `name`: the inputs of `f`, result G r with r = f's result `which` and
/// `structure` inlined on it (parameters shared by name).
Function applyStructure(const Function &f, size_t which,
                        const Function &structure, const std::string &name,
                        const std::string &resultName) {
  Function td = f;
  td.name = name;
  Builder b(td);
  assert(!structure.inputs.empty() && "structure has no argument");
  std::vector<ValueId> args;
  for (size_t i = 0; i < structure.inputs.size(); ++i) {
    const Op &in = structure.op(structure.inputs[i]);
    if (i == 0) { // the vector G is applied to
      args.push_back(td.results[which]);
      continue;
    }
    assert(in.param && "structure's later inputs are parameters");
    ValueId v = td.findParamInput(in.name); // shared by name
    args.push_back(v >= 0 ? v : b.input(in.name, in.type, /*param=*/true));
  }
  std::vector<ValueId> r = inlineFunction(b, structure, args);
  assert(r.size() == 1 && "structure returns one value");
  td.results = {r[0]};
  td.resultNames = {resultName};
  return td;
}

/// newton_residual: (u, v, dt, params) -> F(v) = (v - u) / dt - G dgrad H(u,
/// v), the residual of the paper's Eq. 6 that Newton drives to zero.
Function makeNewtonResidual(const Function &dtd) {
  Function r = dtd;
  r.name = "newton_residual";
  Builder b(r);
  ValueId u = r.findInput("u"), v = r.findInput("v");
  assert(u >= 0 && v >= 0 && "discrete_time_derivative takes u and v");
  ValueId dt = b.input("dt", Shape());
  // Signature order: u, v, dt, then the parameters.
  r.inputs.pop_back();
  r.inputs.insert(r.inputs.begin() + 2, dt);
  ValueId rate = b.mul(b.sub(v, u), b.map(Fn::Recip, dt));
  r.results = {b.sub(rate, r.results[0])};
  r.resultNames = {"F"};
  return r;
}

/// `name`: the inputs of `f` and a tangent `w` (the shape of input `wrt`);
/// result the Jacobian of f's first result with respect to `wrt` applied to
/// w, by forward-mode AD of the IR (never finite differences).
Function makeJvp(const Function &f, const std::string &wrt,
                 const std::string &name) {
  Function j = forwardAD(f, {wrt}, name);
  ValueId w = j.findInput("t_" + wrt);
  assert(w >= 0 && "forwardAD names its tangent t_<input>");
  j.op(w).name = "w";
  j.results = {j.results[f.results.size()]};
  j.resultNames = {"Jw"};
  return j;
}

/// The sparse form of the Jacobian of `f`'s result with respect to its
/// input `wrt` (`jvp` computes its products, with input `w`): the
/// pattern from the sparsity analysis (plus the diagonal when `diagonal`),
/// its stencil form and column colouring, and `jvp` tiled over `w` into
/// `tiled` so that one call takes `tile` seed columns with the primal
/// computed once (or `jvp` itself, one colour per call, where it cannot be
/// tiled). `denseReason` says why the dense path is kept instead: a full
/// pattern, or one too full for seed vectors to pay (at least half as
/// many colours as columns).
SparseJacobian makeSparseJacobian(const ModelIR &m, const Function &f,
                                  const std::string &wrt, const Function &jvp,
                                  const std::string &base, bool diagonal,
                                  std::optional<Function> &tiled) {
  SparseJacobian sj;
  sj.base = base;
  sj.addDiagonal = diagonal;
  sj.pattern = jacobianPattern(f, wrt);
  tiled.reset();
  if (sj.pattern.dense) {
    sj.denseReason = "every row depends on the whole input";
    return sj;
  }
  if (diagonal)
    addDiagonal(sj.pattern);
  std::optional<StencilForm> form = stencilForm(m, sj.pattern);
  sj.colouring = colourColumns(sj.pattern, form ? &*form : nullptr);
  int64_t n = sj.pattern.cols;
  sj.stencil = form.has_value();
  if (sj.stencil)
    sj.form = std::move(*form);
  if (2 * sj.colouring.colours > n) {
    sj.denseReason = "too full for seed vectors to pay";
    return sj;
  }
  if (!sj.stencil && sj.pattern.nnz() > kMaxListedEntries) {
    sj.denseReason = "not a stencil and too large to list in a header";
    return sj;
  }
  // Seed columns per call: all colours, unless a tiled value would pass
  // kTileBudget elements; then equal chunks.
  int64_t widest = 1;
  for (const Op &op : jvp.ops)
    widest = std::max(widest, op.type.numel());
  int64_t k = sj.colouring.colours;
  int64_t maxTile = std::max<int64_t>(1, kTileBudget / widest);
  int64_t calls = (k + maxTile - 1) / maxTile;
  sj.tile = (k + calls - 1) / calls;
  sj.jvp = jvp.name;
  if (sj.tile > 1) {
    tiled = batchFunction(jvp, sj.tile, {"w"});
    if (tiled) {
      tiled->name = jvp.name + "_colors";
      sj.jvp = tiled->name;
    } else {
      sj.tile = 1;
    }
  }
  return sj;
}

/// Records what the sparsity analysis found for `f`, and adds the tiled
/// JVP of its sparse Jacobian to the model when it has one.
void addSparseJacobian(ModelIR &m, const Function &f, const std::string &wrt,
                       const Function &jvp, const std::string &base,
                       bool diagonal) {
  std::optional<Function> tiled;
  SparseJacobian sj = makeSparseJacobian(m, f, wrt, jvp, base, diagonal, tiled);
  if (tiled) {
    simplify(*tiled);
    verifyOrDie(*tiled);
    put(m, std::move(*tiled));
  }
  m.sparseJacobians.push_back(std::move(sj));
}

void finish(ModelIR &m, Function f) {
  simplify(f);
  verifyOrDie(f);
  put(m, std::move(f));
}

void finishAll(ModelIR &m, std::vector<Function> fs) {
  for (Function &f : fs)
    finish(m, std::move(f));
}

} // namespace

void deriveModel(ModelIR &m) {
  for (Function &f : m.functions) {
    verifyOrDie(f);
    simplify(f);
    verifyOrDie(f);
  }
  if (m.kind == ModelIR::Kind::VectorField) {
    const Function *vf = m.find("vectorfield");
    assert(vf && "vector-field model without `vectorfield`");
    Function td = *vf;
    td.name = "time_derivative";
    td.resultNames = {"dudt"};
    Function tdJvp = makeJvp(td, "u", "time_derivative_jvp");
    finish(m, std::move(td));
    finish(m, std::move(tdJvp));
    addSparseJacobian(m, *m.find("time_derivative"), "u",
                      *m.find("time_derivative_jvp"), "time_derivative",
                      /*diagonal=*/true);
    finishAll(m, trainRK2(m));
    finishAll(m, trainRK4(m));
    finishAll(m, timeDerivativeVjp(m));
    return;
  }
  const Function *energy = m.find("energy");
  const Function *structure = m.find("structure");
  assert(energy && structure && "energy model without `energy`/`structure`");

  m.laws.separable = m.stateSize > 0 && m.stateSize % 2 == 0 &&
                     isSeparable(*energy, m.stateSize / 2);
  Function grad = makeGrad(m, *energy);
  Function td =
      applyStructure(grad, 1, *structure, "time_derivative", "dudt");
  Function dgrad = makeDiscreteGrad(m, *energy);
  Function dtd = applyStructure(dgrad, 0, *structure,
                                "discrete_time_derivative", "dudt");
  Function residual = makeNewtonResidual(dtd);
  Function newtonJvp = makeJvp(residual, "v", "newton_jvp");
  Function tdJvp = makeJvp(td, "u", "time_derivative_jvp");
  finish(m, std::move(grad));
  finish(m, std::move(td));
  finish(m, std::move(tdJvp));
  finish(m, std::move(dgrad));
  finish(m, std::move(dtd));
  finish(m, std::move(residual));
  finish(m, std::move(newtonJvp));
  addSparseJacobian(m, *m.find("newton_residual"), "v", *m.find("newton_jvp"),
                    "newton", /*diagonal=*/true);
  addSparseJacobian(m, *m.find("time_derivative"), "u",
                    *m.find("time_derivative_jvp"), "time_derivative",
                    /*diagonal=*/true);
  finishAll(m, trainDG(m));
  finishAll(m, trainRK2(m));
  finishAll(m, trainRK4(m));
  if (m.laws.separable && m.laws.symplecticScale != 0)
    finishAll(m, trainLeapfrog(m));
  finishAll(m, timeDerivativeVjp(m));
}

bool deriveLocalModel(ModelIR &m, std::string &why, SourceLoc &where) {
  assert(m.kind == ModelIR::Kind::Energy && m.halo > 0 &&
         "local models are energy models on a tile");
  for (Function &f : m.functions) {
    verifyOrDie(f);
    simplify(f);
    verifyOrDie(f);
  }
  const Function *energy = m.find("energy");
  const Function *structure = m.find("structure");
  const ir::GridInfo &g = m.grids[0];
  Shape points = g.dims == 1 ? Shape{g.n[0]} : Shape{g.n[1], g.n[0]};
  std::optional<Function> density =
      energyDensity(*energy, points,
                    static_cast<double>(g.global[0] * g.global[1]), why,
                    where);
  if (!density)
    return false;
  Function grad = makeGrad(m, *energy);
  Function td =
      applyStructure(grad, 1, *structure, "time_derivative", "dudt");
  Function dgrad = makeDiscreteGrad(m, *energy);
  Function dtd = applyStructure(dgrad, 0, *structure,
                                "discrete_time_derivative", "dudt");
  Function residual = makeNewtonResidual(dtd);
  Function newtonJvp = makeJvp(residual, "v", "newton_jvp");
  finish(m, std::move(*density));
  finish(m, std::move(grad));
  finish(m, std::move(td));
  finish(m, std::move(residual));
  finish(m, std::move(newtonJvp));
  addSparseJacobian(m, *m.find("newton_residual"), "v", *m.find("newton_jvp"),
                    "newton", /*diagonal=*/true);
  return true;
}

} // namespace dgc::transforms
