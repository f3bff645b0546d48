//===- EmitLocal.cpp - The local-tile kernels of a model ------------------===//
//
// Part of dgc. For a model compiled with a local tile (ModelIR::local, see
// dgc/LocalModel.h), the model's namespace gets
//
//   namespace local {
//     inline constexpr int dims;                       // 1 or 2
//     inline constexpr std::int64_t halo, fields;      // ghost width, fields
//     inline constexpr std::array<std::int64_t, 2> tile, ghosted, global;
//     inline constexpr std::int64_t state_size;        // fields * ghosted
//     template <class T> struct Workspace;
//     energy_density, grad, time_derivative, newton_residual, ...
//     newton_jacobian_sparse and its pattern (EmitSparse.cpp)
//   }
//
// Every array is one tile with its ghost layer, in the model's own layout
// (field by field, x fastest). The functions are the ordinary emitter's
// output for the tile's IR, whose stencils and convolutions read the ghost
// layer instead of wrapping (EmitFunction.cpp, `wrap`): their results are
// exact at the tile's interior points and are to be ignored within `halo`
// of its edge.
//
//===----------------------------------------------------------------------===//
#include "CodeGen/EmitSupport.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace dgc::codegen {

namespace {

/// `local::Kernels`: the tile as a type for the PETSc runtime
/// (runtime/petsc), as `Model` is the whole grid for the serial one.
void emitKernelsStruct(Printer &out, const ir::ModelIR &m) {
  out.line("/// The tile's kernels as a type for generic code (runtime/petsc).");
  out.line("struct Kernels {{");
  {
    Printer::Indent in(out);
    for (const char *c : {"dims", "halo", "fields", "tile", "ghosted",
                          "global", "state_size"})
      out.line("static constexpr auto {0} = local::{0};", c);
    out.line("template <class T> using WorkspaceT = Workspace<T>;");
    out.line("template <class T> static void newton_residual(const Params<T>& "
             "p, const T* u, const T* v, const T* dt, T* F, Workspace<T>& ws) "
             "{{ local::newton_residual(p, u, v, dt, F, ws); }}");
    out.line("template <class T> static void time_derivative(const Params<T>& "
             "p, const T* u, T* dudt, Workspace<T>& ws) {{ "
             "local::time_derivative(p, u, dudt, ws); }}");
    out.line("template <class T> static void energy_density(const Params<T>& "
             "p, const T* u, T* density, Workspace<T>& ws) {{ "
             "local::energy_density(p, u, density, ws); }}");
    bool sparse = m.findSparseJacobian("newton") != nullptr;
    out.line("static constexpr bool has_newton_jacobian = {};", sparse);
    if (sparse) {
      out.line("static const dgc_rt::SparsePattern& newton_jacobian_pattern() "
               "{{ return local::newton_jacobian_pattern_data(); }}");
      out.line("static constexpr std::int64_t newton_jacobian_nnz = "
               "local::newton_jacobian_nnz;");
      out.line("template <class T> static void newton_jacobian_sparse(const "
               "Params<T>& p, const T* u, const T* v, const T* dt, T* values, "
               "Workspace<T>& ws) {{ local::newton_jacobian_sparse(p, u, v, "
               "dt, values, ws); }}");
    }
  }
  out.line("}};");
  out.blank();
}

} // namespace

void emitLocalNamespace(Printer &out, const ir::ModelIR &global) {
  const ir::ModelIR &m = *global.local;
  const ir::GridInfo &g = m.grids[0];
  NameGen names;
  for (const char *n :
       {"T", "p", "ws", "i", "b", "batch", "r0", "buf", "Params", "Workspace",
        "dims", "halo", "fields", "tile", "ghosted", "global", "state_size",
        "workspace_size", "J", "col", "j", "e", "Kernels"})
    names.reserve(n);
  for (const ir::Function &f : m.functions) {
    names.reserve(f.name);
    names.reserve(f.name + "_batch");
  }
  Printer body;
  int64_t ws = 0;
  std::map<std::string, int64_t> wsOf;
  for (const ir::Function &f : m.functions) {
    if (isTileFunction(f))
      continue;
    // No training functions on a tile: the numerics option does not apply.
    wsOf[f.name] = emitFunction(body, m, f, names, DgNumerics::Exact);
    ws = std::max(ws, wsOf[f.name]);
  }
  for (const ir::SparseJacobian &sj : m.sparseJacobians)
    if (sj.denseReason.empty())
      ws = std::max(ws, emitSparseJacobian(body, m, sj, wsOf[sj.jvp]));

  out.line("/// The model on one tile of the grid plus `halo` ghost points on "
           "each side, for distributed runs (lib/CodeGen/README.md, \"Local "
           "kernels\"): results are exact at the tile's interior points.");
  out.line("namespace local {{");
  out.blank();
  out.line("inline constexpr int dims = {};", g.dims);
  out.line("inline constexpr std::int64_t halo = {};", g.halo);
  out.line("inline constexpr std::int64_t fields = {};", m.states.size());
  out.line("/// Interior points per axis (x, y), the same plus the ghost "
           "layer, and the whole grid's points.");
  out.line("inline constexpr std::array<std::int64_t, 2> tile = {{{}, {}}};",
           g.n[0] - 2 * g.halo, g.dims == 2 ? g.n[1] - 2 * g.halo : 1);
  out.line("inline constexpr std::array<std::int64_t, 2> ghosted = "
           "{{{}, {}}};",
           g.n[0], g.n[1]);
  out.line("inline constexpr std::array<std::int64_t, 2> global = {{{}, {}}};",
           g.global[0], g.global[1]);
  out.line("inline constexpr std::int64_t state_size = {};", m.stateSize);
  out.line("inline constexpr std::int64_t workspace_size = {};", ws);
  out.blank();
  out.line("/// Scratch memory of the tile functions; one per thread.");
  out.line("template <class T> struct Workspace {{");
  out.line("  std::vector<T> buf = std::vector<T>(workspace_size > 0 ? "
           "workspace_size : 1);");
  out.line("}};");
  out.blank();
  out.raw(body.str());
  emitKernelsStruct(out, m);
  out.line("}} // namespace local");
  out.blank();
}

} // namespace dgc::codegen
