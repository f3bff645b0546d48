//===- Printer.cpp - Textual form of the IR -------------------------------===//
//
// Part of dgc. Prints a Function as a signature line followed by one op per
// line, and a ModelIR as a header (kind, sizes, grids, state layout,
// parameters, laws) followed by its functions. The text is deterministic
// (reals in their shortest round-trip form) because lit tests check it:
//
//   func @energy(%0: real[50] u) -> (%7 H)
//     %1 = const 0.5 : real
//     %3 = map %2 {fn = tanh, order = 0} : real[200, 50]
//     %5 = stencil %0 {ints = [0, 1, -1], reals = [0.5, -0.5]} : real[50]
//
//===----------------------------------------------------------------------===//
#include "IR/Printer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace dgc::ir {

namespace {

void printAttrs(fmt::memory_buffer &out, const Op &op) {
  std::vector<std::string> attrs;
  switch (op.kind) {
  case OpKind::Map:
  case OpKind::DivDiff:
    attrs.push_back(fmt::format("fn = {}", spelling(op.fn)));
    attrs.push_back(fmt::format("order = {}", op.order));
    if (op.fn == Fn::PowI)
      attrs.push_back(fmt::format("k = {}", op.k));
    break;
  case OpKind::Slice:
  case OpKind::Pad:
  case OpKind::MatMul:
  case OpKind::Stencil:
    attrs.push_back(fmt::format("ints = [{}]", fmt::join(op.ints, ", ")));
    if (!op.reals.empty())
      attrs.push_back(fmt::format("reals = [{}]", fmt::join(op.reals, ", ")));
    break;
  case OpKind::Input:
    attrs.push_back(fmt::format("name = \"{}\"", op.name));
    break;
  case OpKind::Const:
  case OpKind::Add:
  case OpKind::Sub:
  case OpKind::Mul:
  case OpKind::Neg:
  case OpKind::Broadcast:
  case OpKind::Expand:
  case OpKind::Sum:
  case OpKind::SumLast:
  case OpKind::Reshape:
  case OpKind::Concat:
  case OpKind::Conv:
  case OpKind::ConvT:
  case OpKind::ConvW:
    break;
  }
  if (!attrs.empty())
    fmt::format_to(std::back_inserter(out), " {{{}}}", fmt::join(attrs, ", "));
}

void printOp(fmt::memory_buffer &out, const Function &f, ValueId v) {
  const Op &op = f.op(v);
  fmt::format_to(std::back_inserter(out), "  %{} = {}", v, mnemonic(op.kind));
  if (op.kind == OpKind::Const)
    fmt::format_to(std::back_inserter(out), " {}", op.real);
  for (size_t i = 0; i < op.operands.size(); ++i)
    fmt::format_to(std::back_inserter(out), "{}%{}", i ? ", " : " ",
                   op.operands[i]);
  printAttrs(out, op);
  fmt::format_to(std::back_inserter(out), " : {}\n", op.type.str());
}

const char *initName(ParamInit::Kind k) {
  switch (k) {
  case ParamInit::Kind::Zeros: return "zeros";
  case ParamInit::Kind::Ones: return "ones";
  case ParamInit::Kind::Literal: return "literal";
  case ParamInit::Kind::Normal: return "normal";
  case ParamInit::Kind::Orthogonal: return "orthogonal";
  }
  return "?";
}

/// Runs of equal weights: `[0.2 x 50]`, `[1 x 2, 0.5 x 3]`.
std::string weightRuns(const std::vector<double> &w) {
  std::vector<std::string> runs;
  for (size_t i = 0; i < w.size();) {
    size_t j = i;
    while (j < w.size() && w[j] == w[i])
      ++j;
    runs.push_back(fmt::format("{} x {}", w[i], j - i));
    i = j;
  }
  return fmt::format("[{}]", fmt::join(runs, ", "));
}

} // namespace

std::string printFunction(const Function &f) {
  fmt::memory_buffer out;
  std::vector<std::string> args, results;
  for (ValueId v : f.inputs)
    args.push_back(fmt::format("%{}: {} {}{}", v, f.type(v).str(),
                               f.op(v).param ? "param " : "", f.op(v).name));
  for (size_t i = 0; i < f.results.size(); ++i)
    results.push_back(fmt::format(
        "%{} {}", f.results[i],
        i < f.resultNames.size() ? f.resultNames[i] : std::string("?")));
  fmt::format_to(std::back_inserter(out), "func @{}({}) -> ({})\n", f.name,
                 fmt::join(args, ", "), fmt::join(results, ", "));
  for (size_t i = 0; i < f.ops.size(); ++i) {
    ValueId v = static_cast<ValueId>(i);
    // Listed inputs are shown in the signature only.
    if (f.op(v).kind == OpKind::Input &&
        std::find(f.inputs.begin(), f.inputs.end(), v) != f.inputs.end())
      continue;
    printOp(out, f, v);
  }
  return fmt::to_string(out);
}

std::string printModel(const ModelIR &m) {
  fmt::memory_buffer out;
  auto line = [&](const std::string &s) {
    out.append(s);
    out.push_back('\n');
  };
  line(fmt::format("model {} kind = {}, state_size = {}, param_count = {}",
                   m.name,
                   m.kind == ModelIR::Kind::Energy ? "energy" : "vectorfield",
                   m.stateSize, m.paramCount));
  for (const GridInfo &g : m.grids) {
    if (g.dims == 1)
      line(fmt::format("  grid {} = periodic({}, {}) dx = {}", g.name, g.n[0],
                       g.length[0], g.dx[0]));
    else
      line(fmt::format("  grid {} = periodic2({}, {}, {}, {}) dx = {}, dy = {}",
                       g.name, g.n[0], g.n[1], g.length[0], g.length[1],
                       g.dx[0], g.dx[1]));
  }
  for (const StateVar &s : m.states) {
    std::string grid =
        s.grid >= 0 && static_cast<size_t>(s.grid) < m.grids.size()
            ? " grid " + m.grids[static_cast<size_t>(s.grid)].name
            : "";
    line(fmt::format("  state {} : {} at {}{}", s.name, s.shape.str(),
                     s.offset, grid));
  }
  if (!m.innerWeight.empty())
    line("  inner_weight = " + weightRuns(m.innerWeight));
  for (const ParamInfo &p : m.params) {
    std::string init = initName(p.init.kind);
    if (p.init.kind == ParamInit::Kind::Literal && !p.init.values.empty())
      init += fmt::format("([{}])", fmt::join(p.init.values, ", "));
    else if (p.init.kind == ParamInit::Kind::Literal ||
             p.init.kind == ParamInit::Kind::Normal)
      init += fmt::format("({})", p.init.value);
    line(fmt::format("  param {} : {} at {} init {}{}", p.name, p.shape.str(),
                     p.offset, init, p.nonneg ? " nonneg" : ""));
  }
  std::vector<std::string> laws;
  if (m.laws.conservesEnergy)
    laws.push_back("conserves energy");
  if (m.laws.dissipatesEnergy)
    laws.push_back("dissipates energy");
  if (m.laws.conservesMass)
    laws.push_back("conserves mass");
  if (m.laws.separable)
    laws.push_back("separable");
  line(fmt::format("  laws: {}", laws.empty() ? std::string("none")
                                              : fmt::to_string(fmt::join(
                                                    laws, ", "))));
  for (const Function &f : m.functions) {
    out.push_back('\n');
    out.append(printFunction(f));
  }
  return fmt::to_string(out);
}

} // namespace dgc::ir
