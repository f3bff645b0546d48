//===- Sparsity.cpp - Which outputs depend on which inputs ----------------===//
//
// Part of dgc. An analysis, not a rewrite: one front-to-back sweep computes,
// for every value, the set of elements of one input (the state `v` of
// newton_residual, `u` of time_derivative) each of its elements depends
// on. A value's dependencies are a set shared by all its elements
// (`global`: what a reduction or a scalar carries) plus a set per element
// (`local`, in CSR). The rules, one per op:
//
//   element-wise (add .. divdiff)  union of the operands' element sets
//   stencil along an axis          union over the offsets (periodic)
//   conv / convt                   union over channels and taps (periodic)
//   convw, sum, matmul, sumlast    the sets they sum over (rows / columns)
//   shape ops                      the same sets, moved
//
// so a periodic shift by k adds offset k, a conv of width w adds its taps,
// and a reduction feeding back couples everything. It is structural: the
// sets say what the IR lets an element depend on, whatever the values. A
// value whose per-element sets grow beyond a budget is treated as depending
// on their union everywhere (it is dense for any purpose here).
//
// stencilForm then recognises a pattern over a model's state that is one
// stencil at every grid point (fields on one periodic grid), which is what
// the emitter, the colouring and `dgc emit --stage=sparsity` describe.
//
//===----------------------------------------------------------------------===//
#include "Transforms/Passes.h"

#include <algorithm>
#include <cassert>
#include <map>

namespace dgc::transforms {

using namespace ir;

namespace {

using Set = std::vector<int32_t>; // sorted, unique

void normalise(Set &s) {
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
}

/// Dependencies of one value: `global` for every element, plus `local`
/// element sets in CSR (`ptr` empty: none).
struct Deps {
  bool active = false;
  Set global;
  std::vector<int64_t> ptr;
  std::vector<int32_t> idx;

  bool hasLocal() const { return !ptr.empty(); }
  int64_t elements() const {
    return ptr.empty() ? 0 : static_cast<int64_t>(ptr.size()) - 1;
  }
  void appendLocal(int64_t e, Set &out) const {
    if (ptr.empty())
      return;
    out.insert(out.end(), idx.begin() + ptr[static_cast<size_t>(e)],
               idx.begin() + ptr[static_cast<size_t>(e) + 1]);
  }
  /// Every element set and `global` joined.
  Set everything() const {
    Set s = global;
    s.insert(s.end(), idx.begin(), idx.end());
    normalise(s);
    return s;
  }
};

/// Per-element sets beyond this many entries in one value: treated as
/// their union everywhere (a value that wide is dense for our purposes).
constexpr int64_t kLocalBudget = 40'000'000;

/// Builds the local sets of a value element by element.
class LocalBuilder {
public:
  explicit LocalBuilder(Deps &d) : d(d) {
    d.ptr.assign(1, 0);
    d.idx.clear();
  }
  Set scratch;
  /// Closes element e's set from `scratch`.
  void close() {
    normalise(scratch);
    d.idx.insert(d.idx.end(), scratch.begin(), scratch.end());
    d.ptr.push_back(static_cast<int64_t>(d.idx.size()));
    scratch.clear();
  }
  /// Closes the next element's set as the union of `a` and `b`.
  void closeUnion(const Set &a, const Set &b) {
    scratch.insert(scratch.end(), a.begin(), a.end());
    scratch.insert(scratch.end(), b.begin(), b.end());
    close();
  }
  /// Drops empty local sets; folds oversized ones into `global`.
  void finish() {
    if (d.idx.empty()) {
      d.ptr.clear();
    } else if (static_cast<int64_t>(d.idx.size()) > kLocalBudget) {
      Set all = d.everything();
      d.global = std::move(all);
      d.ptr.clear();
      d.idx.clear();
    }
    d.active = d.hasLocal() || !d.global.empty();
  }

private:
  Deps &d;
};

void splitAxis(const Shape &s, int axis, int64_t &outer, int64_t &len,
               int64_t &inner) {
  outer = inner = 1;
  for (int i = 0; i < axis; ++i)
    outer *= s[i];
  len = s[axis];
  for (int i = axis + 1; i < s.rank(); ++i)
    inner *= s[i];
}

int64_t wrap(int64_t i, int64_t n) { return ((i % n) + n) % n; }

class Analysis {
public:
  explicit Analysis(const Function &f) : deps(f.ops.size()), f(f) {}

  std::vector<Deps> deps;

  void run(ValueId wrt, ValueId upTo) {
    std::vector<size_t> lastUse(f.ops.size(), 0);
    for (size_t i = 0; i < f.ops.size(); ++i)
      for (ValueId o : f.ops[i].operands)
        lastUse[static_cast<size_t>(o)] = i;
    for (ValueId r : f.results)
      lastUse[static_cast<size_t>(r)] = f.ops.size();
    Deps &w = deps[static_cast<size_t>(wrt)];
    w.active = true;
    int64_t n = f.type(wrt).numel();
    w.ptr.resize(static_cast<size_t>(n) + 1);
    w.idx.resize(static_cast<size_t>(n));
    for (int64_t e = 0; e <= n; ++e)
      w.ptr[static_cast<size_t>(e)] = e;
    for (int64_t e = 0; e < n; ++e)
      w.idx[static_cast<size_t>(e)] = static_cast<int32_t>(e);
    for (size_t i = 0; i <= static_cast<size_t>(upTo); ++i) {
      const Op &op = f.ops[i];
      bool any = false;
      for (ValueId o : op.operands)
        any = any || at(o).active;
      if (any)
        visit(static_cast<ValueId>(i));
      // Free what no later op reads.
      for (ValueId o : op.operands)
        if (lastUse[static_cast<size_t>(o)] == i && o != wrt)
          deps[static_cast<size_t>(o)] = Deps();
    }
  }

private:
  const Function &f;

  const Deps &at(ValueId v) const { return deps[static_cast<size_t>(v)]; }

  /// The union of the globals of `ops` and of every element of scalar
  /// operands.
  Set globals(const std::vector<ValueId> &ops) const {
    Set g;
    for (ValueId o : ops) {
      const Deps &d = at(o);
      g.insert(g.end(), d.global.begin(), d.global.end());
      if (f.type(o).isScalar())
        g.insert(g.end(), d.idx.begin(), d.idx.end());
    }
    normalise(g);
    return g;
  }

  /// Every set of `d` over elements [e0, e1) folded into `out`.
  static void appendRange(const Deps &d, int64_t e0, int64_t e1, Set &out) {
    if (!d.hasLocal())
      return;
    out.insert(out.end(), d.idx.begin() + d.ptr[static_cast<size_t>(e0)],
               d.idx.begin() + d.ptr[static_cast<size_t>(e1)]);
  }

  /// Element-wise: element e of the result reads element e of every
  /// non-scalar operand.
  void elementwise(ValueId v) {
    const Op &op = f.op(v);
    Deps &d = deps[static_cast<size_t>(v)];
    d.global = globals(op.operands);
    int64_t n = op.type.numel();
    bool anyLocal = false;
    for (ValueId o : op.operands)
      anyLocal = anyLocal || (!f.type(o).isScalar() && at(o).hasLocal());
    if (!anyLocal || op.type.isScalar()) {
      if (op.type.isScalar())
        for (ValueId o : op.operands)
          d.global.insert(d.global.end(), at(o).idx.begin(), at(o).idx.end());
      normalise(d.global);
      d.active = !d.global.empty();
      return;
    }
    LocalBuilder lb(d);
    for (int64_t e = 0; e < n; ++e) {
      for (ValueId o : op.operands)
        if (!f.type(o).isScalar())
          at(o).appendLocal(e, lb.scratch);
      lb.close();
    }
    lb.finish();
  }

  /// The result depends on everything its operands depend on, everywhere.
  void reduceAll(ValueId v) {
    const Op &op = f.op(v);
    Deps &d = deps[static_cast<size_t>(v)];
    for (ValueId o : op.operands) {
      Set s = at(o).everything();
      d.global.insert(d.global.end(), s.begin(), s.end());
    }
    normalise(d.global);
    d.active = !d.global.empty();
  }

  /// Result element e reads operand `o` elements src(e) (a list).
  template <class Src> void gather(ValueId v, ValueId o, Src &&src) {
    Deps &d = deps[static_cast<size_t>(v)];
    d.global = at(o).global;
    int64_t n = f.type(v).numel();
    if (!at(o).hasLocal()) {
      d.active = !d.global.empty();
      return;
    }
    LocalBuilder lb(d);
    for (int64_t e = 0; e < n; ++e) {
      src(e, lb.scratch);
      lb.close();
    }
    lb.finish();
  }

  /// Sets of `d` reduced over groups: group g = union of element sets
  /// with index in [g * len, (g+1) * len).
  static std::vector<Set> groupUnions(const Deps &d, int64_t groups,
                                      int64_t len) {
    std::vector<Set> out(static_cast<size_t>(groups));
    for (int64_t g = 0; g < groups; ++g) {
      appendRange(d, g * len, (g + 1) * len, out[static_cast<size_t>(g)]);
      normalise(out[static_cast<size_t>(g)]);
    }
    return out;
  }

  void visit(ValueId v) {
    const Op &op = f.op(v);
    Deps &d = deps[static_cast<size_t>(v)];
    auto operand = [&](size_t i) { return op.operands[i]; };
    switch (op.kind) {
    case OpKind::Input:
    case OpKind::Const:
      return;
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Neg:
    case OpKind::Map:
    case OpKind::DivDiff:
    case OpKind::Reshape: // same elements in the same order
      elementwise(v);
      return;
    case OpKind::Broadcast:
    case OpKind::Sum:
      reduceAll(v);
      return;
    case OpKind::Expand: { // y[c, j] = a[c]
      int64_t m = op.type[1];
      gather(v, operand(0), [&](int64_t e, Set &s) {
        at(operand(0)).appendLocal(e / m, s);
      });
      return;
    }
    case OpKind::SumLast: { // y[c] = sum_j a[c, j]
      int64_t m = f.type(operand(0))[1];
      gather(v, operand(0), [&](int64_t e, Set &s) {
        appendRange(at(operand(0)), e * m, (e + 1) * m, s);
      });
      return;
    }
    case OpKind::Slice:
      gather(v, operand(0), [&](int64_t e, Set &s) {
        at(operand(0)).appendLocal(op.ints[0] + e, s);
      });
      return;
    case OpKind::Pad:      // y = 0 outside [off, off + len)
    case OpKind::Concat: { // y = [p0..., p1..., ...]
      // Each element takes its piece's sets (its global too: the zeros
      // of a pad and the other pieces of a concat do not depend on it).
      std::vector<std::pair<ValueId, int64_t>> where; // operand, element
      if (op.kind == OpKind::Pad) {
        where.assign(static_cast<size_t>(op.type.numel()), {-1, 0});
        for (int64_t e = 0; e < f.type(operand(0)).numel(); ++e)
          where[static_cast<size_t>(op.ints[0] + e)] = {operand(0), e};
      } else {
        for (ValueId o : op.operands)
          for (int64_t e = 0; e < f.type(o).numel(); ++e)
            where.push_back({o, e});
      }
      LocalBuilder lb(d);
      for (auto [o, e] : where) {
        if (o >= 0) {
          const Deps &src = at(o);
          lb.scratch.insert(lb.scratch.end(), src.global.begin(),
                            src.global.end());
          src.appendLocal(e, lb.scratch);
        }
        lb.close();
      }
      lb.finish();
      return;
    }
    case OpKind::MatMul: { // y[i, j] = sum_l A(i, l) B(l, j)
      // Structurally, y[i, j] depends on row i of A and column j of B.
      const Shape &ta = f.type(operand(0)), &tb = f.type(operand(1));
      bool tA = op.ints[0] != 0, tB = op.ints[1] != 0;
      int64_t m = tA ? ta[1] : ta[0], k = tA ? ta[0] : ta[1];
      int64_t cols = tb.rank() == 1 ? 1 : (tB ? tb[0] : tb[1]);
      const Deps &A = at(operand(0)), &B = at(operand(1));
      std::vector<Set> rowA(static_cast<size_t>(m)), colB(static_cast<size_t>(cols));
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t l = 0; l < k; ++l)
          A.appendLocal(tA ? l * ta[1] + i : i * ta[1] + l,
                        rowA[static_cast<size_t>(i)]);
        normalise(rowA[static_cast<size_t>(i)]);
      }
      for (int64_t j = 0; j < cols; ++j) {
        for (int64_t l = 0; l < k; ++l)
          B.appendLocal(tb.rank() == 1 ? l : tB ? j * tb[1] + l : l * tb[1] + j,
                        colB[static_cast<size_t>(j)]);
        normalise(colB[static_cast<size_t>(j)]);
      }
      d.global = globals(op.operands);
      LocalBuilder lb(d);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < cols; ++j)
          lb.closeUnion(rowA[static_cast<size_t>(i)], colB[static_cast<size_t>(j)]);
      lb.finish();
      return;
    }
    case OpKind::Conv:    // y[o,j,q] <- K[o,:,:], x[:, j + t - w/2, q]
    case OpKind::ConvT: { // x[i,p,q] <- K[:,i,:], z[:, p - t + w/2, q]
      bool fwd = op.kind == OpKind::Conv;
      const Shape &tk = f.type(operand(0));
      int64_t O = tk[0], I = tk[1], W = tk[2], N = op.type[1];
      int64_t outCh = fwd ? O : I, inCh = fwd ? I : O;
      int64_t Q = op.type.numel() / (outCh * N);
      const Deps &K = at(operand(0)), &X = at(operand(1));
      // Kernel sets per output channel.
      std::vector<Set> kset(static_cast<size_t>(outCh));
      for (int64_t c = 0; c < outCh; ++c) {
        for (int64_t other = 0; other < inCh; ++other)
          for (int64_t t = 0; t < W; ++t)
            K.appendLocal(fwd ? (c * I + other) * W + t : (other * I + c) * W + t,
                          kset[static_cast<size_t>(c)]);
        normalise(kset[static_cast<size_t>(c)]);
      }
      // Signal sets per (position, inner), the same for every output channel.
      std::vector<Set> xset(static_cast<size_t>(N * Q));
      if (X.hasLocal())
        for (int64_t j = 0; j < N; ++j)
          for (int64_t q = 0; q < Q; ++q) {
            Set &s = xset[static_cast<size_t>(j * Q + q)];
            for (int64_t c = 0; c < inCh; ++c)
              for (int64_t t = 0; t < W; ++t) {
                int64_t src = wrap(fwd ? j + t - W / 2 : j - t + W / 2, N);
                X.appendLocal((c * N + src) * Q + q, s);
              }
            normalise(s);
          }
      d.global = globals(op.operands);
      LocalBuilder lb(d);
      for (int64_t c = 0; c < outCh; ++c)
        for (int64_t jq = 0; jq < N * Q; ++jq)
          lb.closeUnion(kset[static_cast<size_t>(c)], xset[static_cast<size_t>(jq)]);
      lb.finish();
      return;
    }
    case OpKind::ConvW: { // K[o,i,t] <- z[o,:,:], x[i,:,:]
      const Shape &tz = f.type(operand(0)), &tx = f.type(operand(1));
      int64_t O = op.type[0], I = op.type[1], W = op.type[2];
      std::vector<Set> zs = groupUnions(at(operand(0)), O, tz.numel() / O);
      std::vector<Set> xs = groupUnions(at(operand(1)), I, tx.numel() / I);
      d.global = globals(op.operands);
      LocalBuilder lb(d);
      for (int64_t o = 0; o < O; ++o)
        for (int64_t i = 0; i < I; ++i)
          for (int64_t t = 0; t < W; ++t)
            lb.closeUnion(zs[static_cast<size_t>(o)], xs[static_cast<size_t>(i)]);
      lb.finish();
      return;
    }
    case OpKind::Stencil: {
      int64_t outer, len, inner;
      splitAxis(op.type, static_cast<int>(op.ints[0]), outer, len, inner);
      gather(v, operand(0), [&](int64_t e, Set &s) {
        int64_t o = e / (len * inner), j = (e / inner) % len, in = e % inner;
        for (size_t c = 1; c < op.ints.size(); ++c)
          at(operand(0)).appendLocal(
              (o * len + wrap(j + op.ints[c], len)) * inner + in, s);
      });
      return;
    }
    }
  }
};

} // namespace

JacobianPattern jacobianPattern(const Function &f, const std::string &wrt,
                                size_t result) {
  assert(result < f.results.size() && "jacobianPattern: no such result");
  ValueId in = f.findInputRef(wrt);
  assert(in >= 0 && "jacobianPattern: no such input");
  ValueId out = f.results[result];
  JacobianPattern p;
  p.function = f.name;
  p.wrt = wrt;
  p.rows = f.type(out).numel();
  p.cols = f.type(in).numel();
  Analysis a(f);
  a.run(in, std::max(out, in));
  const Deps &d = a.deps[static_cast<size_t>(out)];
  p.rowPtr.assign(1, 0);
  // Every row full (a reduction of the whole input fed back), or more
  // entries than we would list: dense.
  int64_t g = static_cast<int64_t>(d.global.size());
  if (p.rows > 0 && (g == p.cols || g > kLocalBudget / p.rows)) {
    p.dense = true;
    return p;
  }
  Set row;
  for (int64_t e = 0; e < p.rows; ++e) {
    row = d.global;
    if (d.hasLocal())
      d.appendLocal(e, row);
    normalise(row);
    p.colIdx.insert(p.colIdx.end(), row.begin(), row.end());
    p.rowPtr.push_back(static_cast<int64_t>(p.colIdx.size()));
  }
  return p;
}

void addDiagonal(JacobianPattern &p) {
  assert(p.rows == p.cols && "a diagonal needs a square pattern");
  if (p.dense)
    return;
  JacobianPattern q = p;
  q.colIdx.clear();
  q.rowPtr.assign(1, 0);
  for (int64_t r = 0; r < p.rows; ++r) {
    Set row(p.colIdx.begin() + p.rowPtr[static_cast<size_t>(r)],
            p.colIdx.begin() + p.rowPtr[static_cast<size_t>(r) + 1]);
    row.push_back(static_cast<int32_t>(r));
    normalise(row);
    q.colIdx.insert(q.colIdx.end(), row.begin(), row.end());
    q.rowPtr.push_back(static_cast<int64_t>(q.colIdx.size()));
  }
  p = std::move(q);
}

std::optional<StencilForm> stencilForm(const ModelIR &m,
                                       const JacobianPattern &p) {
  if (p.dense || p.rows != m.stateSize || p.cols != m.stateSize ||
      m.states.empty())
    return std::nullopt;
  // Every state variable a field on one grid.
  int grid = m.states[0].grid;
  if (grid < 0)
    return std::nullopt;
  for (const StateVar &s : m.states)
    if (s.grid != grid)
      return std::nullopt;
  const GridInfo &g = m.grids[static_cast<size_t>(grid)];
  StencilForm form;
  form.dims = g.dims;
  form.n[0] = g.n[0]; // x: the fastest (last) axis of [ny, nx]
  form.n[1] = g.dims == 2 ? g.n[1] : 1;
  int64_t points = form.n[0] * form.n[1];
  for (const StateVar &s : m.states)
    form.varOffset.push_back(s.offset);
  auto varOf = [&](int64_t i) {
    int v = 0;
    while (v + 1 < static_cast<int>(m.states.size()) &&
           i >= m.states[static_cast<size_t>(v) + 1].offset)
      ++v;
    return v;
  };
  // Offsets (dx, dy) wrapped to (-n/2, n/2], per (row var, col var).
  auto centred = [](int64_t d, int64_t n) {
    d = wrap(d, n);
    return d > n / 2 ? d - n : d;
  };
  std::map<std::pair<int, int>, std::vector<std::array<int64_t, 2>>> first;
  for (int a = 0; a < static_cast<int>(m.states.size()); ++a)
    for (int64_t pt = 0; pt < points; ++pt) {
      int64_t row = form.varOffset[static_cast<size_t>(a)] + pt;
      int64_t px = pt % form.n[0], py = pt / form.n[0];
      std::map<int, std::vector<std::array<int64_t, 2>>> here;
      for (int64_t k = p.rowPtr[static_cast<size_t>(row)];
           k < p.rowPtr[static_cast<size_t>(row) + 1]; ++k) {
        int64_t col = p.colIdx[static_cast<size_t>(k)];
        int b = varOf(col);
        int64_t q = col - form.varOffset[static_cast<size_t>(b)];
        here[b].push_back({centred(q % form.n[0] - px, form.n[0]),
                           centred(q / form.n[0] - py, form.n[1])});
      }
      for (auto &[b, offs] : here)
        std::sort(offs.begin(), offs.end());
      if (pt == 0) {
        for (auto &[b, offs] : here)
          first[{a, b}] = offs;
        continue;
      }
      // The same offsets at every point, for every column variable.
      size_t blocksOfA = 0;
      for (auto &[key, offs] : first)
        if (key.first == a)
          ++blocksOfA;
      if (here.size() != blocksOfA)
        return std::nullopt;
      for (auto &[b, offs] : here) {
        auto it = first.find({a, b});
        if (it == first.end() || it->second != offs)
          return std::nullopt;
      }
    }
  for (auto &[key, offs] : first) {
    StencilForm::Block blk;
    blk.rowVar = key.first;
    blk.colVar = key.second;
    blk.offsets = offs;
    form.blocks.push_back(std::move(blk));
  }
  return form;
}

} // namespace dgc::transforms
