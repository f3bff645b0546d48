//===- Prologue.hpp - Runtime support of generated model headers -*- C++ -*-===//
//
// Part of dgc. This header is embedded verbatim into every header that
// `dgc compile` writes (inside an include guard, so several generated headers
// can share one translation unit); the tests also include it directly. It
// holds, in namespace `dgc_rt`, everything generated functions call: the
// element-wise function table (f and its first four derivatives, each
// formula written beside the others), the divided differences of the
// discrete gradient with their small-difference series, the kernels of the
// non-element-wise ops, and the deterministic parameter initialisation
// (splitmix64, Box-Muller, orthogonal init). Kernels never allocate.
//
//===----------------------------------------------------------------------===//
#ifndef DGC_PROLOGUE_INCLUDED
#define DGC_PROLOGUE_INCLUDED

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include <Eigen/Dense>

// Element-wise helpers the fused loops call: inlined, so the loops
// vectorise.
#if defined(__GNUC__) || defined(__clang__)
#define DGC_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define DGC_ALWAYS_INLINE inline
#endif

// Loops over large extents run on OpenMP's threads when the including
// program is compiled with -fopenmp (`dgc simulate` does; the thread count
// is omp_set_num_threads'); otherwise they are plain loops. Only
// element-wise and gathering loops carry it, so results do not depend on
// the thread count.
// DGC_OMP_FOR_WORK splits the loop only when a local `dgc_omp_work` (the
// elements it touches) passes 2^15: below that a parallel region costs
// more than it saves.
#if defined(_OPENMP)
#define DGC_OMP_FOR _Pragma("omp parallel for schedule(static)")
#define DGC_OMP_FOR_WORK                                                       \
  _Pragma("omp parallel for schedule(static) if(dgc_omp_work > 32768)")
#define DGC_OMP_FOR_WORK_COLLAPSE2                                             \
  _Pragma("omp parallel for collapse(2) schedule(static) if(dgc_omp_work > 32768)")
#else
#define DGC_OMP_FOR
#define DGC_OMP_FOR_WORK
#define DGC_OMP_FOR_WORK_COLLAPSE2
#endif

namespace dgc_rt {

//===----------------------------------------------------------------------===//
// Element-wise functions: F::d<N>(x, k) is the N-th derivative (N = 0..4).
// `k` is the exponent of PowI and ignored by every other function.
//===----------------------------------------------------------------------===//

/// x^e for an integer e >= 0 by repeated squaring (exact for small e).
template <class T> inline T ipow(T x, int e) {
  T r = T(1);
  while (e > 0) {
    if (e & 1)
      r *= x;
    x *= x;
    e >>= 1;
  }
  return r;
}

/// Logistic sigmoid s(x) = 1 / (1 + exp(-x)), without overflow.
template <class T> inline T sigmoid(T x) {
  if (x >= T(0))
    return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

/// e^x for |x| <= 709 (clamped outside) without a library call, so loops
/// that use it vectorise: x = k ln 2 + r with |r| <= ln 2 / 2 (ln 2 split
/// in two for an exact product), e^r by its Taylor polynomial of degree 13
/// (remainder below 2e-16 relative), times 2^k built in the exponent
/// bits. Within 2 ulp of std::exp.
DGC_ALWAYS_INLINE double expNoCall(double x) {
  x = std::min(std::max(x, -708.0), 709.0);
  double k = std::nearbyint(x * 1.4426950408889634);
  double r = std::fma(k, -6.93147180369123816490e-01, x);
  r = std::fma(k, -1.90821492927058770002e-10, r);
  double p = 1.0 / 6227020800.0;
  p = std::fma(p, r, 1.0 / 479001600.0);
  p = std::fma(p, r, 1.0 / 39916800.0);
  p = std::fma(p, r, 1.0 / 3628800.0);
  p = std::fma(p, r, 1.0 / 362880.0);
  p = std::fma(p, r, 1.0 / 40320.0);
  p = std::fma(p, r, 1.0 / 5040.0);
  p = std::fma(p, r, 1.0 / 720.0);
  p = std::fma(p, r, 1.0 / 120.0);
  p = std::fma(p, r, 1.0 / 24.0);
  p = std::fma(p, r, 1.0 / 6.0);
  p = std::fma(p, r, 0.5);
  p = std::fma(p, r, 1.0);
  p = std::fma(p, r, 1.0);
  auto bits = (static_cast<std::int64_t>(k) + 1023) << 52;
  return p * std::bit_cast<double>(bits);
}

/// e^x in float arithmetic for |x| <= 88 (clamped outside): the same
/// reduction with Cephes' split of ln 2 and a degree-7 Taylor polynomial
/// (remainder below 3e-8 relative). Within 2 ulp of std::exp(float).
DGC_ALWAYS_INLINE float expNoCall(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  float k = std::nearbyint(x * 1.44269504f);
  float r = std::fma(k, -0.693359375f, x);
  r = std::fma(k, 2.12194440e-4f, r);
  float p = 1.0f / 5040.0f;
  p = std::fma(p, r, 1.0f / 720.0f);
  p = std::fma(p, r, 1.0f / 120.0f);
  p = std::fma(p, r, 1.0f / 24.0f);
  p = std::fma(p, r, 1.0f / 6.0f);
  p = std::fma(p, r, 0.5f);
  p = std::fma(p, r, 1.0f);
  p = std::fma(p, r, 1.0f);
  auto bits = (static_cast<std::int32_t>(k) + 127) << 23;
  return p * std::bit_cast<float>(bits);
}

/// tanh without a library call (so the fused loops of a network's
/// forward pass and its divided differences vectorise; libm's tanh is
/// about 7x slower per element here): below |x| = 0.625 an odd polynomial
/// or rational in x (Cephes' tanhf and tanh), above it 1 - 2/(e^{2|x|} + 1).
/// Within 2 ulp of std::tanh over the whole line, in float and double.
DGC_ALWAYS_INLINE double tanhNoCall(double x) {
  double ax = std::abs(x), z = x * x;
  double P = std::fma(std::fma(-9.64399179425052238628e-1, z,
                               -9.92877231001918586564e1),
                      z, -1.61468768441708447952e3);
  double Q = std::fma(std::fma(z + 1.12811678491632931402e2, z,
                               2.23548839060100448583e3),
                      z, 4.84406305325125486048e3);
  double small = std::fma(ax * z, P / Q, ax);
  double e = expNoCall(2.0 * std::min(ax, 20.0));
  double big = 1.0 - 2.0 / (e + 1.0);
  return std::copysign(ax < 0.625 ? small : big, x);
}

DGC_ALWAYS_INLINE float tanhNoCall(float x) {
  float ax = std::abs(x), z = x * x;
  float p = std::fma(-5.70498872745e-3f, z, 2.06390887954e-2f);
  p = std::fma(p, z, -5.37397155531e-2f);
  p = std::fma(p, z, 1.33314422036e-1f);
  p = std::fma(p, z, -3.33332819422e-1f);
  float small = std::fma(p * z, ax, ax);
  float e = expNoCall(2.0f * std::min(ax, 10.0f));
  float big = 1.0f - 2.0f / (e + 1.0f);
  return std::copysign(ax < 0.625f ? small : big, x);
}

struct Tanh {
  // t = tanh x; f' = 1 - t^2; f'' = -2 t (1 - t^2);
  // f''' = (1 - t^2)(6 t^2 - 2); f'''' = 8 t (1 - t^2)(2 - 3 t^2).
  template <int N, class T> DGC_ALWAYS_INLINE static T d(T x, int) {
    T t = tanhNoCall(x), s = T(1) - t * t;
    if constexpr (N == 0) return t;
    else if constexpr (N == 1) return s;
    else if constexpr (N == 2) return T(-2) * t * s;
    else if constexpr (N == 3) return s * (T(6) * t * t - T(2));
    else return T(8) * t * s * (T(2) - T(3) * t * t);
  }
};

struct Sigmoid {
  // s = sigmoid x, c = 1 - s = sigmoid(-x) (computed directly, no
  // cancellation); f' = s c; f'' = s c (c - s); f''' = s c (1 - 6 s c);
  // f'''' = s c (c - s)(1 - 12 s c).
  template <int N, class T> static T d(T x, int) {
    T s = sigmoid(x), c = sigmoid(-x), sc = s * c;
    if constexpr (N == 0) return s;
    else if constexpr (N == 1) return sc;
    else if constexpr (N == 2) return sc * (c - s);
    else if constexpr (N == 3) return sc * (T(1) - T(6) * sc);
    else return sc * (c - s) * (T(1) - T(12) * sc);
  }
};

struct Softplus {
  // f = log(1 + e^x) = max(x, 0) + log1p(e^-|x|) (stable); f' = s;
  // f'' = s c; f''' = s c (c - s); f'''' = s c (1 - 6 s c).
  template <int N, class T> static T d(T x, int) {
    if constexpr (N == 0)
      return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::abs(x)));
    else
      return Sigmoid::d<N - 1>(x, 0);
  }
};

struct Relu {
  static constexpr bool piecewiseLinear = true;
  // f = max(x, 0); f' = [x > 0]; f'' = f''' = f'''' = 0.
  template <int N, class T> static T d(T x, int) {
    if constexpr (N == 0) return x > T(0) ? x : T(0);
    else if constexpr (N == 1) return x > T(0) ? T(1) : T(0);
    else return T(0);
  }
};

struct Exp {
  // every derivative is e^x.
  template <int N, class T> static T d(T x, int) { return std::exp(x); }
};

struct Log {
  // The threshold's length (divdiffScale): the distance to the singularity.
  template <class T> static T scale(T m, int) { return std::abs(m); }
  // f = log x; f' = 1/x; f'' = -1/x^2; f''' = 2/x^3; f'''' = -6/x^4.
  template <int N, class T> static T d(T x, int) {
    if constexpr (N == 0) return std::log(x);
    else if constexpr (N == 1) return T(1) / x;
    else if constexpr (N == 2) return T(-1) / (x * x);
    else if constexpr (N == 3) return T(2) / (x * x * x);
    else return T(-6) / (x * x * x * x);
  }
};

struct Sin {
  // sin, cos, -sin, -cos, sin.
  template <int N, class T> static T d(T x, int) {
    if constexpr (N % 4 == 0) return std::sin(x);
    else if constexpr (N % 4 == 1) return std::cos(x);
    else if constexpr (N % 4 == 2) return -std::sin(x);
    else return -std::cos(x);
  }
};

struct Cos {
  // cos, -sin, -cos, sin, cos.
  template <int N, class T> static T d(T x, int) {
    if constexpr (N % 4 == 0) return std::cos(x);
    else if constexpr (N % 4 == 1) return -std::sin(x);
    else if constexpr (N % 4 == 2) return -std::cos(x);
    else return std::sin(x);
  }
};

struct Sqrt {
  // The threshold's length (divdiffScale): the distance to the singularity.
  template <class T> static T scale(T m, int) { return std::abs(m); }
  // r = sqrt x; f' = 1/(2r); f'' = -1/(4 x r); f''' = 3/(8 x^2 r);
  // f'''' = -15/(16 x^3 r).
  template <int N, class T> static T d(T x, int) {
    T r = std::sqrt(x);
    if constexpr (N == 0) return r;
    else if constexpr (N == 1) return T(0.5) / r;
    else if constexpr (N == 2) return T(-0.25) / (x * r);
    else if constexpr (N == 3) return T(0.375) / (x * x * r);
    else return T(-0.9375) / (x * x * x * r);
  }
};

struct Square {
  // x^2, 2x, 2, 0, 0.
  template <int N, class T> static T d(T x, int) {
    if constexpr (N == 0) return x * x;
    else if constexpr (N == 1) return T(2) * x;
    else if constexpr (N == 2) return T(2);
    else return T(0);
  }
};

struct Abs {
  static constexpr bool piecewiseLinear = true;
  // |x|, sign(x) (0 at 0), 0, 0, 0.
  template <int N, class T> static T d(T x, int) {
    if constexpr (N == 0) return std::abs(x);
    else if constexpr (N == 1)
      return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    else return T(0);
  }
};

struct PowI {
  // The threshold's length (divdiffScale): f^(5)/f' ~ ((k - 2.5)/x)^4.
  template <class T> static T scale(T m, int k) {
    return std::abs(m) / T(k > 1 ? k : 1);
  }
  // f = x^k; f^(N) = k (k-1) ... (k-N+1) x^(k-N), zero when N > k.
  template <int N, class T> static T d(T x, int k) {
    if (N > k)
      return T(0);
    T c = T(1);
    for (int j = 0; j < N; ++j)
      c *= T(k - j);
    return c * ipow(x, k - N);
  }
};

struct Recip {
  // The threshold's length (divdiffScale): the distance to the singularity.
  template <class T> static T scale(T m, int) { return std::abs(m); }
  // 1/x, -1/x^2, 2/x^3, -6/x^4, 24/x^5.
  template <int N, class T> static T d(T x, int) {
    T r = T(1) / x;
    if constexpr (N == 0) return r;
    else if constexpr (N == 1) return -r * r;
    else if constexpr (N == 2) return T(2) * r * r * r;
    else if constexpr (N == 3) return T(-6) * r * r * r * r;
    else return T(24) * r * r * r * r * r;
  }
};

//===----------------------------------------------------------------------===//
// Divided differences (design/discrete-gradient.md).
//===----------------------------------------------------------------------===//

/// Switch point of the series: |a - b| <= (48 eps_T)^(1/5) L, about
/// 1.6e-3 L in double and 0.09 L in float, with L = divdiffScale(m), the
/// length over which f's derivatives change. There the rounding error of
/// dq/da (about eps / d^2) meets the truncation error of its series (about
/// f^(5) d^3 / 480, with |f^(5)| L^4 / |f'| up to about 10-120); q is then
/// accurate to about 3e-13 and dq/da to about 3e-10 in double (relative)
/// on both sides. docs/discrete-gradient.md derives it.
template <class T> constexpr T divdiffThreshold() {
  // (48 eps)^(1/5) as literals: a constant, not a function-local static,
  // so the loops that use it vectorise. PrologueTests checks the values.
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  if constexpr (std::is_same_v<T, double>)
    return 1.6052263960129151e-3;
  else
    return 8.943556756907846e-2f;
}

/// L of the threshold: 1 for the entire functions (exp, sin, cos, tanh,
/// sigmoid, softplus: their derivatives change over lengths of order 1
/// wherever m is; a length growing with |m| would let the series run past
/// its accuracy, e.g. cos near q = 100), |m| for log, sqrt and 1/x (the
/// distance to the singularity at 0), |m| / k for x^k.
template <class F, class T> DGC_ALWAYS_INLINE T divdiffScale(T m, int k) {
  if constexpr (requires { F::template scale<T>(m, k); })
    return F::template scale<T>(m, k);
  else
    return T(1);
}

/// relu and abs are linear on each side of 0: there the divided difference
/// is the slope of that side, and across 0 the quotient is exact (|a - b| is
/// at least |a| and |b|, so nothing cancels). No series: a series in
/// derivatives would be wrong across the kink.
template <class F>
inline constexpr bool isPiecewiseLinear = requires { F::piecewiseLinear; };

/// Order 0: q(a, b) = (f(a) - f(b)) / (a - b); below the threshold the
/// series f'(m) + f'''(m) d^2 / 24. Order 1: dq/da = (f'(a) - q) / d; order
/// 2: dq/db = (q - f'(b)) / d; below the threshold f''(m)/2 +- f'''(m) d/12
/// + f''''(m) d^2/48, which is the exact derivative of the series of q. The
/// series branch covers a == b, so no NaN or Inf comes from d = 0. q is
/// symmetric in (a, b) bit for bit.
template <class F, int Order, class T>
DGC_ALWAYS_INLINE T divdiff(T a, T b, int k) {
  static_assert(Order >= 0 && Order <= 2, "divdiff order is 0, 1 or 2");
  T d = a - b, m = (a + b) / T(2);
  if constexpr (isPiecewiseLinear<F>) {
    bool sameSide = (a > T(0)) == (b > T(0));
    T q = sameSide ? F::template d<1>(a > T(0) ? a : std::min(a, b), k)
                   : (F::template d<0>(a, k) - F::template d<0>(b, k)) / d;
    if constexpr (Order == 0)
      return q;
    if (sameSide)
      return T(0);
    if constexpr (Order == 1)
      return (F::template d<1>(a, k) - q) / d;
    else
      return (q - F::template d<1>(b, k)) / d;
  } else {
    // Both sides are computed and one is selected (no branch), so the
    // fused loops vectorise; `dd` keeps the unused quotient finite.
    const bool near =
        std::abs(d) <= divdiffThreshold<T>() * divdiffScale<F>(m, k);
    const T dd = near ? T(1) : d;
    const T q = (F::template d<0>(a, k) - F::template d<0>(b, k)) / dd;
    if constexpr (Order == 0) {
      const T series =
          F::template d<1>(m, k) + F::template d<3>(m, k) * d * d / T(24);
      return near ? series : q;
    } else {
      const T even = F::template d<2>(m, k) / T(2) +
                     F::template d<4>(m, k) * d * d / T(48);
      const T odd = F::template d<3>(m, k) * d / T(12);
      const T series = Order == 1 ? even + odd : even - odd;
      const T far = Order == 1 ? (F::template d<1>(a, k) - q) / dd
                               : (q - F::template d<1>(b, k)) / dd;
      return near ? series : far;
    }
  }
}

/// Switch point of the reference library's divided difference
/// (divdiffReference): |a - b| <= 1e-6 in float, 1e-12 in double, an
/// absolute length.
template <class T> constexpr T divdiffReferenceThreshold() {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  if constexpr (std::is_same_v<T, double>)
    return 1e-12;
  else
    return 1e-6f;
}

/// The divided difference as the authors' PyTorch library
/// (tksmatsubara/discrete-autograd) computes it in the training dtype, for
/// `--dg-numerics=reference` (training functions only): the plain quotient
/// q = (f(a) - f(b)) / (a - b), and its partial derivatives by the plain
/// formulas dq/da = (f'(a) - q) / d, dq/db = (q - f'(b)) / d; only when
/// |d| <= divdiffReferenceThreshold the midpoint derivative q = f'(m), with
/// dq/da = dq/db = f''(m)/2. Every function, relu and abs included. In
/// float this loses every digit of dq/da once |d| falls below about 1e-3
/// (rounding error about eps |f| / d^2, docs/discrete-gradient.md); that
/// is the point: it reproduces the reference implementation's gradient.
template <class F, int Order, class T>
DGC_ALWAYS_INLINE T divdiffReference(T a, T b, int k) {
  static_assert(Order >= 0 && Order <= 2, "divdiff order is 0, 1 or 2");
  const T d = a - b, m = (a + b) / T(2);
  const bool near = std::abs(d) <= divdiffReferenceThreshold<T>();
  const T dd = near ? T(1) : d;
  const T q = (F::template d<0>(a, k) - F::template d<0>(b, k)) / dd;
  if constexpr (Order == 0) {
    return near ? F::template d<1>(m, k) : q;
  } else {
    const T far = Order == 1 ? (F::template d<1>(a, k) - q) / dd
                             : (q - F::template d<1>(b, k)) / dd;
    return near ? F::template d<2>(m, k) / T(2) : far;
  }
}

//===----------------------------------------------------------------------===//
// Kernels. Tensors are dense and row-major; `n` counts elements.
//===----------------------------------------------------------------------===//

template <class T> inline void copy(const T *src, std::int64_t n, T *dst) {
  for (std::int64_t i = 0; i < n; ++i)
    dst[i] = src[i];
}

template <class T> inline void fill(T *dst, std::int64_t n, T value) {
  for (std::int64_t i = 0; i < n; ++i)
    dst[i] = value;
}

/// Sum of all elements.
template <class T> inline T sum(const T *a, std::int64_t n) {
  T s = T(0);
  for (std::int64_t i = 0; i < n; ++i)
    s += a[i];
  return s;
}

/// [c, n] -> [c]: y[r] = sum_j a[r, j].
template <class T>
inline void sumLast(const T *a, std::int64_t c, std::int64_t n, T *y) {
  for (std::int64_t r = 0; r < c; ++r)
    y[r] = sum(a + r * n, n);
}

/// [c] -> [c, n]: y[r, j] = a[r].
template <class T>
inline void expand(const T *a, std::int64_t c, std::int64_t n, T *y) {
  for (std::int64_t r = 0; r < c; ++r)
    fill(y + r * n, n, a[r]);
}

/// Zeros of length `total` with a[0:n] at `offset`.
template <class T>
inline void pad(const T *a, std::int64_t n, std::int64_t offset,
                std::int64_t total, T *y) {
  fill(y, total, T(0));
  copy(a, n, y + offset);
}

/// C = op(A) op(B) with A [ar, ac], B [br, bc] (a vector is [k, 1]),
/// through Eigen maps of the row-major storage.
template <class T, bool TransA, bool TransB>
inline void matmul(const T *a, std::int64_t ar, std::int64_t ac, const T *b,
                   std::int64_t br, std::int64_t bc, T *c) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  Eigen::Map<const Mat> A(a, ar, ac);
  std::int64_t m = TransA ? ac : ar;
  if (bc == 1 && !TransB) {
    Eigen::Map<const Vec> x(b, br);
    Eigen::Map<Vec> y(c, m);
    if constexpr (TransA)
      y.noalias() = A.transpose() * x;
    else
      y.noalias() = A * x;
    return;
  }
  Eigen::Map<const Mat> B(b, br, bc);
  std::int64_t n = TransB ? br : bc;
  Eigen::Map<Mat> C(c, m, n);
  if constexpr (TransA && TransB)
    C.noalias() = A.transpose() * B.transpose();
  else if constexpr (TransA)
    C.noalias() = A.transpose() * B;
  else if constexpr (TransB)
    C.noalias() = A * B.transpose();
  else
    C.noalias() = A * B;
}

/// Shift of tap t of a width-w kernel, reduced to [0, n).
inline std::int64_t tapShift(std::int64_t t, std::int64_t w, std::int64_t n) {
  std::int64_t s = (t - w / 2) % n;
  return s < 0 ? s + n : s;
}

// Halo mode (Wrap = false; the local kernels of distributed runs): a
// neighbour outside [0, n) is not wrapped around but left out, as if it
// were zero. The caller's ghost layer is wide enough that only points
// within the halo of the edge see that, and their values are discarded.
// This is the one place the choice is made: the shift below and the
// stencil's index.

/// Which of a shifted tap's two column blocks to add (see conv): the first
/// ([0, n - s) from [s, n)) and the wrapped second ([n - s, n) from
/// [0, s)); without Wrap only the one that stays in range.
template <bool Wrap>
inline std::array<bool, 2> tapBlocks(std::int64_t t, std::int64_t w) {
  if constexpr (Wrap)
    return {true, true};
  else
    return {t - w / 2 >= 0, t - w / 2 < 0};
}

/// The neighbour j + off of a point in [0, n): wrapped, or -1 outside
/// [0, n) without Wrap.
template <bool Wrap>
inline std::int64_t neighbour(std::int64_t j, std::int64_t off,
                              std::int64_t n) {
  std::int64_t jj = j + off;
  if constexpr (Wrap) {
    jj %= n;
    return jj < 0 ? jj + n : jj;
  } else {
    return jj < 0 || jj >= n ? -1 : jj;
  }
}

// The three periodic convolution kernels are GEMMs, one per kernel tap t:
// tap t of K [o, i, w] is the [o, i] matrix K_t (a strided view, column
// stride w), and a periodic shift of x [i, n] by s columns is two column
// blocks, so y += K_t shift_s(x) is two GEMMs on Eigen maps; nothing is
// copied and nothing allocates.
template <class T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T, class Ptr>
using TapMap = Eigen::Map<std::conditional_t<std::is_const_v<std::remove_pointer_t<Ptr>>,
                                             const RowMat<T>, RowMat<T>>,
                          0, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;

/// Tap t of a kernel [o, i, w] as an [o, i] matrix view.
template <class T, class Ptr>
inline TapMap<T, Ptr> kernelTap(Ptr K, std::int64_t o, std::int64_t ci,
                                std::int64_t w, std::int64_t t) {
  return TapMap<T, Ptr>(K + t, o, ci,
                        Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(ci * w, w));
}

// A signal may have `inner` values per grid point (x [i, n, inner], the
// tile of a tiled loss): viewed as [i, n * inner], a shift by s points is
// a shift by s * inner columns, so the same two GEMMs per tap do a whole
// tile.

/// Periodic cross-correlation, K [o, i, w], x [i, n, inner] -> y [o, n, inner]:
/// y[q, j, .] = sum_r sum_t K[q, r, t] x[r, (j + t - w/2) mod n, .].
template <class T, bool Wrap = true>
inline void conv(const T *K, std::int64_t o, std::int64_t ci, std::int64_t w,
                 const T *x, std::int64_t points, std::int64_t inner, T *y) {
  const std::int64_t n = points * inner;
  Eigen::Map<const RowMat<T>> X(x, ci, n);
  Eigen::Map<RowMat<T>> Y(y, o, n);
  Y.setZero();
  for (std::int64_t t = 0; t < w; ++t) {
    auto Kt = kernelTap<T>(K, o, ci, w, t);
    std::int64_t s = tapShift(t, w, points) * inner;
    const std::array<bool, 2> blk = tapBlocks<Wrap>(t, w);
    if (blk[0])
      Y.leftCols(n - s).noalias() += Kt * X.middleCols(s, n - s);
    if (s > 0 && blk[1])
      Y.rightCols(s).noalias() += Kt * X.leftCols(s);
  }
}

/// Adjoint of conv in x: (K [o, i, w], ybar [o, n, inner]) -> xbar [i, n, inner],
/// xbar[r, l, .] = sum_q sum_t K[q, r, t] ybar[q, (l - (t - w/2)) mod n, .].
template <class T, bool Wrap = true>
inline void convT(const T *K, std::int64_t o, std::int64_t ci, std::int64_t w,
                  const T *ybar, std::int64_t points, std::int64_t inner,
                  T *xbar) {
  const std::int64_t n = points * inner;
  Eigen::Map<const RowMat<T>> Yb(ybar, o, n);
  Eigen::Map<RowMat<T>> Xb(xbar, ci, n);
  Xb.setZero();
  for (std::int64_t t = 0; t < w; ++t) {
    auto Kt = kernelTap<T>(K, o, ci, w, t);
    std::int64_t s = tapShift(t, w, points) * inner;
    const std::array<bool, 2> blk = tapBlocks<Wrap>(t, w);
    if (blk[0])
      Xb.middleCols(s, n - s).noalias() += Kt.transpose() * Yb.leftCols(n - s);
    if (s > 0 && blk[1])
      Xb.leftCols(s).noalias() += Kt.transpose() * Yb.rightCols(s);
  }
}

/// Adjoint of conv in K: (ybar [o, n, inner], x [i, n, inner]) -> Kbar [o, i, w],
/// Kbar[q, r, t] = sum_j sum_. ybar[q, j, .] x[r, (j + t - w/2) mod n, .].
template <class T, bool Wrap = true>
inline void convW(const T *ybar, std::int64_t o, const T *x, std::int64_t ci,
                  std::int64_t points, std::int64_t inner, std::int64_t w,
                  T *kbar) {
  const std::int64_t n = points * inner;
  Eigen::Map<const RowMat<T>> Yb(ybar, o, n);
  Eigen::Map<const RowMat<T>> X(x, ci, n);
  for (std::int64_t t = 0; t < w; ++t) {
    auto Kt = kernelTap<T>(kbar, o, ci, w, t);
    std::int64_t s = tapShift(t, w, points) * inner;
    const std::array<bool, 2> blk = tapBlocks<Wrap>(t, w);
    Kt.setZero();
    if (blk[0])
      Kt.noalias() += Yb.leftCols(n - s) * X.middleCols(s, n - s).transpose();
    if (s > 0 && blk[1])
      Kt.noalias() += Yb.rightCols(s) * X.leftCols(s).transpose();
  }
}

/// Periodic stencil along the middle axis of a viewed as [outer, n, inner]:
/// y[a, j, b] = sum_s coeff[s] x[a, (j + off[s]) mod n, b].
template <class T, std::size_t S, bool Wrap = true>
inline void stencil(const T *x, std::int64_t outer, std::int64_t n,
                    std::int64_t inner,
                    const std::array<std::int64_t, S> &off,
                    const std::array<T, S> &coeff, T *y) {
  const std::int64_t dgc_omp_work = outer * n * inner * std::int64_t(S);
  (void)dgc_omp_work;
  DGC_OMP_FOR_WORK_COLLAPSE2
  for (std::int64_t a = 0; a < outer; ++a)
    for (std::int64_t j = 0; j < n; ++j) {
      const T *xa = x + a * n * inner;
      T *yj = y + (a * n + j) * inner;
      for (std::int64_t b = 0; b < inner; ++b)
        yj[b] = T(0);
      for (std::size_t s = 0; s < S; ++s) {
        const std::int64_t jj = neighbour<Wrap>(j, off[s], n);
        if (!Wrap && jj < 0)
          continue;
        const T *xj = xa + jj * inner;
        for (std::int64_t b = 0; b < inner; ++b)
          yj[b] += coeff[s] * xj[b];
      }
    }
}

//===----------------------------------------------------------------------===//
// Deterministic parameter initialisation.
//===----------------------------------------------------------------------===//

/// splitmix64 (Steele, Lea, Flood 2014): the state advances by the golden
/// gamma and each output is a bijective mix of it.
struct SplitMix64 {
  std::uint64_t state;
  explicit SplitMix64(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform on (0, 1]: 53 random bits.
  double uniform() {
    return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53;
  }
  /// Standard normal by Box-Muller; the sine of each pair is kept for the
  /// next call.
  double normal() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double r = std::sqrt(-2.0 * std::log(uniform()));
    double th = 6.283185307179586476925286766559 * uniform();
    spare = r * std::sin(th);
    hasSpare = true;
    return r * std::cos(th);
  }
  double spare = 0;
  bool hasSpare = false;
};

/// The generator of parameter `index` for `seed`: independent streams, so
/// one parameter's shape does not change another's values.
inline SplitMix64 paramStream(std::uint64_t seed, std::uint64_t index) {
  SplitMix64 mix(seed ^ (0xD1B54A32D192ED03ULL * (index + 1)));
  return SplitMix64(mix.next());
}

template <class T>
inline void initNormal(T *dst, std::int64_t n, double stddev,
                       SplitMix64 &rng) {
  for (std::int64_t i = 0; i < n; ++i)
    dst[i] = static_cast<T>(stddev * rng.normal());
}

/// torch.nn.init.orthogonal_ with gain 1 on a rows x cols matrix (conv
/// kernels flattened to out x (in * width)): a Gaussian matrix, transposed
/// when rows < cols, its thin QR, Q's columns multiplied by sign(diag R),
/// transposed back. Allocates (init only, never in a model function).
template <class T>
inline void initOrthogonal(T *dst, std::int64_t rows, std::int64_t cols,
                           SplitMix64 &rng) {
  using Mat = Eigen::MatrixXd;
  Mat g(rows, cols);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c)
      g(r, c) = rng.normal();
  bool wide = rows < cols;
  Mat a = wide ? Mat(g.transpose()) : g;
  Eigen::HouseholderQR<Mat> qr(a);
  Mat q = qr.householderQ() * Mat::Identity(a.rows(), a.cols());
  for (Eigen::Index c = 0; c < a.cols(); ++c)
    if (qr.matrixQR()(c, c) < 0)
      q.col(c) = -q.col(c);
  if (wide)
    q.transposeInPlace();
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c)
      dst[r * cols + c] = static_cast<T>(q(r, c));
}

//===----------------------------------------------------------------------===//
// Sparse Jacobians (`<base>_jacobian_sparse`): the pattern in CSR (columns
// ascending in each row) with a colour per column, built once on first use
// from the compiler's description, and the two loops around the JVP of a
// colour range: the seed columns, then the gather of the compressed
// columns into the CSR values.
//===----------------------------------------------------------------------===//

struct SparsePattern {
  std::int64_t n = 0;
  std::vector<std::int32_t> rowPtr, cols, colour;
};

/// One stencil entry: row (rowVar, x, y) depends on (colVar, x + dx, y + dy).
struct StencilEntry {
  std::int32_t rowVar, colVar, dx, dy;
};

inline std::int64_t wrapIndex(std::int64_t i, std::int64_t n) {
  return ((i % n) + n) % n;
}

/// The pattern of a stencil form: fields at varOffset[v] (ascending, each
/// nx * ny points, row-major [ny, nx]) on a periodic grid. The colour of
/// point (x, y) of field v: with `product`, v px py + (y mod py) px +
/// x mod px for rule = {px, py, -}; else v K + (a x + b y) mod K for
/// rule = {a, b, K} (the compiler checked it is a proper colouring); or
/// colour[r] when the colours are listed (`colour` not null).
inline SparsePattern stencilPattern(std::int64_t n, std::int64_t nx,
                                    std::int64_t ny,
                                    const std::int64_t *varOffset,
                                    std::int64_t vars, const StencilEntry *e,
                                    std::int64_t entries, bool product,
                                    std::array<std::int64_t, 3> rule,
                                    const std::int32_t *colour) {
  SparsePattern p;
  p.n = n;
  p.rowPtr.assign(static_cast<std::size_t>(n) + 1, 0);
  p.colour.assign(static_cast<std::size_t>(n), 0);
  std::vector<std::int32_t> row;
  for (std::int64_t v = 0; v < vars; ++v)
    for (std::int64_t y = 0; y < ny; ++y)
      for (std::int64_t x = 0; x < nx; ++x) {
        std::int64_t r = varOffset[v] + y * nx + x;
        row.clear();
        for (std::int64_t k = 0; k < entries; ++k)
          if (e[k].rowVar == v)
            row.push_back(static_cast<std::int32_t>(
                varOffset[e[k].colVar] + wrapIndex(y + e[k].dy, ny) * nx +
                wrapIndex(x + e[k].dx, nx)));
        std::sort(row.begin(), row.end());
        p.cols.insert(p.cols.end(), row.begin(), row.end());
        p.rowPtr[static_cast<std::size_t>(r) + 1] =
            static_cast<std::int32_t>(p.cols.size());
        p.colour[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(
            colour    ? colour[r]
            : product ? (v * rule[1] + y % rule[1]) * rule[0] + x % rule[0]
                    : v * rule[2] + (rule[0] * x + rule[1] * y) % rule[2]);
      }
  return p;
}

/// A pattern listed in full.
inline SparsePattern listedPattern(std::int64_t n, const std::int32_t *rowPtr,
                                   const std::int32_t *cols,
                                   const std::int32_t *colour) {
  SparsePattern p;
  p.n = n;
  p.rowPtr.assign(rowPtr, rowPtr + n + 1);
  p.cols.assign(cols, cols + rowPtr[n]);
  p.colour.assign(colour, colour + n);
  return p;
}

/// seed[j * tile + t] = 1 where column j has colour c0 + t, else 0.
template <class T>
inline void seedColours(const SparsePattern &p, std::int64_t c0,
                        std::int64_t tile, T *seed) {
  const std::int32_t *colour = p.colour.data();
  const std::int64_t dgc_omp_work = p.n * tile;
  (void)dgc_omp_work;
  DGC_OMP_FOR_WORK
  for (std::int64_t j = 0; j < p.n; ++j)
    for (std::int64_t t = 0; t < tile; ++t)
      seed[j * tile + t] = colour[j] == c0 + t ? T(1) : T(0);
}

/// values[k] = jw[r * tile + (colour(col k) - c0)] for the entries of
/// colours c0 .. c0 + tile - 1: no two columns of a colour share a row, so
/// each compressed column holds exactly those entries.
template <class T>
inline void gatherColours(const SparsePattern &p, std::int64_t c0,
                          std::int64_t tile, const T *jw, T *values) {
  const std::int32_t *colour = p.colour.data(), *cols = p.cols.data(),
                     *rowPtr = p.rowPtr.data();
  const std::int64_t dgc_omp_work = static_cast<std::int64_t>(p.cols.size());
  (void)dgc_omp_work;
  DGC_OMP_FOR_WORK
  for (std::int64_t r = 0; r < p.n; ++r)
    for (std::int32_t k = rowPtr[r]; k < rowPtr[r + 1]; ++k) {
      std::int64_t c = colour[cols[k]] - c0;
      if (c >= 0 && c < tile)
        values[k] = jw[r * tile + c];
    }
}

} // namespace dgc_rt

#endif // DGC_PROLOGUE_INCLUDED
