//===- Schedule.cpp - Scheduling pipeline and its printer -----------------===//
//
// Part of dgc. `scheduleFunction` runs the stages (live ops, fusion, buffer
// planning); `printSchedule` prints the plan one step per line, for
// `dgc emit --stage=sched` and tests:
//   step 2: loop[50] %4 %5 %6 -> %6 ws[0:50]
//   step 3: kernel %7 = stencil -> ws[50:100]
//
//===----------------------------------------------------------------------===//
#include "Schedule/Schedule.h"

#include <sstream>

namespace dgc::schedule {

Schedule scheduleFunction(const ir::Function &f) {
  Schedule s = formSteps(f);
  planBuffers(f, s);
  return s;
}

namespace {

std::string where(const ir::Function &f, const Schedule &s, ir::ValueId v) {
  const Home &h = s.homes[static_cast<size_t>(v)];
  int64_t n = f.type(v).numel();
  std::ostringstream os;
  switch (h.kind) {
  case HomeKind::Dead:
    os << "dead";
    break;
  case HomeKind::Input:
    os << "input(" << f.op(v).name << ")";
    break;
  case HomeKind::Inline:
    os << "inline";
    break;
  case HomeKind::Local:
    os << "local";
    break;
  case HomeKind::Fused:
    os << "fused";
    break;
  case HomeKind::Workspace:
    os << "ws[" << h.offset << ":" << h.offset + n << "]";
    break;
  case HomeKind::Output: {
    size_t r = static_cast<size_t>(h.result);
    os << "out("
       << (r < f.resultNames.size() ? f.resultNames[r] : std::to_string(r))
       << ")";
    break;
  }
  case HomeKind::View:
    os << "view(%" << h.base << "+" << h.offset << ")";
    break;
  }
  return os.str();
}

} // namespace

std::string printSchedule(const ir::Function &f, const Schedule &s) {
  std::ostringstream os;
  os << "schedule " << f.name << ": " << s.steps.size() << " steps, workspace "
     << s.workspaceSize << "\n";
  for (ir::ValueId v = 0; v < static_cast<ir::ValueId>(f.ops.size()); ++v) {
    HomeKind k = s.homes[static_cast<size_t>(v)].kind;
    if (k == HomeKind::Input || k == HomeKind::View || k == HomeKind::Inline)
      os << "  %" << v << " = " << ir::mnemonic(f.op(v).kind) << " -> "
         << where(f, s, v) << "\n";
  }
  for (size_t p = 0; p < s.steps.size(); ++p) {
    const Step &st = s.steps[p];
    os << "  step " << p << ": ";
    switch (st.kind) {
    case StepKind::Loop:
      os << "loop[" << st.extent << "]";
      for (ir::ValueId v : st.ops)
        os << " %" << v;
      os << " ->";
      for (ir::ValueId v : st.ops)
        if (s.homes[static_cast<size_t>(v)].kind != HomeKind::Fused)
          os << " %" << v << " " << where(f, s, v);
      break;
    case StepKind::Scalar:
    case StepKind::Kernel:
      os << (st.kind == StepKind::Scalar ? "scalar" : "kernel") << " %"
         << st.ops[0] << " = " << ir::mnemonic(f.op(st.ops[0]).kind) << " -> "
         << where(f, s, st.ops[0]);
      break;
    }
    os << "\n";
  }
  for (const ResultCopy &c : s.copies)
    os << "  copy %" << c.value << " -> result " << c.result << "\n";
  return os.str();
}

std::string printSchedule(const ir::Function &f) {
  return printSchedule(f, scheduleFunction(f));
}

} // namespace dgc::schedule
