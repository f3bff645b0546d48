//===- IR.h - dgc's typed SSA IR with static shapes -------------*- C++ -*-===//
//
// Part of dgc. A Function is a list of ops in definition order; every op
// defines exactly one value, named by its index (`%3`). Operands refer to
// earlier ops only, so the op list is always a topological order and a pass
// is a walk from front to back (forward) or back to front (reverse). There is
// no control flow: shapes are static and loops live in the emitted code.
//
// Every derivative is a pass Function -> Function over this IR (see
// Transforms/Passes.h), and the ops that derivatives introduce (convt,
// convw, map with order > 0, divdiff) are themselves differentiable, so the
// derivative of generated derivative code is one more pass.
//
// A ModelIR bundles a model's functions with what the emitter and the
// runtime need to know about it: the state layout, grids, parameters and
// their initialisation, and the laws derived from the structure.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/Sparsity.h"
#include "Support/Shape.h"
#include "Support/SourceManager.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dgc::ir {

enum class OpKind : uint8_t {
#define DGC_OP(Name, mnemonic, arity, summary) Name,
#include "IR/Ops.def"
};

enum class Fn : uint8_t {
#define DGC_FN(Name, spelling, maxOrder) Name,
#include "IR/Functions.def"
};

const char *mnemonic(OpKind k);
int arity(OpKind k); ///< -1 for variadic
const char *spelling(Fn f);
int maxOrder(Fn f);
/// Looks up a function by its dg spelling ("tanh"); false if unknown.
bool lookupFn(const std::string &spelling, Fn &out);

using ValueId = int32_t;

struct Op {
  OpKind kind;
  Shape type;
  std::vector<ValueId> operands;

  // Attributes; which ones an op uses is stated in Ops.def.
  double real = 0;           ///< Const: fill value
  Fn fn = Fn::Tanh;          ///< Map, DivDiff
  int order = 0;             ///< Map: derivative order; DivDiff: 0, 1 (d/da), 2 (d/db)
  int k = 0;                 ///< Map/DivDiff with fn = powi: the exponent
  std::vector<int64_t> ints; ///< Slice/Pad bounds, MatMul flags, Stencil axis + offsets
  std::vector<double> reals; ///< Stencil coefficients
  std::string name;          ///< Input: argument name
  /// Input: a model parameter (generated code reads it from Params by
  /// `name`), as opposed to an argument such as the state. A flag, not a
  /// naming rule, so a param may be called `u`, `v` or `w`.
  bool param = false;

  SourceLoc loc; ///< where the user wrote what this op computes, if anywhere
};

/// A straight-line function. `inputs` lists the Input ops in signature
/// order; `results` the returned values, with names for the emitter.
struct Function {
  std::string name;
  std::vector<Op> ops;
  std::vector<ValueId> inputs;
  std::vector<ValueId> results;
  std::vector<std::string> resultNames;

  const Op &op(ValueId v) const { return ops[static_cast<size_t>(v)]; }
  Op &op(ValueId v) { return ops[static_cast<size_t>(v)]; }
  const Shape &type(ValueId v) const { return op(v).type; }
  /// The first non-parameter Input op named `name`, or -1.
  ValueId findInput(const std::string &name) const;
  /// The parameter Input named `name`, or -1.
  ValueId findParamInput(const std::string &name) const;
  /// What passes' `wrt` lists name: `param:NAME` is the parameter NAME;
  /// a plain NAME is the argument NAME, or the parameter NAME when no
  /// argument has that name. -1 if none.
  ValueId findInputRef(const std::string &ref) const;
};

//===----------------------------------------------------------------------===//
// Model-level information
//===----------------------------------------------------------------------===//

struct GridInfo {
  std::string name;
  int dims = 1;              ///< 1 (periodic) or 2 (periodic2)
  int64_t n[2] = {0, 1};     ///< points along x (and y)
  double length[2] = {0, 1}; ///< period along x (and y)
  double dx[2] = {0, 1};     ///< mesh size along x (and y)
  /// A local tile (halo mode, for distributed runs): `n` is the tile plus
  /// `halo` ghost points on each side, the stencils read the ghost layer
  /// instead of wrapping, and `global` is the whole grid's size (what
  /// `x.n`, `mean` and dx refer to). halo 0: n is the whole periodic grid.
  int64_t halo = 0;
  int64_t global[2] = {0, 1};
  /// Cell volume of the discrete L2 inner product: dx, or dx*dy.
  double cellVolume() const { return dims == 1 ? dx[0] : dx[0] * dx[1]; }
};

/// One `state` declaration: a contiguous piece of the state vector u.
struct StateVar {
  std::string name;
  int64_t offset = 0; ///< first element in u
  Shape shape;        ///< `real` -> scalar, `real[K]` -> [K], field -> [n] or [ny, nx]
  int grid = -1;      ///< index into ModelIR::grids for fields, else -1
  int64_t size() const { return shape.numel(); }
};

/// How a parameter is initialised from the seed.
struct ParamInit {
  enum class Kind { Zeros, Ones, Literal, Normal, Orthogonal } kind =
      Kind::Zeros;
  double value = 0; ///< Literal: the value; Normal: the standard deviation
  /// Literal written as an array ([...], nested for rank >= 2): one value
  /// per element, row-major. Empty: every element is `value`.
  std::vector<double> values;
};

/// One trainable tensor: a `param` declaration or a weight/bias of a `net`.
struct ParamInfo {
  std::string name;   ///< unique; net parameters are `NET.W1`, `NET.b1`, ...
  Shape shape;
  int64_t offset = 0; ///< first element in the flat parameter vector
  ParamInit init;
  bool nonneg = false;
  int64_t size() const { return shape.numel(); }
};

/// Laws derived from the structure and the energy (Sema/Laws.cpp).
struct Laws {
  bool conservesEnergy = false;
  bool dissipatesEnergy = false;
  bool conservesMass = false;
  bool separable = false; ///< H = V(q) + T(p) over the two halves of u
  /// G = c S, ignoring friction(g) terms: c, the scale of leapfrog's step
  /// (experiments.md 8: SRNN ignores friction); 0 for any other G.
  double symplecticScale = 0;
};

struct ModelIR {
  enum class Kind { Energy, VectorField } kind = Kind::Energy;
  std::string name;
  int64_t stateSize = 0;
  int64_t paramCount = 0;
  std::vector<GridInfo> grids;
  std::vector<StateVar> states;
  std::vector<ParamInfo> params;
  Laws laws;

  /// Per-element weight of the state inner product (dx for field elements,
  /// 1 for real ones): grad H = (dH/du) / weight.
  std::vector<double> innerWeight;

  /// Functions, by name. Lowering produces `energy` (inputs: u, params...;
  /// result H) and `structure` (inputs: x, params...; result G x) for energy
  /// models, or `vectorfield` (inputs: u, params...; result du/dt). Passes
  /// add `grad`, `time_derivative`, and later the discrete gradient family.
  std::vector<Function> functions;

  /// Halo mode (a local tile of the grid with `halo` ghost points on each
  /// side; see GridInfo): 0 for the whole periodic grid. The emitter reads
  /// neighbours without wrapping when it is set (EmitFunction.cpp).
  int64_t halo = 0;
  /// The same model on a local tile (halo mode), when `dgc compile
  /// --local-tile` or a distributed run asked for it: emitted as the
  /// model's `local` namespace (CodeGen/EmitLocal.cpp).
  std::shared_ptr<const ModelIR> local;

  /// The Jacobians the sparsity analysis looked at (Pipeline.cpp): newton
  /// and time_derivative; those without a denseReason are provided in
  /// sparse form.
  std::vector<SparseJacobian> sparseJacobians;
  const SparseJacobian *findSparseJacobian(const std::string &base) const {
    for (const SparseJacobian &s : sparseJacobians)
      if (s.base == base && s.denseReason.empty())
        return &s;
    return nullptr;
  }

  const Function *find(const std::string &name) const;
  Function *find(const std::string &name);
  const ParamInfo *findParam(const std::string &name) const;

  /// The shape of u as a user writes it: a lone field or vector state's own
  /// shape ((NY, NX) for a 2-D field), otherwise the flat state.
  std::vector<int64_t> userStateShape() const {
    if (states.size() == 1 && states[0].shape.rank() >= 1)
      return states[0].shape.dims;
    return {stateSize};
  }
};

} // namespace dgc::ir
