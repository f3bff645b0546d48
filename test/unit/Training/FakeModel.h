//===- FakeModel.h - A hand-written model for the training tests -*- C++ -*-===//
//
// Part of dgc's tests. A `struct Model` with the shape of a generated one
// and hand-derived per-sample training functions, so that the trainer can
// be tested without generated gradients:
//
//   f_theta(u) = (a u_1, -b u_0),  theta = (c, a, b), c nonneg
//   train_dg:  r = (u2 - u1)/dt - f((u1 + u2)/2)
//   train_rk2: r = (u2 - u1)/dt - f(u1)
//   L = (r_0^2 + r_1^2)/2 + (c + 1)^2 / 2
//   time_derivative = f, time_derivative_vjp (for dopri5 training)
//
// The (c + 1)^2 term pulls c below 0, so the projection of the nonneg
// parameter is exercised.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <array>
#include <cstdint>

namespace fake {

template <class T> struct Params {
  std::array<T, 3> data{};
};
template <class T> struct Workspace {
  std::array<T, 4> buf{};
};

struct Model {
  static constexpr const char *name = "FakeLinear";
  static constexpr std::int64_t state_size = 2, param_count = 3,
                                workspace_size = 4;
  static constexpr bool has_energy = false, conserves_energy = false,
                        dissipates_energy = false, conserves_mass = false,
                        separable = false;
  static constexpr std::array<const char *, 3> param_names = {"c", "a", "b"};
  static constexpr std::array<std::int64_t, 3> param_offsets = {0, 1, 2};
  static constexpr std::array<std::int64_t, 3> param_sizes = {1, 1, 1};
  static constexpr std::array<bool, 3> param_nonneg = {true, false, false};
  template <class T> using ParamsT = Params<T>;
  template <class T> using WorkspaceT = Workspace<T>;

  template <class T> static void init_params(Params<T> &p, std::uint64_t seed) {
    p.data = {T(0.5), T(0.1 + 0.01 * double(seed % 7)), T(-0.2)};
  }

  template <class T>
  static void sample(const Params<T> &p, const T *m, const T *u1, const T *u2,
                     const T *dt, T *L, T *g) {
    const T c = p.data[0], a = p.data[1], b = p.data[2];
    T r0 = (u2[0] - u1[0]) / dt[0] - a * m[1];
    T r1 = (u2[1] - u1[1]) / dt[0] + b * m[0];
    L[0] = (r0 * r0 + r1 * r1) / T(2) + (c + T(1)) * (c + T(1)) / T(2);
    g[0] = c + T(1);
    g[1] = -r0 * m[1];
    g[2] = r1 * m[0];
  }

  template <class T>
  static void train_dg(const Params<T> &p, const T *u1, const T *u2,
                       const T *dt, T *L, T *g, Workspace<T> &ws) {
    ws.buf[0] = (u1[0] + u2[0]) / T(2);
    ws.buf[1] = (u1[1] + u2[1]) / T(2);
    sample(p, ws.buf.data(), u1, u2, dt, L, g);
  }
  template <class T>
  static void time_derivative(const Params<T> &p, const T *u, T *f,
                              Workspace<T> &) {
    f[0] = p.data[1] * u[1];
    f[1] = -p.data[2] * u[0];
  }
  /// ubar = J^T ybar, dparams = (df/dtheta)^T ybar.
  template <class T>
  static void time_derivative_vjp(const Params<T> &p, const T *u,
                                  const T *ybar, T *ubar, T *dp,
                                  Workspace<T> &) {
    ubar[0] = -p.data[2] * ybar[1];
    ubar[1] = p.data[1] * ybar[0];
    dp[0] = 0;
    dp[1] = u[1] * ybar[0];
    dp[2] = -u[0] * ybar[1];
  }
  template <class T>
  static void train_rk2(const Params<T> &p, const T *u1, const T *u2,
                        const T *dt, T *L, T *g, Workspace<T> &) {
    sample(p, u1, u1, u2, dt, L, g);
  }
};

} // namespace fake
