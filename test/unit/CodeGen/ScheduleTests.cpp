//===- ScheduleTests.cpp - Fusion, order and buffer planning --------------===//
//
// Part of dgc. Checks the schedule of hand-built functions: element-wise
// chains fuse into one loop around independent kernels, every step reads only
// values defined before it, views take no storage, dead ops are dropped, and
// workspace slots that are live at the same time never overlap while slots
// are reused once dead.
//
//===----------------------------------------------------------------------===//
#include "Schedule/Schedule.h"
#include "TestModels.h"

#include <gtest/gtest.h>

using namespace dgc;
using schedule::HomeKind;
using schedule::StepKind;

namespace {

int count(const schedule::Schedule &s, StepKind k) {
  int n = 0;
  for (const auto &st : s.steps)
    n += st.kind == k;
  return n;
}

/// Step that must have run before `v` can be read (-1: always available).
int readyAt(const ir::Function &f, const schedule::Schedule &s, ir::ValueId v) {
  const auto &h = s.homes[static_cast<size_t>(v)];
  if (h.kind == HomeKind::View)
    return readyAt(f, s, h.base);
  if (h.kind == HomeKind::Inline)
    return f.op(v).kind == ir::OpKind::Broadcast
               ? readyAt(f, s, f.op(v).operands[0])
               : -1;
  return s.stepOf[static_cast<size_t>(v)];
}

/// Storage root of `v` (through views) if it is a workspace slot, else -1.
ir::ValueId slotOf(const schedule::Schedule &s, ir::ValueId v) {
  const auto &h = s.homes[static_cast<size_t>(v)];
  if (h.kind == HomeKind::View)
    return slotOf(s, h.base);
  return h.kind == HomeKind::Workspace ? v : -1;
}

void checkSchedule(const ir::Function &f) {
  schedule::Schedule s = schedule::scheduleFunction(f);
  size_t n = f.ops.size();
  std::vector<int> first(n, -1), last(n, -1);
  for (size_t p = 0; p < s.steps.size(); ++p) {
    const auto &st = s.steps[p];
    for (size_t i = 0; i < st.ops.size(); ++i) {
      ir::ValueId v = st.ops[i];
      EXPECT_EQ(s.stepOf[static_cast<size_t>(v)], static_cast<int>(p));
      if (st.kind == StepKind::Loop) {
        EXPECT_EQ(f.type(v).numel(), st.extent);
      }
      for (ir::ValueId o : f.op(v).operands) {
        int r = readyAt(f, s, o);
        EXPECT_LE(r, static_cast<int>(p)) << f.name << " %" << v << " reads %" << o;
        if (r == static_cast<int>(p)) { // same loop: defined earlier in it
          ir::ValueId root = o;
          while (s.homes[static_cast<size_t>(root)].kind == HomeKind::View)
            root = s.homes[static_cast<size_t>(root)].base;
          EXPECT_NE(std::find(st.ops.begin(), st.ops.begin() + i, root),
                    st.ops.begin() + i);
        }
        // a value read by a later step or a kernel must be in memory
        if (r >= 0 && (r < static_cast<int>(p) || st.kind != StepKind::Loop) &&
            !f.type(o).isScalar() && f.op(o).kind != ir::OpKind::Const &&
            f.op(o).kind != ir::OpKind::Broadcast) {
          EXPECT_NE(s.homes[static_cast<size_t>(o)].kind, HomeKind::Fused);
        }
        ir::ValueId sl = slotOf(s, o);
        if (sl >= 0)
          last[static_cast<size_t>(sl)] = std::max(last[static_cast<size_t>(sl)],
                                                   static_cast<int>(p));
      }
      if (s.homes[static_cast<size_t>(v)].kind == HomeKind::Workspace)
        first[static_cast<size_t>(v)] = static_cast<int>(p);
    }
  }
  for (const auto &c : s.copies)
    if (ir::ValueId sl = slotOf(s, c.value); sl >= 0)
      last[static_cast<size_t>(sl)] = static_cast<int>(s.steps.size());
  // Slots live at the same time do not overlap and fit the workspace.
  for (size_t a = 0; a < n; ++a) {
    if (first[a] < 0)
      continue;
    const auto &ha = s.homes[a];
    EXPECT_LE(ha.offset + f.ops[a].type.numel(), s.workspaceSize);
    for (size_t b = a + 1; b < n; ++b) {
      if (first[b] < 0)
        continue;
      const auto &hb = s.homes[b];
      int la = std::max(last[a], first[a]), lb = std::max(last[b], first[b]);
      bool timeOverlap = first[a] <= lb && first[b] <= la;
      bool spaceOverlap = ha.offset < hb.offset + f.ops[b].type.numel() &&
                          hb.offset < ha.offset + f.ops[a].type.numel();
      EXPECT_FALSE(timeOverlap && spaceOverlap)
          << f.name << ": %" << a << " and %" << b << " share memory";
    }
  }
}

TEST(Schedule, LegalForEveryTestFunction) {
  for (const ir::ModelIR &m :
       {test::mlpModel(), test::kdvModel(16, 8, -6, 1), test::convModel(9),
        test::opsModel()})
    for (const ir::Function &f : m.functions)
      checkSchedule(f);
}

TEST(Schedule, KdVEnergyIsOneLoop) {
  ir::ModelIR m = test::kdvModel(50, 10, -6, 1);
  const ir::Function &f = *m.find("energy");
  schedule::Schedule s = schedule::scheduleFunction(f);
  EXPECT_EQ(count(s, StepKind::Loop), 1) << schedule::printSchedule(f, s);
  EXPECT_EQ(count(s, StepKind::Kernel), 3); // Df, Db, sum
  // Only the two stencil outputs and the loop's final value take memory.
  EXPECT_EQ(s.workspaceSize, 150);
  EXPECT_EQ(s.homes[static_cast<size_t>(f.results[0])].kind, HomeKind::Output);
}

TEST(Schedule, SlotsAreReused) {
  ir::Function f;
  f.name = "chain";
  ir::Builder b(f);
  auto v = b.input("u", {32});
  for (int i = 0; i < 8; ++i)
    v = b.stencil(v, 0, {-1, 1}, {1.0, 2.0});
  f.results = {b.sum(v)};
  schedule::Schedule s = schedule::scheduleFunction(f);
  EXPECT_EQ(s.workspaceSize, 64) << schedule::printSchedule(f, s);
  checkSchedule(f);
}

TEST(Schedule, ViewsDeadOpsAndCopies) {
  ir::Function f;
  f.name = "views";
  ir::Builder b(f);
  auto u = b.input("u", {8});
  auto dead = b.map(ir::Fn::Exp, u);
  auto sl = b.slice(u, 2, 6);
  auto r = b.reshape(sl, {2, 2});
  auto m = b.map(ir::Fn::Tanh, sl);
  f.results = {r, m, m};
  f.resultNames = {"r", "m", "m2"};
  schedule::Schedule s = schedule::scheduleFunction(f);
  EXPECT_EQ(s.homes[static_cast<size_t>(dead)].kind, HomeKind::Dead);
  EXPECT_EQ(s.homes[static_cast<size_t>(sl)].kind, HomeKind::View);
  EXPECT_EQ(s.homes[static_cast<size_t>(sl)].offset, 2);
  EXPECT_EQ(s.homes[static_cast<size_t>(m)].kind, HomeKind::Output);
  EXPECT_EQ(s.workspaceSize, 0);
  ASSERT_EQ(s.copies.size(), 2u); // the view r and the second m
  EXPECT_EQ(s.steps.size(), 1u);
  std::string text = schedule::printSchedule(f);
  EXPECT_NE(text.find("loop[4]"), std::string::npos) << text;
  EXPECT_NE(text.find("view(%0+2)"), std::string::npos) << text;
}

} // namespace
