//===- IR.cpp - Op and function tables of the IR --------------------------===//
//
// Part of dgc. Name tables expanded from Ops.def and Functions.def, and the
// small lookups on Function and ModelIR.
//
//===----------------------------------------------------------------------===//
#include "IR/IR.h"

namespace dgc::ir {

const char *mnemonic(OpKind k) {
  switch (k) {
#define DGC_OP(Name, mn, arity, summary)                                       \
  case OpKind::Name:                                                           \
    return mn;
#include "IR/Ops.def"
  }
  return "?";
}

int arity(OpKind k) {
  switch (k) {
#define DGC_OP(Name, mn, ar, summary)                                          \
  case OpKind::Name:                                                           \
    return ar;
#include "IR/Ops.def"
  }
  return 0;
}

const char *spelling(Fn f) {
  switch (f) {
#define DGC_FN(Name, sp, maxOrder)                                             \
  case Fn::Name:                                                               \
    return sp;
#include "IR/Functions.def"
  }
  return "?";
}

int maxOrder(Fn f) {
  switch (f) {
#define DGC_FN(Name, sp, mo)                                                   \
  case Fn::Name:                                                               \
    return mo;
#include "IR/Functions.def"
  }
  return 0;
}

bool lookupFn(const std::string &s, Fn &out) {
#define DGC_FN(Name, sp, maxOrder)                                             \
  if (s == sp) {                                                               \
    out = Fn::Name;                                                            \
    return true;                                                               \
  }
#include "IR/Functions.def"
  return false;
}

ValueId Function::findInput(const std::string &n) const {
  for (ValueId v : inputs)
    if (op(v).name == n && !op(v).param)
      return v;
  return -1;
}

ValueId Function::findInputRef(const std::string &ref) const {
  const std::string prefix = "param:";
  if (ref.compare(0, prefix.size(), prefix) == 0)
    return findParamInput(ref.substr(prefix.size()));
  ValueId v = findInput(ref);
  return v >= 0 ? v : findParamInput(ref);
}

ValueId Function::findParamInput(const std::string &n) const {
  for (ValueId v : inputs)
    if (op(v).name == n && op(v).param)
      return v;
  return -1;
}

const Function *ModelIR::find(const std::string &n) const {
  for (const Function &f : functions)
    if (f.name == n)
      return &f;
  return nullptr;
}

Function *ModelIR::find(const std::string &n) {
  for (Function &f : functions)
    if (f.name == n)
      return &f;
  return nullptr;
}

const ParamInfo *ModelIR::findParam(const std::string &n) const {
  for (const ParamInfo &p : params)
    if (p.name == n)
      return &p;
  return nullptr;
}

} // namespace dgc::ir
