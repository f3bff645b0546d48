//===- Sema.cpp - Names, declarations and constants of a dg model ---------===//
//
// Part of dgc. checkModel() is the entry of semantic analysis. It collects
// every declared name (redefinitions and reserved names are errors), checks
// the `-D` overrides against the model's consts, then walks the declarations
// in order: consts are folded (an override replaces the value), grids,
// states and params get their shapes and layout, nets are expanded
// (NetSugar.cpp), lets, the energy and the vectorfield are typed
// (Shapes.cpp). Last come the model-level rules (one energy and one
// structure, or one vectorfield), the structure and the claims (Laws.cpp).
//
//===----------------------------------------------------------------------===//
#include "Sema/SemaContext.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <fmt/format.h>

namespace dgc {

std::string describeLaws(const ir::Laws &laws) {
  std::string s;
  auto add = [&](const char *w) {
    if (!s.empty())
      s += ", ";
    s += w;
  };
  if (laws.conservesEnergy)
    add("conserves energy");
  if (laws.dissipatesEnergy)
    add("dissipates energy");
  if (laws.conservesMass)
    add("conserves mass");
  if (laws.separable)
    add("separable");
  return s.empty() ? "none" : s;
}

namespace sema {

bool isReservedName(const std::string &n) {
  static const char *const reserved[] = {
      // functions and operators of expressions
      "sum", "mean", "dot", "matmul", "conv", "D", "Df", "Db", "D2", "Dx",
      "Dy", "Lap",
      // structure terms
      "S", "I", "friction", "skew", "psd",
      // constructors and inits
      "mlp", "conv_net", "periodic", "periodic2", "normal", "zeros", "ones",
      "orthogonal", "true", "false"};
  for (const char *r : reserved)
    if (n == r)
      return true;
  ir::Fn fn;
  return lookupElementwise(n, fn);
}

std::string formatNumber(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

const Symbol *SemaContext::resolve(const std::string &name, SourceLoc loc) {
  const Symbol *s = cm.lookup(name);
  if (!s) {
    error(loc, fmt::format("unknown name '{}'", name));
    return nullptr;
  }
  if (s->declIndex >= currentDecl) {
    error(loc, fmt::format("use of '{}' before its definition", name));
    return nullptr;
  }
  return s;
}

int SemaContext::addParam(ir::ParamInfo p) {
  p.offset = cm.paramCount;
  cm.paramCount += p.size();
  cm.params.push_back(std::move(p));
  return static_cast<int>(cm.params.size()) - 1;
}

bool SemaContext::checkElementCount(const std::vector<int64_t> &dims,
                                    SourceLoc loc, const std::string &what,
                                    const char *unit) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d != 0 && n > kMaxElements / d) {
      error(loc, fmt::format("{} has more than {} {}, the most dgc compiles",
                             what, kMaxElements, unit));
      return false;
    }
    n *= d;
  }
  return true;
}

std::optional<Shape> SemaContext::shapeOf(TypeSpec &t, int &grid) {
  grid = -1;
  switch (t.kind) {
  case TypeSpec::Kind::Real:
    return Shape();
  case TypeSpec::Kind::Array: {
    std::vector<int64_t> dims;
    bool ok = true;
    for (ExprPtr &d : t.dims) {
      std::optional<int64_t> n = constantInt(*d, "an array extent", 1);
      ok = ok && n.has_value();
      if (n)
        dims.push_back(*n);
    }
    if (!ok || !checkElementCount(dims, t.loc, Shape(dims).str()))
      return std::nullopt;
    return Shape(std::move(dims));
  }
  case TypeSpec::Kind::Field: {
    const Symbol *s = resolve(t.grid, t.gridLoc);
    if (!s)
      return std::nullopt;
    if (s->kind != Symbol::Kind::Grid) {
      error(t.gridLoc, fmt::format("'{}' is not a grid", t.grid));
      return std::nullopt;
    }
    if (s->index < 0)
      return std::nullopt; // the grid's declaration was reported
    grid = s->index;
    const ir::GridInfo &g = cm.grids[static_cast<size_t>(grid)];
    return g.dims == 1 ? Shape{g.n[0]} : Shape{g.n[1], g.n[0]};
  }
  }
  return std::nullopt;
}

} // namespace sema

namespace {
using sema::SemaContext;

/// Walks the declarations of one model.
class DeclChecker {
public:
  DeclChecker(Model &m, const Defines &defines, DiagnosticEngine &diags,
              CheckedModel &cm)
      : ctx(m, diags, cm), defines(defines), cm(cm) {}

  bool run();
  const LocalTile *local = nullptr; ///< halo mode, see LocalTile

private:
  void collectNames();
  void checkDefines();
  void checkConst(ValueDecl &d);
  void checkGrid(ValueDecl &d);
  void checkState(StateDecl &d);
  void checkParam(ParamDecl &d);
  void checkEnergy(ValueDecl &d);
  void checkVectorField(ValueDecl &d);
  void checkModelLevel();
  bool checkInit(ParamDecl &d, const Shape &shape, ir::ParamInit &init);
  bool checkArrayInit(ParamDecl &d, ListExpr &list, const Shape &shape,
                      ir::ParamInit &init);

  SemaContext ctx;
  const Defines &defines;
  CheckedModel &cm;
  std::vector<const ClaimDecl *> claims;
  size_t structureIndex = 0;
  bool statesOk = true;
  unsigned baseErrors = 0;
};

Symbol::Kind symbolKind(Decl::Kind k) {
  switch (k) {
  case Decl::Kind::Const:
    return Symbol::Kind::Const;
  case Decl::Kind::Grid:
    return Symbol::Kind::Grid;
  case Decl::Kind::State:
    return Symbol::Kind::State;
  case Decl::Kind::Param:
    return Symbol::Kind::Param;
  case Decl::Kind::Net:
    return Symbol::Kind::Net;
  case Decl::Kind::Let:
    return Symbol::Kind::Let;
  case Decl::Kind::Energy:
    return Symbol::Kind::Energy;
  case Decl::Kind::Structure:
    return Symbol::Kind::Structure;
  case Decl::Kind::VectorField:
  case Decl::Kind::Claim:
    break;
  }
  return Symbol::Kind::VectorField;
}

void DeclChecker::collectNames() {
  for (size_t i = 0; i < ctx.model.decls.size(); ++i) {
    Decl &d = *ctx.model.decls[i];
    if (d.kind == Decl::Kind::Claim)
      continue;
    if (sema::isReservedName(d.name)) {
      ctx.error(d.nameLoc, fmt::format("'{}' is a reserved name", d.name));
      continue;
    }
    auto [it, inserted] =
        cm.symbols.emplace(d.name, Symbol{symbolKind(d.kind), -1, &d, i});
    if (!inserted) {
      ctx.error(d.nameLoc, fmt::format("redefinition of '{}'", d.name));
      ctx.diags.note(it->second.decl->nameLoc,
                     fmt::format("previous definition of '{}' is here",
                                 d.name));
    }
  }
}

void DeclChecker::checkDefines() {
  for (const auto &[name, value] : defines) {
    const Symbol *s = cm.lookup(name);
    if (!s || s->kind != Symbol::Kind::Const)
      ctx.error(SourceLoc(), fmt::format("no const named '{}' to override",
                                         name));
  }
}

void DeclChecker::checkConst(ValueDecl &d) {
  std::optional<double> v = ctx.constantOf(*d.value, "the value of a const");
  auto it = defines.find(d.name);
  if (it != defines.end())
    v = it->second;
  if (!v)
    return; // reported; uses of the const stay silent (index -1)
  Symbol &s = cm.symbols.at(d.name);
  s.index = static_cast<int>(cm.consts.size());
  cm.consts.push_back(*v);
}

void DeclChecker::checkGrid(ValueDecl &d) {
  Symbol &s = cm.symbols.at(d.name);
  auto *call = dyn_cast<CallExpr>(d.value.get());
  if (!call || (call->callee != "periodic" && call->callee != "periodic2")) {
    ctx.error(d.value->loc, "a grid is periodic(N, LENGTH) or "
                            "periodic2(NX, NY, LX, LY)");
    return;
  }
  bool twoD = call->callee == "periodic2";
  size_t want = twoD ? 4 : 2;
  for (CallArg &a : call->args)
    if (!a.name.empty()) {
      ctx.error(a.nameLoc, fmt::format("'{}' takes no named arguments",
                                       call->callee));
      return;
    }
  if (call->args.size() != want) {
    ctx.error(call->loc,
              fmt::format("'{}' takes {} arguments ({}), got {}",
                          call->callee, want,
                          twoD ? "NX, NY, LX, LY" : "N, LENGTH",
                          call->args.size()));
    return;
  }
  ir::GridInfo g;
  g.name = d.name;
  g.dims = twoD ? 2 : 1;
  bool ok = true;
  for (int axis = 0; axis < g.dims; ++axis) {
    std::optional<int64_t> n = ctx.constantInt(
        *call->args[static_cast<size_t>(axis)].value, "a grid size", 1);
    std::optional<double> len = ctx.constantOf(
        *call->args[static_cast<size_t>(axis + g.dims)].value,
        "a grid length");
    if (len && *len <= 0) {
      ctx.error(call->args[static_cast<size_t>(axis + g.dims)].value->loc,
                fmt::format("a grid length must be positive, got {}",
                            sema::formatNumber(*len)));
      len.reset();
    }
    if (!n || !len) {
      ok = false;
      continue;
    }
    g.n[axis] = *n;
    g.global[axis] = *n;
    g.length[axis] = *len;
    g.dx[axis] = *len / static_cast<double>(*n);
    if (local) {
      g.n[axis] = std::min(local->tile[axis], *n) + 2 * local->halo;
      g.halo = local->halo;
    }
  }
  if (!ok)
    return;
  std::vector<int64_t> points{g.global[0]};
  if (twoD)
    points.push_back(g.global[1]);
  if (!ctx.checkElementCount(points, call->loc,
                             fmt::format("grid '{}'", d.name), "points"))
    return;
  s.index = static_cast<int>(cm.grids.size());
  cm.grids.push_back(g);
}

void DeclChecker::checkState(StateDecl &d) {
  int grid = -1;
  std::optional<Shape> shape = ctx.shapeOf(d.type, grid);
  if (!shape) {
    statesOk = false;
    return;
  }
  if (!ctx.checkElementCount({cm.stateSize + shape->numel()}, d.nameLoc,
                             "the state")) {
    statesOk = false;
    return;
  }
  Symbol &s = cm.symbols.at(d.name);
  s.index = static_cast<int>(cm.states.size());
  ir::StateVar v;
  v.name = d.name;
  v.offset = cm.stateSize;
  v.shape = *shape;
  v.grid = grid;
  cm.stateSize += v.size();
  cm.states.push_back(std::move(v));
}

bool DeclChecker::checkInit(ParamDecl &d, const Shape &shape,
                            ir::ParamInit &init) {
  Expr &e = *d.init;
  if (auto *id = dyn_cast<IdentExpr>(&e)) {
    if (id->name == "zeros" || id->name == "ones") {
      init.kind = id->name == "zeros" ? ir::ParamInit::Kind::Zeros
                                      : ir::ParamInit::Kind::Ones;
      return true;
    }
    if (id->name == "orthogonal") {
      if (shape.rank() != 2) {
        ctx.error(e.loc, fmt::format("orthogonal init needs a matrix, '{}' "
                                     "is {}",
                                     d.name, shape.str()));
        return false;
      }
      init.kind = ir::ParamInit::Kind::Orthogonal;
      return true;
    }
  }
  if (auto *call = dyn_cast<CallExpr>(&e); call && call->callee == "normal") {
    if (call->args.size() != 1 || !call->args[0].name.empty()) {
      ctx.error(e.loc, "normal(STD) takes one standard deviation");
      return false;
    }
    std::optional<double> std =
        ctx.constantOf(*call->args[0].value, "a standard deviation");
    if (!std)
      return false;
    if (*std < 0) {
      ctx.error(call->args[0].value->loc,
                fmt::format("a standard deviation must be nonnegative, got {}",
                            sema::formatNumber(*std)));
      return false;
    }
    init.kind = ir::ParamInit::Kind::Normal;
    init.value = *std;
    return true;
  }
  if (auto *list = dyn_cast<ListExpr>(&e))
    return checkArrayInit(d, *list, shape, init);
  std::optional<Shape> t = ctx.typeExpr(e);
  if (!t)
    return false;
  std::optional<double> v = cm.constValue(&e);
  if (!v) {
    ctx.error(e.loc, fmt::format("the init of '{}' must be zeros, ones, "
                                 "orthogonal, normal(STD), a number or "
                                 "an array of numbers",
                                 d.name));
    return false;
  }
  if (d.nonneg && *v < 0) {
    ctx.error(e.loc, fmt::format("nonneg param '{}' cannot start at {}",
                                 d.name, sema::formatNumber(*v)));
    return false;
  }
  init.kind = ir::ParamInit::Kind::Literal;
  init.value = *v;
  return true;
}

/// `[...]` (nested once per dimension) with one constant per element of
/// the param, row-major.
bool DeclChecker::checkArrayInit(ParamDecl &d, ListExpr &list,
                                 const Shape &shape, ir::ParamInit &init) {
  std::vector<double> values;
  bool ok = true;
  // Element e at depth k must be a list of shape[k] items (k < rank) or a
  // constant (k == rank).
  std::function<void(Expr &, size_t)> walk = [&](Expr &e, size_t k) {
    auto *l = dyn_cast<ListExpr>(&e);
    if (k < static_cast<size_t>(shape.rank())) {
      if (!l || static_cast<int64_t>(l->elems.size()) != shape[k]) {
        ctx.error(e.loc, fmt::format("the init of '{}' ({}) needs a list of "
                                     "{} here, got {}",
                                     d.name, shape.str(), shape[k],
                                     l ? fmt::format("{} items",
                                                     l->elems.size())
                                       : std::string("a number")));
        ok = false;
        return;
      }
      for (ExprPtr &x : l->elems)
        if (ok)
          walk(*x, k + 1);
      return;
    }
    if (l) {
      ctx.error(e.loc, fmt::format("the init of '{}' ({}) needs a number "
                                   "here, got a list",
                                   d.name, shape.str()));
      ok = false;
      return;
    }
    std::optional<double> v = ctx.constantOf(e, "an init value");
    if (!v) {
      ok = false;
      return;
    }
    if (d.nonneg && *v < 0) {
      ctx.error(e.loc, fmt::format("nonneg param '{}' cannot start at {}",
                                   d.name, sema::formatNumber(*v)));
      ok = false;
      return;
    }
    values.push_back(*v);
  };
  walk(list, 0);
  if (!ok)
    return false;
  init.kind = ir::ParamInit::Kind::Literal;
  init.values = std::move(values);
  return true;
}

void DeclChecker::checkParam(ParamDecl &d) {
  int grid = -1;
  std::optional<Shape> shape = ctx.shapeOf(d.type, grid);
  if (!shape)
    return;
  ir::ParamInfo p;
  if (!checkInit(d, *shape, p.init))
    return;
  p.name = d.name;
  p.shape = *shape;
  p.nonneg = d.nonneg;
  cm.symbols.at(d.name).index = ctx.addParam(std::move(p));
}

void DeclChecker::checkEnergy(ValueDecl &d) {
  if (cm.energy) {
    ctx.error(d.loc, fmt::format("model '{}' already has an energy '{}'",
                                 cm.name, cm.energy->name));
    return;
  }
  if (cm.vectorField) {
    ctx.error(d.loc, fmt::format("model '{}' cannot have both an energy and "
                                 "a vectorfield",
                                 cm.name));
    return;
  }
  cm.energy = &d;
  std::optional<Shape> t = ctx.typeExpr(*d.value);
  if (t && !t->isScalar()) {
    // A one-element vector (a slice w[1:2], a matmul with one row) is the
    // common slip; say how to get the scalar out of it.
    const char *hint = t->rank() == 1 && t->numel() == 1
                           ? "index it with [0] or reduce it with sum(...)"
                           : "reduce it with sum(...), mean(...) or dot(...)";
    ctx.error(d.value->loc,
              fmt::format("an energy must be a scalar, got {} ({})", t->str(),
                          hint));
  }
}

void DeclChecker::checkVectorField(ValueDecl &d) {
  if (cm.vectorField) {
    ctx.error(d.loc, fmt::format("model '{}' already has a vectorfield '{}'",
                                 cm.name, cm.vectorField->name));
    return;
  }
  if (cm.energy || cm.structureDecl) {
    ctx.error(d.loc, fmt::format("model '{}' cannot have both {} and a "
                                 "vectorfield",
                                 cm.name,
                                 cm.energy ? "an energy" : "a structure"));
    return;
  }
  cm.vectorField = &d;
  std::optional<Shape> t = ctx.typeExpr(*d.value);
  if (!t)
    return;
  // The value is du/dt: the state's size, as a vector or in the shape of
  // the only state.
  bool ok = (t->rank() == 1 && (*t)[0] == cm.stateSize) ||
            (cm.states.size() == 1 && *t == cm.states[0].shape);
  if (!ok)
    ctx.error(d.value->loc,
              fmt::format("a vectorfield must have the state's size {}, "
                          "got {}",
                          cm.stateSize, t->str()));
}

void DeclChecker::checkModelLevel() {
  const Model &m = *cm.model;
  if (m.decls.empty() || std::none_of(m.decls.begin(), m.decls.end(),
                                      [](const DeclPtr &d) {
                                        return d->kind == Decl::Kind::State;
                                      })) {
    ctx.error(m.nameLoc, fmt::format("model '{}' declares no state", m.name));
  }
  if (cm.vectorField) {
    cm.kind = ir::ModelIR::Kind::VectorField;
    return;
  }
  cm.kind = ir::ModelIR::Kind::Energy;
  if (!cm.energy && !cm.structureDecl)
    ctx.error(m.nameLoc, fmt::format("model '{}' has neither an energy nor a "
                                     "vectorfield",
                                     m.name));
  else if (!cm.structureDecl)
    ctx.error(cm.energy->loc,
              fmt::format("model '{}' has an energy but no structure",
                          m.name));
  else if (!cm.energy)
    ctx.error(cm.structureDecl->loc,
              fmt::format("model '{}' has a structure but no energy",
                          m.name));
}

bool DeclChecker::run() {
  cm.model = &ctx.model;
  cm.name = ctx.model.name;
  baseErrors = ctx.diags.errorCount();
  collectNames();
  checkDefines();
  std::vector<ValueDecl *> structures;
  for (size_t i = 0; i < ctx.model.decls.size(); ++i) {
    ctx.currentDecl = i;
    Decl &d = *ctx.model.decls[i];
    // A reserved or redefined name was reported; its declaration is not
    // checked (the symbol table points at the first one).
    if (d.kind != Decl::Kind::Claim) {
      const Symbol *s = cm.lookup(d.name);
      if (!s || s->decl != &d) {
        statesOk = statesOk && d.kind != Decl::Kind::State;
        continue;
      }
    }
    switch (d.kind) {
    case Decl::Kind::Const:
      checkConst(*cast<ValueDecl>(&d));
      break;
    case Decl::Kind::Grid:
      checkGrid(*cast<ValueDecl>(&d));
      break;
    case Decl::Kind::State:
      checkState(*cast<StateDecl>(&d));
      break;
    case Decl::Kind::Param:
      checkParam(*cast<ParamDecl>(&d));
      break;
    case Decl::Kind::Net:
      ctx.checkNet(*cast<ValueDecl>(&d), d.name);
      break;
    case Decl::Kind::Let: {
      // A let whose value has an error keeps index -1, so that its uses
      // are not reported again.
      auto *v = cast<ValueDecl>(&d);
      if (!ctx.typeExpr(*v->value))
        break;
      cm.symbols.at(d.name).index = static_cast<int>(cm.lets.size());
      cm.lets.push_back(v);
      break;
    }
    case Decl::Kind::Energy:
      checkEnergy(*cast<ValueDecl>(&d));
      break;
    case Decl::Kind::Structure:
      if (cm.structureDecl) {
        ctx.error(d.loc, fmt::format("model '{}' already has a structure '{}'",
                                     cm.name, cm.structureDecl->name));
      } else if (cm.vectorField) {
        ctx.error(d.loc, fmt::format("model '{}' cannot have both a "
                                     "structure and a vectorfield",
                                     cm.name));
      } else {
        cm.structureDecl = cast<ValueDecl>(&d);
        structureIndex = i;
      }
      break;
    case Decl::Kind::VectorField:
      checkVectorField(*cast<ValueDecl>(&d));
      break;
    case Decl::Kind::Claim:
      claims.push_back(cast<ClaimDecl>(&d));
      break;
    }
  }
  checkModelLevel();
  // The structure depends on the whole state (S splits it in halves), so it
  // is interpreted once every state is known; names it uses must still be
  // declared before it.
  if (cm.structureDecl && cm.stateSize > 0 && statesOk) {
    ctx.currentDecl = structureIndex;
    auto *sd = const_cast<ValueDecl *>(cm.structureDecl);
    cm.structure = ctx.checkStructure(*sd->value);
  }
  // Claims need the derived laws: a structure that checked, or a
  // vectorfield (which proves nothing).
  if (cm.structure || cm.vectorField)
    ctx.checkClaims(claims);
  return ctx.diags.errorCount() == baseErrors;
}

} // namespace

std::unique_ptr<CheckedModel> checkModel(Model &model, const Defines &defines,
                                         DiagnosticEngine &diags,
                                         const LocalTile *local) {
  auto cm = std::make_unique<CheckedModel>();
  unsigned before = diags.errorCount();
  DeclChecker checker(model, defines, diags, *cm);
  checker.local = local;
  checker.run();
  if (diags.errorCount() != before)
    return nullptr;
  return cm;
}

} // namespace dgc
