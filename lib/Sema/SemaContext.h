//===- SemaContext.h - State shared by the Sema source files ----*- C++ -*-===//
//
// Part of dgc; private to lib/Sema. Sema.cpp walks the declarations and owns
// the symbol table; Shapes.cpp types expressions, NetSugar.cpp expands
// `mlp`/`conv_net`, Laws.cpp interprets the structure and checks claims.
// All of them report through the one DiagnosticEngine and write into the
// CheckedModel being built. A function that reported an error returns an
// empty optional (or null) so that callers do not report it again.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Sema/CheckedModel.h"
#include "Sema/Sema.h"

#include <optional>
#include <string>

namespace dgc::sema {

/// The element-wise functions of the language (`tanh` ... `abs`); false for
/// other names (in particular the IR-only `powi` and `recip`).
bool lookupElementwise(const std::string &name, ir::Fn &out);

/// Names the user may not declare: builtin functions and structure terms.
bool isReservedName(const std::string &name);

/// The source text of a (structure) expression, for messages: `friction(g)`.
std::string spell(const Expr &e);

/// Formats a number the way a user would write it (`50`, `0.5`, `-1e-05`).
std::string formatNumber(double v);

/// The most elements one value (a state, a parameter, a grid's points, any
/// typed expression) and the whole state may have: 2^24, the largest grid
/// `--grid` takes for a C++ energy. The derivation passes work per element;
/// a far larger model exhausted memory (std::bad_alloc) instead of getting
/// a diagnostic.
inline constexpr int64_t kMaxElements = int64_t(1) << 24;

class SemaContext {
public:
  SemaContext(Model &model, DiagnosticEngine &diags, CheckedModel &cm)
      : model(model), diags(diags), cm(cm) {}

  Model &model;
  DiagnosticEngine &diags;
  CheckedModel &cm;
  /// Index in model.decls of the declaration being checked; names declared
  /// at or after it are not yet defined.
  size_t currentDecl = 0;

  void error(SourceLoc loc, const std::string &msg) { diags.error(loc, msg); }

  // Names (Sema.cpp).
  /// The symbol `name` refers to at `loc`; reports unknown names and uses
  /// before the definition.
  const Symbol *resolve(const std::string &name, SourceLoc loc);

  // Expressions (Shapes.cpp).
  /// Types `e` and every subexpression (Expr::type), records compile-time
  /// values and grids. Empty when an error was reported.
  std::optional<Shape> typeExpr(Expr &e);
  /// Types `e` and requires a compile-time scalar; `what` names it in the
  /// error ("grid size").
  std::optional<double> constantOf(Expr &e, const std::string &what);
  /// A compile-time integer >= `min`.
  std::optional<int64_t> constantInt(Expr &e, const std::string &what,
                                     int64_t min);
  /// Reports at `loc` that `what` is too large when `dims` hold more than
  /// kMaxElements elements (the product is taken without overflow); `unit`
  /// names them in the message.
  bool checkElementCount(const std::vector<int64_t> &dims, SourceLoc loc,
                         const std::string &what,
                         const char *unit = "elements");
  /// Appends a trainable tensor with the next flat offset; its index.
  int addParam(ir::ParamInfo p);

  /// The shape written in a `state`/`param` type.
  std::optional<Shape> shapeOf(TypeSpec &t, int &grid);

  // Nets (NetSugar.cpp).
  void checkNet(ValueDecl &d, const std::string &name);
  /// The type of `net(arg)` for an argument of shape `arg` on grid
  /// `argGrid` (-1: none); sets `resultGrid`.
  std::optional<Shape> typeNetCall(CallExpr &call, const NetInfo &net,
                                   const Shape &arg, int argGrid,
                                   int &resultGrid);

  // Structure and laws (Laws.cpp).
  std::unique_ptr<StructTerm> checkStructure(Expr &e);
  void checkClaims(const std::vector<const ClaimDecl *> &claims);
};

} // namespace dgc::sema
