//===- EmitFunction.cpp - C++ body of one scheduled IR function -----------===//
//
// Part of dgc. Prints one IR function as
//   template <class T> void F(const Params<T>& p, const T* in..., T* out...,
//                             Workspace<T>& ws)
// following its schedule: fused loops with loop-local temporaries, scalar
// statements, kernel calls into the prologue, then result copies; plus
// `F_batch` over contiguous rows and, when the first result is a scalar, an
// overload that returns it. Parameters are read from `p` at their offsets;
// workspace values are pointers into `ws.buf`. Nothing allocates.
//
//===----------------------------------------------------------------------===//
#include "CodeGen/EmitSupport.h"
#include "Schedule/Schedule.h"

#include <cassert>
#include <vector>

namespace dgc::codegen {

using schedule::HomeKind;
using schedule::StepKind;

namespace {

/// Element-wise loops of at least this many iterations get DGC_OMP_FOR
/// (a 128 x 128 field and up; a parallel region costs a few microseconds).
constexpr int64_t kParallelExtent = int64_t(1) << 14;

std::string joinInts(const std::vector<int64_t> &v, size_t from = 0) {
  std::string s;
  for (size_t i = from; i < v.size(); ++i)
    s += (i > from ? ", " : "") + std::to_string(v[i]);
  return s;
}

class FunctionEmitter {
public:
  FunctionEmitter(Printer &out, const ir::ModelIR &m, const ir::Function &f,
                  const NameGen &modelNames, DgNumerics numerics)
      : out(out), m(m), f(f), names(modelNames),
        s(schedule::scheduleFunction(f)),
        divdiffFn(numerics == DgNumerics::Reference && isTrainingFunction(f)
                      ? "dgc_rt::divdiffReference"
                      : "dgc_rt::divdiff") {}

  int64_t run() {
    nameArguments();
    emitMain();
    if (!isTileFunction(f))
      emitBatch();
    emitScalarOverload();
    emitDenseJacobian();
    return s.workspaceSize;
  }

private:
  Printer &out;
  const ir::ModelIR &m;
  const ir::Function &f;
  NameGen names;
  schedule::Schedule s;
  /// The prologue's divided difference this function calls (dgNumerics).
  const char *divdiffFn;
  std::vector<std::string> valueName; ///< locals, workspace pointers, args
  std::vector<std::string> loopName;  ///< temporaries of loop members
  std::vector<std::string> inArgs;    ///< non-param inputs, in order
  std::vector<ir::ValueId> inValues;
  std::vector<std::string> outArgs;   ///< results, in order
  std::vector<ir::ValueId> paramInputs;
  int currentStep = -1;

  /// How stencils and convolutions read a neighbour (the `Wrap` argument
  /// of dgc_rt::stencil/conv/convT/convW): around the periodic grid, or
  /// from the ghost layer of a local tile (halo mode, ModelIR::halo).
  const char *wrap() const { return m.halo > 0 ? "false" : "true"; }

  const schedule::Home &home(ir::ValueId v) const {
    return s.homes[static_cast<size_t>(v)];
  }
  std::string &name(ir::ValueId v) { return valueName[static_cast<size_t>(v)]; }
  bool live(ir::ValueId v) const { return home(v).kind != HomeKind::Dead; }

  void nameArguments() {
    valueName.assign(f.ops.size(), "");
    loopName.assign(f.ops.size(), "");
    for (ir::ValueId v : f.inputs) {
      const ir::Op &op = f.op(v);
      if (op.param) {
        assert(m.findParam(op.name) && "parameter input without ParamInfo");
        paramInputs.push_back(v);
        continue;
      }
      inValues.push_back(v);
      inArgs.push_back(names.fresh(op.name, "_in"));
      name(v) = inArgs.back();
    }
    for (size_t r = 0; r < f.results.size(); ++r)
      outArgs.push_back(names.fresh(
          r < f.resultNames.size() ? f.resultNames[r] : "r" + std::to_string(r),
          "_out"));
    for (ir::ValueId v : paramInputs)
      name(v) = names.fresh(f.op(v).name, "_p");
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  std::string ptr(ir::ValueId v) {
    const schedule::Home &h = home(v);
    switch (h.kind) {
    case HomeKind::Input:
    case HomeKind::Workspace:
      return name(v);
    case HomeKind::Output:
      return outArgs[static_cast<size_t>(h.result)];
    case HomeKind::View:
      return h.offset == 0 ? ptr(h.base)
                           : fmt::format("({} + {})", ptr(h.base), h.offset);
    case HomeKind::Local: // parenthesised: callers append [i] or + offset
      return "(&" + name(v) + ")";
    case HomeKind::Dead:
    case HomeKind::Inline:
    case HomeKind::Fused:
      break;
    }
    assert(false && "value has no storage");
    return "";
  }

  /// Element 0 of a rank-0 value.
  std::string scalar(ir::ValueId v) {
    const ir::Op &op = f.op(v);
    if (op.kind == ir::OpKind::Const)
      return literal(op.real);
    if (op.kind == ir::OpKind::Broadcast)
      return scalar(op.operands[0]);
    if (home(v).kind == HomeKind::Local)
      return name(v);
    return ptr(v) + "[0]";
  }

  /// Element i of an operand inside the current step.
  std::string elem(ir::ValueId v) {
    const ir::Op &op = f.op(v);
    if (op.kind == ir::OpKind::Const || op.kind == ir::OpKind::Broadcast ||
        op.type.isScalar())
      return scalar(v);
    // A value of this loop, possibly seen through a reshape: its temporary.
    ir::ValueId root = v;
    int64_t offset = 0;
    while (home(root).kind == HomeKind::View) {
      offset += home(root).offset;
      root = home(root).base;
    }
    // A one-element local seen through a reshape (a rank-0 energy term
    // added to a net's real[1] output): the local itself.
    if (home(root).kind == HomeKind::Local) {
      assert(offset == 0 && "a local holds one element");
      return name(root);
    }
    if (s.stepOf[static_cast<size_t>(root)] == currentStep &&
        s.steps[static_cast<size_t>(currentStep)].kind == StepKind::Loop) {
      assert(offset == 0 && "a loop reads its own value at another index");
      return loopName[static_cast<size_t>(root)];
    }
    return ptr(v) + "[i]";
  }

  std::string compute(ir::ValueId v) {
    const ir::Op &op = f.op(v);
    auto a = [&](size_t i) { return elem(op.operands[i]); };
    switch (op.kind) {
    case ir::OpKind::Add:
      return a(0) + " + " + a(1);
    case ir::OpKind::Sub:
      return a(0) + " - " + a(1);
    case ir::OpKind::Mul:
      return a(0) + " * " + a(1);
    case ir::OpKind::Neg:
      return "-" + a(0);
    case ir::OpKind::Map:
      return fmt::format("{}::d<{}>({}, {})", fnFunctor(op.fn), op.order, a(0),
                         op.k);
    case ir::OpKind::DivDiff:
      return fmt::format("{}<{}, {}>({}, {}, {})", divdiffFn,
                         fnFunctor(op.fn), op.order, a(0), a(1), op.k);
    case ir::OpKind::Const:
      return literal(op.real);
    case ir::OpKind::Broadcast:
      return scalar(op.operands[0]);
    case ir::OpKind::Input:
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
      break;
    }
    assert(false && "not an element-wise op");
    return "";
  }

  //===--------------------------------------------------------------------===//
  // Steps
  //===--------------------------------------------------------------------===//

  /// Declares the workspace pointer of `v` if it lives in the workspace.
  void declareStorage(ir::ValueId v) {
    if (home(v).kind != HomeKind::Workspace)
      return;
    name(v) = names.fresh("w" + std::to_string(v));
    out.line("T* const {} = ws.buf.data() + {};", name(v), home(v).offset);
  }

  void emitLoop(const schedule::Step &st) {
    for (ir::ValueId v : st.ops)
      declareStorage(v);
    // Large element-wise loops run on OpenMP's threads (the prologue's
    // DGC_OMP_FOR; a plain loop without -fopenmp). Each iteration writes
    // its own elements, so the result does not depend on the threads.
    if (st.extent >= kParallelExtent)
      out.line("DGC_OMP_FOR");
    out.line("for (std::int64_t i = 0; i < {}; ++i) {{", st.extent);
    {
      Printer::Indent in(out);
      for (ir::ValueId v : st.ops) {
        std::string rhs = compute(v);
        loopName[static_cast<size_t>(v)] = names.fresh("v" + std::to_string(v));
        out.line("const T {} = {};", loopName[static_cast<size_t>(v)], rhs);
      }
      for (ir::ValueId v : st.ops)
        if (home(v).kind != HomeKind::Fused)
          out.line("{}[i] = {};", ptr(v), loopName[static_cast<size_t>(v)]);
    }
    out.line("}}");
  }

  void emitScalar(ir::ValueId v) {
    std::string rhs = compute(v);
    assignScalar(v, rhs);
  }

  void assignScalar(ir::ValueId v, const std::string &rhs) {
    if (home(v).kind == HomeKind::Output) {
      out.line("{}[0] = {};", ptr(v), rhs);
      return;
    }
    name(v) = names.fresh("v" + std::to_string(v));
    out.line("const T {} = {};", name(v), rhs);
  }

  void emitKernel(ir::ValueId v) {
    const ir::Op &op = f.op(v);
    const Shape &t = op.type;
    auto arg = [&](size_t i) { return ptr(op.operands[i]); };
    auto argType = [&](size_t i) -> const Shape & {
      return f.type(op.operands[i]);
    };
    if (op.kind == ir::OpKind::Sum) {
      assignScalar(v, fmt::format("dgc_rt::sum({}, {})", arg(0),
                                  argType(0).numel()));
      return;
    }
    declareStorage(v);
    std::string y = ptr(v);
    switch (op.kind) {
    case ir::OpKind::Expand:
      out.line("dgc_rt::expand({}, {}, {}, {});", arg(0), t[0], t[1], y);
      return;
    case ir::OpKind::SumLast:
      out.line("dgc_rt::sumLast({}, {}, {}, {});", arg(0), argType(0)[0],
               argType(0)[1], y);
      return;
    case ir::OpKind::Pad:
      out.line("dgc_rt::pad({}, {}, {}, {}, {});", arg(0), argType(0).numel(),
               op.ints[0], t.numel(), y);
      return;
    case ir::OpKind::Concat: {
      int64_t at = 0;
      for (size_t i = 0; i < op.operands.size(); ++i) {
        const Shape &pt = argType(i);
        if (pt.isScalar())
          out.line("{}[{}] = {};", y, at, scalar(op.operands[i]));
        else
          out.line("dgc_rt::copy({}, {}, {} + {});", arg(i), pt.numel(), y, at);
        at += pt.numel();
      }
      return;
    }
    case ir::OpKind::MatMul: {
      const Shape &ta = argType(0), &tb = argType(1);
      int64_t br = tb[0], bc = tb.rank() == 1 ? 1 : tb[1];
      out.line("dgc_rt::matmul<T, {}, {}>({}, {}, {}, {}, {}, {}, {});",
               op.ints[0] ? "true" : "false", op.ints[1] ? "true" : "false",
               arg(0), ta[0], ta[1], arg(1), br, bc, y);
      return;
    }
    case ir::OpKind::Conv: {
      const Shape &tk = argType(0), &tx = argType(1);
      out.line("dgc_rt::conv<T, {}>({}, {}, {}, {}, {}, {}, {}, {});", wrap(), arg(0), tk[0],
               tk[1], tk[2], arg(1), tx[1], tx.numel() / (tx[0] * tx[1]), y);
      return;
    }
    case ir::OpKind::ConvT: {
      const Shape &tk = argType(0), &tz = argType(1);
      out.line("dgc_rt::convT<T, {}>({}, {}, {}, {}, {}, {}, {}, {});", wrap(), arg(0), tk[0],
               tk[1], tk[2], arg(1), tz[1], tz.numel() / (tz[0] * tz[1]), y);
      return;
    }
    case ir::OpKind::ConvW: {
      const Shape &tx = argType(1);
      out.line("dgc_rt::convW<T, {}>({}, {}, {}, {}, {}, {}, {}, {});", wrap(), arg(0),
               argType(0)[0], arg(1), tx[0], tx[1],
               tx.numel() / (tx[0] * tx[1]), t[2], y);
      return;
    }
    case ir::OpKind::Stencil: {
      int axis = static_cast<int>(op.ints[0]);
      int64_t outer = 1, inner = 1;
      for (int d = 0; d < t.rank(); ++d)
        (d < axis ? outer : inner) *= d == axis ? 1 : t[d];
      std::string coeffs;
      for (size_t c = 0; c < op.reals.size(); ++c)
        coeffs += (c ? ", " : "") + literal(op.reals[c]);
      out.line("dgc_rt::stencil<T, {}, {}>({}, {}, {}, {}, {{{{{}}}}}, "
               "{{{{{}}}}}, {});",
               op.reals.size(), wrap(), arg(0), outer, t[axis], inner,
               joinInts(op.ints, 1), coeffs, y);
      return;
    }
    case ir::OpKind::Input:
    case ir::OpKind::Const:
    case ir::OpKind::Add:
    case ir::OpKind::Sub:
    case ir::OpKind::Mul:
    case ir::OpKind::Neg:
    case ir::OpKind::Map:
    case ir::OpKind::DivDiff:
    case ir::OpKind::Broadcast:
    case ir::OpKind::Sum:
    case ir::OpKind::Reshape:
    case ir::OpKind::Slice:
      break;
    }
    assert(false && "not a kernel op");
  }

  //===--------------------------------------------------------------------===//
  // Functions
  //===--------------------------------------------------------------------===//

  bool anyParamLive() const {
    for (ir::ValueId v : paramInputs)
      if (live(v))
        return true;
    return false;
  }

  std::string signature(bool batch, bool named) {
    std::string sig = fmt::format("const Params<T>&{}", named && (batch || anyParamLive()) ? " p" : "");
    if (batch)
      sig += ", std::int64_t batch";
    for (size_t i = 0; i < inArgs.size(); ++i)
      sig += fmt::format(", const T* {}",
                         !named || live(inValues[i]) || batch ? inArgs[i]
                                                              : "/*" + inArgs[i] + "*/");
    for (const std::string &o : outArgs)
      sig += ", T* " + o;
    bool usesWs = s.workspaceSize > 0;
    sig += fmt::format(", {}<T>&{}",
                       isTileFunction(f) ? "TileWorkspace" : "Workspace",
                       !named || usesWs || batch ? " ws" : "");
    return sig;
  }

  void emitMain() {
    out.line("/// `{}`: inputs {}; results {}.", f.name,
             inArgs.empty() ? std::string("none") : fmt::format("{}", fmt::join(inArgs, ", ")),
             fmt::format("{}", fmt::join(outArgs, ", ")));
    out.line("template <class T>");
    out.line("void {}({}) {{", f.name, signature(false, true));
    {
      Printer::Indent in(out);
      for (ir::ValueId v : paramInputs) {
        if (!live(v))
          continue;
        const ir::ParamInfo *pi = m.findParam(f.op(v).name);
        out.line("const T* const {} = p.data.data() + {}; // {}", name(v),
                 pi->offset, pi->name);
      }
      for (size_t p = 0; p < s.steps.size(); ++p) {
        currentStep = static_cast<int>(p);
        const schedule::Step &st = s.steps[p];
        switch (st.kind) {
        case StepKind::Loop:
          emitLoop(st);
          break;
        case StepKind::Scalar:
          emitScalar(st.ops[0]);
          break;
        case StepKind::Kernel:
          emitKernel(st.ops[0]);
          break;
        }
      }
      currentStep = -1;
      for (const schedule::ResultCopy &c : s.copies) {
        const std::string &o = outArgs[static_cast<size_t>(c.result)];
        const Shape &t = f.type(c.value);
        if (t.isScalar())
          out.line("{}[0] = {};", o, scalar(c.value));
        else
          out.line("dgc_rt::copy({}, {}, {});", ptr(c.value), t.numel(), o);
      }
    }
    out.line("}}");
    out.blank();
  }

  void emitBatch() {
    out.line("/// `{}` on `batch` contiguous rows of every input and result.",
             f.name);
    out.line("template <class T>");
    out.line("void {}_batch({}) {{", f.name, signature(true, true));
    {
      Printer::Indent in(out);
      out.line("for (std::int64_t b = 0; b < batch; ++b)");
      Printer::Indent in2(out);
      std::string call = f.name + "(p";
      for (size_t i = 0; i < inArgs.size(); ++i)
        call += fmt::format(", {} + b * {}", inArgs[i],
                            f.type(inValues[i]).numel());
      for (size_t r = 0; r < outArgs.size(); ++r)
        call += fmt::format(", {} + b * {}", outArgs[r],
                            f.type(f.results[r]).numel());
      out.line("{}, ws);", call);
    }
    out.line("}}");
    out.blank();
  }

  /// For a Jacobian-vector product `X_jvp` (an input `w` and one result of
  /// w's shape, a linear map of w), `X_jacobian` materialises the matrix:
  /// row-major J with column j = X_jvp at w = e_j. Used for the dense
  /// Newton Jacobian of small states; large states use the JVP itself.
  void emitDenseJacobian() {
    std::string base = denseJacobianBase(f);
    if (base.empty())
      return;
    size_t wIndex = 0;
    for (size_t i = 0; i < inValues.size(); ++i)
      if (f.op(inValues[i]).name == "w")
        wIndex = i;
    int64_t n = f.type(inValues[wIndex])[0];
    std::string sig = "const Params<T>& p";
    std::string call = f.name + "(p";
    for (size_t i = 0; i < inArgs.size(); ++i) {
      if (i == wIndex) {
        call += ", e.data()";
        continue;
      }
      sig += ", const T* " + inArgs[i];
      call += ", " + inArgs[i];
    }
    sig += ", T* J, Workspace<T>& ws";
    call += ", col.data(), ws);";
    out.line("/// The dense Jacobian of `{}` ({} x {}, row-major): column j is "
             "`{}` at w = e_j.",
             base, n, n, f.name);
    out.line("template <class T>");
    out.line("void {}_jacobian({}) {{", base, sig);
    {
      Printer::Indent in(out);
      out.line("std::array<T, {}> e{{}};", n);
      out.line("std::array<T, {}> col;", n);
      out.line("for (std::int64_t j = 0; j < {}; ++j) {{", n);
      {
        Printer::Indent in2(out);
        out.line("e[j] = T(1);");
        out.line("{}", call);
        out.line("e[j] = T(0);");
        out.line("for (std::int64_t i = 0; i < {}; ++i)", n);
        out.line("  J[i * {} + j] = col[i];", n);
      }
      out.line("}}");
    }
    out.line("}}");
    out.blank();
  }

  void emitScalarOverload() {
    if (f.results.empty() || !f.type(f.results[0]).isScalar())
      return;
    std::string sig = "const Params<T>& p";
    std::string call = f.name + "(p";
    for (const std::string &a : inArgs) {
      sig += ", const T* " + a;
      call += ", " + a;
    }
    call += ", &r0";
    for (size_t r = 1; r < outArgs.size(); ++r) {
      sig += ", T* " + outArgs[r];
      call += ", " + outArgs[r];
    }
    sig += ", Workspace<T>& ws";
    out.line("/// `{}` returning its first result, {}.", f.name, outArgs[0]);
    out.line("template <class T>");
    out.line("T {}({}) {{", f.name, sig);
    {
      Printer::Indent in(out);
      out.line("T r0{{}};");
      out.line("{}, ws);", call);
      out.line("return r0;");
    }
    out.line("}}");
    out.blank();
  }
};

} // namespace

bool isTileFunction(const ir::Function &f) {
  const std::string suffix = "_tile";
  return f.name.size() > suffix.size() &&
         f.name.compare(f.name.size() - suffix.size(), suffix.size(),
                        suffix) == 0;
}

bool isTrainingFunction(const ir::Function &f) {
  return f.name.rfind("train_", 0) == 0;
}

int64_t tileSize(const ir::Function &f) {
  // The first non-parameter input (u1 of a loss, u of time_derivative) is
  // [state..., tile] (Transforms/Batch.cpp).
  for (ir::ValueId v : f.inputs)
    if (!f.op(v).param) {
      const Shape &s = f.type(v);
      return s.rank() > 0 ? s[s.rank() - 1] : 0;
    }
  return 0;
}

std::string denseJacobianBase(const ir::Function &f) {
  const std::string suffix = "_jvp";
  if (f.name.size() <= suffix.size() ||
      f.name.compare(f.name.size() - suffix.size(), suffix.size(), suffix) != 0 ||
      f.results.size() != 1)
    return "";
  for (ir::ValueId v : f.inputs) {
    const ir::Op &op = f.op(v);
    if (op.name != "w" || op.param)
      continue;
    const Shape &wt = f.type(v);
    if (wt.rank() == 1 && f.type(f.results[0]) == wt)
      return f.name.substr(0, f.name.size() - suffix.size());
  }
  return "";
}

int64_t emitFunction(Printer &out, const ir::ModelIR &m, const ir::Function &f,
                     const NameGen &modelNames, DgNumerics numerics) {
  return FunctionEmitter(out, m, f, modelNames, numerics).run();
}

} // namespace dgc::codegen
