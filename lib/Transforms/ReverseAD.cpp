//===- ReverseAD.cpp - Reverse-mode automatic differentiation -------------===//
//
// Part of dgc. The new function starts with a copy of the forward ops (same
// ids), so the adjoint rules can read any forward value. Activity analysis
// is a separate step: a value gets an adjoint only if it depends on a
// differentiated input (forward sweep) and the result depends on it
// (backward sweep). The reverse sweep then visits the active ops from the
// result down, emitting each op's rule from DerivativeRules.cpp. Since every
// rule's output is again differentiable, applying reverseAD to its own
// result gives second derivatives.
//
//===----------------------------------------------------------------------===//
#include "Transforms/DerivativeRules.h"
#include "Transforms/Passes.h"

#include <cassert>

namespace dgc::transforms {

using namespace ir;

namespace {

/// Values that depend on a `wrt` input and that `result` depends on.
std::vector<bool> activity(const Function &f, ValueId result,
                           const std::vector<ValueId> &wrt) {
  size_t n = f.ops.size();
  std::vector<bool> fromInput(n, false), toResult(n, false), active(n, false);
  for (ValueId w : wrt)
    fromInput[static_cast<size_t>(w)] = true;
  for (size_t i = 0; i < n; ++i)
    for (ValueId o : f.ops[i].operands)
      if (fromInput[static_cast<size_t>(o)])
        fromInput[i] = true;
  toResult[static_cast<size_t>(result)] = true;
  for (size_t i = n; i-- > 0;)
    if (toResult[i])
      for (ValueId o : f.ops[i].operands)
        toResult[static_cast<size_t>(o)] = true;
  for (size_t i = 0; i < n; ++i)
    active[i] = fromInput[i] && toResult[i];
  return active;
}

/// `seed`, or `seed_1`, ... if a forward input already has that name.
std::string freshInputName(const Function &f, const std::string &base) {
  std::string name = base;
  for (int i = 1; f.findInput(name) >= 0; ++i)
    name = base + "_" + std::to_string(i);
  return name;
}

} // namespace

Function reverseAD(const Function &f, int result,
                   const std::vector<std::string> &wrt,
                   const std::string &name) {
  assert(result >= 0 && static_cast<size_t>(result) < f.results.size() &&
         "reverseAD: no such result");
  ValueId out = f.results[static_cast<size_t>(result)];
  std::vector<ValueId> wrtIds;
  for (const std::string &w : wrt) {
    ValueId v = f.findInputRef(w);
    assert(v >= 0 && "reverseAD: differentiating with respect to a "
                     "function input that does not exist");
    wrtIds.push_back(v);
  }

  Function g;
  g.name = name;
  g.ops = f.ops;
  g.inputs = f.inputs;
  Builder b(g);

  AdjointTable t(b, f.ops.size());
  t.active = activity(f, out, wrtIds);

  // The seed: 1 for a scalar result, else an input of the result's shape.
  ValueId seed = f.type(out).isScalar()
                     ? b.constant(1.0)
                     : b.input(freshInputName(f, "seed"), f.type(out));
  if (t.active[static_cast<size_t>(out)])
    t.adj[static_cast<size_t>(out)] = seed;

  for (size_t i = f.ops.size(); i-- > 0;) {
    ValueId ybar = t.adj[i];
    if (ybar < 0 || !t.active[i])
      continue;
    emitReverseRule(t, static_cast<ValueId>(i), ybar);
  }

  g.results = {out};
  g.resultNames = {static_cast<size_t>(result) < f.resultNames.size()
                       ? f.resultNames[static_cast<size_t>(result)]
                       : std::string("result")};
  for (size_t i = 0; i < wrtIds.size(); ++i) {
    ValueId v = wrtIds[i];
    ValueId a = t.adj[static_cast<size_t>(v)];
    if (a < 0) // the result does not depend on this input
      a = b.constant(0.0, f.type(v));
    g.results.push_back(a);
    g.resultNames.push_back("d_" + wrt[i]);
  }
  return g;
}

} // namespace dgc::transforms
