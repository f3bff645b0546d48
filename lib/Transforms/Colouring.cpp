//===- Colouring.cpp - Seed vectors for compressed Jacobians --------------===//
//
// Part of dgc. Curtis-Powell-Reid: columns that share no row may share one
// seed vector, so one forward-mode product per colour recovers every entry
// of a Jacobian whose pattern is known (Sparsity.cpp). Two colourings are
// tried and the one with fewer colours kept:
//
// - for a stencil form, a colour that follows from the grid point by a rule
//   (so the emitted code builds it for any grid from a few numbers): the
//   product (field, x mod px, y mod py), which for a stencil of widths
//   wx, wy gives w colours in 1-D and wx * wy in 2-D when they divide the
//   grid, whatever its size; or the linear (field, (a x + b y) mod K), which
//   packs 2-D stencils tighter (the 5-point cross: 5 colours, not 9).
//   Candidates are checked on the stencil's clash differences (offsets of
//   two columns that share a row) and the winner on the whole pattern;
// - a greedy distance-2 colouring in natural column order, for any pattern.
// The rule is kept when it is no worse than greedy by more than one colour.
//
//===----------------------------------------------------------------------===//
#include "Transforms/Passes.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace dgc::transforms {

using namespace ir;

namespace {

/// Does `colour` give every column of each row a different colour?
bool valid(const JacobianPattern &p, const std::vector<int32_t> &colour,
           int64_t colours) {
  std::vector<int64_t> seen(static_cast<size_t>(colours), -1);
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t k = p.rowPtr[static_cast<size_t>(r)];
         k < p.rowPtr[static_cast<size_t>(r) + 1]; ++k) {
      int32_t c = colour[static_cast<size_t>(p.colIdx[static_cast<size_t>(k)])];
      if (seen[static_cast<size_t>(c)] == r)
        return false;
      seen[static_cast<size_t>(c)] = r;
    }
  return true;
}

Colouring greedy(const JacobianPattern &p) {
  // Rows of each column (the transpose).
  std::vector<int64_t> cptr(static_cast<size_t>(p.cols) + 1, 0);
  for (int32_t c : p.colIdx)
    ++cptr[static_cast<size_t>(c) + 1];
  for (int64_t j = 0; j < p.cols; ++j)
    cptr[static_cast<size_t>(j) + 1] += cptr[static_cast<size_t>(j)];
  std::vector<int64_t> rows(p.colIdx.size()), fill(cptr.begin(), cptr.end() - 1);
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t k = p.rowPtr[static_cast<size_t>(r)];
         k < p.rowPtr[static_cast<size_t>(r) + 1]; ++k)
      rows[static_cast<size_t>(fill[static_cast<size_t>(p.colIdx[static_cast<size_t>(k)])]++)] = r;

  Colouring c;
  c.colour.assign(static_cast<size_t>(p.cols), -1);
  std::vector<int64_t> forbidden; // colour -> last column that forbade it
  for (int64_t j = 0; j < p.cols; ++j) {
    for (int64_t a = cptr[static_cast<size_t>(j)]; a < cptr[static_cast<size_t>(j) + 1]; ++a) {
      int64_t r = rows[static_cast<size_t>(a)];
      for (int64_t k = p.rowPtr[static_cast<size_t>(r)];
           k < p.rowPtr[static_cast<size_t>(r) + 1]; ++k) {
        int32_t other = c.colour[static_cast<size_t>(p.colIdx[static_cast<size_t>(k)])];
        if (other >= 0)
          forbidden[static_cast<size_t>(other)] = j;
      }
    }
    int32_t pick = 0;
    while (pick < static_cast<int32_t>(forbidden.size()) &&
           forbidden[static_cast<size_t>(pick)] == j)
      ++pick;
    if (pick == static_cast<int32_t>(forbidden.size()))
      forbidden.push_back(-1);
    c.colour[static_cast<size_t>(j)] = pick;
  }
  c.colours = static_cast<int64_t>(forbidden.size());
  return c;
}

/// The colour of every column of a stencil form's state under `rule`.
std::vector<int32_t> ruleColours(const StencilForm &form, int64_t cols,
                                 Colouring::Kind kind, const int64_t rule[3]) {
  std::vector<int32_t> colour(static_cast<size_t>(cols));
  int64_t points = form.n[0] * form.n[1];
  for (size_t v = 0; v < form.varOffset.size(); ++v)
    for (int64_t pt = 0; pt < points; ++pt) {
      int64_t x = pt % form.n[0], y = pt / form.n[0], c;
      int64_t vi = static_cast<int64_t>(v);
      if (kind == Colouring::Kind::Product)
        c = (vi * rule[1] + y % rule[1]) * rule[0] + x % rule[0];
      else
        c = vi * rule[2] + (rule[0] * x + rule[1] * y) % rule[2];
      colour[static_cast<size_t>(form.varOffset[v] + pt)] = static_cast<int32_t>(c);
    }
  return colour;
}

/// Differences (dx, dy) between two columns of field b that share a row:
/// offsets o1 - o2 of one block (a, b), over every block into b, nonzero.
std::vector<std::array<int64_t, 2>> clashes(const StencilForm &form, int b) {
  std::vector<std::array<int64_t, 2>> d;
  for (const StencilForm::Block &blk : form.blocks)
    if (blk.colVar == b)
      for (const auto &o1 : blk.offsets)
        for (const auto &o2 : blk.offsets)
          if (o1 != o2)
            d.push_back({o1[0] - o2[0], o1[1] - o2[1]});
  std::sort(d.begin(), d.end());
  d.erase(std::unique(d.begin(), d.end()), d.end());
  return d;
}

int64_t wrapTo(int64_t d, int64_t n) { return ((d % n) + n) % n; }

/// Is colouring `kind` with `rule` proper on the torus: well defined (the
/// grid's extents are multiples of the periods) and no clash gets one
/// colour? Checked per field on its clash differences.
bool ruleValid(const StencilForm &form, Colouring::Kind kind,
               const int64_t rule[3],
               const std::vector<std::vector<std::array<int64_t, 2>>> &cl) {
  const int64_t nx = form.n[0], ny = form.n[1];
  if (kind == Colouring::Kind::Product) {
    if (nx % rule[0] != 0 || ny % rule[1] != 0)
      return false;
  } else if ((rule[0] * nx) % rule[2] != 0 || (rule[1] * ny) % rule[2] != 0) {
    return false;
  }
  for (const auto &diffs : cl)
    for (const auto &d : diffs) {
      int64_t dx = wrapTo(d[0], nx), dy = wrapTo(d[1], ny);
      if (dx == 0 && dy == 0)
        continue; // the same column: offsets that wrap onto each other
      bool same = kind == Colouring::Kind::Product
                      ? dx % rule[0] == 0 && dy % rule[1] == 0
                      : (rule[0] * dx + rule[1] * dy) % rule[2] == 0;
      if (same)
        return false;
    }
  return true;
}

/// The rule colouring of a stencil form with the fewest colours below
/// `limit`: products x mod px, y mod py (px, py from the stencil's widths
/// up), then linear (a x + b y) mod K for K from the stencil size up.
std::optional<Colouring> ruleColouring(const JacobianPattern &p,
                                       const StencilForm &form, int64_t limit) {
  int vars = static_cast<int>(form.varOffset.size());
  std::vector<std::vector<std::array<int64_t, 2>>> cl;
  size_t most = 1;
  for (int b = 0; b < vars; ++b)
    cl.push_back(clashes(form, b));
  for (const StencilForm::Block &blk : form.blocks)
    most = std::max(most, blk.offsets.size());
  Colouring::Kind bestKind = Colouring::Kind::Listed;
  int64_t best[3] = {0, 0, 0}, bestColours = limit;
  // Products.
  for (int64_t py = 1; py <= form.n[1]; ++py)
    for (int64_t px = 1; px <= form.n[0]; ++px) {
      if (vars * px * py >= bestColours)
        break;
      int64_t rule[3] = {px, py, 0};
      if (ruleValid(form, Colouring::Kind::Product, rule, cl)) {
        bestKind = Colouring::Kind::Product;
        std::copy(rule, rule + 3, best);
        bestColours = vars * px * py;
      }
    }
  // Linear, for K below the best so far (at least the largest row block).
  for (int64_t k = static_cast<int64_t>(most); vars * k < bestColours; ++k) {
    bool found = false;
    for (int64_t a = 1; a < k && !found; ++a)
      for (int64_t b = form.dims == 2 ? 1 : 0; b < (form.dims == 2 ? k : 1) && !found; ++b) {
        int64_t rule[3] = {a, b, k};
        if (ruleValid(form, Colouring::Kind::Linear, rule, cl)) {
          bestKind = Colouring::Kind::Linear;
          std::copy(rule, rule + 3, best);
          bestColours = vars * k;
          found = true;
        }
      }
    if (found)
      break;
  }
  if (bestKind == Colouring::Kind::Listed)
    return std::nullopt;
  Colouring c;
  c.kind = bestKind;
  std::copy(best, best + 3, c.rule);
  c.colours = bestColours;
  c.colour = ruleColours(form, p.cols, bestKind, best);
  if (!valid(p, c.colour, c.colours))
    return std::nullopt; // the pattern disagrees with its form: keep greedy
  return c;
}

} // namespace

Colouring colourColumns(const JacobianPattern &p, const StencilForm *form) {
  assert(!p.dense && "colouring a dense pattern");
  Colouring g = greedy(p);
  assert(valid(p, g.colour, g.colours) && "greedy colouring is invalid");
  if (!form)
    return g;
  std::optional<Colouring> r = ruleColouring(p, *form, g.colours + 1);
  return r ? std::move(*r) : g;
}

} // namespace dgc::transforms
