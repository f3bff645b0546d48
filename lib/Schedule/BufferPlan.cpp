//===- BufferPlan.cpp - Liveness-based workspace slots --------------------===//
//
// Part of dgc. Every value that needs memory and is not a view or an input
// is placed here. The first occurrence of a value among the results is
// computed straight into that result's pointer; every other value gets a
// slot of the workspace. A slot is live from the step that writes it to the
// last step that reads it (through views and inline broadcasts too; results
// copied at the end stay live to the end), and slots are packed first-fit
// in step order, so a slot freed by step s is reused from step s + 1 on
// (never by step s itself, whose kernel may still read its operands while
// writing). The workspace size is the highest end of any slot.
//
//===----------------------------------------------------------------------===//
#include "Schedule/Schedule.h"

#include <algorithm>
#include <cassert>

namespace dgc::schedule {

namespace {

struct Slot {
  int64_t offset, size;
  ir::ValueId value;
};

class BufferPlanner {
public:
  BufferPlanner(const ir::Function &f, Schedule &s) : f(f), s(s) {}

  void run() {
    assignOutputs();
    computeLastUse();
    allocate();
  }

private:
  const ir::Function &f;
  Schedule &s;
  std::vector<int> lastUse;

  Home &home(ir::ValueId v) { return s.homes[static_cast<size_t>(v)]; }

  bool pending(ir::ValueId v) {
    return home(v).kind == HomeKind::Workspace && home(v).offset < 0;
  }

  void assignOutputs() {
    for (size_t r = 0; r < f.results.size(); ++r) {
      ir::ValueId v = f.results[r];
      if (pending(v) || home(v).kind == HomeKind::Local) {
        home(v) = Home{HomeKind::Output, 0, -1, static_cast<int>(r)};
        continue;
      }
      s.copies.push_back({static_cast<int>(r), v});
    }
  }

  /// Records that step `pos` reads `v` (through views and broadcasts).
  void touch(ir::ValueId v, int pos) {
    const Home &h = home(v);
    switch (h.kind) {
    case HomeKind::View:
      touch(h.base, pos);
      return;
    case HomeKind::Inline:
      if (f.op(v).kind == ir::OpKind::Broadcast)
        touch(f.op(v).operands[0], pos);
      return;
    case HomeKind::Workspace: {
      int &l = lastUse[static_cast<size_t>(v)];
      l = std::max(l, pos);
      return;
    }
    case HomeKind::Dead:
    case HomeKind::Input:
    case HomeKind::Local:
    case HomeKind::Fused:
    case HomeKind::Output:
      return;
    }
  }

  void computeLastUse() {
    lastUse.assign(f.ops.size(), -1);
    for (size_t p = 0; p < s.steps.size(); ++p)
      for (ir::ValueId v : s.steps[p].ops)
        for (ir::ValueId o : f.op(v).operands)
          touch(o, static_cast<int>(p));
    int end = static_cast<int>(s.steps.size());
    for (const ResultCopy &c : s.copies)
      touch(c.value, end);
  }

  void allocate() {
    std::vector<Slot> live; // sorted by offset
    for (size_t p = 0; p < s.steps.size(); ++p) {
      int pos = static_cast<int>(p);
      live.erase(std::remove_if(live.begin(), live.end(),
                                [&](const Slot &sl) {
                                  return lastUse[static_cast<size_t>(
                                             sl.value)] < pos;
                                }),
                 live.end());
      for (ir::ValueId v : s.steps[p].ops) {
        if (!pending(v))
          continue;
        int64_t size = f.type(v).numel();
        int64_t at = 0;
        auto it = live.begin();
        for (; it != live.end(); ++it) {
          if (it->offset - at >= size)
            break;
          at = std::max(at, it->offset + it->size);
        }
        live.insert(it, Slot{at, size, v});
        home(v).offset = at;
        s.workspaceSize = std::max(s.workspaceSize, at + size);
        // A value written but never read (a dead loop member cannot be
        // pending) still occupies its slot during its own step.
        int &l = lastUse[static_cast<size_t>(v)];
        l = std::max(l, pos);
      }
    }
  }
};

} // namespace

void planBuffers(const ir::Function &f, Schedule &s) {
  BufferPlanner(f, s).run();
}

} // namespace dgc::schedule
