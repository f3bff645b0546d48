//===- Simulate.h - Run a scheme over many steps, with statistics -*- C++ -*-//
//
// Part of dgc's runtime. `simulate<Model>` runs a scheme of Integrators.h for
// a number of steps from an initial state and returns the trajectory with a
// report: steps, wall time, the relative energy drift max|H_n - H_0| / |H_0|
// (energy models), the largest one-step energy increase (dissipative
// models), the mass drift max|M_n - M_0| with M = sum_i w_i u_i (w the
// model's inner_weight; models that conserve mass) and Newton iterations
// per step. A state that becomes non-finite stops the run with an error.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Integrators.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace dgc::rt {

struct SimulationStats {
  Scheme scheme = Scheme::DG;
  int64_t steps = 0;
  double wallSeconds = 0;
  bool hasEnergy = false;        ///< energy model: energyDrift is set
  bool dissipative = false;      ///< model declares `dissipates energy`
  double energyDrift = 0;        ///< max|H_n - H_0| / |H_0| (|H_0| = 0: absolute)
  double maxEnergyIncrease = 0;  ///< max_n (H_{n+1} - H_n)
  bool hasMass = false;          ///< model declares `conserves mass`
  double massDrift = 0;          ///< max|M_n - M_0|
  int64_t newtonIterations = 0;
  /// Implicit schemes: the linear solver used, Jacobians factored, steps
  /// halved, Krylov products (gmres, gmres-ilu).
  LinearSolver linearSolver = LinearSolver::Auto;
  int64_t factorizations = 0, halvings = 0, linearIterations = 0;
  int64_t internalSteps = 0, rejectedSteps = 0; ///< dopri5 (adaptive)
  /// A run that stopped early (simulateKeeping): the step that failed
  /// (1-based); `steps` counts the ones done before it. 0: none failed.
  int64_t failedStep = 0;

  double newtonPerStep() const {
    return steps > 0 ? double(newtonIterations) / double(steps) : 0.0;
  }

  /// One line: `scheme=dg steps=5000 wall=0.42s energy_drift=3.1e-14
  /// mass_drift=2.2e-16 newton_iters=2.10/step linear_solver=dense
  /// factorizations=12 halvings=0` (the fields that apply; dissipative
  /// models report max_energy_increase instead of the drift, the Krylov
  /// solvers `linear_iters=N` after the halvings, adaptive dopri5 its
  /// internal steps).
  std::string summary() const {
    char buf[128];
    std::string s = std::string("scheme=") + schemeName(scheme);
    std::snprintf(buf, sizeof buf, " steps=%lld wall=%.3gs",
                  static_cast<long long>(steps), wallSeconds);
    s += buf;
    if (hasEnergy && !dissipative) {
      std::snprintf(buf, sizeof buf, " energy_drift=%.2e", energyDrift);
      s += buf;
    }
    if (hasEnergy && dissipative) {
      std::snprintf(buf, sizeof buf, " max_energy_increase=%.2e",
                    maxEnergyIncrease);
      s += buf;
    }
    if (hasMass) {
      std::snprintf(buf, sizeof buf, " mass_drift=%.2e", massDrift);
      s += buf;
    }
    if (schemeUsesNewton(scheme)) {
      std::snprintf(buf, sizeof buf, " newton_iters=%.2f/step",
                    newtonPerStep());
      s += buf;
      std::snprintf(buf, sizeof buf,
                    " linear_solver=%s factorizations=%lld halvings=%lld",
                    linearSolverName(linearSolver),
                    static_cast<long long>(factorizations),
                    static_cast<long long>(halvings));
      s += buf;
      if (isKrylov(linearSolver)) {
        std::snprintf(buf, sizeof buf, " linear_iters=%lld",
                      static_cast<long long>(linearIterations));
        s += buf;
      }
    }
    if (scheme == Scheme::Dopri5 && internalSteps > 0) {
      std::snprintf(buf, sizeof buf, " internal_steps=%lld rejected=%lld",
                    static_cast<long long>(internalSteps),
                    static_cast<long long>(rejectedSteps));
      s += buf;
    }
    if (failedStep > 0) {
      std::snprintf(buf, sizeof buf, " failed_step=%lld",
                    static_cast<long long>(failedStep));
      s += buf;
    }
    return s;
  }
};

/// The states (row n = step n, row-major), energies and masses of a run.
template <class T> struct Trajectory {
  int64_t stateSize = 0;
  std::vector<T> states;       ///< (steps + 1) x stateSize
  std::vector<double> energy;  ///< H_n, energy models only
  std::vector<double> mass;    ///< M_n, mass-conserving models only
  SimulationStats stats;
  /// simulateKeeping: why step stats.failedStep failed ("" if none did).
  std::string failure;

  const T *state(int64_t n) const { return states.data() + n * stateSize; }
};

/// The exit status of a simulation program whose run stopped at a failed
/// step after writing the trajectory up to the last good one (0: every
/// step ran; 1: nothing was run or written, bad input).
inline constexpr int kExitStepFailed = 3;

/// sum_i inner_weight[i] * u[i].
template <class M, class T> double massOf(const T *u) {
  double m = 0;
  for (int64_t i = 0; i < M::state_size; ++i)
    m += M::inner_weight[i] * double(u[i]);
  return m;
}

namespace detail {

/// simulate and simulateKeeping: a failed step throws, or with `keep`
/// ends the run with the steps done so far.
template <class M, class T>
Trajectory<T> simulateRun(const typename M::template ParamsT<T> &p,
                          const T *u0, int64_t steps, const SchemeOptions &opts,
                          bool keep) {
  constexpr int64_t N = M::state_size;
  if (steps < 0)
    throw SimulationError("the number of steps must be >= 0");
  Trajectory<T> tr;
  tr.stateSize = N;
  tr.states.resize(static_cast<size_t>((steps + 1) * N));
  std::copy(u0, u0 + N, tr.states.begin());
  for (int64_t i = 0; i < N; ++i)
    if (!std::isfinite(double(u0[i])))
      throw SimulationError("the initial state is not finite (element " +
                            std::to_string(i) + ")");
  SimulationStats &st = tr.stats;
  st.scheme = opts.scheme;
  st.steps = steps;
  st.hasEnergy = M::has_energy;
  st.dissipative = M::dissipates_energy;
  st.hasMass = M::conserves_mass;
  auto ws = std::make_unique<typename M::template WorkspaceT<T>>();
  auto record = [&](const T *u) {
    if constexpr (M::has_energy)
      tr.energy.push_back(double(M::energy(p, u, *ws)));
    if constexpr (M::conserves_mass)
      tr.mass.push_back(massOf<M>(u));
  };
  if (st.hasEnergy)
    tr.energy.reserve(static_cast<size_t>(steps + 1));
  if (st.hasMass)
    tr.mass.reserve(static_cast<size_t>(steps + 1));
  record(u0);

  std::unique_ptr<Stepper<T>> stepper = makeStepper<M, T>(p, opts);
  std::vector<T> u(u0, u0 + N);
  auto start = std::chrono::steady_clock::now();
  stepper->reset(u.data());
  for (int64_t n = 0; n < steps; ++n) {
    try {
      stepper->advance(u.data(), n);
      for (int64_t i = 0; i < N; ++i)
        if (!std::isfinite(double(u[i])))
          throw SimulationError(std::string("the state became non-finite "
                                            "at step ") +
                                std::to_string(n + 1) + " (scheme " +
                                schemeName(opts.scheme) +
                                "; try a smaller time step)");
    } catch (const SimulationError &e) {
      if (!keep)
        throw;
      st.failedStep = n + 1;
      st.steps = n;
      tr.failure = e.what();
      tr.states.resize(static_cast<size_t>((n + 1) * N));
      break;
    }
    std::copy(u.begin(), u.end(), tr.states.begin() + (n + 1) * N);
    record(u.data());
  }
  st.wallSeconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  st.newtonIterations = stepper->newtonIterations;
  st.linearSolver = stepper->linearSolver;
  st.factorizations = stepper->factorizations;
  st.halvings = stepper->halvings;
  st.linearIterations = stepper->linearIterations;
  st.internalSteps = stepper->internalSteps;
  st.rejectedSteps = stepper->rejectedSteps;
  if (!tr.energy.empty()) {
    double h0 = tr.energy[0];
    double scale = h0 != 0 ? std::abs(h0) : 1.0;
    st.maxEnergyIncrease = -std::numeric_limits<double>::infinity();
    for (size_t n = 0; n < tr.energy.size(); ++n) {
      st.energyDrift =
          std::max(st.energyDrift, std::abs(tr.energy[n] - h0) / scale);
      if (n > 0)
        st.maxEnergyIncrease =
            std::max(st.maxEnergyIncrease, tr.energy[n] - tr.energy[n - 1]);
    }
    if (tr.energy.size() < 2)
      st.maxEnergyIncrease = 0;
  }
  for (double m : tr.mass)
    st.massDrift = std::max(st.massDrift, std::abs(m - tr.mass[0]));
  return tr;
}

} // namespace detail

/// Runs `opts.scheme` for `steps` steps of size opts.dt from `u0`.
/// Throws SimulationError (NewtonError for a Newton failure).
template <class M, class T = double>
Trajectory<T> simulate(const typename M::template ParamsT<T> &p, const T *u0,
                       int64_t steps, const SchemeOptions &opts) {
  return detail::simulateRun<M, T>(p, u0, steps, opts, /*keep=*/false);
}

/// The same, but a step that fails (Newton, a non-finite state) ends the
/// run instead of throwing: the trajectory holds the steps done before it,
/// stats.failedStep names it and `failure` says why. Bad input (a
/// non-finite u0, an impossible scheme) still throws.
template <class M, class T = double>
Trajectory<T> simulateKeeping(const typename M::template ParamsT<T> &p,
                              const T *u0, int64_t steps,
                              const SchemeOptions &opts) {
  return detail::simulateRun<M, T>(p, u0, steps, opts, /*keep=*/true);
}

} // namespace dgc::rt
