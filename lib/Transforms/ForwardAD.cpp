//===- ForwardAD.cpp - Forward-mode automatic differentiation -------------===//
//
// Part of dgc. Jacobian-vector products: the new function starts with a copy
// of the forward ops (same ids), then gets one tangent input per
// differentiated input, and a single front-to-back sweep emits, for every op
// with an active operand, its tangent from ForwardRules.cpp. Activity is
// the sweep itself: a value has a tangent exactly when it depends on a
// differentiated input. Results that depend on none get a zero constant
// tangent. Applied to reverseAD's output it gives Hessian-vector products;
// applied to the discrete gradient, the columns of Newton's Jacobian.
//
//===----------------------------------------------------------------------===//
#include "Transforms/ForwardRules.h"
#include "Transforms/Passes.h"

#include <cassert>

namespace dgc::transforms {

using namespace ir;

namespace {

/// `base`, or `base_1`, ... if an input of `g` already has that name.
std::string freshInputName(const Function &g, const std::string &base) {
  std::string name = base;
  for (int i = 1; g.findInput(name) >= 0; ++i)
    name = base + "_" + std::to_string(i);
  return name;
}

} // namespace

Function forwardAD(const Function &f, const std::vector<std::string> &wrt,
                   const std::string &name) {
  Function g;
  g.name = name;
  g.ops = f.ops;
  g.inputs = f.inputs;
  Builder b(g);

  // One tangent input per differentiated input, of its shape.
  TangentTable t(b, f.ops.size());
  for (const std::string &w : wrt) {
    ValueId v = f.findInputRef(w);
    assert(v >= 0 && "forwardAD: differentiating with respect to a function "
                     "input that does not exist");
    assert(!t.active(v) && "forwardAD: an input named twice in wrt");
    b.setLoc(f.op(v).loc);
    t.tan[static_cast<size_t>(v)] = b.input(freshInputName(g, "t_" + w),
                                            f.type(v));
  }

  // The sweep: an op is active when one of its operands is.
  for (size_t i = 0; i < f.ops.size(); ++i) {
    const Op &op = f.ops[i];
    bool any = false;
    for (ValueId o : op.operands)
      any = any || t.active(o);
    if (any)
      t.tan[i] = emitForwardRule(t, static_cast<ValueId>(i));
  }

  g.results = f.results;
  g.resultNames = f.resultNames;
  g.resultNames.resize(f.results.size(), "result");
  for (size_t r = 0; r < f.results.size(); ++r) {
    ValueId v = f.results[r];
    ValueId d = t.tan[static_cast<size_t>(v)];
    if (d < 0) { // the result does not depend on any differentiated input
      b.setLoc(f.op(v).loc);
      d = b.constant(0.0, f.type(v));
    }
    g.results.push_back(d);
    g.resultNames.push_back("t_" + g.resultNames[r]);
  }
  return g;
}

} // namespace dgc::transforms
