//===- dataset_main.cpp - dgc_dataset: the paper's six datasets -----------===//
//
// Part of dgc. The program behind `dgc dataset NAME -o DIR`: builds one of
// the datasets of shared/reference/experiments.md (sections 2-7) and writes
// it as float64 .npy arrays plus dataset.json into DIR.
//
//   kdv, ch            known-form models (examples/kdv.dg,
//                      examples/cahn_hilliard.dg) stepped with the runtime's
//                      `dg` scheme (paper Eq. 6, Newton with the generated
//                      Jacobian); this is the authors' DVDM scheme (see
//                      dataset.json "integrator").
//   mass-spring,       ODEs of ode_models.dg integrated with the runtime's
//   pendulum,          dopri5 at the protocol's tolerances (SciPy's solve_ivp
//   two-body           in the authors' code).
//   real-pendulum      the measurements in data/real_pend_h_1.txt (a copy
//                      of shared/data/real_pend_h_1.txt).
//
// Random draws use NumpyRandom, NumPy's legacy stream, in the authors' order.
// Output is atomic: everything is written into DIR.tmp-<pid> next to DIR
// and renamed into place at the end; a failure removes the temporary folder.
//
// A series whose integration fails (Newton, dopri5's step budget, a
// non-finite state) stops the run without losing the series before it:
// they are written, with the failed series up to its last good step
// (failed_series.npy) and dataset.json's "partial" record, to DIR.partial
// (never to DIR, which is left as it was: a partial folder must not pass
// for the protocol's dataset); one `dgc: error:` line names the series,
// the step and why, and the exit status is 3 (as `dgc simulate`'s failed
// step). Test hook: DGC_TEST_FAIL_SERIES=K gives series K (1-based, in
// generation order) a budget it cannot meet (one Newton iteration, or 20
// dopri5 steps), so that the path is tested with a real integrator
// failure.
//
// Usage: dgc_dataset NAME DIR [--seed S] [--series N] [--force]
//                              [--data FILE]   (real-pendulum's file)
//
//===----------------------------------------------------------------------===//
#include "cahn_hilliard.hpp"
#include "kdv.hpp"
#include "ode_models.hpp"

#include "dgc/runtime/NumpyRandom.h"
#include "dgc/runtime/Npy.h"
#include "dgc/runtime/ParentDeath.h"
#include "dgc/runtime/Simulate.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using dgc::rt::NumpyRandom;

namespace {

struct DatasetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Array {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<double> data;
  std::string description;
};

/// A series whose integration failed: what series, at which step, why.
struct SeriesFailed : std::runtime_error {
  SeriesFailed(const std::string &series, int64_t step, const std::string &why,
               int64_t done)
      : std::runtime_error(series + " failed at step " + std::to_string(step) +
                           ": " + why),
        series(series), step(step), why(why), done(done) {}
  std::string series;
  int64_t step;
  std::string why;
  int64_t done; ///< series completed before it
};

constexpr int kExitSeriesFailed = dgc::rt::kExitStepFailed;

struct Dataset {
  json meta = json::object();
  std::deque<Array> arrays; // deque: add() returns stable references

  /// Keeps the first `rows` rows (leading index) of array `name`.
  void keepRows(const std::string &name, int64_t rows) {
    for (Array &a : arrays)
      if (a.name == name) {
        int64_t row = 1;
        for (size_t d = 1; d < a.shape.size(); ++d)
          row *= a.shape[d];
        a.shape[0] = rows;
        a.data.resize(static_cast<size_t>(rows * row));
      }
  }

  Array &add(std::string name, std::vector<int64_t> shape,
             std::string description) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    arrays.push_back(Array{std::move(name), std::move(shape),
                           std::vector<double>(static_cast<size_t>(n), 0.0),
                           std::move(description)});
    return arrays.back();
  }
};

struct Options {
  std::string name, dir, dataFile;
  bool hasSeed = false, hasSeries = false, force = false;
  uint32_t seed = 0;
  int64_t series = 0;
};

/// Both splits must hold at least one series: an empty test split would
/// make every metric 0/0.
void requireSplit(int64_t nTrain, int64_t nTest, const std::string &rule) {
  if (nTrain < 1 || nTest < 1)
    throw DatasetError("--series leaves the " +
                       std::string(nTrain < 1 ? "training" : "test") +
                       " split empty (" + rule + "); use more series");
}

/// "series k/N" on stderr, about 20 times per run.
void progress(const std::string &name, const char *what, int64_t k,
              int64_t n) {
  int64_t every = std::max<int64_t>(1, n / 20);
  if (k == n || k % every == 0 || k == 1)
    std::fprintf(stderr, "dgc dataset %s: %s %lld/%lld\n", name.c_str(), what,
                 static_cast<long long>(k), static_cast<long long>(n));
}

/// DGC_TEST_FAIL_SERIES (see the file comment): the options of series
/// `s` (0-based).
dgc::rt::SchemeOptions seriesOptions(dgc::rt::SchemeOptions so, int64_t s) {
  if (const char *e = std::getenv("DGC_TEST_FAIL_SERIES"))
    if (std::strtoll(e, nullptr, 10) == s + 1) {
      so.newton.maxIters = 1;
      so.maxInternalSteps = 20;
    }
  return so;
}

/// Stops the run at a failed series: the arrays keep the `trainDone` and
/// `testDone` rows completed (`trainArrays` / `testArrays`), the failed
/// series' states go to failed_series, and SeriesFailed is thrown.
template <class Tr>
[[noreturn]] void seriesFailed(Dataset &ds, const Tr &tr, int64_t width,
                               const std::string &label,
                               const std::vector<std::string> &trainArrays,
                               int64_t trainDone,
                               const std::vector<std::string> &testArrays,
                               int64_t testDone) {
  for (const std::string &a : trainArrays)
    ds.keepRows(a, trainDone);
  for (const std::string &a : testArrays)
    ds.keepRows(a, testDone);
  Array &f = ds.add("failed_series", {tr.stats.steps + 1, width},
                    "the failed series up to its last good step");
  std::copy(tr.states.begin(),
            tr.states.begin() + (tr.stats.steps + 1) * width, f.data.begin());
  throw SeriesFailed(label, tr.stats.failedStep, tr.failure,
                     trainDone + testDone);
}

/// "series 93 of 100 (test series 3)".
std::string seriesLabel(const char *what, int64_t s, int64_t n,
                        const char *split, int64_t row) {
  return std::string(what) + " " + std::to_string(s + 1) + " of " +
         std::to_string(n) + " (" + split + " " + what + " " +
         std::to_string(row + 1) + ")";
}

// ---------------------------------------------------------------------------
// PDEs (sections 2 and 3)
// ---------------------------------------------------------------------------

constexpr int64_t kM = 50;       // grid points
constexpr int64_t kPdeSteps = 500;

/// dx * sum_k [c3 u^3 + c2 u^2 + c4 u^4 + cd * 1/2 ((d+u)^2 + (d-u)^2)].
double pdeEnergy(const double *u, double dx, double c2, double c3, double c4,
                 double cd) {
  double s = 0;
  for (int64_t k = 0; k < kM; ++k) {
    double up = u[(k + 1) % kM], um = u[(k + kM - 1) % kM];
    double fp = (up - u[k]) / dx, bm = (u[k] - um) / dx;
    double uk = u[k];
    s += c2 * uk * uk + c3 * uk * uk * uk + c4 * uk * uk * uk * uk +
         cd * 0.5 * (fp * fp + bm * bm);
  }
  return s * dx;
}

template <class M>
void pdeDataset(Dataset &ds, const Options &o, int64_t nSeries, double dt,
                double dx, const std::function<void(NumpyRandom &, double *,
                                                    json &)> &initial,
                const std::function<double(const double *)> &energy) {
  const int64_t S = kPdeSteps + 1;
  int64_t nTrain = (9 * nSeries) / 10, nTest = nSeries - nTrain;
  requireSplit(nTrain, nTest, "the first floor(0.9 N) series train");
  Array &trU = ds.add("train_u", {nTrain, S, kM}, "states u_k^n (series, step, node)");
  Array &teU = ds.add("test_u", {nTest, S, kM}, "states u_k^n (series, step, node)");
  Array &trD = ds.add("train_dudt", {nTrain, S, kM},
                      "exact semi-discrete right-hand side G grad H(u) at each state");
  Array &teD = ds.add("test_dudt", {nTest, S, kM},
                      "exact semi-discrete right-hand side G grad H(u) at each state");
  Array &trE = ds.add("train_energy", {nTrain, S}, "true energy H(u) of each state");
  Array &teE = ds.add("test_energy", {nTest, S}, "true energy H(u) of each state");
  Array &t = ds.add("t", {S}, "times n * dt, n = 0..500");
  for (int64_t n = 0; n < S; ++n)
    t.data[n] = double(n) * dt; // np.arange(0, N + 1) * dt

  typename M::template ParamsT<double> p;
  auto ws = std::make_unique<typename M::template WorkspaceT<double>>();
  dgc::rt::SchemeOptions so;
  so.scheme = dgc::rt::Scheme::DG;
  so.dt = dt;
  NumpyRandom rng(o.seed);
  json draws = json::array();
  double worstDrift = 0, worstMass = 0, worstIncrease = -INFINITY;
  int64_t newton = 0;
  std::vector<double> u0(kM);
  for (int64_t s = 0; s < nSeries; ++s) {
    json d = json::object();
    initial(rng, u0.data(), d);
    if (s < 3)
      draws.push_back(d);
    auto tr = dgc::rt::simulateKeeping<M, double>(p, u0.data(), kPdeSteps,
                                                 seriesOptions(so, s));
    bool train = s < nTrain;
    int64_t row = train ? s : s - nTrain;
    if (tr.stats.failedStep > 0)
      seriesFailed(ds, tr, kM,
                   seriesLabel("series", s, nSeries,
                               train ? "training" : "test", row),
                   {"train_u", "train_dudt", "train_energy"},
                   std::min(s, nTrain), {"test_u", "test_dudt", "test_energy"},
                   std::max<int64_t>(0, s - nTrain));
    Array &U = train ? trU : teU, &D = train ? trD : teD, &E = train ? trE : teE;
    for (int64_t n = 0; n < S; ++n) {
      const double *un = tr.state(n);
      double *dst = U.data.data() + (row * S + n) * kM;
      std::copy(un, un + kM, dst);
      M::time_derivative(p, un, D.data.data() + (row * S + n) * kM, *ws);
      E.data[row * S + n] = energy(un);
    }
    worstDrift = std::max(worstDrift, tr.stats.energyDrift);
    worstMass = std::max(worstMass, tr.stats.massDrift);
    worstIncrease = std::max(worstIncrease, tr.stats.maxEnergyIncrease);
    newton += tr.stats.newtonIterations;
    progress(o.name, "series", s + 1, nSeries);
  }
  ds.meta["series"] = nSeries;
  ds.meta["split"] = {
      {"train", nTrain},
      {"test", nTest},
      {"rule", "first floor(0.9 N) series train, the rest test (the "
               "authors' ntrain = int(N * (1 - 0.1)); 90/10 for N = 100)"}};
  ds.meta["dt"] = dt;
  ds.meta["steps"] = kPdeSteps;
  ds.meta["dx"] = dx;
  ds.meta["grid_points"] = kM;
  ds.meta["first_draws"] = draws;
  ds.meta["integrator"] = {
      {"scheme", "dg"},
      {"model", M::name},
      {"newton_tol", "runtime default: max|F| <= 1e-12 (1 + max|u|) / dt and "
                     "last step <= 1e-14 (1 + max|v|)"},
      {"newton_iterations_per_step",
       double(newton) / double(nSeries * kPdeSteps)}};
  ds.meta["checks"] = {{"max_relative_energy_drift", worstDrift},
                       {"max_mass_drift", worstMass},
                       {"max_one_step_energy_increase", worstIncrease}};
}

void kdv(Dataset &ds, const Options &o) {
  using M = dgc_models::KdV::Model;
  const double width = 10.0, a = -6.0;
  const double dx = width / double(kM);
  pdeDataset<M>(
      ds, o, o.hasSeries ? o.series : 100, 0.001, dx,
      [&](NumpyRandom &r, double *u0, json &d) {
        // np.random.uniform(0.5, 2.0, 2); uniform(0.2, 0.3, 1); d1 +
        // uniform(0.2, 0.5, 1); randint(0, M) (the unused shift);
        // randint(0, 2) == 1 reverses the nodes.
        double k1 = r.uniform(0.5, 2.0), k2 = r.uniform(0.5, 2.0);
        double d1 = r.uniform(0.2, 0.3);
        double d2 = d1 + r.uniform(0.2, 0.5);
        int64_t shift = r.randint(0, kM);
        bool flip = r.randint(0, 2) == 1;
        for (int64_t k = 0; k < kM; ++k) {
          double x = width * double(k) / double(kM);
          double s1 = 1.0 / std::cosh(k1 * (x - width * d1));
          double s2 = 1.0 / std::cosh(k2 * (x - width * d2));
          double v = (-6.0 / a) * 2 * (k1 * k1) * (s1 * s1);
          v += (-6.0 / a) * 2 * (k2 * k2) * (s2 * s2);
          u0[k] = v;
        }
        if (flip)
          std::reverse(u0, u0 + kM);
        d = {{"k1", k1}, {"k2", k2}, {"d1", d1}, {"d2", d2},
             {"shift_unused", shift}, {"flip", flip}};
      },
      [&](const double *u) {
        return pdeEnergy(u, dx, 0, -a / 6, 0, -1.0 / 2);
      });
  ds.meta["protocol_section"] = "2";
  ds.meta["description"] =
      "KdV, du/dt = D(3 u^2 + D2 u), periodic, 50 nodes on [0, 10); two "
      "solitons per series";
  ds.meta["energy"] = "H(u) = dx sum_k [u_k^3 - 1/4 ((d+u)_k^2 + (d-u)_k^2)]";
  ds.meta["quirks"] = json::array(
      {"the shift randint(0, 50) is drawn but not applied (the authors' "
       "slicing bug); the node order is reversed when randint(0, 2) == 1",
       "sech^2 terms are not periodised", "draw order per series: uniform "
       "x2 (k1, k2), uniform (d1), uniform (gap), randint(0, 50), "
       "randint(0, 2); NumPy seed 1"});
}

void ch(Dataset &ds, const Options &o) {
  using M = dgc_models::CahnHilliard::Model;
  const double dx = 1.0 / double(kM), gamma = 0.0005;
  pdeDataset<M>(
      ds, o, o.hasSeries ? o.series : 100, 1e-4, dx,
      [&](NumpyRandom &r, double *u0, json &d) {
        // (np.random.rand(1, 1, M) - 0.5) * 0.1
        for (int64_t k = 0; k < kM; ++k)
          u0[k] = (r.randomSample() - 0.5) * 0.1;
        d = {{"u0_first", u0[0]}};
      },
      [&](const double *u) {
        return pdeEnergy(u, dx, -0.5, 0, 0.25, gamma / 2);
      });
  ds.meta["protocol_section"] = "3";
  ds.meta["description"] =
      "Cahn-Hilliard, du/dt = D2(-u + u^3 - gamma D2 u), gamma = 0.0005, "
      "periodic, 50 nodes on [0, 1); u0 ~ U(-0.05, 0.05) i.i.d.";
  ds.meta["energy"] =
      "H(u) = dx sum_k [-u_k^2/2 + u_k^4/4 + gamma/2 * 1/2 ((d+u)_k^2 + "
      "(d-u)_k^2)] (the authors' form; the model's 1/4 (u^2 - 1)^2 adds the "
      "constant 0.25)";
  ds.meta["quirks"] = json::array(
      {"one rand(1, 1, 50) draw per series, (U - 0.5) * 0.1; NumPy seed 0"});
}

// ---------------------------------------------------------------------------
// ODEs (sections 4-6)
// ---------------------------------------------------------------------------

/// np.linspace(0, T, n).
std::vector<double> linspace(double T, int64_t n) {
  std::vector<double> t(static_cast<size_t>(n));
  double step = T / double(n - 1);
  for (int64_t i = 0; i < n; ++i)
    t[i] = double(i) * step;
  t[n - 1] = T;
  return t;
}

/// dopri5 from x0 at the outputs n * T/(n-1); rows appended to `out`.
/// Series `s` (0-based; -1: not a series of the dataset) may be given a
/// budget it cannot meet (seriesOptions). Returns the trajectory; when
/// tr.stats.failedStep > 0 it stops at the last good step and `out` is
/// not written.
template <class M>
dgc::rt::Trajectory<double> integrate(const double *x0, double T, int64_t n,
                                      double rtol, double atol, double *out,
                                      int64_t *internalSteps, int64_t s = -1) {
  typename M::template ParamsT<double> p;
  dgc::rt::SchemeOptions so;
  so.scheme = dgc::rt::Scheme::Dopri5;
  so.dt = T / double(n - 1);
  so.rtol = rtol;
  so.atol = atol;
  auto tr = dgc::rt::simulateKeeping<M, double>(p, x0, n - 1,
                                                seriesOptions(so, s));
  *internalSteps += tr.stats.internalSteps;
  if (tr.stats.failedStep == 0)
    std::copy(tr.states.begin(), tr.states.end(), out);
  return tr;
}

/// An orbit of the energy metric that failed: no partial dataset (the
/// training and test series are whole, but eval_orbits would be missing);
/// a plain error.
void evalOrbitFailed(const dgc::rt::Trajectory<double> &tr, int64_t i) {
  if (tr.stats.failedStep > 0)
    throw DatasetError("the energy metric's orbit from eval_x0[" +
                       std::to_string(i) + "] failed at step " +
                       std::to_string(tr.stats.failedStep) + ": " +
                       tr.failure);
}

json odeIntegrator(double rtol, double atol, double evalRtol) {
  return {{"scheme", "dopri5"},
          {"implementation",
           "dgc's runtime Dormand-Prince 5(4) (Integrators.h) with its 4th-order "
           "continuous extension at the output times; the authors used SciPy "
           "solve_ivp RK45 with the same tolerances, so states agree to about "
           "the tolerance, not bit for bit"},
          {"rtol", rtol},
          {"atol", atol},
          {"atol_note", "SciPy's default atol 1e-6, as the authors' calls left "
                        "it unset"},
          {"eval_rtol", evalRtol}};
}

/// Mass-spring (section 4) and pendulum (section 5): HNN's get_trajectory.
template <class M>
void springLike(Dataset &ds, const Options &o, double rScale, double rShift,
                bool pendulum) {
  const int64_t nTraj = o.hasSeries ? o.series : 50, L = 100;
  const double T = 20, noise = 0.1, rtol = 1e-10, atol = 1e-6;
  const int64_t nTrain = nTraj / 2, nTest = nTraj - nTrain;
  requireSplit(nTrain, nTest, "the first floor(N / 2) trajectories train");
  Array &trX = ds.add("train_x", {nTrain, L, 2}, "noisy states (q, p)");
  Array &teX = ds.add("test_x", {nTest, L, 2}, "noisy states (q, p)");
  Array &trD = ds.add("train_dx", {nTrain, L, 2},
                      "true derivative (dq/dt, dp/dt) at the noise-free state");
  Array &teD = ds.add("test_dx", {nTest, L, 2},
                      "true derivative (dq/dt, dp/dt) at the noise-free state");
  Array &trC = ds.add("train_x_clean", {nTrain, L, 2}, "noise-free states");
  Array &teC = ds.add("test_x_clean", {nTest, L, 2}, "noise-free states");
  Array &trE = ds.add("train_energy", {nTrain, L}, "true H at the noise-free state");
  Array &teE = ds.add("test_energy", {nTest, L}, "true H at the noise-free state");
  Array &t = ds.add("t", {L}, "np.linspace(0, 20, 100)");
  t.data = linspace(T, L);

  typename M::template ParamsT<double> p;
  auto ws = std::make_unique<typename M::template WorkspaceT<double>>();
  NumpyRandom rng(o.seed);
  int64_t steps = 0;
  json first;
  std::vector<double> orbit(L * 2);
  for (int64_t s = 0; s < nTraj; ++s) {
    // y0 = rand(2)*2-1; radius = rand()*0.9+0.1 (spring) or rand()+1.3
    // (pendulum); y0 = y0 / sqrt((y0**2).sum()) * radius
    double y[2];
    y[0] = rng.randomSample() * 2 - 1;
    y[1] = rng.randomSample() * 2 - 1;
    double radius = rng.randomSample() * rScale + rShift;
    double norm = std::sqrt(y[0] * y[0] + y[1] * y[1]);
    y[0] = y[0] / norm * radius;
    y[1] = y[1] / norm * radius;
    if (s == 0)
      first = {y[0], y[1]};
    auto tr = integrate<M>(y, T, L, rtol, atol, orbit.data(), &steps, s);
    bool train = s < nTrain;
    int64_t row = train ? s : s - nTrain;
    if (tr.stats.failedStep > 0)
      seriesFailed(ds, tr, 2,
                   seriesLabel("trajectory", s, nTraj,
                               train ? "training" : "test", row),
                   {"train_x", "train_dx", "train_x_clean", "train_energy"},
                   std::min(s, nTrain),
                   {"test_x", "test_dx", "test_x_clean", "test_energy"},
                   std::max<int64_t>(0, s - nTrain));
    Array &X = train ? trX : teX, &D = train ? trD : teD,
          &C = train ? trC : teC, &E = train ? trE : teE;
    for (int64_t n = 0; n < L; ++n) {
      const double *xn = orbit.data() + n * 2;
      double *c = C.data.data() + (row * L + n) * 2;
      c[0] = xn[0];
      c[1] = xn[1];
      M::time_derivative(p, xn, D.data.data() + (row * L + n) * 2, *ws);
      E.data[row * L + n] = M::energy(p, xn, *ws);
    }
    // q += randn(100) * 0.1, then p += randn(100) * 0.1
    for (int c = 0; c < 2; ++c)
      for (int64_t n = 0; n < L; ++n) {
        size_t i = static_cast<size_t>((row * L + n) * 2 + c);
        X.data[i] = C.data[i] + rng.gauss() * noise;
      }
    progress(o.name, "trajectory", s + 1, nTraj);
  }

  // The 15 initial states of the energy metric, drawn from the stream that
  // continues after the dataset: x0 = rand(2)*1.6-.8; x0 += 0.2*sign(x0).
  const int64_t nEval = 15;
  Array &ex = ds.add("eval_x0", {nEval, 2},
                     "the energy metric's 15 initial states (stream continued "
                     "after the dataset)");
  Array &eo = ds.add("eval_orbits", {nEval, L, 2},
                     "true orbits from eval_x0 (dopri5, rtol 1e-12) on t");
  for (int64_t i = 0; i < nEval; ++i) {
    double x0[2];
    for (double &v : x0)
      v = rng.randomSample() * 1.6 - .8;
    for (double &v : x0)
      v += 0.2 * double((v > 0) - (v < 0)) * 1.0;
    ex.data[i * 2] = x0[0];
    ex.data[i * 2 + 1] = x0[1];
    evalOrbitFailed(integrate<M>(x0, T, L, 1e-12, atol,
                                 eo.data.data() + i * L * 2, &steps),
                    i);
  }

  ds.meta["trajectories"] = nTraj;
  ds.meta["split"] = {
      {"train", nTrain},
      {"test", nTest},
      {"rule", "first floor(N/2) trajectories train, the rest test (the "
               "authors split the flattened states at int(0.5 * 100 N): "
               "25/25 for N = 50)"}};
  ds.meta["dt"] = T / double(L - 1);
  ds.meta["samples_per_trajectory"] = L;
  ds.meta["noise_std"] = noise;
  ds.meta["first_initial_state"] = first;
  ds.meta["integrator"] = odeIntegrator(rtol, atol, 1e-12);
  ds.meta["integrator"]["internal_steps"] = steps;
  ds.meta["layout_note"] = "reshape(-1, 2) gives the authors' flattened "
                           "(x, dx) / (test_x, test_dx) arrays";
  json quirks = json::array(
      {"draw order per trajectory: rand(2) (direction, *2-1), rand() "
       "(radius), randn(100) (q noise), randn(100) (p noise); NumPy seed = "
       "the trial seed",
       "the derivative is taken at the noise-free state, the states are "
       "noisy",
       "eval_x0 continue the same stream: rand(2)*1.6-.8, then += "
       "0.2*sign"});
  if (pendulum)
    quirks.push_back("the authors' energy metric for this set scores q^2 + "
                     "p^2, not H, and eval_x0 follow the spring's "
                     "distribution (copied script)");
  ds.meta["quirks"] = quirks;
}

void massSpring(Dataset &ds, const Options &o) {
  springLike<dgc_models::MassSpring::Model>(ds, o, 0.9, 0.1, false);
  ds.meta["protocol_section"] = "4";
  ds.meta["description"] = "mass-spring, H = q^2 + p^2; radius U(0.1, 1)";
  ds.meta["energy"] = "H = q^2 + p^2";
}

void pendulum(Dataset &ds, const Options &o) {
  springLike<dgc_models::PendulumHNN::Model>(ds, o, 1.0, 1.3, true);
  ds.meta["protocol_section"] = "5";
  ds.meta["description"] = "pendulum, H = 3 (1 - cos q) + p^2; radius "
                           "U(1.3, 2.3)";
  ds.meta["energy"] = "H = 3 (1 - cos q) + p^2";
}

/// HNN's random_config for two bodies, in (x1, x2, y1, y2, px1, px2, py1,
/// py2) order.
void randomConfig(NumpyRandom &r, double *x) {
  double pos[2];
  for (double &v : pos)
    v = r.randomSample() * (1.5 - 0.5) + 0.5;
  double rad = std::sqrt(pos[0] * pos[0] + pos[1] * pos[1]);
  double den = 2 * std::pow(rad, 1.5);
  double vel[2] = {pos[1] / den, pos[0] / den};
  vel[0] *= -1;
  double f = 1 + 5e-2 * r.gauss();
  vel[0] *= f;
  vel[1] *= f;
  double s[8] = {pos[0], -pos[0], pos[1], -pos[1],
                 vel[0], -vel[0], vel[1], -vel[1]};
  std::copy(s, s + 8, x);
}

void twoBody(Dataset &ds, const Options &o) {
  using M = dgc_models::TwoBody::Model;
  const int64_t nOrb = o.hasSeries ? o.series : 1000, L = 500;
  const double T = 25, rtol = 1e-9, atol = 1e-6;
  const int64_t nTest = nOrb / 5, nTrain = nOrb - nTest;
  requireSplit(nTrain, nTest, "the first floor(N / 5) orbits are the test set");
  Array &trX = ds.add("train_x", {nTrain, L, 8}, "states (x1, x2, y1, y2, px1, px2, py1, py2)");
  Array &teX = ds.add("test_x", {nTest, L, 8}, "states (x1, x2, y1, y2, px1, px2, py1, py2)");
  Array &trD = ds.add("train_dx", {nTrain, L, 8}, "exact time derivative");
  Array &teD = ds.add("test_dx", {nTest, L, 8}, "exact time derivative");
  Array &trE = ds.add("train_energy", {nTrain, L}, "H = 1/2 sum |p_i|^2 - 1/|q1 - q2|");
  Array &teE = ds.add("test_energy", {nTest, L}, "H = 1/2 sum |p_i|^2 - 1/|q1 - q2|");
  Array &t = ds.add("t", {L}, "np.linspace(0, 25, 500)");
  t.data = linspace(T, L);

  typename M::template ParamsT<double> p;
  auto ws = std::make_unique<typename M::template WorkspaceT<double>>();
  NumpyRandom rng(o.seed);
  int64_t steps = 0;
  json first;
  std::vector<double> orbit(L * 8);
  for (int64_t s = 0; s < nOrb; ++s) {
    double x0[8];
    randomConfig(rng, x0);
    if (s == 0)
      first = std::vector<double>(x0, x0 + 8);
    auto tr = integrate<M>(x0, T, L, rtol, atol, orbit.data(), &steps, s);
    bool test = s < nTest; // the first orbits are the test set
    int64_t row = test ? s : s - nTest;
    if (tr.stats.failedStep > 0)
      seriesFailed(ds, tr, 8,
                   seriesLabel("orbit", s, nOrb, test ? "test" : "training",
                               row),
                   {"train_x", "train_dx", "train_energy"},
                   std::max<int64_t>(0, s - nTest),
                   {"test_x", "test_dx", "test_energy"}, std::min(s, nTest));
    Array &X = test ? teX : trX, &D = test ? teD : trD, &E = test ? teE : trE;
    for (int64_t n = 0; n < L; ++n) {
      const double *xn = orbit.data() + n * 8;
      std::copy(xn, xn + 8, X.data.data() + (row * L + n) * 8);
      M::time_derivative(p, xn, D.data.data() + (row * L + n) * 8, *ws);
      E.data[row * L + n] = M::energy(p, xn, *ws);
    }
    progress(o.name, "orbit", s + 1, nOrb);
  }

  // The energy metric's 15 initial states: np.random.seed(i);
  // random_config(), i = 0..14 (independent of the dataset's seed).
  const int64_t nEval = 15;
  Array &ex = ds.add("eval_x0", {nEval, 8}, "random_config() after seeding NumPy with 0..14");
  Array &eo = ds.add("eval_orbits", {nEval, L, 8}, "true orbits from eval_x0 (dopri5, rtol 1e-9) on t");
  for (int64_t i = 0; i < nEval; ++i) {
    NumpyRandom r(static_cast<uint32_t>(i));
    randomConfig(r, ex.data.data() + i * 8);
    evalOrbitFailed(integrate<M>(ex.data.data() + i * 8, T, L, rtol, atol,
                                 eo.data.data() + i * L * 8, &steps),
                    i);
  }

  ds.meta["protocol_section"] = "6";
  ds.meta["description"] = "two bodies of unit mass, G = 1, near-circular "
                           "orbits";
  ds.meta["energy"] = "H = 1/2 sum_i |p_i|^2 - 1/|q1 - q2|";
  ds.meta["orbits"] = nOrb;
  ds.meta["split"] = {
      {"train", nTrain},
      {"test", nTest},
      {"rule", "the FIRST floor(N/5) orbits are the test set, the rest "
               "train (200/800 for N = 1000)"}};
  ds.meta["dt"] = T / double(L - 1);
  ds.meta["samples_per_orbit"] = L;
  ds.meta["first_initial_state"] = first;
  ds.meta["integrator"] = odeIntegrator(rtol, atol, rtol);
  ds.meta["integrator"]["internal_steps"] = steps;
  ds.meta["layout_note"] = "reshape(-1, 8) gives the authors' flattened "
                           "coords / dcoords arrays";
  ds.meta["quirks"] = json::array(
      {"draw order per orbit: rand(2) (position), randn() (velocity factor "
       "1 + 0.05 N(0, 1); the legacy Gaussian's cached second value serves "
       "the next orbit)",
       "the authors seeded NumPy with the trial seed and cached the first "
       "build, so the dataset was effectively seed 0 (the default here)"});
}

// ---------------------------------------------------------------------------
// Real pendulum (section 7)
// ---------------------------------------------------------------------------

std::string findRealPendulumFile(const Options &o) {
  if (!o.dataFile.empty())
    return o.dataFile;
  if (const char *e = std::getenv("DGC_DATA_DIR"))
    return (fs::path(e) / "real_pend_h_1.txt").string();
  // Installed: PREFIX/libexec/dgc/dgc_dataset and PREFIX/share/dgc/data.
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path installed =
      self.parent_path() / "../../share/dgc/data/real_pend_h_1.txt";
  if (!ec && fs::exists(installed, ec))
    return installed.lexically_normal().string();
  return DGC_REAL_PENDULUM_FILE;
}

void realPendulum(Dataset &ds, const Options &o) {
  std::string path = findRealPendulumFile(o);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DatasetError("cannot read the real pendulum data '" + path +
                       "' (set DGC_DATA_DIR or pass --data)");
  std::vector<double> tt, th, om;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] == '%')
      continue;
    std::istringstream ls(line);
    double trial, t, q, v;
    if (!(ls >> trial >> t >> q >> v))
      throw DatasetError(path + ": malformed row '" + line + "'");
    tt.push_back(t);
    th.push_back(q);
    om.push_back(v);
  }
  const int64_t rows = static_cast<int64_t>(tt.size());
  if (rows != 556)
    throw DatasetError(path + ": expected 556 data rows, found " +
                       std::to_string(rows));
  const int64_t n = rows - 1; // 555 states with a forward difference
  std::vector<double> x(n * 2), dx(n * 2);
  for (int64_t i = 0; i < n; ++i) {
    double h = tt[i + 1] - tt[i];
    x[i * 2] = th[i];
    x[i * 2 + 1] = om[i];
    dx[i * 2] = (th[i + 1] - th[i]) / h;
    dx[i * 2 + 1] = (om[i + 1] - om[i]) / h;
  }
  // HNN: a = int(555 * 0.8) = 444, b = a + int(555 * (1 - 0.8)) = 554 in
  // Python floats (555 * 0.2 = 110.99999999999997).
  const double split = 0.8;
  const int64_t a = static_cast<int64_t>(double(n) * split);
  const int64_t b = a + static_cast<int64_t>(double(n) * (1 - split));
  std::vector<int64_t> trainRows, testRows;
  for (int64_t i = 0; i < a; ++i)
    trainRows.push_back(i);
  for (int64_t i = b; i < n; ++i)
    trainRows.push_back(i);
  for (int64_t i = a; i < b; ++i)
    testRows.push_back(i);
  const int64_t nTr = trainRows.size(), nTe = testRows.size();
  auto gather = [&](const std::vector<int64_t> &idx, const std::vector<double> &src,
                    Array &dst) {
    for (size_t k = 0; k < idx.size(); ++k)
      for (int c = 0; c < 2; ++c)
        dst.data[k * 2 + c] = src[idx[k] * 2 + c];
  };
  auto href = [](double q, double p) { return 2.4 * (1 - std::cos(q)) + p * p; };

  Array &raw = ds.add("raw", {rows, 3}, "the file's rows (t, theta, omega)");
  for (int64_t i = 0; i < rows; ++i) {
    raw.data[i * 3] = tt[i];
    raw.data[i * 3 + 1] = th[i];
    raw.data[i * 3 + 2] = om[i];
  }
  Array &trX = ds.add("train_x", {nTr, 2}, "rows 0..443 then row 554: (q, p) = (theta, omega)");
  Array &trD = ds.add("train_dx", {nTr, 2}, "(x_{i+1} - x_i) / (t_{i+1} - t_i) for each train row");
  Array &trT = ds.add("train_t", {nTr}, "time of each train row");
  Array &teX = ds.add("test_x", {nTe, 2}, "rows 444..553");
  Array &teD = ds.add("test_dx", {nTe, 2}, "(x_{i+1} - x_i) / (t_{i+1} - t_i)");
  Array &teT = ds.add("test_t", {nTe}, "time of each test row");
  gather(trainRows, x, trX);
  gather(trainRows, dx, trD);
  gather(testRows, x, teX);
  gather(testRows, dx, teD);
  for (int64_t k = 0; k < nTr; ++k)
    trT.data[k] = tt[trainRows[k]];
  for (int64_t k = 0; k < nTe; ++k)
    teT.data[k] = tt[testRows[k]];
  // Training pairs as the authors form them: (train_x[j], train_x[j+1]) with
  // target train_dx[j], j = 0..443; the last joins rows 443 and 554.
  const int64_t nP = nTr - 1;
  Array &p1 = ds.add("train_pair_x1", {nP, 2}, "train_x[j], j = 0..443");
  Array &p2 = ds.add("train_pair_x2", {nP, 2}, "train_x[j+1] (the last is row 554: quirk 1)");
  Array &pt = ds.add("train_pair_target", {nP, 2}, "train_dx[j] (true gaps: quirk 2)");
  Array &pdt = ds.add("train_pair_dt", {nP}, "t_{i+1} - t_i of the target's own rows (1/6, 1/3 or 1/2)");
  for (int64_t j = 0; j < nP; ++j) {
    for (int c = 0; c < 2; ++c) {
      p1.data[j * 2 + c] = trX.data[j * 2 + c];
      p2.data[j * 2 + c] = trX.data[(j + 1) * 2 + c];
      pt.data[j * 2 + c] = trD.data[j * 2 + c];
    }
    int64_t i = trainRows[j];
    pdt.data[j] = tt[i + 1] - tt[i];
  }
  // Test pairs of the (inferred) Diff metric: (x_i, x_{i+1}), i = 444..553.
  Array &q1 = ds.add("test_pair_x1", {nTe, 2}, "x_i, i = 444..553");
  Array &q2 = ds.add("test_pair_x2", {nTe, 2}, "x_{i+1} (observed next state)");
  for (int64_t k = 0; k < nTe; ++k)
    for (int c = 0; c < 2; ++c) {
      q1.data[k * 2 + c] = x[testRows[k] * 2 + c];
      q2.data[k * 2 + c] = x[(testRows[k] + 1) * 2 + c]; // rows <= 554
    }
  Array &he = ds.add("test_energy_ref", {nTe},
                     "HNN's hand-fitted H_ref = 2.4 (1 - cos q) + p^2 of the "
                     "test states (the energy metric's function)");
  for (int64_t k = 0; k < nTe; ++k)
    he.data[k] = href(teX.data[k * 2], teX.data[k * 2 + 1]);

  int gaps = 0;
  for (int64_t i = 0; i + 1 < rows; ++i)
    if (std::abs((tt[i + 1] - tt[i]) - 1.0 / 6) > 1e-9)
      ++gaps;
  ds.meta["protocol_section"] = "7";
  ds.meta["description"] = "measured pendulum of Schmidt & Lipson (2009), "
                           "real_pend_h_1.txt";
  ds.meta["source_file"] = fs::path(path).lexically_normal().string();
  ds.meta["rows"] = rows;
  ds.meta["states"] = n;
  ds.meta["gaps"] = gaps;
  ds.meta["dt"] = 1.0 / 6;
  ds.meta["split"] = {{"train", nTr},
                      {"test", nTe},
                      {"rule", "HNN's test_split = 0.8 in Python floats: a = "
                               "int(555*0.8) = 444, b = a + int(555*0.2) = "
                               "554; train = rows 0..443 and 554, test = "
                               "rows 444..553"}};
  ds.meta["energy"] = "none defined; test_energy_ref is HNN's H_ref = 2.4 "
                      "(1 - cos q) + p^2";
  ds.meta["integrator"] = "none (measured data)";
  ds.meta["quirks"] = json::array(
      {"quirk 1: the last training pair is (x_443, x_554) while its target "
       "is dx_443 = (x_444 - x_443)/(1/6) (train_pair_*)",
       "quirk 2: at the 10 gap pairs the target uses the true gap of 1/3 or "
       "1/2 (train_pair_dt) while explicit integrators step the model over "
       "dt = 1/6",
       "the last file row (t = 99.5) has no forward difference and is "
       "dropped (555 states)"});
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

bool nonEmptyDir(const fs::path &p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && !fs::is_empty(p, ec);
}

fs::path outputPath(const Options &o) {
  fs::path dir = fs::absolute(fs::path(o.dir)).lexically_normal();
  if (dir.filename().empty())
    dir = dir.parent_path();
  return dir;
}

/// Before any work: refuses an output that exists and is not an empty
/// folder (without --force), creates the parent folders and the temporary
/// folder DIR.tmp-<pid> the arrays go to; returns the latter.
fs::path prepareOutput(const Options &o) {
  fs::path dir = outputPath(o);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw DatasetError("'" + o.dir + "' exists and is not a folder");
  if (nonEmptyDir(dir) && !o.force)
    throw DatasetError("'" + o.dir + "' exists and is not empty (use "
                       "--force to replace it)");
  fs::create_directories(dir.parent_path(), ec);
  if (ec)
    throw DatasetError("cannot create '" + dir.parent_path().string() +
                       "': " + ec.message());
  fs::path tmp = dir;
  tmp += ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  if (!fs::create_directory(tmp, ec) || ec)
    throw DatasetError("cannot create the folder '" + o.dir + "': " +
                       (ec ? ec.message() : std::string("exists")));
  return tmp;
}

/// Writes the arrays and dataset.json into `tmp`, then renames it to
/// `dir` (DIR, or DIR.partial with `force`).
void writeDataset(const Dataset &ds, const Options &opts, const fs::path &tmp,
                  const fs::path &dir, bool force) {
  Options o = opts;
  o.force = force;
  o.dir = dir.string();
  std::error_code ec;
  try {
    json meta = ds.meta;
    json arrays = json::object();
    for (const Array &a : ds.arrays) {
      dgc::rt::writeNpy((tmp / (a.name + ".npy")).string(), a.shape,
                        a.data.data());
      arrays[a.name] = {{"file", a.name + ".npy"},
                        {"shape", a.shape},
                        {"dtype", "float64"},
                        {"description", a.description}};
    }
    meta["arrays"] = arrays;
    dgc::rt::writeFileAtomic((tmp / "dataset.json").string(),
                             meta.dump(2) + "\n");
    // Move into place: an empty folder is replaced, a non-empty one only
    // with --force (checked again: it may have appeared meanwhile).
    fs::path old;
    if (fs::exists(dir, ec)) {
      if (!fs::is_directory(dir, ec))
        throw DatasetError("'" + o.dir + "' exists and is not a folder");
      if (!fs::is_empty(dir, ec)) {
        if (!o.force)
          throw DatasetError("'" + o.dir + "' exists and is not empty (use "
                             "--force to replace it)");
        old = dir;
        old += ".old-" + std::to_string(::getpid());
        fs::rename(dir, old);
      } else {
        fs::remove(dir);
      }
    }
    fs::rename(tmp, dir);
    if (!old.empty())
      fs::remove_all(old, ec);
  } catch (const fs::filesystem_error &e) {
    throw DatasetError(std::string("cannot write the dataset: ") + e.what());
  }
  dgc::rt::atomic_detail::syncFolderOf(dir.string());
}

int usage() {
  std::fprintf(stderr,
               "usage: dgc_dataset kdv|ch|mass-spring|pendulum|two-body|"
               "real-pendulum DIR [--seed S] [--series N] [--force] "
               "[--data FILE]\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  dgc::rt::dieWithParent();
  Options o;
  std::vector<std::string> pos;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc)
          throw DatasetError(a + " needs a value");
        return argv[++i];
      };
      if (a == "--seed") {
        std::string v = value();
        size_t used = 0;
        long long s = std::stoll(v, &used);
        if (used != v.size() || s < 0 || s > 4294967295ll)
          throw DatasetError("--seed must be an integer in [0, 2^32)");
        o.seed = static_cast<uint32_t>(s);
        o.hasSeed = true;
      } else if (a == "--series") {
        std::string v = value();
        size_t used = 0;
        long long s = std::stoll(v, &used);
        if (used != v.size() || s < 1 || s > 1000000)
          throw DatasetError("--series must be a positive integer");
        o.series = s;
        o.hasSeries = true;
      } else if (a == "--force") {
        o.force = true;
      } else if (a == "--data") {
        o.dataFile = value();
      } else if (!a.empty() && a[0] == '-') {
        throw DatasetError("unknown option '" + a + "'");
      } else {
        pos.push_back(a);
      }
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dgc: error: %s\n", e.what());
    return usage();
  }
  if (pos.size() != 2)
    return usage();
  o.name = pos[0];
  o.dir = pos[1];

  struct Entry {
    const char *name;
    void (*build)(Dataset &, const Options &);
    bool seeded;     ///< the seed is the trial seed (--seed applies)
    uint32_t seed;   ///< the protocol's seed
    bool hasSeries;  ///< --series applies
  };
  const Entry table[] = {{"kdv", kdv, false, 1, true},
                         {"ch", ch, false, 0, true},
                         {"mass-spring", massSpring, true, 0, true},
                         {"pendulum", pendulum, true, 0, true},
                         {"two-body", twoBody, true, 0, true},
                         {"real-pendulum", realPendulum, false, 0, false}};
  const Entry *e = nullptr;
  for (const Entry &t : table)
    if (o.name == t.name)
      e = &t;
  try {
    if (!e)
      throw DatasetError("unknown dataset '" + o.name + "' (expected kdv, ch, "
                         "mass-spring, pendulum, two-body or real-pendulum)");
    if (o.hasSeed && !e->seeded)
      throw DatasetError("--seed does not apply to '" + o.name +
                         "' (its seed is fixed by the protocol)");
    if (o.hasSeries && !e->hasSeries)
      throw DatasetError("--series does not apply to '" + o.name + "'");
    if (!o.hasSeed)
      o.seed = e->seed;
    fs::path tmp = prepareOutput(o);
    auto start = std::chrono::steady_clock::now();
    Dataset ds;
    ds.meta["name"] = o.name;
    ds.meta["generator"] = "dgc dataset (dgc_dataset)";
    ds.meta["protocol"] = "shared/reference/experiments.md";
    if (e->seeded || o.name == "kdv" || o.name == "ch")
      ds.meta["numpy_seed"] = o.seed;
    ds.meta["random_stream"] =
        "NumPy legacy RandomState (MT19937), reproduced bit for bit";
    try {
      try {
        e->build(ds, o);
      } catch (const SeriesFailed &f) {
        // Keep the series done, apart from DIR (see the file comment).
        fs::path partial = outputPath(o);
        partial += ".partial";
        ds.meta["partial"] = {
            {"failed", f.series},
            {"failed_step", f.step},
            {"reason", f.why},
            {"series_completed", f.done},
            {"note", "not the protocol's dataset: the run stopped at the "
                     "failed series; failed_series holds its states up to "
                     "the last good step"}};
        writeDataset(ds, o, tmp, partial, true);
        std::fprintf(stderr,
                     "dgc: error: %s failed at step %lld: %s; the %lld "
                     "series before it are in %s ('%s' was not written)\n",
                     f.series.c_str(), static_cast<long long>(f.step),
                     f.why.c_str(), static_cast<long long>(f.done),
                     partial.string().c_str(), o.dir.c_str());
        return kExitSeriesFailed;
      }
      writeDataset(ds, o, tmp, outputPath(o), o.force);
    } catch (...) {
      std::error_code ec;
      fs::remove_all(tmp, ec); // no half-written output
      throw;
    }
    double wall = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - start)
                      .count();
    std::fprintf(stderr, "dgc dataset %s: wrote %zu arrays to %s (%.1fs)\n",
                 o.name.c_str(), ds.arrays.size(), o.dir.c_str(), wall);
  } catch (const std::exception &ex) {
    std::fprintf(stderr, "dgc: error: %s\n", ex.what());
    return 1;
  }
  return 0;
}
