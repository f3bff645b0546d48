//===- EmitSparse.cpp - Sparse Jacobians of a model -----------------------===//
//
// Part of dgc. For each Jacobian the pipeline provides in sparse form
// (IR/Sparsity.h), the header gets its pattern and a function filling the
// CSR values:
//
//   inline constexpr std::int64_t newton_jacobian_nnz, _colors, _tile;
//   const dgc_rt::SparsePattern& newton_jacobian_pattern_data();  // built once
//   void newton_jacobian_pattern(std::int32_t* row_ptr, std::int32_t* cols);
//   template <class T> void newton_jacobian_sparse(const Params<T>& p,
//       const T* u, const T* v, const T* dt, T* values, Workspace<T>& ws);
//
// A stencil form is emitted as its offsets (the pattern is built from them
// at first use, whatever the grid size); any other pattern is listed. The
// values come from the IR function `sj.jvp` (the JVP tiled over its seed
// input `w`): one call per `tile` colours, seed and compressed columns in
// the workspace after that function's own scratch. No entry is written by
// hand: the values are what forward AD of the IR computes.
//
//===----------------------------------------------------------------------===//
#include "CodeGen/EmitSupport.h"

#include <fmt/ranges.h>

#include <cassert>

namespace dgc::codegen {

namespace {

void emitPatternData(Printer &out, const ir::ModelIR &m,
                     const ir::SparseJacobian &sj) {
  const std::string base = sj.base + "_jacobian";
  const ir::JacobianPattern &p = sj.pattern;
  out.line("/// The pattern of `{}_sparse` and its column colours, built on "
           "first use.",
           base);
  out.line("inline const dgc_rt::SparsePattern& {}_pattern_data() {{", base);
  {
    Printer::Indent in(out);
    if (sj.stencil) {
      const ir::StencilForm &f = sj.form;
      std::vector<std::string> entries;
      for (const ir::StencilForm::Block &b : f.blocks)
        for (const auto &o : b.offsets)
          entries.push_back(fmt::format("{{{}, {}, {}, {}}}", b.rowVar,
                                        b.colVar, o[0], o[1]));
      out.line("static constexpr std::int64_t var_offsets[] = {{{}}};",
               fmt::join(f.varOffset, ", "));
      out.line("static constexpr dgc_rt::StencilEntry entries[] = {{{}}};",
               fmt::join(entries, ", "));
      const ir::Colouring &c = sj.colouring;
      bool listed = c.kind == ir::Colouring::Kind::Listed;
      if (listed)
        out.line("static constexpr std::int32_t colour[] = {{{}}};",
                 fmt::join(c.colour, ", "));
      out.line("static const dgc_rt::SparsePattern pattern = "
               "dgc_rt::stencilPattern({}, {}, {}, var_offsets, {}, entries, "
               "{}, {}, {{{}, {}, {}}}, {});",
               p.rows, f.n[0], f.n[1], f.varOffset.size(), entries.size(),
               c.kind == ir::Colouring::Kind::Product ? "true" : "false",
               c.rule[0], c.rule[1], c.rule[2], listed ? "colour" : "nullptr");
    } else {
      std::vector<int64_t> rowPtr(p.rowPtr.begin(), p.rowPtr.end());
      out.line("static constexpr std::int32_t row_ptr[] = {{{}}};",
               fmt::join(rowPtr, ", "));
      out.line("static constexpr std::int32_t cols[] = {{{}}};",
               fmt::join(p.colIdx, ", "));
      out.line("static constexpr std::int32_t colour[] = {{{}}};",
               fmt::join(sj.colouring.colour, ", "));
      out.line("static const dgc_rt::SparsePattern pattern = "
               "dgc_rt::listedPattern({}, row_ptr, cols, colour);",
               p.rows);
    }
    out.line("return pattern;");
  }
  out.line("}}");
  out.blank();
  (void)m;
}

} // namespace

int64_t emitSparseJacobian(Printer &out, const ir::ModelIR &m,
                           const ir::SparseJacobian &sj,
                           int64_t jvpWorkspace) {
  const std::string base = sj.base + "_jacobian";
  const ir::Function *jvp = m.find(sj.jvp);
  assert(jvp && "sparse Jacobian without its JVP");
  const ir::JacobianPattern &p = sj.pattern;
  out.line("/// `{}_sparse`: {} nonzeros, {} colours, {} per call of `{}`.",
           base, p.nnz(), sj.colouring.colours, sj.tile, sj.jvp);
  out.line("inline constexpr std::int64_t {}_nnz = {};", base, p.nnz());
  out.line("inline constexpr std::int64_t {}_colors = {};", base,
           sj.colouring.colours);
  out.line("inline constexpr std::int64_t {}_tile = {};", base, sj.tile);
  out.line("/// A stencil form's fields and periodic grid (nx, ny); all 0 "
           "when the pattern is not one stencil at every point.");
  if (sj.stencil)
    out.line("inline constexpr std::array<std::int64_t, 3> {}_grid = {{{}, {}, "
             "{}}};",
             base, sj.form.varOffset.size(), sj.form.n[0], sj.form.n[1]);
  else
    out.line("inline constexpr std::array<std::int64_t, 3> {}_grid = {{0, 0, "
             "0}};",
             base);
  out.blank();
  emitPatternData(out, m, sj);

  out.line("/// The CSR pattern of `{}_sparse`: row_ptr has state_size + 1 "
           "entries, cols {}_nnz (ascending in each row).",
           base, base);
  out.line("inline void {}_pattern(std::int32_t* row_ptr, std::int32_t* cols) "
           "{{",
           base);
  {
    Printer::Indent in(out);
    out.line("const dgc_rt::SparsePattern& pat = {}_pattern_data();", base);
    out.line("std::copy(pat.rowPtr.begin(), pat.rowPtr.end(), row_ptr);");
    out.line("std::copy(pat.cols.begin(), pat.cols.end(), cols);");
  }
  out.line("}}");
  out.blank();

  // The JVP's non-parameter inputs but its seed `w`, in order.
  std::string sig = "const Params<T>& p", call = sj.jvp + "(p";
  for (ir::ValueId v : jvp->inputs) {
    const ir::Op &in = jvp->op(v);
    if (in.param)
      continue;
    if (in.name == "w") {
      call += ", seed";
      continue;
    }
    sig += ", const T* " + NameGen::sanitize(in.name);
    call += ", " + NameGen::sanitize(in.name);
  }
  sig += ", T* values, Workspace<T>& ws";
  call += ", jw, ws);";
  int64_t n = p.cols, cells = n * sj.tile;
  out.line("/// The values of the {} x {} Jacobian in the order of "
           "`{}_pattern`, by compressed forward AD: `{}` on the seed "
           "columns of {} colours at a time.",
           p.rows, p.cols, base, sj.jvp, sj.tile);
  out.line("template <class T>");
  out.line("void {}_sparse({}) {{", base, sig);
  {
    Printer::Indent in(out);
    out.line("const dgc_rt::SparsePattern& pat = {}_pattern_data();", base);
    out.line("T* seed = ws.buf.data() + {};", jvpWorkspace);
    out.line("T* jw = seed + {};", cells);
    out.line("for (std::int64_t c0 = 0; c0 < {}; c0 += {}) {{",
             sj.colouring.colours, sj.tile);
    {
      Printer::Indent in2(out);
      out.line("dgc_rt::seedColours(pat, c0, {}, seed);", sj.tile);
      out.line("{}", call);
      out.line("dgc_rt::gatherColours(pat, c0, {}, jw, values);", sj.tile);
    }
    out.line("}}");
  }
  out.line("}}");
  out.blank();
  return jvpWorkspace + 2 * cells;
}

} // namespace dgc::codegen
