//===- Eval.h - The paper's metrics for a trained model ----------*- C++ -*-===//
//
// Part of dgc's runtime. `evaluate<Model>` scores parameters on a dataset
// folder of `dgc dataset` exactly as shared/reference/experiments.md
// defines the metrics (sections 2-7), in double precision:
//
//   derivative_mse  (all but real-pendulum) MSE over every test state and
//                   component between the stored true derivative (test_dx,
//                   test_dudt) and the model's continuous vector field
//                   time_derivative(u) at the (noisy) test state.
//   energy_mse      mass-spring, pendulum, two-body: from each of the 15
//                   eval_x0, predict on the dataset's grid with the
//                   prediction scheme; MSE of the true energy (q^2 + p^2 for
//                   both spring and pendulum: the authors' quirk; two-body
//                   1/2 |p|^2 - 1/|q1 - q2|) between prediction and
//                   eval_orbits over 15 x K values, t = 0 included.
//                   kdv, ch: from each test series' first state, 500 steps;
//                   MSE of the true energy (KdV / CH formulas of sections 2,
//                   3, computed for the prediction, stored test_energy for
//                   the truth) over steps 1..500.
//                   real-pendulum: from test_x[0], 109 steps of 1/6; MSE of
//                   H_ref = 2.4 (1 - cos q) + p^2 against test_energy_ref
//                   (110 values, t = 0 included).
//   mass_mse        kdv, ch: MSE of the states over series x steps 1..500 x
//                   nodes (the protocol's inferred "local mass").
//   difference_mse  real-pendulum: mean over the 110 test pairs of
//                   ((x^_{i+1} - x_i)/(1/6) - dx_i)^2, x^_{i+1} one step of
//                   the *training* scheme from x_i.
//
// The user's own series (a "trajectories" folder, docs/trajectories.md):
//   derivative_mse  only where test_dx is given, as above.
//   difference_mse  mean over every consecutive test pair (x_k, x_k+1) of
//                   ((x^_k+1 - x_k)/dt_k - (x_k+1 - x_k)/dt_k)^2, x^_k+1 one
//                   step of the prediction scheme from x_k.
//   prediction_mse  from each test series' first state, K - 1 steps of the
//                   prediction scheme (one run on evenly spaced times, else
//                   each step with its own dt); MSE of the states over
//                   series x steps 1..K-1 x components.
//
// Prediction (section 1.4): a dopri5 prediction of a model trained with
// dopri5 is one adaptive run over the grid; otherwise (and for every other
// scheme) each interval restarts the scheme. dopri5 uses the training
// library's defaults rtol 1e-7, atol 1e-9. A prediction that fails (a
// Newton solve that does not converge, a non-finite state) makes its
// metric NaN, with a warning naming the series; the other series are
// still predicted, and the same mean over the ones that completed is
// reported apart, as a PartialMetric (`NAME_partial`, with the count of
// series it covers and the failed ones), never in the metric's place.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Integrators.h"
#include "dgc/runtime/SimulateCli.h"
#include "dgc/runtime/TrainData.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dgc::rt {

struct EvalOptions {
  Scheme scheme = Scheme::DG;      ///< prediction scheme
  Scheme trainScheme = Scheme::DG; ///< training scheme (real-pendulum diff.,
                                   ///< dopri5's one-run rule)
};

/// The metrics that apply, by name, in a fixed order.
using Metrics = std::vector<std::pair<std::string, double>>;

/// A metric some of whose predictions failed: in Metrics it is NaN (its
/// value over every series is unknown); `value` is the same mean over the
/// `completed` of `total` series that completed (NaN if none did).
struct PartialMetric {
  std::string metric;
  double value = 0;
  int64_t completed = 0, total = 0;
  std::vector<std::string> failed; ///< "test series 3", "eval_x0[7]", ...
};
using PartialMetrics = std::vector<PartialMetric>;

namespace eval_detail {

inline double nan() { return std::numeric_limits<double>::quiet_NaN(); }

/// The true energy of one state of dataset `d` (the metric's energy).
inline double trueEnergy(const DatasetInfo &d, const double *u, int64_t n) {
  if (d.name == "mass-spring" || d.name == "pendulum")
    return u[0] * u[0] + u[1] * u[1];
  if (d.name == "two-body") {
    // (x1, x2, y1, y2, px1, px2, py1, py2)
    double dx = u[0] - u[1], dy = u[2] - u[3];
    double kin = 0;
    for (int i = 4; i < 8; ++i)
      kin += u[i] * u[i];
    return 0.5 * kin - 1.0 / std::sqrt(dx * dx + dy * dy);
  }
  if (d.name == "real-pendulum")
    return 2.4 * (1 - std::cos(u[0])) + u[1] * u[1];
  const double dx = d.json.value("dx", d.name == "kdv" ? 0.2 : 0.02);
  double h = 0;
  for (int64_t k = 0; k < n; ++k) {
    double up = (u[(k + 1) % n] - u[k]) / dx;
    double um = (u[k] - u[(k + n - 1) % n]) / dx;
    double grad2 = 0.5 * (up * up + um * um);
    if (d.name == "kdv") // alpha = -6, beta = 1
      h += u[k] * u[k] * u[k] - 0.5 * grad2;
    else // ch: a = b = 1, gamma = 0.0005
      h += -0.5 * u[k] * u[k] + 0.25 * u[k] * u[k] * u[k] * u[k] +
           0.5 * 0.0005 * grad2;
  }
  return dx * h;
}

/// A metric's sum of squares over the series that completed, and which
/// did not.
struct SeriesMean {
  double sum = 0;
  int64_t count = 0; ///< values summed
  int64_t completed = 0, total = 0;
  std::vector<std::string> failed;

  void fail(const std::string &series) {
    ++total;
    failed.push_back(series);
  }
  void done() {
    ++total;
    ++completed;
  }
};

/// Appends metric `name`: the mean, or NaN and a PartialMetric when a
/// series failed.
inline void finish(Metrics &out, PartialMetrics *partial,
                   const std::string &name, const SeriesMean &m) {
  if (m.failed.empty()) {
    out.emplace_back(name, m.count > 0 ? m.sum / double(m.count) : nan());
    return;
  }
  out.emplace_back(name, nan());
  if (partial)
    partial->push_back({name, m.count > 0 ? m.sum / double(m.count) : nan(),
                        m.completed, m.total, m.failed});
}

} // namespace eval_detail

/// Predicts `steps` steps of dt from u0 (row 0 = u0) with `opts.scheme`.
/// Returns false (and warns) when the prediction fails.
template <class M>
bool predict(const typename M::template ParamsT<double> &p, const double *u0,
             int64_t steps, double dt, const EvalOptions &opts,
             std::vector<double> &out, const std::string &what) {
  constexpr int64_t N = M::state_size;
  SchemeOptions so;
  so.scheme = opts.scheme;
  so.dt = dt;
  so.rtol = 1e-7;
  so.atol = 1e-9;
  const bool oneRun =
      opts.scheme == Scheme::Dopri5 && opts.trainScheme == Scheme::Dopri5;
  out.assign(static_cast<size_t>((steps + 1) * N), 0.0);
  std::copy(u0, u0 + N, out.begin());
  try {
    std::unique_ptr<Stepper<double>> st = makeStepper<M, double>(p, so);
    std::vector<double> u(u0, u0 + N);
    st->reset(u.data());
    for (int64_t n = 0; n < steps; ++n) {
      if (!oneRun && opts.scheme == Scheme::Dopri5 && n > 0)
        st->reset(u.data());
      st->advance(u.data(), oneRun ? n : 0);
      for (int64_t i = 0; i < N; ++i)
        if (!std::isfinite(u[i]))
          throw SimulationError("the state became non-finite at step " +
                                std::to_string(n + 1));
      std::copy(u.begin(), u.end(), out.begin() + (n + 1) * N);
    }
  } catch (const NewtonError &e) {
    std::fprintf(stderr, "dgc: warning: prediction %s failed: %s\n",
                 what.c_str(), e.what());
    return false;
  } catch (const SimulationError &e) {
    // A scheme that does not apply to the model is the user's error.
    if (std::string(e.what()).find("needs") != std::string::npos)
      throw;
    std::fprintf(stderr, "dgc: warning: prediction %s failed: %s\n",
                 what.c_str(), e.what());
    return false;
  }
  return true;
}

/// The metrics of the user's own series (see the top of this file).
template <class M, class DerivMse>
Metrics evaluateTrajectories(const typename M::template ParamsT<double> &p,
                             const DatasetInfo &d, const EvalOptions &opts,
                             DerivMse derivativeMse, PartialMetrics *partial) {
  using eval_detail::SeriesMean;
  constexpr int64_t N = M::state_size;
  const char *nm = M::name;
  const std::vector<int64_t> own = stateShapeOf<M>();
  NpyArray x = readSeries(d, "test_x", N, nm, "", own);
  const int64_t S = x.shape[0], K = x.shape[1];
  std::vector<double> t = seriesTimes(d, K, "test_x", nm, "evaluation");
  Metrics out;
  if (d.has("test_dx"))
    out.emplace_back("derivative_mse",
                     derivativeMse(x, readSeries(d, "test_dx", N, nm, "",
                                                 own)));
  std::vector<double> tr;
  SeriesMean diff;
  for (int64_t i = 0; i < S; ++i)
    for (int64_t k = 0; k + 1 < K; ++k) {
      const double *a = x.data.data() + (i * K + k) * N;
      const double h = t[static_cast<size_t>(k + 1)] - t[static_cast<size_t>(k)];
      const std::string what = "test_x[" + std::to_string(i) + ", " +
                               std::to_string(k) + "]";
      if (!predict<M>(p, a, 1, h, opts, tr, "from " + what)) {
        diff.fail(what);
        continue;
      }
      diff.done();
      for (int64_t j = 0; j < N; ++j) {
        double e = (tr[N + j] - a[N + j]) / h;
        diff.sum += e * e;
      }
      diff.count += N;
    }
  eval_detail::finish(out, partial, "difference_mse", diff);
  // Long-term prediction: one run on an even grid, else step by step with
  // each interval's dt (the scheme restarting at every step).
  const double h = t[1] - t[0];
  bool even = true;
  for (int64_t k = 1; k + 1 < K; ++k)
    even = even && std::abs((t[static_cast<size_t>(k + 1)] -
                             t[static_cast<size_t>(k)]) - h) <= 1e-9 * h;
  SeriesMean pred;
  std::vector<double> one;
  for (int64_t i = 0; i < S; ++i) {
    const double *truth = x.data.data() + i * K * N;
    const std::string series = "test series " + std::to_string(i);
    bool ok = true;
    if (even) {
      ok = predict<M>(p, truth, K - 1, h, opts, tr, "of " + series);
    } else {
      tr.assign(truth, truth + N);
      for (int64_t k = 0; k + 1 < K && ok; ++k) {
        ok = predict<M>(p, tr.data() + k * N, 1,
                        t[static_cast<size_t>(k + 1)] - t[static_cast<size_t>(k)],
                        opts, one, "of " + series);
        tr.insert(tr.end(), one.begin() + N, one.end());
      }
    }
    if (!ok) {
      pred.fail(series);
      continue;
    }
    pred.done();
    for (int64_t k = 1; k < K; ++k)
      for (int64_t j = 0; j < N; ++j) {
        double e = tr[k * N + j] - truth[k * N + j];
        pred.sum += e * e;
      }
    pred.count += (K - 1) * N;
  }
  eval_detail::finish(out, partial, "prediction_mse", pred);
  return out;
}

/// The metrics of parameters `p` on dataset `d`.
template <class M>
Metrics evaluate(const typename M::template ParamsT<double> &p,
                 const DatasetInfo &d, const EvalOptions &opts,
                 PartialMetrics *partial = nullptr) {
  using eval_detail::finish;
  using eval_detail::nan;
  using eval_detail::SeriesMean;
  using eval_detail::trueEnergy;
  constexpr int64_t N = M::state_size;
  const char *nm = M::name;
  // Every array the metrics need, with the model's state size
  // (TrainData.h); InputError otherwise. The driver runs the same check.
  checkEvalData(d, N, nm, stateShapeOf<M>());
  auto ws = std::make_unique<typename M::template WorkspaceT<double>>();
  std::vector<double> f(static_cast<size_t>(N));
  Metrics out;

  auto derivativeMse = [&](const NpyArray &x, const NpyArray &dx) {
    const int64_t rows = x.numel() / N;
    double s = 0;
    for (int64_t r = 0; r < rows; ++r) {
      M::time_derivative(p, x.data.data() + r * N, f.data(), *ws);
      for (int64_t i = 0; i < N; ++i) {
        double e = f[i] - dx.data[r * N + i];
        s += e * e;
      }
    }
    return s / double(rows * N);
  };

  if (d.isTrajectories())
    return evaluateTrajectories<M>(p, d, opts, derivativeMse, partial);

  if (d.isRealPendulum()) {
    NpyArray x1 = readDatasetArray(d, "test_pair_x1", 2, N, nm, "");
    NpyArray dx = readDatasetArray(d, "test_dx", 2, N, nm, "");
    NpyArray tx = readDatasetArray(d, "test_x", 2, N, nm, "");
    NpyArray href = readDatasetArray(d, "test_energy_ref", 1, 0, nm, "");
    const double h = d.json.value("dt", 1.0 / 6.0);
    const int64_t P = x1.shape[0];
    EvalOptions one = opts;
    one.scheme = opts.trainScheme;
    SeriesMean diff;
    std::vector<double> tr;
    for (int64_t i = 0; i < P; ++i) {
      const std::string what = "test pair " + std::to_string(i);
      if (!predict<M>(p, x1.data.data() + i * N, 1, h, one, tr,
                      "from " + what)) {
        diff.fail(what);
        continue;
      }
      diff.done();
      for (int64_t k = 0; k < N; ++k) {
        double e = (tr[N + k] - tr[k]) / h - dx.data[i * N + k];
        diff.sum += e * e;
      }
      diff.count += N;
    }
    finish(out, partial, "difference_mse", diff);
    const int64_t K = tx.shape[0];
    SeriesMean en;
    if (!predict<M>(p, tx.data.data(), K - 1, h, opts, tr, "from test_x[0]")) {
      en.fail("test_x[0]");
    } else {
      en.done();
      for (int64_t k = 0; k < K; ++k) {
        double e = trueEnergy(d, tr.data() + k * N, N) - href.data[k];
        en.sum += e * e;
      }
      en.count += K;
    }
    finish(out, partial, "energy_mse", en);
    return out;
  }

  if (d.isPde()) {
    NpyArray u = readDatasetArray(d, "test_u", 3, N, nm, "");
    NpyArray du = readDatasetArray(d, "test_dudt", 3, N, nm, "");
    NpyArray en = readDatasetArray(d, "test_energy", 2, 0, nm, "");
    NpyArray t = readDatasetArray(d, "t", 1, 0, nm, "");
    out.emplace_back("derivative_mse", derivativeMse(u, du));
    const int64_t S = u.shape[0], K = u.shape[1];
    const double dt = t.data[1] - t.data[0];
    SeriesMean se, sm;
    std::vector<double> tr;
    for (int64_t s = 0; s < S; ++s) {
      const double *truth = u.data.data() + s * K * N;
      const std::string series = "test series " + std::to_string(s);
      if (!predict<M>(p, truth, K - 1, dt, opts, tr, "of " + series)) {
        se.fail(series);
        sm.fail(series);
        continue;
      }
      se.done();
      sm.done();
      for (int64_t k = 1; k < K; ++k) {
        double e = trueEnergy(d, tr.data() + k * N, N) - en.data[s * K + k];
        se.sum += e * e;
        for (int64_t i = 0; i < N; ++i) {
          double m = tr[k * N + i] - truth[k * N + i];
          sm.sum += m * m;
        }
      }
      se.count += K - 1;
      sm.count += (K - 1) * N;
    }
    finish(out, partial, "energy_mse", se);
    finish(out, partial, "mass_mse", sm);
    return out;
  }

  NpyArray x = readDatasetArray(d, "test_x", 3, N, nm, "");
  NpyArray dx = readDatasetArray(d, "test_dx", 3, N, nm, "");
  NpyArray x0 = readDatasetArray(d, "eval_x0", 2, N, nm, "");
  NpyArray orb = readDatasetArray(d, "eval_orbits", 3, N, nm, "");
  NpyArray t = readDatasetArray(d, "t", 1, 0, nm, "");
  out.emplace_back("derivative_mse", derivativeMse(x, dx));
  const int64_t O = orb.shape[0], K = orb.shape[1];
  const double dt = t.data[1] - t.data[0];
  if (x0.shape[0] != O) {
    out.emplace_back("energy_mse", nan());
    return out;
  }
  SeriesMean se;
  std::vector<double> tr;
  for (int64_t o = 0; o < O; ++o) {
    const std::string what = "eval_x0[" + std::to_string(o) + "]";
    if (!predict<M>(p, x0.data.data() + o * N, K - 1, dt, opts, tr,
                    "from " + what)) {
      se.fail(what);
      continue;
    }
    se.done();
    for (int64_t k = 0; k < K; ++k) {
      double e = trueEnergy(d, tr.data() + k * N, N) -
                 trueEnergy(d, orb.data.data() + (o * K + k) * N, N);
      se.sum += e * e;
    }
    se.count += K;
  }
  finish(out, partial, "energy_mse", se);
  return out;
}

} // namespace dgc::rt
