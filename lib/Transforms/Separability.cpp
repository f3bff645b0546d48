//===- Separability.cpp - Is H(q, p) = V(q) + T(p)? -----------------------===//
//
// Part of dgc. Two analyses, kept apart. (1) Term splitting: starting at
// the energy's result, descend through ops that are linear in one operand
// while the others do not depend on the state (add, sub, neg, sum, and mul
// by a state-independent factor), so H = sum of terms. (2) Dependency: for
// every element of every value, a two-bit mask saying whether it depends on
// the low half u[0:half] and/or the high half u[half:]. Element-wise ops,
// reshape, slice, pad and concat (rank-1 in the IR) keep per-element masks;
// a scalar operand of an element-wise op contributes to every element; every
// other op is treated conservatively, each output element depending on the
// union of all its operands' elements. H is separable when no term depends
// on both halves; below a sum every element of a term is a term of its own
// (the descent only passes element-wise ops there).
//
//===----------------------------------------------------------------------===//
#include "Transforms/Passes.h"

#include <cassert>
#include <cstdint>

namespace dgc::transforms {

using namespace ir;

namespace {

constexpr uint8_t Low = 1, High = 2;
using Mask = std::vector<uint8_t>;

uint8_t unionOf(const Mask &m) {
  uint8_t u = 0;
  for (uint8_t e : m)
    u |= e;
  return u;
}

/// Per-element dependency masks of every value of `f` on the halves of `u`.
std::vector<Mask> dependencies(const Function &f, ValueId u, int64_t half) {
  std::vector<Mask> dep(f.ops.size());
  for (size_t i = 0; i < f.ops.size(); ++i) {
    const Op &op = f.ops[i];
    size_t n = static_cast<size_t>(op.type.numel());
    Mask m(n, 0);
    auto in = [&](size_t k) -> const Mask & {
      return dep[static_cast<size_t>(op.operands[k])];
    };
    switch (op.kind) {
    case OpKind::Input:
      if (static_cast<ValueId>(i) == u)
        for (size_t e = 0; e < n; ++e)
          m[e] = static_cast<int64_t>(e) < half ? Low : High;
      break;
    case OpKind::Const:
      break;
    case OpKind::Add: // element-wise: per element, scalars to every element
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Neg:
    case OpKind::Map:
    case OpKind::DivDiff:
      for (size_t k = 0; k < op.operands.size(); ++k)
        for (size_t e = 0; e < n; ++e)
          m[e] |= in(k).size() == 1 ? in(k)[0] : in(k)[e];
      break;
    case OpKind::Reshape: // same elements
      m = in(0);
      break;
    case OpKind::Slice:
      for (size_t e = 0; e < n; ++e)
        m[e] = in(0)[static_cast<size_t>(op.ints[0]) + e];
      break;
    case OpKind::Pad:
      for (size_t e = 0; e < in(0).size(); ++e)
        m[static_cast<size_t>(op.ints[0]) + e] = in(0)[e];
      break;
    case OpKind::Concat: {
      size_t o = 0;
      for (size_t k = 0; k < op.operands.size(); ++k)
        for (uint8_t e : in(k))
          m[o++] = e;
      break;
    }
    case OpKind::Broadcast: // conservative: every element on every operand
    case OpKind::Expand:
    case OpKind::Sum:
    case OpKind::SumLast:
    case OpKind::MatMul:
    case OpKind::Conv:
    case OpKind::ConvT:
    case OpKind::ConvW:
    case OpKind::Stencil: {
      uint8_t all = 0;
      for (size_t k = 0; k < op.operands.size(); ++k)
        all |= unionOf(in(k));
      for (uint8_t &e : m)
        e = all;
      break;
    }
    }
    dep[i] = std::move(m);
  }
  return dep;
}

/// Splits `v` into additive terms (appended to `terms`).
void splitTerms(const Function &f, const std::vector<Mask> &dep, ValueId v,
                std::vector<ValueId> &terms) {
  const Op &op = f.op(v);
  auto independent = [&](ValueId w) {
    return unionOf(dep[static_cast<size_t>(w)]) == 0;
  };
  switch (op.kind) {
  case OpKind::Add:
  case OpKind::Sub:
    splitTerms(f, dep, op.operands[0], terms);
    splitTerms(f, dep, op.operands[1], terms);
    return;
  case OpKind::Neg:
  case OpKind::Sum:
    splitTerms(f, dep, op.operands[0], terms);
    return;
  case OpKind::Mul:
    if (independent(op.operands[0])) {
      splitTerms(f, dep, op.operands[1], terms);
      return;
    }
    if (independent(op.operands[1])) {
      splitTerms(f, dep, op.operands[0], terms);
      return;
    }
    break;
  default:
    break;
  }
  terms.push_back(v);
}

} // namespace

bool isSeparable(const Function &energy, int64_t half) {
  assert(!energy.inputs.empty() && !energy.results.empty());
  ValueId u = energy.findInput("u");
  if (u < 0)
    u = energy.inputs[0];
  std::vector<Mask> dep = dependencies(energy, u, half);
  std::vector<ValueId> terms;
  splitTerms(energy, dep, energy.results[0], terms);
  // A term is either a scalar or, below a sum, a tensor whose elements are
  // themselves terms; each element may depend on one half only.
  for (ValueId t : terms)
    for (uint8_t e : dep[static_cast<size_t>(t)])
      if (e == (Low | High))
        return false;
  return true;
}

} // namespace dgc::transforms
