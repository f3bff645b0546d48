//===- Interpreter.cpp - Reference evaluator for the IR -------------------===//
//
// Part of dgc. Evaluates every op of Ops.def in double with plain loops; the
// oracle that the pass tests and the generated C++ are compared against. Each
// op's case states its semantics as a formula; the emitter must match them
// exactly (periodic indices, the divided-difference threshold rule, and the
// derivative tables of evalFn).
//
//===----------------------------------------------------------------------===//
#include "IR/Interpreter.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace dgc::ir {

namespace {

/// a mod n in [0, n) for any sign of a.
int64_t wrap(int64_t a, int64_t n) {
  int64_t r = a % n;
  return r < 0 ? r + n : r;
}

double sigmoid(double x) {
  if (x >= 0)
    return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

/// sigma^(n)(x) for n = 0..3, written in s = sigma(x).
double sigmoidDeriv(int n, double x) {
  double s = sigmoid(x), g = s * (1 - s);
  switch (n) {
  case 0: return s;                                        // s
  case 1: return g;                                        // s(1-s)
  case 2: return g * (1 - 2 * s);                          // s(1-s)(1-2s)
  case 3: return g * (1 - 6 * s + 6 * s * s);              // s(1-s)(1-6s+6s^2)
  case 4: return g * (1 - 2 * s) * (1 - 12 * s + 12 * s * s);
  }
  assert(false && "sigmoid derivative order out of range");
  return 0;
}

/// The length L(m) over which fn's derivatives change: |m| for log, sqrt
/// and 1/x (the distance to the singularity), |m| / k for x^k, 1 for the
/// entire functions (docs/discrete-gradient.md).
double divDiffScale(Fn fn, int k, double m) {
  switch (fn) {
  case Fn::Log:
  case Fn::Sqrt:
  case Fn::Recip:
    return std::fabs(m);
  case Fn::PowI:
    return std::fabs(m) / (k > 1 ? k : 1);
  default:
    return 1;
  }
}

/// The divided-difference switch (docs/discrete-gradient.md): the quotient
/// is used when |a - b| > thr * L(m) with thr = (48 eps)^(1/5), where
/// the rounding error of dq/da (eps / d^2) meets the truncation error of its
/// series (f^(5) d^3 / 480, |f^(5)| L^4 / |f'| ~ 10); about 1.6e-3 L in
/// double. The emitted code (CodeGen/Prologue.hpp) uses the same rule per
/// scalar type.
bool useQuotient(Fn fn, int k, double a, double b) {
  static const double thr =
      std::pow(48 * std::numeric_limits<double>::epsilon(), 0.2);
  double m = 0.5 * (a + b);
  return std::fabs(a - b) > thr * divDiffScale(fn, k, m);
}

/// relu and abs are linear on each side of 0: on one side q is the slope
/// there, across 0 the quotient is exact (|a - b| >= |a|, |b|). No series.
bool piecewiseLinear(Fn fn) { return fn == Fn::Relu || fn == Fn::Abs; }

/// Divided difference of fn and its derivatives in the two points.
///   order 0: q = (f(a) - f(b)) / d,  series f'(m) + f3(m) d^2 / 24
///   order 1: dq/da = (f'(a) - q) / d,
///            series f2(m)/2 + f3(m) d / 12 + f4(m) d^2 / 48
///   order 2: dq/db = (q - f'(b)) / d,
///            series f2(m)/2 - f3(m) d / 12 + f4(m) d^2 / 48
/// (fN is the N-th derivative.)
double divDiff(Fn fn, int order, int k, double a, double b) {
  double d = a - b, m = 0.5 * (a + b);
  if (piecewiseLinear(fn)) {
    bool sameSide = (a > 0) == (b > 0);
    double q = sameSide ? evalFn(fn, 1, k, a > 0 ? a : std::min(a, b))
                        : (evalFn(fn, 0, k, a) - evalFn(fn, 0, k, b)) / d;
    if (order == 0)
      return q;
    if (sameSide)
      return 0;
    return order == 1 ? (evalFn(fn, 1, k, a) - q) / d
                      : (q - evalFn(fn, 1, k, b)) / d;
  }
  bool quotient = useQuotient(fn, k, a, b);
  double q = quotient
                 ? (evalFn(fn, 0, k, a) - evalFn(fn, 0, k, b)) / d
                 : evalFn(fn, 1, k, m) + evalFn(fn, 3, k, m) * d * d / 24;
  double f4 = quotient ? 0 : evalFn(fn, 4, k, m) * d * d / 48;
  switch (order) {
  case 0:
    return q;
  case 1:
    return quotient ? (evalFn(fn, 1, k, a) - q) / d
                    : evalFn(fn, 2, k, m) / 2 + evalFn(fn, 3, k, m) * d / 12 + f4;
  case 2:
    return quotient ? (q - evalFn(fn, 1, k, b)) / d
                    : evalFn(fn, 2, k, m) / 2 - evalFn(fn, 3, k, m) * d / 12 + f4;
  }
  assert(false && "divdiff order must be 0, 1 or 2");
  return 0;
}

/// Row-major strides: the value is [outer, n, inner] around `axis`.
void splitAxis(const Shape &s, int axis, int64_t &outer, int64_t &n,
               int64_t &inner) {
  outer = 1;
  inner = 1;
  for (int i = 0; i < axis; ++i)
    outer *= s[i];
  n = s[axis];
  for (int i = axis + 1; i < s.rank(); ++i)
    inner *= s[i];
}

using Tensor = std::vector<double>;

/// Element i of an element-wise operand that is either full or a scalar.
double at(const Tensor &t, size_t i) { return t.size() == 1 ? t[0] : t[i]; }

Tensor evalOp(const Function &f, const Op &op, const std::vector<Tensor> &v) {
  size_t n = static_cast<size_t>(op.type.numel());
  Tensor y(n, 0.0);
  auto arg = [&](int i) -> const Tensor & {
    return v[static_cast<size_t>(op.operands[static_cast<size_t>(i)])];
  };
  auto argType = [&](int i) -> const Shape & {
    return f.type(op.operands[static_cast<size_t>(i)]);
  };
  switch (op.kind) {
  case OpKind::Input:
    assert(false && "inputs are bound before evaluation");
    break;
  case OpKind::Const: // y = real everywhere
    for (double &e : y)
      e = op.real;
    break;
  case OpKind::Add: // y = a + b (a scalar operand broadcasts)
    for (size_t i = 0; i < n; ++i)
      y[i] = at(arg(0), i) + at(arg(1), i);
    break;
  case OpKind::Sub: // y = a - b
    for (size_t i = 0; i < n; ++i)
      y[i] = at(arg(0), i) - at(arg(1), i);
    break;
  case OpKind::Mul: // y = a * b
    for (size_t i = 0; i < n; ++i)
      y[i] = at(arg(0), i) * at(arg(1), i);
    break;
  case OpKind::Neg: // y = -a
    for (size_t i = 0; i < n; ++i)
      y[i] = -arg(0)[i];
    break;
  case OpKind::Map: // y = fn^(order)(a)
    for (size_t i = 0; i < n; ++i)
      y[i] = evalFn(op.fn, op.order, op.k, arg(0)[i]);
    break;
  case OpKind::DivDiff: // y = q(a, b) or dq/da, dq/db
    for (size_t i = 0; i < n; ++i)
      y[i] = divDiff(op.fn, op.order, op.k, arg(0)[i], arg(1)[i]);
    break;
  case OpKind::Broadcast: // y[...] = a
    for (double &e : y)
      e = arg(0)[0];
    break;
  case OpKind::Expand: { // y[c, j] = a[c]
    int64_t c = op.type[0], m = op.type[1];
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < m; ++j)
        y[static_cast<size_t>(i * m + j)] = arg(0)[static_cast<size_t>(i)];
    break;
  }
  case OpKind::Sum: // y = sum_i a[i]
    for (double e : arg(0))
      y[0] += e;
    break;
  case OpKind::SumLast: { // y[c] = sum_j a[c, j]
    int64_t c = argType(0)[0], m = argType(0)[1];
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < m; ++j)
        y[static_cast<size_t>(i)] += arg(0)[static_cast<size_t>(i * m + j)];
    break;
  }
  case OpKind::Reshape: // same elements in row-major order
    y = arg(0);
    break;
  case OpKind::Slice: // y[i] = a[begin + i]
    for (size_t i = 0; i < n; ++i)
      y[i] = arg(0)[static_cast<size_t>(op.ints[0]) + i];
    break;
  case OpKind::Pad: // y = 0; y[offset + i] = a[i]
    for (size_t i = 0; i < arg(0).size(); ++i)
      y[static_cast<size_t>(op.ints[0]) + i] = arg(0)[i];
    break;
  case OpKind::Concat: { // y = [p0..., p1..., ...]
    size_t o = 0;
    for (size_t p = 0; p < op.operands.size(); ++p)
      for (double e : arg(static_cast<int>(p)))
        y[o++] = e;
    break;
  }
  case OpKind::MatMul: { // y = op(A) op(B), op = transpose when flagged
    const Shape &ta = argType(0), &tb = argType(1);
    bool tA = op.ints[0] != 0, tB = op.ints[1] != 0;
    int64_t m = tA ? ta[1] : ta[0], kk = tA ? ta[0] : ta[1];
    int64_t cols = tb.rank() == 1 ? 1 : (tB ? tb[0] : tb[1]);
    const Tensor &A = arg(0), &B = arg(1);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        double s = 0;
        for (int64_t l = 0; l < kk; ++l) {
          double aa = tA ? A[static_cast<size_t>(l * ta[1] + i)]
                         : A[static_cast<size_t>(i * ta[1] + l)];
          double bb = tb.rank() == 1 ? B[static_cast<size_t>(l)]
                      : tB           ? B[static_cast<size_t>(j * tb[1] + l)]
                                     : B[static_cast<size_t>(l * tb[1] + j)];
          s += aa * bb;
        }
        y[static_cast<size_t>(i * cols + j)] = s;
      }
    break;
  }
  // Convolutions: the signal is [channels, n, inner...]; the kernel slides
  // along n, periodically, independently for every inner index (the tile
  // of a tiled loss). Position (j, q) is element j * inner + q.
  case OpKind::Conv: { // y[o,j,q] = sum_i sum_t K[o,i,t] x[i, (j+t-w/2) mod n, q]
    const Shape &tk = argType(0);
    int64_t O = tk[0], I = tk[1], W = tk[2], N = op.type[1];
    int64_t Q = op.type.numel() / (O * N);
    const Tensor &K = arg(0), &x = arg(1);
    for (int64_t o = 0; o < O; ++o)
      for (int64_t j = 0; j < N; ++j)
        for (int64_t q = 0; q < Q; ++q) {
          double s = 0;
          for (int64_t i = 0; i < I; ++i)
            for (int64_t t = 0; t < W; ++t)
              s += K[static_cast<size_t>((o * I + i) * W + t)] *
                   x[static_cast<size_t>((i * N + wrap(j + t - W / 2, N)) * Q + q)];
          y[static_cast<size_t>((o * N + j) * Q + q)] = s;
        }
    break;
  }
  case OpKind::ConvT: { // x[i,p,q] = sum_o sum_t K[o,i,t] z[o, (p-t+w/2) mod n, q]
    const Shape &tk = argType(0);
    int64_t O = tk[0], I = tk[1], W = tk[2], N = op.type[1];
    int64_t Q = op.type.numel() / (I * N);
    const Tensor &K = arg(0), &z = arg(1);
    for (int64_t i = 0; i < I; ++i)
      for (int64_t p = 0; p < N; ++p)
        for (int64_t q = 0; q < Q; ++q) {
          double s = 0;
          for (int64_t o = 0; o < O; ++o)
            for (int64_t t = 0; t < W; ++t)
              s += K[static_cast<size_t>((o * I + i) * W + t)] *
                   z[static_cast<size_t>((o * N + wrap(p - t + W / 2, N)) * Q + q)];
          y[static_cast<size_t>((i * N + p) * Q + q)] = s;
        }
    break;
  }
  case OpKind::ConvW: { // K[o,i,t] = sum_j sum_q z[o,j,q] x[i, (j+t-w/2) mod n, q]
    int64_t O = op.type[0], I = op.type[1], W = op.type[2];
    int64_t N = argType(0)[1], Q = argType(0).numel() / (O * N);
    const Tensor &z = arg(0), &x = arg(1);
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < I; ++i)
        for (int64_t t = 0; t < W; ++t) {
          double s = 0;
          for (int64_t j = 0; j < N; ++j)
            for (int64_t q = 0; q < Q; ++q)
              s += z[static_cast<size_t>((o * N + j) * Q + q)] *
                   x[static_cast<size_t>((i * N + wrap(j + t - W / 2, N)) * Q + q)];
          y[static_cast<size_t>((o * I + i) * W + t)] = s;
        }
    break;
  }
  case OpKind::Stencil: { // y[.., j, ..] = sum_s c_s a[.., (j+off_s) mod n, ..]
    int64_t outer, len, inner;
    splitAxis(op.type, static_cast<int>(op.ints[0]), outer, len, inner);
    const Tensor &a = arg(0);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < len; ++j)
        for (int64_t in = 0; in < inner; ++in) {
          double s = 0;
          for (size_t c = 0; c < op.reals.size(); ++c) {
            int64_t src = wrap(j + op.ints[c + 1], len);
            s += op.reals[c] * a[static_cast<size_t>((o * len + src) * inner + in)];
          }
          y[static_cast<size_t>((o * len + j) * inner + in)] = s;
        }
    break;
  }
  }
  return y;
}

} // namespace

double evalFn(Fn fn, int order, int k, double x) {
  assert(order >= 0 && order <= maxOrder(fn) && "derivative order too high");
  switch (fn) {
  case Fn::Tanh: { // t = tanh x, s = 1 - t^2
    double t = std::tanh(x), s = 1 - t * t;
    double table[] = {t, s, -2 * t * s, s * (6 * t * t - 2),
                      8 * t * s * (2 - 3 * t * t)};
    return table[order];
  }
  case Fn::Sigmoid:
    return sigmoidDeriv(order, x);
  case Fn::Softplus: // log1p(exp(x)), stable; softplus^(n) = sigma^(n-1)
    if (order == 0)
      return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    return sigmoidDeriv(order - 1, x);
  case Fn::Relu: // max(x, 0); relu' = step (0 at 0); higher = 0
    if (order == 0)
      return x > 0 ? x : 0;
    return order == 1 ? (x > 0 ? 1 : 0) : 0;
  case Fn::Exp:
    return std::exp(x);
  case Fn::Log: { // log x; (-1)^(n-1) (n-1)! / x^n
    if (order == 0)
      return std::log(x);
    double table[] = {0, 1 / x, -1 / (x * x), 2 / (x * x * x),
                      -6 / (x * x * x * x)};
    return table[order];
  }
  case Fn::Sin: { // sin, cos, -sin, -cos, sin
    double s = std::sin(x), c = std::cos(x);
    double table[] = {s, c, -s, -c, s};
    return table[order];
  }
  case Fn::Cos: { // cos, -sin, -cos, sin, cos
    double s = std::sin(x), c = std::cos(x);
    double table[] = {c, -s, -c, s, c};
    return table[order];
  }
  case Fn::Sqrt: { // x^(1/2): 1/2 x^(-1/2), -1/4 x^(-3/2), 3/8 x^(-5/2), -15/16 x^(-7/2)
    double r = std::sqrt(x);
    double table[] = {r, 0.5 / r, -0.25 / (r * x), 0.375 / (r * x * x),
                      -0.9375 / (r * x * x * x)};
    return table[order];
  }
  case Fn::Square: { // x^2, 2x, 2, 0, 0
    double table[] = {x * x, 2 * x, 2, 0, 0};
    return table[order];
  }
  case Fn::Abs: // |x|, sign(x) (0 at 0), 0, ...
    if (order == 0)
      return std::fabs(x);
    return order == 1 ? (x > 0 ? 1 : (x < 0 ? -1 : 0)) : 0;
  case Fn::PowI: { // x^k: k (k-1) ... (k-n+1) x^(k-n), 0 when n > k
    assert(k >= 1 && "powi needs an exponent k >= 1");
    if (order > k)
      return 0;
    double c = 1;
    for (int i = 0; i < order; ++i)
      c *= k - i;
    double p = 1;
    for (int i = 0; i < k - order; ++i)
      p *= x;
    return c * p;
  }
  case Fn::Recip: { // 1/x, -1/x^2, 2/x^3, -6/x^4, 24/x^5
    double r = 1 / x;
    double table[] = {r, -r * r, 2 * r * r * r, -6 * r * r * r * r,
                      24 * r * r * r * r * r};
    return table[order];
  }
  }
  return 0;
}

std::vector<std::vector<double>> interpret(const Function &f,
                                           const Bindings &inputs) {
  std::vector<Tensor> v(f.ops.size());
  for (size_t i = 0; i < f.ops.size(); ++i) {
    const Op &op = f.ops[i];
    if (op.kind == OpKind::Input) {
      auto it = inputs.find(op.name);
      assert(it != inputs.end() && "unbound input");
      assert(static_cast<int64_t>(it->second.size()) == op.type.numel() &&
             "input binding has the wrong number of elements");
      v[i] = it->second;
      continue;
    }
    v[i] = evalOp(f, op, v);
  }
  std::vector<std::vector<double>> out;
  for (ValueId r : f.results)
    out.push_back(v[static_cast<size_t>(r)]);
  return out;
}

} // namespace dgc::ir
