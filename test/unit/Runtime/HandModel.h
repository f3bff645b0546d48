//===- HandModel.h - A 2-D Allen-Cahn model written by hand -----*- C++ -*-===//
//
// Part of dgc's tests. The interface of a generated `struct Model` with the
// sparse Jacobians the compiler emits for stencil models
// (newton_jacobian_sparse, time_derivative_jacobian_sparse and their CSR
// patterns), for an n x n periodic Allen-Cahn gradient flow:
//   H(u) = sum_i W(u_i) - a/2 u.Lu,  W(u) = (u^2 - 1)^2 / 4,  G = -I,
// L the 5-point Laplacian (no 1/h^2: `a` holds it). The dg residual uses
// the discrete gradient W(u, v) = (u + v)(u^2 + v^2)/4 - (u + v)/2 and
// -a L (u + v)/2:
//   F(v) = (v - u)/dt + dgrad H(u, v).
// Everything is exact (the tests compare it with finite differences). A
// second parameter, dtFail (0: off), makes the dg residual NaN for steps
// longer than it: a Newton failure that no predictor or solver avoids, for
// the step-halving tests.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace dgc::rt::test {

template <int Side> struct HandAllenCahn {
  static constexpr int64_t n = Side;
  static constexpr const char *name = "HandAllenCahn";
  static constexpr int64_t state_size = n * n;
  static constexpr int64_t param_count = 2;
  static constexpr bool has_energy = true, conserves_energy = false,
                        dissipates_energy = true, conserves_mass = false,
                        separable = false;
  static constexpr bool has_newton_residual = true, has_newton_jvp = true,
                        has_newton_jacobian = true,
                        has_time_derivative_jvp = true,
                        has_time_derivative_jacobian = true;
  static constexpr std::array<double, state_size> inner_weight = [] {
    std::array<double, state_size> w{};
    w.fill(1.0);
    return w;
  }();
  static constexpr std::array<int64_t, 2> state_shape{n, n};

  template <class T> struct ParamsT {
    std::array<T, 2> data{T(1), T(0)}; ///< a (diffusion), dtFail
  };
  template <class T> struct WorkspaceT {};
  template <class T> static void init_params(ParamsT<T> &p, uint64_t) {
    p.data[0] = T(1);
    p.data[1] = T(0);
  }

  // The sparse interface (both Jacobians have the 5-point pattern).
  static constexpr bool has_newton_jacobian_sparse = true;
  static constexpr int64_t newton_jacobian_nnz = 5 * state_size;
  static constexpr int64_t newton_jacobian_colors = 5;
  static constexpr bool has_time_derivative_jacobian_sparse = true;
  static constexpr int64_t time_derivative_jacobian_nnz = 5 * state_size;
  static constexpr int64_t time_derivative_jacobian_colors = 5;
  /// One field on the periodic n x n grid (for gmres-fft).
  static constexpr std::array<int64_t, 3> newton_jacobian_grid{1, n, n};
  static constexpr std::array<int64_t, 3> time_derivative_jacobian_grid{1, n, n};

  static int64_t at(int64_t i, int64_t j) {
    return ((i + n) % n) * n + (j + n) % n;
  }
  /// The columns of row r, ascending (r's four neighbours and r).
  static std::array<int64_t, 5> rowCols(int64_t r) {
    int64_t i = r / n, j = r % n;
    std::array<int64_t, 5> c{at(i - 1, j), at(i, j - 1), r, at(i, j + 1),
                             at(i + 1, j)};
    for (int a = 1; a < 5; ++a) // insertion sort (periodic wrap reorders)
      for (int b = a; b > 0 && c[b] < c[b - 1]; --b)
        std::swap(c[b], c[b - 1]);
    return c;
  }
  static void pattern(int32_t *rowPtr, int32_t *cols) {
    for (int64_t r = 0; r < state_size; ++r) {
      rowPtr[r] = int32_t(5 * r);
      std::array<int64_t, 5> c = rowCols(r);
      for (int k = 0; k < 5; ++k)
        cols[5 * r + k] = int32_t(c[std::size_t(k)]);
    }
    rowPtr[state_size] = int32_t(5 * state_size);
  }
  static void newton_jacobian_pattern(int32_t *rp, int32_t *c) {
    pattern(rp, c);
  }
  static void time_derivative_jacobian_pattern(int32_t *rp, int32_t *c) {
    pattern(rp, c);
  }

  template <class T> static T lap(const T *u, int64_t r) {
    int64_t i = r / n, j = r % n;
    return u[at(i - 1, j)] + u[at(i + 1, j)] + u[at(i, j - 1)] +
           u[at(i, j + 1)] - T(4) * u[r];
  }

  template <class T>
  static T energy(const ParamsT<T> &p, const T *u, WorkspaceT<T> &) {
    T h = 0;
    for (int64_t r = 0; r < state_size; ++r) {
      T w = u[r] * u[r] - T(1);
      h += w * w / T(4) - p.data[0] / T(2) * u[r] * lap(u, r);
    }
    return h;
  }

  template <class T>
  static void time_derivative(const ParamsT<T> &p, const T *u, T *f,
                              WorkspaceT<T> &) {
    for (int64_t r = 0; r < state_size; ++r)
      f[r] = -(u[r] * u[r] * u[r] - u[r]) + p.data[0] * lap(u, r);
  }
  template <class T>
  static void time_derivative_jvp(const ParamsT<T> &p, const T *u, const T *w,
                                  T *out, WorkspaceT<T> &) {
    for (int64_t r = 0; r < state_size; ++r)
      out[r] = -(T(3) * u[r] * u[r] - T(1)) * w[r] + p.data[0] * lap(w, r);
  }
  template <class T>
  static void time_derivative_jacobian_sparse(const ParamsT<T> &p, const T *u,
                                              T *values, WorkspaceT<T> &) {
    for (int64_t r = 0; r < state_size; ++r) {
      std::array<int64_t, 5> c = rowCols(r);
      for (int k = 0; k < 5; ++k)
        values[5 * r + k] =
            c[std::size_t(k)] == r
                ? -(T(3) * u[r] * u[r] - T(1)) - T(4) * p.data[0]
                : p.data[0];
    }
  }
  template <class T>
  static void time_derivative_jacobian(const ParamsT<T> &p, const T *u, T *J,
                                       WorkspaceT<T> &ws) {
    denseFromSparse(J, [&](T *v) {
      time_derivative_jacobian_sparse(p, u, v, ws);
    });
  }

  template <class T>
  static void newton_residual(const ParamsT<T> &p, const T *u, const T *v,
                              const T *dt, T *F, WorkspaceT<T> &) {
    const bool fail = p.data[1] > T(0) && dt[0] > p.data[1];
    for (int64_t r = 0; r < state_size; ++r) {
      T s = u[r] + v[r];
      T dg = s * (u[r] * u[r] + v[r] * v[r]) / T(4) - s / T(2) -
             p.data[0] * (lap(u, r) + lap(v, r)) / T(2);
      F[r] = fail ? std::numeric_limits<T>::quiet_NaN()
                  : (v[r] - u[r]) / dt[0] + dg;
    }
  }
  /// dF_r/dv_r without the Laplacian's part.
  template <class T> static T diag(const T *u, const T *v, T dt, int64_t r) {
    return T(1) / dt +
           ((u[r] * u[r] + v[r] * v[r]) + (u[r] + v[r]) * T(2) * v[r]) / T(4) -
           T(0.5);
  }
  template <class T>
  static void newton_jvp(const ParamsT<T> &p, const T *u, const T *v,
                         const T *dt, const T *w, T *out, WorkspaceT<T> &) {
    for (int64_t r = 0; r < state_size; ++r)
      out[r] = diag(u, v, dt[0], r) * w[r] - p.data[0] / T(2) * lap(w, r);
  }
  template <class T>
  static void newton_jacobian_sparse(const ParamsT<T> &p, const T *u,
                                     const T *v, const T *dt, T *values,
                                     WorkspaceT<T> &) {
    for (int64_t r = 0; r < state_size; ++r) {
      std::array<int64_t, 5> c = rowCols(r);
      for (int k = 0; k < 5; ++k)
        values[5 * r + k] = c[std::size_t(k)] == r
                                ? diag(u, v, dt[0], r) + T(2) * p.data[0]
                                : -p.data[0] / T(2);
    }
  }
  template <class T>
  static void newton_jacobian(const ParamsT<T> &p, const T *u, const T *v,
                              const T *dt, T *J, WorkspaceT<T> &ws) {
    denseFromSparse(J, [&](T *vals) {
      newton_jacobian_sparse(p, u, v, dt, vals, ws);
    });
  }

  /// Row-major dense matrix of the sparse values `fill` writes (a static
  /// buffer: a step must not allocate).
  template <class T, class Fill> static void denseFromSparse(T *J, Fill &&fill) {
    static std::vector<T> vals(std::size_t(5 * state_size));
    fill(vals.data());
    std::fill(J, J + state_size * state_size, T(0));
    for (int64_t r = 0; r < state_size; ++r) {
      std::array<int64_t, 5> c = rowCols(r);
      for (int k = 0; k < 5; ++k)
        J[r * state_size + c[std::size_t(k)]] = vals[std::size_t(5 * r + k)];
    }
  }
};

/// The same model as a header without the sparse Jacobians (the runtime
/// must keep its dense/GMRES path and refuse the sparse solvers).
template <int Side> struct HandAllenCahnDense : HandAllenCahn<Side> {
  static constexpr const char *name = "HandAllenCahnDense";
  static constexpr bool has_newton_jacobian_sparse = false;
  static constexpr bool has_time_derivative_jacobian_sparse = false;
};

} // namespace dgc::rt::test
