//===- LocalModel.cpp - The local-tile form of a model for MPI runs -------===//
//
// Part of dgc. The checks: the model's kind and state; an energy that is
// not an affine combination of grid sums (EnergyDensity.cpp says where);
// then the Newton Jacobian's stencil form from the sparsity pass, which
// decides locality (a refusal points at the matrix product across the
// grid's points that likely caused it: an mlp over the whole state, a
// learned dense matrix over a field) and whose widest offset is the ghost
// width. The tile itself is the same source checked again by
// Sema in halo mode (Sema.h LocalTile), so every shape, constant and net
// follows from the language's own rules; `x.n`, `mean` and dx keep the
// whole grid's values.
//
//===----------------------------------------------------------------------===//
#include "LocalModel.h"

#include "UserError.h"

#include "Lower/Lower.h"
#include "Sema/CheckedModel.h"
#include "Transforms/Passes.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace dgc::driver {

namespace {

/// The largest tile side: a tile's ghost layer costs 2 halo / kMaxTile of
/// its work per axis, and its workspace grows with its area.
constexpr int64_t kMaxTile = 64;

const Decl *findDecl(const Model &ast, Decl::Kind kind,
                     const std::string &name = "") {
  for (const DeclPtr &d : ast.decls)
    if (d->kind == kind && (name.empty() || d->name == name))
      return d.get();
  return nullptr;
}

bool dependsOnState(const ir::Function &f, ir::ValueId v,
                    std::vector<int> &memo) {
  int &m = memo[static_cast<size_t>(v)];
  if (m >= 0)
    return m;
  const ir::Op &op = f.op(v);
  bool d = op.kind == ir::OpKind::Input && !op.param;
  for (ir::ValueId o : op.operands)
    d = d || dependsOnState(f, o, memo);
  m = d;
  return d;
}

/// A matrix product whose state-dependent operand is contracted over an
/// axis as long as the grid's points (or a multiple): it couples every
/// point to every other. Returns the op, or nullptr.
const ir::Op *findDenseProduct(const ir::Function &f, int64_t points) {
  std::vector<int> memo(f.ops.size(), -1);
  for (size_t i = 0; i < f.ops.size(); ++i) {
    const ir::Op &op = f.ops[i];
    if (op.kind != ir::OpKind::MatMul)
      continue;
    const Shape &a = f.type(op.operands[0]);
    int64_t k = op.ints[0] ? a[0] : a[1];
    if (k >= points && k % points == 0 &&
        (dependsOnState(f, op.operands[0], memo) ||
         dependsOnState(f, op.operands[1], memo)))
      return &op;
  }
  return nullptr;
}

} // namespace

bool parseLocalTile(const std::string &text, LocalTileRequest &out) {
  std::array<int64_t, 2> t = {0, 1};
  size_t x = text.find('x');
  auto parse = [](const std::string &s, int64_t &v) {
    char *end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n < 1 || n > (1 << 20))
      return false;
    v = n;
    return true;
  };
  bool ok = x == std::string::npos
                ? parse(text, t[0]) && ((t[1] = t[0]), true)
                : parse(text.substr(0, x), t[0]) &&
                      parse(text.substr(x + 1), t[1]);
  if (!ok) {
    userError("--local-tile: '" + text +
              "' is not T or TXxTY with positive integers");
    return false;
  }
  out.tile = t;
  return true;
}

bool addLocalModel(Model &ast, const Defines &defines, ir::ModelIR &mir,
                   const LocalTileRequest &req, const SourceManager &sm,
                   DiagnosticEngine &diags) {
  auto refuse = [&](SourceLoc loc, const std::string &why) {
    diags.error(loc, fmt::format("model '{}' cannot be split by grid points "
                                 "for a distributed run: {}",
                                 mir.name, why));
    return false;
  };
  if (mir.kind == ir::ModelIR::Kind::VectorField)
    return refuse(ast.nameLoc, "it is a vector field; distributed runs step "
                               "energy models (du/dt = G grad H)");
  if (mir.grids.empty())
    return refuse(ast.nameLoc, "it has no grid (an ODE model runs on one "
                               "rank: use the serial backend)");
  for (const ir::StateVar &s : mir.states)
    if (s.grid != 0) {
      const Decl *d = findDecl(ast, Decl::Kind::State, s.name);
      return refuse(d ? d->loc : ast.nameLoc,
                    fmt::format("state '{}' is not a field on grid '{}'",
                                s.name, mir.grids[0].name));
    }
  const ir::GridInfo &g = mir.grids[0];
  const int64_t points = g.n[0] * g.n[1];
  std::string why;
  SourceLoc where;
  Shape shape = g.dims == 1 ? Shape{g.n[0]} : Shape{g.n[1], g.n[0]};
  if (!transforms::energyDensity(*mir.find("energy"), shape,
                                 static_cast<double>(points), why, where))
    return refuse(where, "the energy is not a sum over the grid's points "
                         "(" + why + ")");
  const Decl *energyDecl = findDecl(ast, Decl::Kind::Energy);
  const ir::SparseJacobian *sj = mir.findSparseJacobian("newton");
  if (!sj || !sj->stencil) {
    // The sparsity pass decides; a matrix product contracting as many
    // values as the grid has points is the likely culprit to point at.
    for (const char *fn : {"energy", "structure"})
      if (const ir::Op *op = findDenseProduct(*mir.find(fn), points))
        return refuse(op->loc, "a matrix product across the grid's points "
                               "(an mlp over the whole state or a dense "
                               "matrix over a field) couples every point "
                               "to every other");
    return refuse(energyDecl ? energyDecl->loc : ast.nameLoc,
                  "its Newton Jacobian is not the same stencil at every "
                  "point");
  }

  int64_t halo = 0;
  for (const ir::StencilForm::Block &b : sj->form.blocks)
    for (const std::array<int64_t, 2> &o : b.offsets)
      halo = std::max({halo, std::abs(o[0]), std::abs(o[1])});
  LocalTile lt;
  lt.halo = std::max<int64_t>(halo, 1);
  for (int axis = 0; axis < 2; ++axis) {
    if (axis >= g.dims) {
      lt.tile[axis] = 1;
      continue;
    }
    int64_t t = req.ranks > 0 ? std::min(kMaxTile, g.n[axis] / req.ranks)
                              : std::min(req.tile[axis], g.n[axis]);
    if (t < 1 || (req.ranks > 0 && g.n[axis] / req.ranks < lt.halo)) {
      diags.error(ast.nameLoc,
                  fmt::format("grid '{}' has {} points along {}: too few "
                              "for {} ranks with a ghost layer of {}",
                              g.name, g.n[axis], axis == 0 ? "x" : "y",
                              req.ranks, lt.halo));
      return false;
    }
    lt.tile[axis] = t;
  }

  // The same source on the tile; its errors (a parameter shaped like the
  // grid meeting a field of the tile's shape) are restated as this
  // refusal at their location.
  FILE *devnull = std::fopen("/dev/null", "w");
  DiagnosticEngine quiet(sm, devnull ? devnull : stderr);
  std::unique_ptr<CheckedModel> cm = checkModel(ast, defines, quiet, &lt);
  if (devnull)
    std::fclose(devnull);
  if (!cm)
    return refuse(quiet.firstErrorLoc(),
                  "on a local tile, " + quiet.firstErrorMessage());
  ir::ModelIR local = lowerModel(*cm);
  local.laws = mir.laws;
  if (local.paramCount != mir.paramCount)
    return refuse(ast.nameLoc, "its parameters depend on the grid's size");
  if (!transforms::deriveLocalModel(local, why, where))
    return refuse(where, "the energy is not a sum over the grid's points "
                         "(" + why + ")");
  mir.local = std::make_shared<const ir::ModelIR>(std::move(local));
  return true;
}

} // namespace dgc::driver
