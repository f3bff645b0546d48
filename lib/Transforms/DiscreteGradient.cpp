//===- DiscreteGradient.cpp - Automatic discrete differentiation ----------===//
//
// Part of dgc. The paper's Sec. 3.3 as an IR pass. The energy is evaluated
// twice, at u (pass A: the original ops, same ids) and at v (pass B: a copy
// of the ops that depend on the state; state-independent values such as
// parameters and constants are shared). Then the reverse sweep of reverse AD
// runs over pass A with the rules of DerivativeRules.cpp, two hooks changed:
//
//   - a bilinear op (mul, matmul, conv, convt, convw) multiplies the adjoint
//     by the midpoint (x(u) + x(v)) / 2 of its other operand: the averaged
//     product rule, exact because d(xz) = z_m dx + x_m dz for two points;
//   - an element-wise map y = f(x) multiplies it by the divided difference
//     q = (f(x(u)) - f(x(v))) / (x(u) - x(v)) (`divdiff`, with its series
//     below the threshold): exact because f(a) - f(b) = q (a - b).
//
// Linear ops keep their adjoint. Every step is exact for the pair, so
// H(u) - H(v) = dgrad . (u - v) holds to round-off, and at u = v every hook
// reduces to the ordinary rule, so dgrad(u, u) = grad H(u). The midpoints
// and quotients are symmetric in (u, v), so dgrad is too.
//
//===----------------------------------------------------------------------===//
#include "Transforms/DerivativeRules.h"
#include "Transforms/Passes.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

namespace dgc::transforms {

using namespace ir;

namespace {

class DiscreteGradientBuilder {
public:
  DiscreteGradientBuilder(const Function &energy, const std::string &name)
      : f(energy) {
    g.name = name;
  }

  Function run() {
    ValueId u = f.findInput("u");
    assert(u >= 0 && "discreteGradient: the energy has no input `u`");
    assert(f.results.size() == 1 && f.type(f.results[0]).isScalar() &&
           "discreteGradient: the energy must have one scalar result");
    size_t n = f.ops.size();

    // Pass A: the energy at u, same ids.
    g.ops = f.ops;
    Builder b(g);
    // Inputs in signature order: u, v, then the energy's other inputs.
    ValueId v = b.input("v", f.type(u));
    g.inputs.clear();
    g.inputs.push_back(u);
    g.inputs.push_back(v);
    for (ValueId in : f.inputs)
      if (in != u)
        g.inputs.push_back(in);

    // Which values depend on the state.
    dependent.assign(n, false);
    dependent[static_cast<size_t>(u)] = true;
    for (size_t i = 0; i < n; ++i)
      for (ValueId o : f.ops[i].operands)
        if (dependent[static_cast<size_t>(o)])
          dependent[i] = true;

    // Pass B: the energy at v.
    atV.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (!dependent[i]) {
        atV[i] = static_cast<ValueId>(i);
        continue;
      }
      if (static_cast<ValueId>(i) == u) {
        atV[i] = v;
        continue;
      }
      Op op = f.ops[i];
      for (ValueId &o : op.operands)
        o = atV[static_cast<size_t>(o)];
      atV[i] = b.append(std::move(op));
    }

    // The reverse sweep with the discrete hooks.
    ValueId out = f.results[0];
    AdjointTable t(b, n);
    for (size_t i = 0; i < n; ++i)
      t.active[i] = dependent[i];
    keepReachingResult(t.active, out);
    mid.assign(n, -1);
    t.linearization = [&](ValueId x) { return midpoint(b, x); };
    t.mapSlope = [&](const Op &op) { return quotient(b, op); };
    if (t.active[static_cast<size_t>(out)])
      t.adj[static_cast<size_t>(out)] = b.constant(1.0);
    for (size_t i = n; i-- > 0;) {
      if (t.adj[i] < 0 || !t.active[i])
        continue;
      emitReverseRule(t, static_cast<ValueId>(i), t.adj[i]);
    }

    ValueId d = t.adj[static_cast<size_t>(u)];
    if (d < 0) // the energy does not depend on the state
      d = b.constant(0.0, f.type(u));
    std::string hName = f.resultNames.empty() ? "H" : f.resultNames[0];
    g.results = {out, atV[static_cast<size_t>(out)], d};
    g.resultNames = {hName + "_u", hName + "_v", "dgrad"};
    return std::move(g);
  }

private:
  const Function &f;
  Function g;
  std::vector<bool> dependent;
  std::vector<ValueId> atV; ///< value at v of each pass-A value
  std::vector<ValueId> mid; ///< memoised midpoints

  /// Clears `active` (state dependence) for values the result does not use.
  void keepReachingResult(std::vector<bool> &active, ValueId out) const {
    std::vector<bool> reaches(active.size(), false);
    reaches[static_cast<size_t>(out)] = true;
    for (size_t i = active.size(); i-- > 0;)
      if (reaches[i])
        for (ValueId o : f.ops[i].operands)
          reaches[static_cast<size_t>(o)] = true;
    for (size_t i = 0; i < active.size(); ++i)
      active[i] = active[i] && reaches[i];
  }

  /// (x(u) + x(v)) / 2 for a state-dependent x; x itself otherwise.
  ValueId midpoint(Builder &b, ValueId x) {
    if (!dependent[static_cast<size_t>(x)])
      return x;
    ValueId &m = mid[static_cast<size_t>(x)];
    if (m < 0)
      m = b.mul(b.add(x, atV[static_cast<size_t>(x)]), b.constant(0.5));
    return m;
  }

  /// The divided difference of map `op` between its operand's two values.
  ValueId quotient(Builder &b, const Op &op) {
    if (op.order != 0) {
      std::fprintf(stderr, "internal compiler error: discrete gradient: a "
                           "derivative map (order %d) in an energy\n",
                   op.order);
      std::abort();
    }
    ValueId x = op.operands[0];
    return b.divdiff(op.fn, x, atV[static_cast<size_t>(x)], 0, op.k);
  }
};

} // namespace

Function discreteGradient(const Function &energy, const std::string &name) {
  return DiscreteGradientBuilder(energy, name).run();
}

} // namespace dgc::transforms
