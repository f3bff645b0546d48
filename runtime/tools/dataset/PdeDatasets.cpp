//===- PdeDatasets.cpp - KdV and Cahn-Hilliard datasets ----------------===//
//
// Part of dgc. The PDE datasets of experiments.md sections 2 and 3: the known-form
// models examples/kdv.dg and examples/cahn_hilliard.dg stepped with the
// runtime's `dg` scheme (the authors' DVDM scheme).
//
//===----------------------------------------------------------------------===//
#include "Dataset.h"

#include "cahn_hilliard.hpp"
#include "kdv.hpp"

#include "dgc/runtime/NumpyRandom.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace dgc::dataset {

namespace {

using dgc::rt::NumpyRandom;

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

} // namespace

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

} // namespace dgc::dataset
