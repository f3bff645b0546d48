//===- CheckedModel.h - The result of semantic analysis ---------*- C++ -*-===//
//
// Part of dgc. A CheckedModel is a model whose names are resolved, whose
// constants are folded (with `-D` overrides applied), whose expressions all
// carry a static shape (Expr::type), whose `net` declarations are expanded
// into parameters and layers, and whose structure expression is interpreted
// as a tree of StructTerms with derived laws. It points into the AST it was
// checked from, which must outlive it. Lowering (Lower/Lower.h) reads it and
// nothing else.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "AST/AST.h"
#include "IR/IR.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dgc {

/// What a declared name stands for.
struct Symbol {
  enum class Kind {
    Const,
    Grid,
    State,
    Param,
    Net,
    Let,
    Energy,
    Structure,
    VectorField
  };
  Kind kind;
  /// Index into the matching CheckedModel vector (consts, grids, states,
  /// params, nets, lets); unused for energy/structure/vectorfield.
  int index = -1;
  const Decl *decl = nullptr;
  /// Position of the declaration in Model::decls (use before definition).
  size_t declIndex = 0;
};

/// One layer of a net: a weight and an optional bias (indices into
/// CheckedModel::params).
struct NetLayer {
  int weight = -1;
  int bias = -1; ///< -1: no bias
};

/// An expanded `net` declaration.
struct NetInfo {
  enum class Kind { Mlp, ConvNet } kind = Kind::Mlp;
  std::string name;
  SourceLoc loc;
  int64_t in = 0;  ///< mlp: input features; conv_net: input channels
  int64_t out = 0; ///< output features / channels
  std::vector<int64_t> hidden;
  int64_t kernel = 1; ///< conv_net: width of the first layer's kernel
  ir::Fn act = ir::Fn::Tanh;
  bool biasLast = false;
  /// In order; every layer but the last is followed by `act`.
  std::vector<NetLayer> layers;

  /// An mlp given its whole input (real[in], or a scalar when in == 1);
  /// any other argument is mapped point by point.
  bool takesWhole(const Shape &arg) const {
    return kind == Kind::Mlp && (arg == Shape{in} || (in == 1 && arg.isScalar()));
  }
};

/// How a structure term acts on the energy: the sign of x^T G x.
enum class EnergySign {
  Zero,      ///< skew-symmetric: conserves energy
  NonPos,    ///< negative semi-definite symmetric part: dissipates energy
  NonNeg,    ///< positive semi-definite symmetric part: may increase energy
  Indefinite ///< no rule applies
};

/// A node of the interpreted structure expression G.
struct StructTerm {
  enum class Kind {
    Symplectic, ///< S
    Friction,   ///< friction(g): diag(0..0, g) over the (q, p) halves, g a scalar or one per momentum
    Diff,       ///< D: central first difference, 1-D field
    Diff2,      ///< D2: second difference, 1-D field
    DiffX,      ///< Dx: central difference along x, 2-D field
    DiffY,      ///< Dy: central difference along y, 2-D field
    Lap,        ///< Lap: five-point Laplacian, 2-D field
    Identity,   ///< I
    Skew,       ///< skew(A) = A - A^T
    Psd,        ///< psd(L) = L L^T
    Neg,        ///< -G (lhs)
    Scale,      ///< value * G (lhs)
    Add,        ///< lhs + rhs
    Sub         ///< lhs - rhs
  };
  Kind kind = Kind::Identity;
  const Expr *expr = nullptr; ///< the source of this term
  int param = -1;             ///< Friction/Skew/Psd: the param (-1: constant)
  double value = 0;           ///< Friction: constant g; Scale: the factor
  int grid = -1;              ///< difference operators: the grid
  std::unique_ptr<StructTerm> lhs, rhs;

  // Derived by Laws.cpp.
  EnergySign sign = EnergySign::Indefinite;
  bool conservesMass = false;
};

/// A model after semantic analysis.
struct CheckedModel {
  const Model *model = nullptr;
  std::string name;
  ir::ModelIR::Kind kind = ir::ModelIR::Kind::Energy;

  std::map<std::string, Symbol> symbols;

  std::vector<double> consts; ///< folded values, by Symbol::index
  std::vector<ir::GridInfo> grids;
  std::vector<ir::StateVar> states;
  int64_t stateSize = 0;
  /// Every trainable tensor: `param` declarations and net weights, in
  /// declaration order (a net's in layer order), with flat offsets.
  std::vector<ir::ParamInfo> params;
  int64_t paramCount = 0;
  std::vector<NetInfo> nets;
  std::vector<const ValueDecl *> lets;

  const ValueDecl *energy = nullptr;
  const ValueDecl *structureDecl = nullptr;
  const ValueDecl *vectorField = nullptr;
  /// The interpreted structure (energy models only).
  std::unique_ptr<StructTerm> structure;
  ir::Laws laws;

  /// Every scalar expression whose value is known at compile time.
  std::unordered_map<const Expr *, double> constValues;
  /// The grid of every expression that is a field (or a [c, n] stack of
  /// fields) on a grid; absent for other values.
  std::unordered_map<const Expr *, int> exprGrid;

  const Symbol *lookup(const std::string &n) const {
    auto it = symbols.find(n);
    return it == symbols.end() ? nullptr : &it->second;
  }
  std::optional<double> constValue(const Expr *e) const {
    auto it = constValues.find(e);
    if (it == constValues.end())
      return std::nullopt;
    return it->second;
  }
  int gridOf(const Expr *e) const {
    auto it = exprGrid.find(e);
    return it == exprGrid.end() ? -1 : it->second;
  }
};

/// "conserves energy, conserves mass", "dissipates energy" or "none": the
/// derived laws as `dgc check` prints them.
std::string describeLaws(const ir::Laws &laws);

} // namespace dgc
