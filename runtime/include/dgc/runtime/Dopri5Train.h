//===- Dopri5Train.h - Training loss through adaptive dopri5 -----*- C++ -*-===//
//
// Part of dgc's runtime. The baselines' "ada. DP" training objective
// (experiments.md 1.4, 8) for one pair: uhat = dopri5 from u1 over [0, dt]
// with adaptive steps (rtol 1e-7, atol 1e-9, safety 0.9, growth <= 10x,
// shrink <= 5x on a rejection and never after an accepted step, Hairer's
// initial step),
//
//   L = mean_k ((uhat - u1)/dt - (u2 - u1)/dt)_k^2,
//
// and dL/dparams by back-propagation through the stages of every accepted
// step, with the generated vector-Jacobian product `time_derivative_vjp`
// (p, u, ybar) -> (ubar, dparams). Differences from torchdiffeq v0.0.1,
// stated: each pair has its own step sizes (the authors' error norm ran
// over the whole batch tensor, so a batch shared them); the last step is
// shortened to end at dt instead of stepping past it and interpolating;
// and the step sizes are constants for the gradient (the authors' code did
// not detach them; their effect is of the order of the tolerance).
//
// Buffers grow with the number of accepted steps of the longest pair seen
// and are then reused; one object per thread.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Dopri5Tableau.h"
#include "dgc/runtime/Newton.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace dgc::rt {

template <class M, class T> class Dopri5Loss {
public:
  using Params = typename M::template ParamsT<T>;
  using Workspace = typename M::template WorkspaceT<T>;
  static constexpr int64_t N = M::state_size;
  static constexpr int64_t P = M::param_count > 0 ? M::param_count : 1;

  double rtol = 1e-7, atol = 1e-9;
  int64_t maxSteps = 100000;
  int64_t acceptedSteps = 0, rejectedSteps = 0; ///< of the last call

  Dopri5Loss()
      : y_(N), yt_(N), err_(N), k_(7 * N), ybar_(N), kbar_(6 * N), ub_(N),
        gp_(P) {}

  /// L (one value) and dL/dparams (P values) of the pair (u1, u2, dt).
  void operator()(const Params &p, const T *u1, const T *u2, const T *dtp,
                  T *L, T *g, Workspace &ws) {
    const double dt = double(*dtp);
    if (!(dt > 0))
      throw SimulationError("dopri5 training needs dt > 0");
    steps_.clear();
    acceptedSteps = rejectedSteps = 0;
    std::copy(u1, u1 + N, y_.begin());
    T *k0 = &k_[0];
    M::time_derivative(p, y_.data(), k0, ws);
    double t = 0, h = initialStep(p, dt, ws);
    while (t < dt * (1 - 4 * std::numeric_limits<double>::epsilon())) {
      if (acceptedSteps + rejectedSteps >= maxSteps)
        throw SimulationError("dopri5 training: more than " +
                              std::to_string(maxSteps) + " steps for a pair");
      if (!(h > 16 * std::numeric_limits<double>::epsilon() * dt))
        throw SimulationError("dopri5 training: step size underflow");
      const bool last = t + h >= dt;
      const double hh = last ? dt - t : h;
      // Stage inputs Y_s for s = 0..5 (Y_0 = y), stored for the backward
      // pass at the slot of this step; K[6] = f(y_new) for the error and FSAL.
      const size_t base = stageY_.size();
      stageY_.resize(base + 6 * N);
      std::copy(y_.begin(), y_.end(), stageY_.begin() + base);
      for (int s = 1; s < 7; ++s) {
        for (int64_t i = 0; i < N; ++i) {
          double acc = double(y_[i]);
          for (int j = 0; j < s; ++j)
            if (A[s][j] != 0)
              acc += hh * A[s][j] * double(k_[j * N + i]);
          yt_[i] = T(acc);
        }
        if (s < 6)
          std::copy(yt_.begin(), yt_.end(), stageY_.begin() + base + s * N);
        M::time_derivative(p, yt_.data(), &k_[s * N], ws);
      }
      // yt_ = y_new (row 6 of A is the 5th-order solution); error estimate.
      double sum = 0;
      for (int64_t i = 0; i < N; ++i) {
        double e = 0;
        for (int s = 0; s < 7; ++s)
          e += hh * E[s] * double(k_[s * N + i]);
        double sc = atol + rtol * std::max(std::abs(double(y_[i])),
                                           std::abs(double(yt_[i])));
        sum += (e / sc) * (e / sc);
      }
      double en = std::sqrt(sum / double(N));
      if (!std::isfinite(en))
        throw SimulationError("dopri5 training: the state became non-finite");
      if (en <= 1.0) {
        steps_.push_back(hh);
        t = last ? dt : t + hh;
        std::copy(yt_.begin(), yt_.end(), y_.begin());
        std::copy(&k_[6 * N], &k_[6 * N] + N, k0); // FSAL
        ++acceptedSteps;
        // torchdiffeq: never shrink after an accepted step, grow <= 10x.
        double fac = en == 0 ? 10.0 : 0.9 * std::pow(en, -0.2);
        h = hh * std::min(10.0, std::max(1.0, fac));
      } else {
        stageY_.resize(base);
        ++rejectedSteps;
        h = hh * std::max(0.2, 0.9 * std::pow(en, -0.2));
      }
    }
    // Loss and its adjoint at uhat = y_.
    double loss = 0;
    for (int64_t i = 0; i < N; ++i) {
      double r = (double(y_[i]) - double(u2[i])) / dt;
      loss += r * r;
      ybar_[i] = T(2 * r / (dt * double(N)));
    }
    *L = T(loss / double(N));
    std::fill(g, g + P, T(0));
    // Backward through the accepted steps, last first.
    for (int64_t st = int64_t(steps_.size()) - 1; st >= 0; --st) {
      const double hh = steps_[st];
      const T *Y = &stageY_[size_t(st) * 6 * N];
      for (int s = 0; s < 6; ++s)
        for (int64_t i = 0; i < N; ++i)
          kbar_[s * N + i] = T(hh * A[6][s] * double(ybar_[i]));
      for (int s = 5; s >= 0; --s) {
        M::time_derivative_vjp(p, Y + s * N, &kbar_[s * N], ub_.data(),
                               gp_.data(), ws);
        for (int64_t q = 0; q < P; ++q)
          g[q] += gp_[q];
        for (int64_t i = 0; i < N; ++i) {
          ybar_[i] += ub_[i];
          for (int j = 0; j < s; ++j)
            if (A[s][j] != 0)
              kbar_[j * N + i] += T(hh * A[s][j]) * ub_[i];
        }
      }
    }
    stageY_.clear();
  }

private:
  std::vector<T> y_, yt_, err_, k_, ybar_, kbar_, ub_, gp_, stageY_;
  std::vector<double> steps_;

  /// Hairer's starting step, as torchdiffeq's (k_[0] = f(y) on entry).
  double initialStep(const Params &p, double dt, Workspace &ws) {
    auto norm = [&](auto get) {
      double s = 0;
      for (int64_t i = 0; i < N; ++i) {
        double sc = atol + rtol * std::abs(double(y_[i]));
        double v = get(i) / sc;
        s += v * v;
      }
      return std::sqrt(s / double(N));
    };
    double d0 = norm([&](int64_t i) { return double(y_[i]); });
    double d1 = norm([&](int64_t i) { return double(k_[i]); });
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    for (int64_t i = 0; i < N; ++i)
      yt_[i] = T(double(y_[i]) + h0 * double(k_[i]));
    M::time_derivative(p, yt_.data(), &k_[N], ws);
    double d2 = norm([&](int64_t i) {
                  return double(k_[N + i]) - double(k_[i]);
                }) /
                h0;
    double dm = std::max(d1, d2);
    double h1 = dm <= 1e-15 ? std::max(1e-6, h0 * 1e-3)
                            : std::pow(0.01 / dm, 1.0 / 5);
    return std::min({100 * h0, h1, dt});
  }

  static constexpr const double (&A)[7][6] = Dopri5Tableau::A;
  static constexpr const double (&E)[7] = Dopri5Tableau::E;
};

} // namespace dgc::rt
