//===- Dopri5Train.h - Training loss through adaptive dopri5 -----*- C++ -*-===//
//
// Part of dgc's runtime. The baselines' "ada. DP" training objective
// (experiments.md 1.4, 8) over a batch of pairs, as torchdiffeq v0.0.1
// computes it: the whole batch is ONE state of an adaptive Dormand-Prince
// 5(4) run from u1 over [0, dt] (rtol 1e-7, atol 1e-9, safety 0.9, growth
// <= 10x, shrink <= 5x on a rejection and never after an accepted step,
// Hairer's initial step), so every pair shares the step sizes: the error
// norm is the RMS over all elements of the batch of
// err / (atol + rtol max(|y0|, |y1|)). The run steps past dt and takes
// uhat at dt from the 4th-order continuous extension of the last step.
//
//   L = mean_b mean_k ((uhat_b - u2_b)/dt_b)_k^2
//
// and dL/dparams by back-propagation through the stages of every accepted
// step and through the interpolation, with the generated vector-Jacobian
// product `time_derivative_vjp` (p, u, ybar) -> (ubar, dparams), or its
// tiled form `time_derivative_vjp_tile` (and `time_derivative_tile` for
// the stages) where the model has one: a tile of pairs per call, so the
// network's products are GEMMs.
//
// Pairs with different dt: the run is over [0, dt_0] (dt_0 of the first
// pair) and pair b integrates (dt_b / dt_0) f, i.e. its own interval in
// rescaled time; with one dt for the batch (every dataset of the paper)
// that factor is 1 and this is torchdiffeq's run. Stated differences:
// the step sizes are constants for the gradient (the authors' code did
// not detach them; their effect is of the order of the tolerance), and
// the initial step is never larger than dt_0.
//
// Work is split over `threads` threads in contiguous chunks of pairs
// (whole tiles), each with its own workspace: one parallel region per
// step attempt (the six stages and the chunk's part of the error norm),
// and one for the whole backward pass. Partial sums are added in thread
// order, so a run is reproducible for a given thread count. Buffers grow
// with the batch and the number of accepted steps and are then reused.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Dopri5Tableau.h"
#include "dgc/runtime/Newton.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace dgc::rt {

template <class M, class T> class Dopri5Loss {
public:
  using Params = typename M::template ParamsT<T>;
  using Workspace = typename M::template WorkspaceT<T>;
  static constexpr int64_t N = M::state_size;
  static constexpr int64_t P = M::param_count > 0 ? M::param_count : 1;
  /// The model has time_derivative_tile and time_derivative_vjp_tile.
  static constexpr bool kHasTiles = requires {
    M::time_derivative_tile_size;
    M::time_derivative_vjp_tile_size;
    typename M::template TileWorkspaceT<T>;
  };

  double rtol = 1e-7, atol = 1e-9;
  int64_t maxSteps = 100000;
  int64_t acceptedSteps = 0, rejectedSteps = 0; ///< of the last call

  /// `tiles`: use the tiled functions where the model has them.
  explicit Dopri5Loss(int threads = 1, bool tiles = true)
      : tile_(tileOf(tiles)), workers_(static_cast<size_t>(std::max(1, threads))) {
    for (Worker &w : workers_) {
      w.ws = std::make_unique<Workspace>();
      w.gp.assign(static_cast<size_t>(P), T(0));
      w.acc.assign(static_cast<size_t>(P), 0.0);
      w.ts.assign(static_cast<size_t>(N), T(0));
      if constexpr (kHasTiles)
        if (tile_ > 0) {
          const size_t t = static_cast<size_t>(tile_);
          w.tws = std::make_shared<typename M::template TileWorkspaceT<T>>();
          w.tu.assign(t * N, T(0));
          w.ts.assign(t * N, T(0));
          w.tr.assign(t * N, T(0));
        }
    }
  }

  /// The tile of pairs per call (0: the per-pair functions are used).
  int64_t tile() const { return tile_; }

  /// The mean loss over the pairs idx[0..n) of the arrays u1, u2 ([pairs,
  /// N], row-major) and dt ([pairs]), and its gradient (the mean of
  /// dL_b/dparams, P values) into g.
  double operator()(const Params &p, const T *u1, const T *u2, const T *dt,
                    const int64_t *idx, int64_t n, double *g) {
    if (n < 1)
      throw SimulationError("dopri5 training: an empty batch");
    setUp(u1, u2, dt, idx, n);
    forward(p);
    double loss = backward(p, g);
    return loss;
  }

private:
  struct Worker {
    std::unique_ptr<Workspace> ws;
    std::shared_ptr<void> tws; ///< TileWorkspaceT<T>, where there are tiles
    std::vector<T> gp, tu, ts, tr; ///< dparams; tile in, seed, result
    std::vector<double> acc;       ///< dparams, summed over the chunk
    double s0 = 0, s1 = 0, s2 = 0; ///< the chunk's partial sums
  };

  int64_t tile_;
  std::vector<Worker> workers_;
  int64_t n_ = 0;
  double tEnd_ = 0, theta_ = 0;
  std::vector<T> u2_, y_, yhat_;
  std::vector<double> scale_, dt_; ///< dt_b / dt_0, dt_b
  std::vector<T> k_[7];
  std::vector<T> stages_;    ///< per accepted step: its 7 stage inputs
  std::vector<double> steps_; ///< accepted step sizes
  std::vector<T> ybar_, kbar_, ub_; ///< backward, [n N] and [7 n N]

  static constexpr const double (&A)[7][6] = Dopri5Tableau::A;
  static constexpr const double (&E)[7] = Dopri5Tableau::E;

  static int64_t tileOf(bool tiles) {
    if constexpr (kHasTiles)
      if (tiles && M::time_derivative_tile_size ==
                       M::time_derivative_vjp_tile_size)
        return M::time_derivative_tile_size;
    return 0;
  }

  size_t nN() const { return static_cast<size_t>(n_ * N); }

  void setUp(const T *u1, const T *u2, const T *dt, const int64_t *idx,
             int64_t n) {
    n_ = n;
    tEnd_ = double(dt[idx[0]]);
    y_.resize(nN());
    u2_.resize(nN());
    yhat_.resize(nN());
    scale_.resize(static_cast<size_t>(n));
    dt_.resize(static_cast<size_t>(n));
    for (int64_t b = 0; b < n; ++b) {
      const int64_t j = idx[b];
      std::copy(u1 + j * N, u1 + (j + 1) * N, y_.begin() + b * N);
      std::copy(u2 + j * N, u2 + (j + 1) * N, u2_.begin() + b * N);
      dt_[b] = double(dt[j]);
      if (!(dt_[b] > 0) || !std::isfinite(dt_[b]))
        throw SimulationError("dopri5 training needs dt > 0");
      scale_[b] = dt_[b] / tEnd_;
    }
    for (std::vector<T> &k : k_)
      k.resize(nN());
    stages_.clear();
    steps_.clear();
    acceptedSteps = rejectedSteps = 0;
  }

  /// Runs fn(worker, b0, b1) on every thread's chunk of pairs [b0, b1)
  /// (whole tiles), the calling thread taking the first.
  template <class F> void parallel(F fn) {
    const int64_t unit = tile_ > 0 ? tile_ : 1;
    const int64_t units = (n_ + unit - 1) / unit;
    const int nt = static_cast<int>(
        std::min<int64_t>(static_cast<int64_t>(workers_.size()), units));
    for (Worker &w : workers_)
      w.s0 = w.s1 = w.s2 = 0;
    auto run = [&](int t) {
      const int64_t b0 = std::min(n_, units * t / nt * unit);
      const int64_t b1 = std::min(n_, units * (t + 1) / nt * unit);
      fn(workers_[static_cast<size_t>(t)], b0, b1);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < nt; ++t)
      pool.emplace_back(run, t);
    // Exceptions from other threads are not expected (the generated
    // functions do not throw); the caller's are rethrown after the join.
    try {
      run(0);
    } catch (...) {
      for (std::thread &th : pool)
        th.join();
      throw;
    }
    for (std::thread &th : pool)
      th.join();
  }

  /// Sum of the workers' partial sums s0, s1, s2 (in thread order).
  std::array<double, 3> sums() const {
    std::array<double, 3> s{0, 0, 0};
    for (const Worker &w : workers_) {
      s[0] += w.s0;
      s[1] += w.s1;
      s[2] += w.s2;
    }
    return s;
  }

  /// out_b = scale_b f(y_b) for the pairs [b0, b1).
  void field(const Params &p, Worker &w, const T *y, T *out, int64_t b0,
             int64_t b1) {
    if constexpr (kHasTiles)
      if (tile_ > 0) {
        for (int64_t t0 = b0; t0 < b1; t0 += tile_) {
          const int64_t m = std::min(tile_, b1 - t0);
          gather(w.tu, y, t0, m);
          M::time_derivative_tile(p, w.tu.data(), w.tr.data(), tileWs(w));
          scatter(w.tr, out, t0, m, true);
        }
        return;
      }
    for (int64_t b = b0; b < b1; ++b) {
      M::time_derivative(p, y + b * N, out + b * N, *w.ws);
      if (scale_[b] != 1.0)
        for (int64_t i = 0; i < N; ++i)
          out[b * N + i] = T(scale_[b] * double(out[b * N + i]));
    }
  }

  /// ub_b = (d(scale_b f)/dy at y_b)^T seed_b for the pairs [b0, b1); the
  /// parameter part is added into w.acc.
  void vjp(const Params &p, Worker &w, const T *y, const T *seed, T *ub,
           int64_t b0, int64_t b1) {
    if constexpr (kHasTiles)
      if (tile_ > 0) {
        for (int64_t t0 = b0; t0 < b1; t0 += tile_) {
          const int64_t m = std::min(tile_, b1 - t0);
          gather(w.tu, y, t0, m);
          gather(w.ts, seed, t0, m, true);
          M::time_derivative_vjp_tile(p, w.tu.data(), w.ts.data(),
                                      w.tr.data(), w.gp.data(), tileWs(w));
          for (int64_t q = 0; q < P; ++q)
            w.acc[q] += double(w.gp[q]);
          scatter(w.tr, ub, t0, m, false);
        }
        return;
      }
    for (int64_t b = b0; b < b1; ++b) {
      for (int64_t i = 0; i < N; ++i)
        w.ts[i] = T(scale_[b] * double(seed[b * N + i]));
      M::time_derivative_vjp(p, y + b * N, w.ts.data(), ub + b * N,
                             w.gp.data(), *w.ws);
      for (int64_t q = 0; q < P; ++q)
        w.acc[q] += double(w.gp[q]);
    }
  }

  /// Pairs t0..t0+m of `src` ([pairs, N]) into the columns of `dst`
  /// ([N, tile]). A partial tile is padded with copies of its last state
  /// (a valid point of the field); `seed`: the columns are scale_b times
  /// src and the padding is 0, so padded columns add nothing to dparams.
  void gather(std::vector<T> &dst, const T *src, int64_t t0, int64_t m,
              bool seed = false) const {
    for (int64_t c = 0; c < tile_; ++c) {
      const int64_t b = t0 + std::min(c, m - 1);
      const double f = seed ? (c < m ? scale_[b] : 0.0) : 1.0;
      for (int64_t i = 0; i < N; ++i)
        dst[i * tile_ + c] = seed ? T(f * double(src[b * N + i]))
                                  : src[b * N + i];
    }
  }

  /// The columns 0..m of `src` ([N, tile]) into pairs t0..t0+m of `dst`
  /// ([pairs, N]), the inverse of gather; `scaled`: times scale_b.
  void scatter(const std::vector<T> &src, T *dst, int64_t t0, int64_t m,
               bool scaled) const {
    for (int64_t c = 0; c < m; ++c) {
      const double f = scaled ? scale_[t0 + c] : 1.0;
      for (int64_t i = 0; i < N; ++i)
        dst[(t0 + c) * N + i] = scaled ? T(f * double(src[i * tile_ + c]))
                                       : src[i * tile_ + c];
    }
  }

  static auto &tileWs(Worker &w) {
    return *static_cast<typename M::template TileWorkspaceT<T> *>(w.tws.get());
  }

  /// Hairer's starting step, as torchdiffeq's, with the norms over the
  /// whole batch; k_[0] = f(y) on return.
  double initialStep(const Params &p) {
    // d0 = |y|, d1 = |f(y)| (scaled RMS norms), k_[0] = f(y).
    parallel([&](Worker &w, int64_t b0, int64_t b1) {
      field(p, w, y_.data(), k_[0].data(), b0, b1);
      for (int64_t e = b0 * N; e < b1 * N; ++e) {
        double sc = atol + rtol * std::abs(double(y_[e]));
        w.s0 += (double(y_[e]) / sc) * (double(y_[e]) / sc);
        w.s1 += (double(k_[0][e]) / sc) * (double(k_[0][e]) / sc);
      }
    });
    const double cnt = double(nN());
    auto s = sums();
    const double d0 = std::sqrt(s[0] / cnt), d1 = std::sqrt(s[1] / cnt);
    const double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    // d2 = |f(y + h0 f(y)) - f(y)| / h0.
    parallel([&](Worker &w, int64_t b0, int64_t b1) {
      for (int64_t e = b0 * N; e < b1 * N; ++e)
        k_[6][e] = T(double(y_[e]) + h0 * double(k_[0][e]));
      field(p, w, k_[6].data(), k_[1].data(), b0, b1);
      for (int64_t e = b0 * N; e < b1 * N; ++e) {
        double sc = atol + rtol * std::abs(double(y_[e]));
        double v = (double(k_[1][e]) - double(k_[0][e])) / sc;
        w.s2 += v * v;
      }
    });
    const double d2 = std::sqrt(sums()[2] / cnt) / h0;
    const double dm = std::max(d1, d2);
    const double h1 = dm <= 1e-15 ? std::max(1e-6, h0 * 1e-3)
                                  : std::pow(0.01 / dm, 1.0 / 5);
    return std::min({100 * h0, h1, tEnd_});
  }

  /// The adaptive run; uhat into yhat_, the accepted steps' stage inputs
  /// into stages_ (7 per step: Y_0 .. Y_5 and the new state).
  void forward(const Params &p) {
    double t = 0, h = initialStep(p);
    const size_t S = nN();
    for (;;) {
      if (acceptedSteps + rejectedSteps >= maxSteps)
        throw SimulationError("dopri5 training: more than " +
                              std::to_string(maxSteps) + " steps");
      if (!(h > 16 * std::numeric_limits<double>::epsilon() * tEnd_))
        throw SimulationError("dopri5 training: step size underflow");
      const size_t base = stages_.size();
      stages_.resize(base + 7 * S);
      T *Y = stages_.data() + base;
      parallel([&](Worker &w, int64_t b0, int64_t b1) {
        const int64_t e0 = b0 * N, e1 = b1 * N;
        std::copy(y_.begin() + e0, y_.begin() + e1, Y + e0);
        for (int s = 1; s < 7; ++s) {
          T *Ys = Y + s * S;
          for (int64_t e = e0; e < e1; ++e) {
            double acc = double(y_[e]);
            for (int j = 0; j < s; ++j)
              if (A[s][j] != 0)
                acc += h * A[s][j] * double(k_[j][e]);
            Ys[e] = T(acc);
          }
          field(p, w, Ys, k_[s].data(), b0, b1);
        }
        for (int64_t e = e0; e < e1; ++e) {
          double err = 0;
          for (int s = 0; s < 7; ++s)
            err += h * E[s] * double(k_[s][e]);
          double sc = atol + rtol * std::max(std::abs(double(y_[e])),
                                             std::abs(double(Y[6 * S + e])));
          w.s0 += (err / sc) * (err / sc);
        }
      });
      const double en = std::sqrt(sums()[0] / double(S));
      if (!std::isfinite(en))
        throw SimulationError("dopri5 training: the state became non-finite");
      if (en > 1.0) {
        stages_.resize(base);
        ++rejectedSteps;
        h *= std::max(0.2, 0.9 * std::pow(en, -0.2));
        continue;
      }
      ++acceptedSteps;
      steps_.push_back(h);
      if (t + h >= tEnd_) {
        // uhat from the continuous extension at tEnd_.
        theta_ = (tEnd_ - t) / h;
        double c[7];
        for (int i = 0; i < 7; ++i)
          c[i] = h * Dopri5Tableau::denseWeight(i, theta_);
        for (size_t e = 0; e < S; ++e) {
          double acc = double(y_[e]);
          for (int i = 0; i < 7; ++i)
            if (c[i] != 0)
              acc += c[i] * double(k_[i][e]);
          yhat_[e] = T(acc);
        }
        return;
      }
      t += h;
      std::copy(Y + 6 * S, Y + 7 * S, y_.begin());
      std::swap(k_[0], k_[6]); // FSAL
      // torchdiffeq: never shrink after an accepted step, grow <= 10x.
      const double fac = en == 0 ? 10.0 : 0.9 * std::pow(en, -0.2);
      h *= std::min(10.0, std::max(1.0, fac));
    }
  }

  /// The loss and its gradient (mean over the batch) into g.
  double backward(const Params &p, double *g) {
    const size_t S = nN();
    ybar_.resize(S);
    ub_.resize(S);
    kbar_.resize(7 * S);
    const int64_t last = static_cast<int64_t>(steps_.size()) - 1;
    for (Worker &w : workers_)
      std::fill(w.acc.begin(), w.acc.end(), 0.0);
    parallel([&](Worker &w, int64_t b0, int64_t b1) {
      const int64_t e0 = b0 * N, e1 = b1 * N;
      for (int64_t b = b0; b < b1; ++b)
        for (int64_t i = 0; i < N; ++i) {
          const int64_t e = b * N + i;
          const double r = (double(yhat_[e]) - double(u2_[e])) / dt_[b];
          w.s0 += r * r;
          ybar_[e] = T(2 * r / (dt_[b] * double(N) * double(n_)));
        }
      for (int64_t st = last; st >= 0; --st) {
        const double h = steps_[st];
        const T *Y = stages_.data() + size_t(st) * 7 * S;
        // How y_end (or uhat) depends on the step's stages.
        double c[7];
        for (int i = 0; i < 7; ++i)
          c[i] = st == last ? h * Dopri5Tableau::denseWeight(i, theta_)
                            : (i < 6 ? h * A[6][i] : 0.0);
        for (int i = 0; i < 7; ++i)
          for (int64_t e = e0; e < e1; ++e)
            kbar_[i * S + e] = T(c[i] * double(ybar_[e]));
        // K_6 = f(Y_6), Y_6 = Y_0 + h sum_j A[6][j] K_j (only the last step
        // uses it, through the interpolation); then K_5 .. K_0.
        for (int s = c[6] != 0 ? 6 : 5; s >= 0; --s) {
          vjp(p, w, Y + s * S, kbar_.data() + s * S, ub_.data(), b0, b1);
          for (int64_t e = e0; e < e1; ++e) {
            ybar_[e] += ub_[e];
            for (int j = 0; j < s; ++j)
              if (A[s][j] != 0)
                kbar_[j * S + e] += T(h * A[s][j] * double(ub_[e]));
          }
        }
      }
    });
    double loss = 0;
    std::fill(g, g + P, 0.0);
    for (const Worker &w : workers_) {
      loss += w.s0;
      for (int64_t q = 0; q < P; ++q)
        g[q] += w.acc[q];
    }
    return loss / double(S);
  }
};

} // namespace dgc::rt
