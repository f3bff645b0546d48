//===- Batch.cpp - A function of one sample as a function of a tile -------===//
//
// Part of dgc. batchFunction(f, tile) rewrites a function of one sample
// into the same function of `tile` samples at once, so that a matrix-vector
// product with a weight matrix becomes one GEMM over the tile and the
// parameter adjoints that reverseAD later derives from it are GEMMs that
// sum over the tile (instead of one outer product per sample).
//
// Layout: the tile is the LAST axis. A per-sample value of shape S becomes
// [S..., tile] (a scalar becomes [tile]), row-major, so sample b of a
// vector is column b. With the tile last, every rank-1 op of one sample
// (slice, pad, concat of the state's halves) is the same op on contiguous
// runs of `tile` elements, and a stencil along a grid axis keeps its axis;
// no op had to be added to the IR. Parameters and constants keep their
// shapes; "batched" values are those that depend on a non-parameter input.
//
//   per sample                 tiled
//   W x          (W a param)   matmul(W, X)                 [m, tile]
//   x + b        (b a param)   X + expand(b, tile)
//   s * x        (s batched)   spread(s) * X, spread(s) = ones[N,1] s[1,tile]
//   sum(x)                     matmul(X[N, tile], ones[N], transA)  [tile]
//   x[i:j], pad, concat        the same on [N*tile] with bounds times tile
//
//   conv(K, x)  (K a param)    conv(K, X) with X [i, n, tile]: the kernel
//                              slides along n for every tile column
//
// Ops that would need a batch axis in another place (expand/sumlast of a
// batched value, a matmul with a batched left operand or a transposed
// batched right operand, convw of a batched value) make the pass give up:
// it returns nothing and callers keep the per-sample function.
//
//===----------------------------------------------------------------------===//
#include "IR/Builder.h"
#include "Transforms/Passes.h"

#include <algorithm>
#include <cassert>

namespace dgc::transforms {

using namespace ir;

namespace {

/// Values that depend on a non-parameter input (one named in `only`, if
/// given).
std::vector<bool> sampleDependent(const Function &f,
                                  const std::vector<std::string> *only = nullptr) {
  std::vector<bool> dep(f.ops.size(), false);
  for (size_t i = 0; i < f.ops.size(); ++i) {
    const Op &op = f.ops[i];
    if (op.kind == OpKind::Input)
      dep[i] = !op.param &&
               (!only || std::find(only->begin(), only->end(), op.name) !=
                             only->end());
    for (ValueId o : op.operands)
      if (dep[static_cast<size_t>(o)])
        dep[i] = true;
  }
  return dep;
}

class Batcher {
public:
  Batcher(const Function &f, int64_t tile,
          const std::vector<std::string> *only = nullptr)
      : f(f), tile(tile), b(g), dep(sampleDependent(f, only)),
        map(f.ops.size(), -1) {
    g.name = f.name;
  }

  std::optional<Function> run() {
    for (size_t i = 0; i < f.ops.size(); ++i) {
      b.setLoc(f.ops[i].loc);
      ValueId v = batchOp(static_cast<ValueId>(i));
      if (v < 0)
        return std::nullopt;
      map[i] = v;
    }
    g.inputs.clear(); // in f's signature order, not in op order
    for (ValueId in : f.inputs)
      g.inputs.push_back(map[static_cast<size_t>(in)]);
    for (ValueId r : f.results)
      g.results.push_back(batched(r));
    g.resultNames = f.resultNames;
    return std::move(g);
  }

private:
  const Function &f;
  int64_t tile;
  Function g;
  Builder b;
  std::vector<bool> dep;
  std::vector<ValueId> map;

  bool isBatched(ValueId v) const { return dep[static_cast<size_t>(v)]; }
  ValueId get(ValueId v) const { return map[static_cast<size_t>(v)]; }
  /// The per-sample type of an original value.
  const Shape &sampleType(ValueId v) const { return f.type(v); }

  Shape tiled(const Shape &s) const {
    std::vector<int64_t> d;
    for (int i = 0; i < s.rank(); ++i)
      d.push_back(s[i]);
    d.push_back(tile);
    return Shape(std::move(d));
  }

  /// A tiled value as rank 1 ([N * tile]).
  ValueId flat(ValueId t) {
    const Shape &s = b.type(t);
    return s.rank() == 1 ? t : b.reshape(t, Shape{s.numel()});
  }

  /// A batched scalar s [tile] spread over per-sample shape `s`: every
  /// element of sample b is s[b].
  ValueId spread(ValueId sc, const Shape &s) {
    if (s.isScalar())
      return sc;
    ValueId ones = b.constant(1.0, Shape{s.numel(), 1});
    ValueId m = b.matmul(ones, b.reshape(sc, Shape{1, tile}));
    return b.reshape(m, tiled(s));
  }

  /// Original value `v` in tiled form: batched values as they are,
  /// unbatched ones repeated for every sample.
  ValueId batched(ValueId v) {
    ValueId t = get(v);
    if (isBatched(v))
      return t;
    const Shape &s = sampleType(v);
    if (s.isScalar())
      return b.broadcast(t, Shape{tile});
    ValueId e = b.expand(s.rank() == 1 ? t : b.reshape(t, Shape{s.numel()}),
                         tile);
    return s.rank() == 1 ? e : b.reshape(e, tiled(s));
  }

  /// Operand `o` of an element-wise op whose per-sample result is `s`.
  ValueId elementwiseOperand(ValueId o, const Shape &s) {
    if (!isBatched(o))
      return sampleType(o).isScalar() ? get(o) : batched(o);
    if (sampleType(o).isScalar() && !s.isScalar())
      return spread(get(o), s);
    return get(o);
  }

  ValueId copy(const Op &op) {
    Op c = op;
    for (ValueId &o : c.operands)
      o = get(o);
    return b.append(std::move(c));
  }

  ValueId batchOp(ValueId v) {
    const Op &op = f.op(v);
    bool any = false;
    for (ValueId o : op.operands)
      any = any || isBatched(o);
    if (op.kind == OpKind::Input)
      return op.param     ? b.input(op.name, op.type, true)
             : isBatched(v) ? b.input(op.name, tiled(op.type))
                            : b.input(op.name, op.type);
    if (!any)
      return copy(op);
    const Shape &s = op.type;
    auto e = [&](size_t i) { return elementwiseOperand(op.operands[i], s); };
    switch (op.kind) {
    case OpKind::Add: return b.add(e(0), e(1));
    case OpKind::Sub: return b.sub(e(0), e(1));
    case OpKind::Mul: return b.mul(e(0), e(1));
    case OpKind::Neg: return b.neg(e(0));
    case OpKind::Map: return b.map(op.fn, e(0), op.order, op.k);
    case OpKind::DivDiff:
      return b.divdiff(op.fn, e(0), e(1), op.order, op.k);
    case OpKind::Broadcast: return spread(get(op.operands[0]), s);
    case OpKind::Reshape: return b.reshape(get(op.operands[0]), tiled(s));
    case OpKind::Sum: {
      const Shape &in = sampleType(op.operands[0]);
      if (in.isScalar())
        return get(op.operands[0]);
      ValueId x = b.reshape(get(op.operands[0]), Shape{in.numel(), tile});
      return b.matmul(x, b.constant(1.0, Shape{in.numel()}), true);
    }
    case OpKind::Slice: {
      ValueId x = flat(get(op.operands[0]));
      ValueId y = b.slice(x, op.ints[0] * tile, op.ints[1] * tile);
      return b.reshape(y, tiled(s));
    }
    case OpKind::Pad: {
      ValueId x = flat(get(op.operands[0]));
      return b.reshape(b.pad(x, op.ints[0] * tile, s[0] * tile), tiled(s));
    }
    case OpKind::Concat: {
      std::vector<ValueId> pieces;
      for (ValueId o : op.operands)
        pieces.push_back(flat(batched(o)));
      return b.reshape(b.concat(pieces), tiled(s));
    }
    case OpKind::MatMul: {
      ValueId a = op.operands[0], x = op.operands[1];
      if (isBatched(a) || op.ints[1])
        return -1;
      const Shape &xs = sampleType(x);
      bool transA = op.ints[0] != 0;
      if (xs.rank() == 1)
        return b.matmul(get(a), get(x), transA);
      ValueId x2 = b.reshape(get(x), Shape{xs[0], xs[1] * tile});
      return b.reshape(b.matmul(get(a), x2, transA), tiled(s));
    }
    case OpKind::Stencil: {
      std::vector<int64_t> offsets(op.ints.begin() + 1, op.ints.end());
      return b.stencil(get(op.operands[0]), static_cast<int>(op.ints[0]),
                       offsets, op.reals);
    }
    // A conv slides along the grid axis (axis 1) independently for every
    // trailing index, so the tile axis rides along: one GEMM per tap over
    // the whole tile. The kernel must be a parameter or constant.
    case OpKind::Conv:
      if (isBatched(op.operands[0]))
        return -1;
      return b.conv(get(op.operands[0]), get(op.operands[1]));
    case OpKind::ConvT:
      if (isBatched(op.operands[0]))
        return -1;
      return b.convT(get(op.operands[0]), get(op.operands[1]));
    case OpKind::ConvW: // sums over the tile: a per-tile adjoint
      return -1;
    case OpKind::Expand:
    case OpKind::SumLast:
      return -1;
    case OpKind::Input:
    case OpKind::Const:
      break;
    }
    assert(false && "input or constant with a batched operand");
    return -1;
  }
};

} // namespace

std::optional<Function> batchFunction(const Function &f, int64_t tile) {
  assert(tile >= 1);
  return Batcher(f, tile).run();
}

std::optional<Function> batchFunction(const Function &f, int64_t tile,
                                      const std::vector<std::string> &only) {
  assert(tile >= 1);
  return Batcher(f, tile, &only).run();
}

int64_t chooseTile(const Function &f) {
  std::vector<bool> dep = sampleDependent(f);
  int64_t widest = 1;
  for (size_t i = 0; i < f.ops.size(); ++i)
    if (dep[i])
      widest = std::max(widest, f.ops[i].type.numel());
  // Keep a tiled value within 32 Ki elements (256 KiB in double), so that
  // a tile's element-wise loops stay in the caches; at most 256 samples.
  // (The paper's KdV net, 200 channels x 50 points per pair, then stays
  // per pair: measured, a tile of 8 made its element-wise loops memory
  // bound and the step no faster; its convolutions are GEMMs already.)
  int64_t tile = 1;
  while (tile * 2 <= 256 && tile * 2 * widest <= 32768)
    tile *= 2;
  return tile;
}

} // namespace dgc::transforms
