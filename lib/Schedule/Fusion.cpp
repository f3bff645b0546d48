//===- Fusion.cpp - Steps and homes of a function's values ----------------===//
//
// Part of dgc. Walks the live ops in op order and gives each a home and,
// where it computes something, a step:
//   - inputs are arguments; reshape and slice are views of their operand;
//   - consts and broadcasts are read in place as scalar expressions unless a
//     kernel, a view or a result needs their elements in memory;
//   - rank-0 element-wise ops are scalar statements;
//   - other element-wise ops join a fused loop of the same extent whose
//     position comes after every operand's definition (the latest such loop),
//     else start a new loop at the end; values used only inside their loop
//     stay loop-local temporaries;
//   - kernels are placed right after the step that defines their last
//     operand, so independent kernels do not split element-wise chains.
// The resulting order is topological by construction: a step only reads
// values defined at earlier positions, or earlier in its own loop.
//
//===----------------------------------------------------------------------===//
#include "Schedule/Schedule.h"

#include <algorithm>
#include <cassert>

namespace dgc::schedule {

namespace {

class StepFormer {
public:
  explicit StepFormer(const ir::Function &f) : f(f) {}

  Schedule run() {
    size_t n = f.ops.size();
    s.homes.assign(n, Home());
    s.stepOf.assign(n, -1);
    stepId.assign(n, -1);
    std::vector<ir::ValueId> live = liveOps(f);
    users = liveUsers(f, live);
    isResult.assign(n, false);
    for (ir::ValueId r : f.results)
      isResult[static_cast<size_t>(r)] = true;

    for (ir::ValueId v : live)
      place(v);
    markMaterialized(live);
    finish();
    return std::move(s);
  }

private:
  const ir::Function &f;
  Schedule s;
  std::vector<std::vector<ir::ValueId>> users;
  std::vector<bool> isResult;
  std::vector<Step> created;   ///< steps in creation order (ids)
  std::vector<int> order;      ///< step ids in execution order
  std::vector<int> stepId;     ///< per value: defining step id, -1 if none

  Home &home(ir::ValueId v) { return s.homes[static_cast<size_t>(v)]; }

  int position(int id) const {
    auto it = std::find(order.begin(), order.end(), id);
    assert(it != order.end());
    return static_cast<int>(it - order.begin());
  }

  /// Position of the step after which `v` can be read; -1 for values
  /// available from the start.
  int defPos(ir::ValueId v) {
    const ir::Op &op = f.op(v);
    switch (home(v).kind) {
    case HomeKind::Input:
      return -1;
    case HomeKind::Inline:
      return op.kind == ir::OpKind::Broadcast ? defPos(op.operands[0]) : -1;
    case HomeKind::View:
      return defPos(home(v).base);
    case HomeKind::Dead:
      assert(false && "reading a dead value");
      return -1;
    case HomeKind::Local:
    case HomeKind::Fused:
    case HomeKind::Workspace:
    case HomeKind::Output:
      return position(stepId[static_cast<size_t>(v)]);
    }
    return -1;
  }

  int operandsPos(ir::ValueId v) {
    int lo = -1;
    for (ir::ValueId o : f.op(v).operands)
      lo = std::max(lo, defPos(o));
    return lo;
  }

  /// Does any user read `v` other than element by element?
  bool needsMemory(ir::ValueId v) {
    if (isResult[static_cast<size_t>(v)])
      return true;
    for (ir::ValueId u : users[static_cast<size_t>(v)]) {
      ir::OpKind k = f.op(u).kind;
      if (!isElementwise(k) && k != ir::OpKind::Broadcast)
        return true;
    }
    return false;
  }

  int newStep(Step st, int atPos) {
    int id = static_cast<int>(created.size());
    created.push_back(std::move(st));
    order.insert(order.begin() + atPos, id);
    return id;
  }

  void single(ir::ValueId v, StepKind kind, HomeKind hk) {
    Step st;
    st.kind = kind;
    st.ops = {v};
    st.extent = f.type(v).numel();
    stepId[static_cast<size_t>(v)] = newStep(std::move(st), operandsPos(v) + 1);
    home(v).kind = hk;
    home(v).offset = -1;
  }

  void fuse(ir::ValueId v) {
    int64_t extent = f.type(v).numel();
    int lo = operandsPos(v);
    int chosen = -1;
    for (int p = static_cast<int>(order.size()) - 1; p >= std::max(lo, 0); --p) {
      const Step &st = created[static_cast<size_t>(order[static_cast<size_t>(p)])];
      if (st.kind == StepKind::Loop && st.extent == extent) {
        chosen = order[static_cast<size_t>(p)];
        break;
      }
    }
    if (chosen < 0) {
      Step st;
      st.kind = StepKind::Loop;
      st.extent = extent;
      chosen = newStep(std::move(st), static_cast<int>(order.size()));
    }
    created[static_cast<size_t>(chosen)].ops.push_back(v);
    stepId[static_cast<size_t>(v)] = chosen;
    home(v).kind = HomeKind::Fused;
  }

  void place(ir::ValueId v) {
    const ir::Op &op = f.op(v);
    bool scalar = op.type.isScalar();
    switch (op.kind) {
    case ir::OpKind::Input:
      home(v).kind = HomeKind::Input;
      return;
    case ir::OpKind::Const:
    case ir::OpKind::Broadcast:
      if (!needsMemory(v)) {
        home(v).kind = HomeKind::Inline;
        return;
      }
      if (scalar)
        single(v, StepKind::Scalar, HomeKind::Local);
      else
        fuse(v);
      return;
    case ir::OpKind::Reshape:
      home(v) = Home{HomeKind::View, 0, op.operands[0], -1};
      return;
    case ir::OpKind::Slice:
      home(v) = Home{HomeKind::View, op.ints[0], op.operands[0], -1};
      return;
    case ir::OpKind::Add:
    case ir::OpKind::Sub:
    case ir::OpKind::Mul:
    case ir::OpKind::Neg:
    case ir::OpKind::Map:
    case ir::OpKind::DivDiff:
      if (scalar)
        single(v, StepKind::Scalar, HomeKind::Local);
      else
        fuse(v);
      return;
    case ir::OpKind::Expand:
    case ir::OpKind::Sum:
    case ir::OpKind::SumLast:
    case ir::OpKind::Pad:
    case ir::OpKind::Concat:
    case ir::OpKind::MatMul:
    case ir::OpKind::Conv:
    case ir::OpKind::ConvT:
    case ir::OpKind::ConvW:
    case ir::OpKind::Stencil:
      single(v, StepKind::Kernel,
             scalar ? HomeKind::Local : HomeKind::Workspace);
      return;
    }
  }

  /// Loop members read outside their loop (or returned) get storage.
  void markMaterialized(const std::vector<ir::ValueId> &live) {
    for (ir::ValueId v : live) {
      if (home(v).kind != HomeKind::Fused)
        continue;
      bool outside = isResult[static_cast<size_t>(v)];
      for (ir::ValueId u : users[static_cast<size_t>(v)])
        if (stepId[static_cast<size_t>(u)] != stepId[static_cast<size_t>(v)] ||
            home(u).kind == HomeKind::View)
          outside = true;
      if (outside) {
        home(v).kind = HomeKind::Workspace;
        home(v).offset = -1;
      }
    }
  }

  void finish() {
    std::vector<int> posOfId(created.size(), -1);
    for (size_t p = 0; p < order.size(); ++p) {
      posOfId[static_cast<size_t>(order[p])] = static_cast<int>(p);
      s.steps.push_back(std::move(created[static_cast<size_t>(order[p])]));
    }
    for (size_t v = 0; v < f.ops.size(); ++v)
      if (stepId[v] >= 0)
        s.stepOf[v] = posOfId[static_cast<size_t>(stepId[v])];
  }
};

} // namespace

Schedule formSteps(const ir::Function &f) { return StepFormer(f).run(); }

} // namespace dgc::schedule
