//===- Clone.cpp - Copying functions into builders ------------------------===//
//
// Part of dgc. inlineFunction copies a callee's ops into the builder's
// function in order, mapping each callee value to its copy; callee inputs
// map to the caller's values given in input order. Op locations are kept, so
// diagnostics about inlined code still point at the callee's source.
//
//===----------------------------------------------------------------------===//
#include "IR/Clone.h"

#include <cassert>

namespace dgc::ir {

std::vector<ValueId> inlineFunction(Builder &b, const Function &callee,
                                    const std::vector<ValueId> &args) {
  assert(args.size() == callee.inputs.size() &&
         "inlineFunction: one argument per callee input");
  std::vector<ValueId> map(callee.ops.size(), -1);
  for (size_t k = 0; k < args.size(); ++k) {
    assert(b.type(args[k]) == callee.type(callee.inputs[k]) &&
           "inlineFunction: argument type differs from the callee input");
    map[static_cast<size_t>(callee.inputs[k])] = args[k];
  }
  for (size_t i = 0; i < callee.ops.size(); ++i) {
    const Op &op = callee.ops[i];
    if (op.kind == OpKind::Input) {
      assert(map[i] >= 0 && "inlineFunction: an Input not listed in inputs");
      continue;
    }
    Op copy = op;
    for (ValueId &o : copy.operands) {
      o = map[static_cast<size_t>(o)];
      assert(o >= 0);
    }
    map[i] = b.append(std::move(copy));
  }
  std::vector<ValueId> results;
  for (ValueId r : callee.results)
    results.push_back(map[static_cast<size_t>(r)]);
  return results;
}

} // namespace dgc::ir
