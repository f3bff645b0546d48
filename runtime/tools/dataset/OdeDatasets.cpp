//===- OdeDatasets.cpp - mass-spring, pendulum, two-body ---------------===//
//
// Part of dgc. The ODE datasets of experiments.md sections 4-6: the models of
// ode_models.dg integrated with the runtime's dopri5 at the protocol's
// tolerances (SciPy's solve_ivp in the authors' code).
//
//===----------------------------------------------------------------------===//
#include "Dataset.h"

#include "ode_models.hpp"

#include "dgc/runtime/NumpyRandom.h"

#include <cmath>
#include <string>
#include <vector>

namespace dgc::dataset {

namespace {

using dgc::rt::NumpyRandom;

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

} // namespace

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

} // namespace dgc::dataset
