//===- SimulateCli.h - The program behind `dgc simulate` --------*- C++ -*-===//
//
// Part of dgc's runtime. The command line of the simulation program that
// `dgc simulate` compiles against a generated header (runtime/tools/
// simulate_main.cpp): argument parsing, reading and checking the initial
// state and parameters (.npy), running the scheme, writing the trajectory
// atomically and printing the summary line. Bad input is one line
// `error: ...` on stderr, exit status 1 and no output file; a step that
// fails (Newton, a non-finite state) ends the run with the trajectory up
// to the last good step written, `failed_step=K` in the summary, one
// `error:` line naming the step and why, and exit status 3
// (kExitStepFailed). In a header so
// that tests can call each piece without the program.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/InputCheck.h"
#include "dgc/runtime/Npy.h"
#include "dgc/runtime/ParentDeath.h"
#include "dgc/runtime/Simulate.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace dgc::rt {

inline constexpr const char *kSimulateUsage =
    "usage: simulate --init U0.npy --dt DT --steps N --scheme SCHEME\n"
    "                [--params P.npy|DIR] [--tol X] [--max-newton-iters K]\n"
    "                [--rtol R] [--atol A] [--fixed-step]\n"
    "                [--linear-solver NAME] [--max-halvings K] [--threads T]\n"
    "                -o TRAJ.npy\n"
    "schemes: dg, implicit_midpoint, rk2, rk4, dopri5, leapfrog\n"
    "linear solvers (dg, implicit_midpoint): auto, dense, sparse-lu, "
    "gmres-ilu, gmres-fft, gmres\n";

struct SimulateArgs {
  std::string init, params, output;
  double dt = 0;
  int64_t steps = -1;
  std::string scheme;
  double tol = 0;      ///< Newton's relative tolerance (0: default)
  int maxNewtonIters = 50;
  double rtol = 1e-9, atol = 1e-12;
  bool fixedStep = false; ///< dopri5 without step-size control
  LinearSolver linearSolver = LinearSolver::Auto;
  int maxHalvings = 0; ///< 0..20
  int threads = 0;     ///< >= 1; 0: all cores
  bool help = false;
};

namespace cli_detail {

inline double parseDouble(const std::string &opt, const std::string &v) {
  char *end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d))
    throw InputError("option " + opt + " needs a number, got '" + v + "'");
  return d;
}

inline int64_t parseInt(const std::string &opt, const std::string &v) {
  char *end = nullptr;
  long long i = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0')
    throw InputError("option " + opt + " needs an integer, got '" + v + "'");
  return i;
}

/// The value of option `opt` at argv[i]: the text after `=` in `--opt=v`
/// (then `opt` loses it), else argv[i + 1] (then `i` moves past it).
inline std::string optionValue(std::string &opt, int &i, int argc,
                               const char *const *argv) {
  size_t eq = opt.find('=');
  if (opt.rfind("--", 0) == 0 && eq != std::string::npos) {
    std::string value = opt.substr(eq + 1);
    opt = opt.substr(0, eq);
    return value;
  }
  if (i + 1 >= argc)
    throw InputError("option " + opt + " needs a value");
  return argv[++i];
}

} // namespace cli_detail

/// Parses argv; InputError for an unknown option, a missing value or a
/// missing required option.
inline SimulateArgs parseSimulateArgs(int argc, const char *const *argv) {
  SimulateArgs a;
  bool haveDt = false;
  for (int i = 1; i < argc; ++i) {
    std::string opt = argv[i];
    if (opt == "-h" || opt == "--help") {
      a.help = true;
      return a;
    }
    if (opt == "--fixed-step") {
      a.fixedStep = true;
      continue;
    }
    std::string value = cli_detail::optionValue(opt, i, argc, argv);
    using namespace cli_detail;
    if (opt == "--init")
      a.init = value;
    else if (opt == "--params")
      a.params = value;
    else if (opt == "-o" || opt == "--output")
      a.output = value;
    else if (opt == "--scheme")
      a.scheme = value;
    else if (opt == "--dt") {
      a.dt = parseDouble(opt, value);
      haveDt = true;
    } else if (opt == "--steps")
      a.steps = parseInt(opt, value);
    else if (opt == "--tol")
      a.tol = parseDouble(opt, value);
    else if (opt == "--max-newton-iters")
      a.maxNewtonIters = static_cast<int>(parseInt(opt, value));
    else if (opt == "--rtol")
      a.rtol = parseDouble(opt, value);
    else if (opt == "--atol")
      a.atol = parseDouble(opt, value);
    else if (opt == "--linear-solver") {
      try {
        a.linearSolver = parseLinearSolver(value);
      } catch (const SimulationError &e) {
        throw InputError(e.what());
      }
    } else if (opt == "--max-halvings") {
      int64_t k = parseInt(opt, value);
      if (k < 0 || k > 20)
        throw InputError("--max-halvings must be between 0 and 20, got " +
                         value);
      a.maxHalvings = static_cast<int>(k);
    } else if (opt == "--threads") {
      int64_t t = parseInt(opt, value);
      if (t < 1 || t > 4096)
        throw InputError("--threads must be between 1 and 4096, got " +
                         value);
      a.threads = static_cast<int>(t);
    } else
      throw InputError("unknown option '" + opt + "'");
  }
  if (a.init.empty())
    throw InputError("missing --init U0.npy");
  if (!haveDt)
    throw InputError("missing --dt");
  if (!(a.dt > 0))
    throw InputError("--dt must be positive");
  if (a.steps < 0)
    throw InputError("missing --steps N (N >= 0)");
  if (a.scheme.empty())
    throw InputError("missing --scheme");
  if (a.output.empty())
    throw InputError("missing -o TRAJ.npy");
  if (a.tol < 0 || a.rtol < 0 || a.atol < 0)
    throw InputError("tolerances must be >= 0");
  if (a.maxNewtonIters < 1)
    throw InputError("--max-newton-iters must be >= 1");
  return a;
}

/// The model's state shape (M::state_shape) as a vector.
template <class M> std::vector<int64_t> stateShapeOf() {
  return std::vector<int64_t>(M::state_shape.begin(), M::state_shape.end());
}

/// The initial state: the flat state (state_size,), the model's own state
/// shape (M::state_shape, e.g. (NY, NX) for a 2-D field), either with a
/// leading 1, float32 or float64, all finite (checkInitialState).
template <class M> std::vector<double> loadInitialState(const std::string &path) {
  NpyArray a = readInput(path, "initial state");
  checkInitialState(a, path, M::name, M::state_size, stateShapeOf<M>());
  return a.data;
}

/// The parameters: a flat float64 array of param_count values, or the
/// folder `dgc train -o DIR` writes (its latest parameters, params.npy).
template <class M>
void loadParams(const std::string &path,
                typename M::template ParamsT<double> &p) {
  NpyArray a = readParams(path, M::name, M::param_count);
  std::copy(a.data.begin(), a.data.end(), p.data.begin());
}

/// Runs OpenMP loops (generated code compiled with -fopenmp) and Eigen on
/// `threads` threads (0: every core).
inline void setThreads(int threads) {
  if (threads < 1)
    threads = static_cast<int>(
        std::max(1u, std::thread::hardware_concurrency()));
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
  Eigen::setNbThreads(threads);
}

/// The whole program: returns the exit status. Summary on stdout, errors
/// on stderr as one `error: ...` line.
template <class M> int simulateMain(int argc, const char *const *argv) {
  try {
    dieWithParent();
    SimulateArgs a = parseSimulateArgs(argc, argv);
    if (a.help) {
      std::fputs(kSimulateUsage, stdout);
      return 0;
    }
    SchemeOptions opts;
    opts.scheme = parseScheme(a.scheme);
    opts.dt = a.dt;
    opts.newton.tol = a.tol;
    opts.newton.maxIters = a.maxNewtonIters;
    opts.rtol = a.rtol;
    opts.atol = a.atol;
    opts.adaptive = !a.fixedStep;
    opts.linearSolver = a.linearSolver;
    opts.maxHalvings = a.maxHalvings;
    setThreads(a.threads);
    // An output that cannot be written is found before the run, not after.
    checkCanWrite(a.output);
    std::vector<double> u0 = loadInitialState<M>(a.init);
    auto params = std::make_unique<typename M::template ParamsT<double>>();
    if (a.params.empty())
      M::init_params(*params, 0);
    else
      loadParams<M>(a.params, *params);
    // A step that fails keeps the steps before it (exit kExitStepFailed).
    Trajectory<double> tr =
        simulateKeeping<M, double>(*params, u0.data(), a.steps, opts);
    writeNpy<double>(a.output, {tr.stats.steps + 1, M::state_size},
                     tr.states.data());
    std::printf("%s\n", tr.stats.summary().c_str());
    if (tr.stats.failedStep > 0) {
      std::fflush(stdout);
      std::fprintf(stderr,
                   "dgc: error: step %lld failed: %s; %s holds steps 0 to "
                   "%lld\n",
                   static_cast<long long>(tr.stats.failedStep),
                   tr.failure.c_str(), a.output.c_str(),
                   static_cast<long long>(tr.stats.steps));
      return kExitStepFailed;
    }
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dgc: error: %s\n", e.what());
    return 1;
  }
}

} // namespace dgc::rt
