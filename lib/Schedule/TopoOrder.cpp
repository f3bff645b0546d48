//===- TopoOrder.cpp - Live ops and their users ---------------------------===//
//
// Part of dgc. The IR keeps ops in a topological order already (operands
// precede users), so the schedule's base order is the op order restricted to
// the ops some result depends on. Fusion may move kernels earlier; it never
// moves a value before its operands.
//
//===----------------------------------------------------------------------===//
#include "Schedule/Schedule.h"

namespace dgc::schedule {

bool isElementwise(ir::OpKind k) {
  switch (k) {
  case ir::OpKind::Add:
  case ir::OpKind::Sub:
  case ir::OpKind::Mul:
  case ir::OpKind::Neg:
  case ir::OpKind::Map:
  case ir::OpKind::DivDiff:
    return true;
  case ir::OpKind::Input:
  case ir::OpKind::Const:
  case ir::OpKind::Broadcast:
  case ir::OpKind::Expand:
  case ir::OpKind::Sum:
  case ir::OpKind::SumLast:
  case ir::OpKind::Reshape:
  case ir::OpKind::Slice:
  case ir::OpKind::Pad:
  case ir::OpKind::Concat:
  case ir::OpKind::MatMul:
  case ir::OpKind::Conv:
  case ir::OpKind::ConvT:
  case ir::OpKind::ConvW:
  case ir::OpKind::Stencil:
    return false;
  }
  return false;
}

std::vector<ir::ValueId> liveOps(const ir::Function &f) {
  std::vector<bool> live(f.ops.size(), false);
  for (ir::ValueId r : f.results)
    live[static_cast<size_t>(r)] = true;
  for (size_t i = f.ops.size(); i-- > 0;)
    if (live[i])
      for (ir::ValueId o : f.ops[i].operands)
        live[static_cast<size_t>(o)] = true;
  std::vector<ir::ValueId> order;
  for (size_t i = 0; i < f.ops.size(); ++i)
    if (live[i])
      order.push_back(static_cast<ir::ValueId>(i));
  return order;
}

std::vector<std::vector<ir::ValueId>>
liveUsers(const ir::Function &f, const std::vector<ir::ValueId> &live) {
  std::vector<std::vector<ir::ValueId>> users(f.ops.size());
  for (ir::ValueId v : live)
    for (ir::ValueId o : f.op(v).operands) {
      auto &u = users[static_cast<size_t>(o)];
      if (u.empty() || u.back() != v)
        u.push_back(v);
    }
  return users;
}

} // namespace dgc::schedule
