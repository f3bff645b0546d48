//===- Schedule.h - Execution plan of an IR function ------------*- C++ -*-===//
//
// Part of dgc. Turns a Function into what the C++ emitter prints: a list of
// steps (fused element-wise loops, scalar statements, kernel calls) in a
// legal order, and for every value where it lives: a function argument, a
// literal, a scalar local, a loop-local temporary, a slot of the caller's
// workspace, a result pointer, or a view (pointer + offset) into another
// value's storage. Three stages, one file each: TopoOrder.cpp (live ops in
// a topological order), Fusion.cpp (steps and homes), BufferPlan.cpp
// (liveness-based reuse of workspace slots).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"

#include <string>
#include <vector>

namespace dgc::schedule {

/// Where a value's elements live while the function runs.
enum class HomeKind {
  Dead,      ///< not needed by any result
  Input,     ///< a function argument (state, parameter, ...)
  Inline,    ///< a const or broadcast read element-wise as a scalar expression
  Local,     ///< a rank-0 value held in a function-scope variable
  Fused,     ///< a temporary inside one fused loop, no storage
  Workspace, ///< ws.buf[offset, offset + numel)
  Output,    ///< the pointer of result `result`
  View,      ///< the storage of `base`, `offset` elements in
};

struct Home {
  HomeKind kind = HomeKind::Dead;
  int64_t offset = 0;     ///< Workspace / View: element offset
  ir::ValueId base = -1;  ///< View: the value viewed
  int result = -1;        ///< Output: index into Function::results
};

enum class StepKind {
  Loop,   ///< one loop over `extent` elements computing `ops` in order
  Scalar, ///< one rank-0 element-wise op
  Kernel, ///< one non-element-wise op (prologue kernel call)
};

struct Step {
  StepKind kind = StepKind::Kernel;
  std::vector<ir::ValueId> ops;
  int64_t extent = 1; ///< Loop: iteration count
};

/// A result whose value is not computed straight into the result pointer
/// (an input, a view, a value returned twice) is copied after the last step.
struct ResultCopy {
  int result;
  ir::ValueId value;
};

struct Schedule {
  std::vector<Step> steps;       ///< in execution order
  std::vector<Home> homes;       ///< per value
  std::vector<int> stepOf;       ///< per value: defining step, -1 if none
  std::vector<ResultCopy> copies;
  int64_t workspaceSize = 0;     ///< elements of ws.buf the function uses
};

/// Ops that `results` depend on, in op order (a topological order, since
/// operands precede users); unused ops are left out. (TopoOrder.cpp)
std::vector<ir::ValueId> liveOps(const ir::Function &f);

/// Users of every value among the live ops. (TopoOrder.cpp)
std::vector<std::vector<ir::ValueId>> liveUsers(const ir::Function &f,
                                               const std::vector<ir::ValueId> &live);

/// Is `k` computed element by element (add sub mul neg map divdiff)?
bool isElementwise(ir::OpKind k);

/// Forms steps and homes (Fusion.cpp). Values that need storage get
/// HomeKind::Workspace with offset -1, to be placed by planBuffers.
Schedule formSteps(const ir::Function &f);

/// Places every pending buffer: results' values in the result pointers, the
/// rest in workspace slots reused once their last reader has run
/// (BufferPlan.cpp).
void planBuffers(const ir::Function &f, Schedule &s);

/// The whole pipeline: formSteps then planBuffers.
Schedule scheduleFunction(const ir::Function &f);

/// Human-readable plan, what `dgc emit --stage=sched` prints.
std::string printSchedule(const ir::Function &f);
std::string printSchedule(const ir::Function &f, const Schedule &s);

} // namespace dgc::schedule
