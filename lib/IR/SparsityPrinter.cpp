//===- SparsityPrinter.cpp - What `dgc emit --stage=sparsity` prints ------===//
//
// Part of dgc. The sparsity facts of a model (IR/Sparsity.h), one block per
// Jacobian: its size, nonzeros per row, bandwidth, the stencil offsets when
// the pattern is one stencil at every grid point, the colours, and how the
// generated code computes it (or why it keeps the dense path).
//
//===----------------------------------------------------------------------===//
#include "IR/Printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace dgc::ir {

namespace {

std::string describe(const ModelIR &m, const SparseJacobian &s) {
  const JacobianPattern &p = s.pattern;
  std::string out = fmt::format("  {}: d{}/d{} of {}, {} x {}\n", s.base,
                                s.base == "newton" ? "F" : "(dudt)", p.wrt,
                                p.function, p.rows, p.cols);
  if (p.dense)
    return out + fmt::format("    dense: {}; the dense path is kept\n",
                             s.denseReason);
  int64_t lo = p.cols, hi = 0, band = 0;
  for (int64_t r = 0; r < p.rows; ++r) {
    int64_t a = p.rowPtr[static_cast<size_t>(r)],
            b = p.rowPtr[static_cast<size_t>(r) + 1];
    lo = std::min(lo, b - a);
    hi = std::max(hi, b - a);
    for (int64_t k = a; k < b; ++k)
      band = std::max(band, std::abs(p.colIdx[static_cast<size_t>(k)] - r));
  }
  if (p.rows == 0)
    lo = 0;
  out += fmt::format("    nnz {}, per row {:.2f} (min {}, max {}), "
                     "bandwidth {}{}\n",
                     p.nnz(), p.rows ? double(p.nnz()) / double(p.rows) : 0.0,
                     lo, hi, band, s.addDiagonal ? ", diagonal included" : "");
  if (s.stencil) {
    const StencilForm &f = s.form;
    std::string grid = f.dims == 1 ? fmt::format("{}", f.n[0])
                                   : fmt::format("{} x {}", f.n[0], f.n[1]);
    out += fmt::format("    stencil on a periodic grid of {} points, "
                       "offsets {}:\n",
                       grid, f.dims == 1 ? "dx" : "(dx, dy)");
    for (const StencilForm::Block &b : f.blocks) {
      std::string offs;
      for (const auto &o : b.offsets)
        offs += f.dims == 1 ? fmt::format(" {}", o[0])
                            : fmt::format(" ({}, {})", o[0], o[1]);
      out += fmt::format("      {} <- {}: {} offsets:{}\n",
                         m.states[static_cast<size_t>(b.rowVar)].name,
                         m.states[static_cast<size_t>(b.colVar)].name,
                         b.offsets.size(), offs);
    }
  } else {
    out += "    not one stencil at every point: pattern listed\n";
  }
  const Colouring &c = s.colouring;
  std::string how = "greedy";
  if (c.kind == Colouring::Kind::Product)
    how = s.form.dims == 1
              ? fmt::format("x mod {}", c.rule[0])
              : fmt::format("x mod {}, y mod {}", c.rule[0], c.rule[1]);
  else if (c.kind == Colouring::Kind::Linear)
    how = s.form.dims == 1
              ? fmt::format("{} x mod {}", c.rule[0], c.rule[2])
              : fmt::format("({} x + {} y) mod {}", c.rule[0], c.rule[1],
                            c.rule[2]);
  out += fmt::format("    colours {} ({})\n", c.colours, how);
  if (!s.denseReason.empty())
    return out + fmt::format("    dense path kept: {}\n", s.denseReason);
  int64_t calls = (c.colours + s.tile - 1) / s.tile;
  out += fmt::format("    {}_jacobian_sparse: {} call{} of {} ({} seed "
                     "column{} each)\n",
                     s.base, calls, calls == 1 ? "" : "s", s.jvp, s.tile,
                     s.tile == 1 ? "" : "s");
  return out;
}

} // namespace

std::string printSparsity(const ModelIR &m) {
  std::string out = fmt::format("model {}\n", m.name);
  if (m.sparseJacobians.empty())
    out += "  no Jacobian analysed\n";
  for (const SparseJacobian &s : m.sparseJacobians)
    out += describe(m, s);
  return out;
}

} // namespace dgc::ir
