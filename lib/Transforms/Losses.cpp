//===- Losses.cpp - Per-sample training losses and their gradients --------===//
//
// Part of dgc. The training objectives of the paper and of its baselines
// (experiments.md 1.5 and 8) as IR functions of one data pair:
//
//   L = mean_k ( F(u1, u2, dt) - (u2 - u1)/dt )_k^2
//
// with the model side F
//   train_dg        G dgrad H(u2, u1)                  (paper Eq. 11)
//   train_rk2       (uhat - u1)/dt, uhat one explicit midpoint step of f
//   train_rk4       (uhat - u1)/dt, uhat one classic RK4 step of f
//   train_leapfrog  (uhat - u1)/dt, uhat one kick-drift-kick step of a
//                   separable H with G = c S (friction(g) ignored)
// where f = G grad H (energy models) or the vector field. Each loss is
// built by inlining the model's already derived functions
// (`discrete_time_derivative`, `time_derivative`, `grad`) on the builder's
// values, and its parameter gradient comes from reverseAD over that IR:
// through the divided differences of the discrete gradient for train_dg
// (divdiff orders 1 and 2), through the gradient of H for the explicit
// schemes (map order + 1: second-order AD). Signature of every loss:
// inputs u1, u2 (state), dt (scalar), then every parameter of the model in
// ModelIR::params order; results L (scalar) and dparams, the adjoints of
// the parameters, each flattened, joined in ModelIR::params order (so
// dparams[ParamInfo::offset + i] is dL/dparams.data[offset + i]); a
// parameter the loss does not use gets zeros, and a model without
// parameters a single zero.
//
// Each loss also comes tiled when it can be (`train_dg_tile`, ...: a tile
// of pairs at once, see tiledWithParamGradient and Batch.cpp).
//
// time_derivative_vjp(u, ybar, params) -> (ubar, dparams) is the
// vector-Jacobian product of time_derivative, reverseAD with the seed
// named ybar, for back-propagation through the stages of an adaptive
// scheme in the runtime (Dopri5Train.h); when time_derivative can be
// tiled, also `time_derivative_tile` (u [state..., tile] -> dudt, the same
// shape) and `time_derivative_vjp_tile` (dparams summed over the tile).
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "IR/Clone.h"
#include "IR/IR.h"
#include "Transforms/Passes.h"

#include <algorithm>
#include <cassert>
#include <optional>

namespace dgc::transforms {

using namespace ir;

namespace {

const Function &required(const ModelIR &m, const std::string &name) {
  const Function *f = m.find(name);
  assert(f && "training losses need the model's derived functions: run "
              "the rest of deriveModel first");
  return *f;
}

/// The state's type: that of time_derivative's argument `u`.
Shape stateType(const ModelIR &m) {
  const Function &td = required(m, "time_derivative");
  ValueId u = td.findInput("u");
  assert(u >= 0 && "time_derivative has no argument u");
  return td.type(u);
}

/// A function under construction whose parameters are inputs named like
/// the model's, in ModelIR::params order; callees share them by name.
class Composer {
public:
  Composer(const ModelIR &m, const std::string &name) : m(m), b(f) {
    f.name = name;
  }

  Function f;
  const ModelIR &m;
  Builder b;
  std::vector<ValueId> params; ///< one per ModelIR::params entry

  /// Adds the parameter inputs (after the arguments added so far).
  void addParams() {
    for (const ParamInfo &p : m.params)
      params.push_back(b.input(p.name, p.shape, /*param=*/true));
  }

  /// Inlines `callee`: its non-parameter inputs take `args` in order, its
  /// parameters the inputs of the same name; returns its results.
  std::vector<ValueId> call(const Function &callee,
                            const std::vector<ValueId> &args) {
    std::vector<ValueId> all;
    size_t next = 0;
    for (ValueId in : callee.inputs) {
      const Op &op = callee.op(in);
      if (op.param) {
        // A parameter without a ParamInfo (hand-built models in tests)
        // becomes an input too, but is not differentiated.
        ValueId v = f.findParamInput(op.name);
        all.push_back(v >= 0 ? v : b.input(op.name, op.type, /*param=*/true));
        continue;
      }
      assert(next < args.size() && "too few arguments for the callee");
      all.push_back(args[next++]);
    }
    assert(next == args.size() && "too many arguments for the callee");
    return inlineFunction(b, callee, all);
  }

  ValueId scaled(double c, ValueId x) { return b.mul(b.constant(c), x); }
};

/// dparams: the adjoints of `g`'s results [first, first + params), each
/// reshaped to rank 1, joined in order; zeros of size 1 when there are no
/// parameters.
ValueId flatten(Builder &b, const Function &g, size_t first, size_t count) {
  if (count == 0)
    return b.constant(0.0, Shape{1});
  std::vector<ValueId> pieces;
  for (size_t i = 0; i < count; ++i) {
    ValueId a = g.results[first + i];
    const Shape &t = b.type(a);
    pieces.push_back(t.rank() <= 1 ? a : b.reshape(a, Shape{t.numel()}));
  }
  if (pieces.size() == 1 && b.type(pieces[0]).rank() == 1)
    return pieces[0];
  return b.concat(pieces);
}

/// `param:NAME` for every parameter, in ModelIR::params order, which is
/// the order of their offsets in the flat vector (dparams relies on it).
std::vector<std::string> paramRefs(const ModelIR &m) {
  std::vector<std::string> wrt;
  [[maybe_unused]] int64_t offset = 0;
  for (const ParamInfo &p : m.params) {
    assert(p.offset == offset && "parameters not laid out in order");
    offset += p.size();
    wrt.push_back("param:" + p.name);
  }
  assert((m.params.empty() || offset == m.paramCount) &&
         "paramCount differs from the parameters' sizes");
  return wrt;
}

/// From a loss function with inputs u1, u2, dt, params and result L: the
/// training function with results L and dparams, by reverse AD.
Function withParamGradient(const ModelIR &m, const Function &loss) {
  Function g = reverseAD(loss, 0, paramRefs(m), loss.name);
  Builder b(g);
  ValueId dparams = flatten(b, g, 1, m.params.size());
  g.results = {g.results[0], dparams};
  g.resultNames = {"L", "dparams"};
  return g;
}

/// The loss over a tile of pairs (Batch.cpp): inputs u1, u2 ([state...,
/// tile], pair b in column b), dt and weight ([tile]), params; results L
/// ([tile], the loss of each pair) and dparams = d/dparams sum_b weight_b
/// L_b, by reverse AD over the tiled loss, so every weight adjoint is one
/// GEMM over the tile. A weight of 0 pads a last, partial tile. Nothing
/// when the loss cannot be tiled or a tile would hold fewer than 8 pairs.
std::optional<Function> tiledWithParamGradient(const ModelIR &m,
                                               const Function &loss) {
  int64_t tile = chooseTile(loss);
  if (tile < 8)
    return std::nullopt;
  std::optional<Function> t = batchFunction(loss, tile);
  if (!t)
    return std::nullopt;
  Function &f = *t;
  Builder b(f);
  ValueId weight = b.input("weight", Shape{tile});
  f.inputs.pop_back();
  ValueId dt = f.findInput("dt");
  auto at = std::find(f.inputs.begin(), f.inputs.end(), dt);
  assert(at != f.inputs.end() && "a loss has an input dt");
  f.inputs.insert(at + 1, weight);
  ValueId L = f.results[0];
  f.results = {b.sum(b.mul(L, weight))};
  Function g = reverseAD(f, 0, paramRefs(m), loss.name + "_tile");
  Builder gb(g);
  ValueId dparams = flatten(gb, g, 1, m.params.size());
  g.results = {L, dparams};
  g.resultNames = {"L", "dparams"};
  return g;
}

/// The per-pair training function, and its tiled form when there is one.
std::vector<Function> trainingFunctions(const ModelIR &m,
                                        const Function &loss) {
  std::vector<Function> fs = {withParamGradient(m, loss)};
  if (std::optional<Function> t = tiledWithParamGradient(m, loss))
    fs.push_back(std::move(*t));
  return fs;
}

/// Starts a loss: inputs u1, u2, dt, params.
struct LossInputs {
  ValueId u1, u2, dt;
};

LossInputs startLoss(Composer &c) {
  Shape s = stateType(c.m);
  LossInputs in;
  in.u1 = c.b.input("u1", s);
  in.u2 = c.b.input("u2", s);
  in.dt = c.b.input("dt", Shape());
  c.addParams();
  return in;
}

/// L = mean_k (rate - (u2 - u1)/dt)_k^2 as the function's only result.
void finishLoss(Composer &c, const LossInputs &in, ValueId rate) {
  Builder &b = c.b;
  ValueId invDt = b.map(Fn::Recip, in.dt);
  ValueId target = b.mul(b.sub(in.u2, in.u1), invDt);
  ValueId d = b.sub(rate, target);
  int64_t n = b.type(d).numel();
  ValueId L = b.mul(b.sum(b.mul(d, d)), b.constant(1.0 / static_cast<double>(n)));
  c.f.results = {L};
  c.f.resultNames = {"L"};
}

/// (uhat - u1) / dt.
ValueId stepRate(Composer &c, const LossInputs &in, ValueId uhat) {
  return c.b.mul(c.b.sub(uhat, in.u1), c.b.map(Fn::Recip, in.dt));
}

} // namespace

std::vector<Function> trainDG(const ModelIR &m) {
  Composer c(m, "train_dg");
  LossInputs in = startLoss(c);
  // dgrad at (u2, u1): discrete_time_derivative(u = u2, v = u1).
  ValueId rate =
      c.call(required(m, "discrete_time_derivative"), {in.u2, in.u1})[0];
  finishLoss(c, in, rate);
  return trainingFunctions(m, c.f);
}

std::vector<Function> trainRK2(const ModelIR &m) {
  const Function &td = required(m, "time_derivative");
  Composer c(m, "train_rk2");
  LossInputs in = startLoss(c);
  Builder &b = c.b;
  ValueId halfDt = b.mul(in.dt, b.constant(0.5));
  ValueId k1 = c.call(td, {in.u1})[0];
  ValueId k2 = c.call(td, {b.add(in.u1, b.mul(halfDt, k1))})[0];
  ValueId uhat = b.add(in.u1, b.mul(in.dt, k2));
  finishLoss(c, in, stepRate(c, in, uhat));
  return trainingFunctions(m, c.f);
}

std::vector<Function> trainRK4(const ModelIR &m) {
  const Function &td = required(m, "time_derivative");
  Composer c(m, "train_rk4");
  LossInputs in = startLoss(c);
  Builder &b = c.b;
  ValueId halfDt = b.mul(in.dt, b.constant(0.5));
  ValueId k1 = c.call(td, {in.u1})[0];
  ValueId k2 = c.call(td, {b.add(in.u1, b.mul(halfDt, k1))})[0];
  ValueId k3 = c.call(td, {b.add(in.u1, b.mul(halfDt, k2))})[0];
  ValueId k4 = c.call(td, {b.add(in.u1, b.mul(in.dt, k3))})[0];
  // uhat = u1 + dt/6 (k1 + 2 k2 + 2 k3 + k4)
  ValueId sum = b.add(b.add(k1, c.scaled(2.0, k2)),
                      b.add(c.scaled(2.0, k3), k4));
  ValueId uhat = b.add(in.u1, b.mul(b.mul(in.dt, b.constant(1.0 / 6.0)), sum));
  finishLoss(c, in, stepRate(c, in, uhat));
  return trainingFunctions(m, c.f);
}

std::vector<Function> trainLeapfrog(const ModelIR &m) {
  assert(m.laws.separable && m.laws.symplecticScale != 0 &&
         "leapfrog needs a separable energy and G = c S");
  const Function &grad = required(m, "grad");
  Composer c(m, "train_leapfrog");
  LossInputs in = startLoss(c);
  Builder &b = c.b;
  Shape s = b.type(in.u1);
  int64_t n = s.numel(), h = n / 2;
  auto flat = [&](ValueId x) {
    return s.rank() == 1 ? x : b.reshape(x, Shape{n});
  };
  auto state = [&](ValueId q, ValueId p) {
    ValueId u = b.concat({q, p});
    return s.rank() == 1 ? u : b.reshape(u, s);
  };
  // grad H at `u`, as rank 1 (results of grad: H, grad H).
  auto gradAt = [&](ValueId u) { return flat(c.call(grad, {u})[1]); };
  // G = c S: q' = c dT/dp, p' = -c dV/dq, so every kick and drift is
  // c dt long.
  const double scale = m.laws.symplecticScale;
  ValueId step = scale == 1 ? in.dt : b.mul(in.dt, b.constant(scale));
  ValueId halfDt = b.mul(in.dt, b.constant(0.5 * scale));
  ValueId u1 = flat(in.u1);
  ValueId q = b.slice(u1, 0, h), p = b.slice(u1, h, n);
  // For separable H, grad_q H depends on q only and grad_p H on p only, so
  // the halves of grad H at a state holding q (or p) are dV/dq (or dT/dp).
  // p_half = p - dt/2 dV/dq(q)
  ValueId pHalf = b.sub(p, b.mul(halfDt, b.slice(gradAt(in.u1), 0, h)));
  // q' = q + dt dT/dp(p_half)
  ValueId qNew =
      b.add(q, b.mul(step, b.slice(gradAt(state(q, pHalf)), h, n)));
  // p' = p_half - dt/2 dV/dq(q')
  ValueId pNew = b.sub(
      pHalf, b.mul(halfDt, b.slice(gradAt(state(qNew, pHalf)), 0, h)));
  ValueId uhat = state(qNew, pNew);
  finishLoss(c, in, stepRate(c, in, uhat));
  return trainingFunctions(m, c.f);
}

namespace {

/// The vector-Jacobian product of `fwd` (inputs u, then the parameters;
/// result dudt): inputs u, ybar (the seed, shaped like dudt), parameters;
/// results ubar and dparams (flat, as for the losses).
Function vjpOf(const ModelIR &m, const Function &fwd, const std::string &name) {
  std::vector<std::string> wrt = {"u"};
  for (const std::string &r : paramRefs(m))
    wrt.push_back(r);
  assert(!fwd.type(fwd.results[0]).isScalar() &&
         "a scalar state would give reverseAD no seed input");
  Function g = reverseAD(fwd, 0, wrt, name);
  // reverseAD appends the seed (ybar) as the last input: move it after u.
  ValueId seed = g.inputs.back();
  assert(g.op(seed).kind == OpKind::Input && !g.op(seed).param);
  g.op(seed).name = "ybar";
  g.inputs.pop_back();
  g.inputs.insert(g.inputs.begin() + 1, seed);
  Builder b(g);
  ValueId dparams = flatten(b, g, 2, m.params.size());
  g.results = {g.results[1], dparams};
  g.resultNames = {"ubar", "dparams"};
  return g;
}

} // namespace

std::vector<Function> timeDerivativeVjp(const ModelIR &m) {
  const Function &td = required(m, "time_derivative");
  // time_derivative with every model parameter as an input, in order.
  Composer c(m, "time_derivative_vjp");
  ValueId u = c.b.input("u", stateType(m));
  c.addParams();
  c.f.results = {c.call(td, {u})[0]};
  c.f.resultNames = {"dudt"};
  std::vector<Function> fs = {vjpOf(m, c.f, "time_derivative_vjp")};

  // The same over a tile of states (column b = state b), for adaptive
  // training over a whole batch: the forward itself, and its VJP, whose
  // dparams sums over the tile by GEMMs.
  int64_t tile = chooseTile(c.f);
  if (tile < 8)
    return fs;
  std::optional<Function> t = batchFunction(c.f, tile);
  if (!t)
    return fs;
  t->name = "time_derivative_tile";
  fs.push_back(vjpOf(m, *t, "time_derivative_vjp_tile"));
  fs.push_back(std::move(*t));
  return fs;
}

} // namespace dgc::transforms
