//===- bench_dgnet.cpp - DGNet training and stepping, in GFLOP/s ----------===//
//
// Part of dgc (issue 7). Google Benchmark program over the generated code of
// the paper's four DGNet models, in the protocol's batch and dtype
// (shared/reference/experiments.md, sections 2-4 and 6):
//
//   key     model (examples/)           T       batch        pairs
//   kdv     kdv_net.dg       (KdVNet)   double  200          45,000
//   ch      cahn_hilliard_net.dg        double  200          45,000
//   spring  mass_spring_net.dg          float   2475 (full)  2,475
//   2body   two_body_net.dg             float   200          399,200
//
// For each model it times
//
//   <key>/train_step/threads:N     dgc::rt::Trainer<Model, T>::step() with
//                                  scheme dg (Eq. 11 loss, its gradient by the
//                                  generated train_dg, Adam), N threads;
//   <key>/discrete_grad/bB/threads:N   discrete_grad_batch on B pairs,
//   <key>/grad/bB/threads:N            grad_batch on B states, the rows split
//                                  into N contiguous chunks, one std::thread
//                                  and one Workspace per chunk (as Trainer);
//   <key>/newton_step              one step of the runtime's dg stepper
//                                  (Eq. 6: RK2 predictor, then Newton with
//                                  the generated residual and Jacobian),
//                                  stepping along a trajectory (restarted
//                                  from the same state every 100 steps), so
//                                  the kept LU factorisation is reused as in
//                                  `dgc simulate`; serial (1 thread);
//   <key>/newton_step_cold         the same step from the first state with a
//                                  new stepper each time (construction
//                                  included): a Jacobian and its LU every
//                                  step, like fsolve's finite differences;
//   <key>/newton_step_cold_dense   the same with the Jacobian built as before
//                                  the compiler generated sparse ones (one
//                                  JVP per column; models with a sparse
//                                  Jacobian only): the side-by-side ratio;
//   <key>/rk2_step                 one step of the runtime's rk2 stepper;
//
// and, in the same run,
//
//   gemm/<T>/threads:N             an Eigen GEMM C = A B, A 200 x 200,
//                                  B 200 x 10000 (row-major, like the
//                                  generated matmul), 2 * 200 * 200 * 10000
//                                  FLOP. This build has no OpenMP, so
//                                  Eigen::setNbThreads does nothing (Eigen
//                                  runs one thread; the program checks): at
//                                  N threads, N std::threads each multiply
//                                  their own matrices and the rate is
//                                  N * 8e8 FLOP over the wall time.
//
// Counters (rates over wall time; every benchmark uses real time, since the
// work runs on several threads):
//
//   FLOP/s         flop_per_iter * iterations / wall time
//   flop_per_iter  the FLOP count below, from the architecture
//   peak_frac      FLOP/s over the GEMM rate of the same dtype and thread
//                  count measured in this run (the best gemm/* result; when
//                  the filter left gemm out it is measured on first use)
//   gemm_peak      that GEMM rate (FLOP/s)
//   newton_iters, residuals, jacobians, sparse_jacobians (per step;
//                  newton_step*)
//
// FLOP model (multiply-add = 2 FLOP; products of the layers only: bias
// adds, tanh and its divided differences, the structure G, the loss and
// Adam are O(h N) or O(P) and not counted). h = 200 hidden units.
// Conv net (kdv, ch; N = 50 nodes, kernel k = 3, 1 input channel) and MLP
// (spring n = 2, 2body n = 8 inputs; N = 1):
//
//   C1 = 2 h k N (conv)  or  2 h n (MLP)      layer 1 product
//   C2 = 2 h^2 N                              layer 2 product (the GEMM)
//   C3 = 2 h N                                output layer product
//   grad          = 2 (C1 + C2 + C3)          forward + reverse
//   discrete_grad = 3 C1 + 3 C2 + C3          forward at u and v, one
//                                             reverse pass
//   train_dg      = 7 C1 + 9 C2 + 2 C3        discrete_grad and its reverse
//                                             (dW and dx of every product
//                                             whose input depends on the
//                                             parameters); per pair
//   train_step    = batch * train_dg
//   newton_jvp    = 4 C1 + 5 C2 + C3          discrete_grad's primal and
//                                             one tangent
//   newton_jacobian = S * newton_jvp          one JVP per column (S = state
//                                             size)
//   rk2_step      = 2 grad                    two time derivatives
//   newton_step   = 2 grad + R discrete_grad + J (S newton_jvp + 2/3 S^3)
//                   + I 2 S^2                 R residuals, J Jacobians (LU),
//                                             I Newton iterations (counted)
//
// These counts were checked against the products in the generated code of
// kdv_net.dg (nine 200 x 200 x 50 GEMMs in train_dg, five in newton_jvp).
//
// Flags of this program (the rest are Google Benchmark's):
//   --dgc_quick        tiny inputs (batch <= 8, a 200 x 200 x 200 GEMM): the
//                      ctest smoke run
//   --dgc_export=DIR   writes, per model, the training pairs, the initial
//                      parameters, the loss and gradient of Trainer::evaluate
//                      on the first batch, discrete_grad and grad of that
//                      batch, one dg and one rk2 step (bench/torch checks
//                      its PyTorch implementation against them), then exits
//   --dgc_flops        prints each benchmark's FLOP count and exits
//   --dgc_no_peak      measures no GEMM the filter left out (no peak_frac
//                      then): for profiles of one benchmark
//
//===----------------------------------------------------------------------===//
#include "cahn_hilliard_net.hpp"
#include "kdv_net.hpp"
#include "mass_spring_net.hpp"
#include "two_body_net.hpp"

#include "dgc/runtime/Integrators.h"
#include "dgc/runtime/Npy.h"
#include "dgc/runtime/Train.h"

#include <Eigen/Dense>
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using dgc::rt::PairSet;

bool gQuick = false;
bool gNoPeak = false; ///< --dgc_no_peak: no GEMM measured on first use

//===----------------------------------------------------------------------===//
// FLOP model (see the file comment)
//===----------------------------------------------------------------------===//

struct Arch {
  bool conv;      ///< conv net over a periodic field (else an MLP)
  int64_t n;      ///< MLP inputs (conv: input channels)
  int64_t h;      ///< hidden width
  int64_t nodes;  ///< conv: grid nodes; MLP: 1
  int64_t kernel; ///< conv: kernel width; MLP: 1
  int64_t state;  ///< state size S
};

struct Flops {
  double c1, c2, c3;
  double grad() const { return 2 * (c1 + c2 + c3); }
  double dgrad() const { return 3 * c1 + 3 * c2 + c3; }
  double train() const { return 7 * c1 + 9 * c2 + 2 * c3; }
  double jvp() const { return 4 * c1 + 5 * c2 + c3; }
};

Flops flopsOf(const Arch &a) {
  Flops f;
  const double h = double(a.h), N = double(a.nodes);
  f.c1 = a.conv ? 2 * h * double(a.kernel * a.n) * N : 2 * h * double(a.n);
  f.c2 = 2 * h * h * N;
  f.c3 = 2 * h * N;
  return f;
}

/// Newton step FLOPs from the counted calls (per step).
double newtonFlops(const Arch &a, double residuals, double jacobians,
                   double sparseJacobians, double colours, double iters) {
  const Flops f = flopsOf(a);
  const double S = double(a.state);
  // A sparse Jacobian is one JVP per colour (its tangent sweep; the
  // primal it shares is not counted), then the same dense LU.
  return 2 * f.grad() + residuals * f.dgrad() +
         jacobians * (S * f.jvp() + 2.0 / 3.0 * S * S * S) +
         sparseJacobians * (colours * f.jvp() + 2.0 / 3.0 * S * S * S) +
         iters * 2 * S * S;
}

//===----------------------------------------------------------------------===//
// Training pairs resembling the protocol's data (values only matter through
// the divided differences' branch; the sizes are the protocol's)
//===----------------------------------------------------------------------===//

/// Periodic central difference (x_{k+1} - x_{k-1}) / (2 dx) and second
/// difference (x_{k+1} - 2 x_k + x_{k-1}) / dx^2.
void centralDiff(const std::vector<double> &x, double dx,
                 std::vector<double> &y) {
  const size_t n = x.size();
  for (size_t k = 0; k < n; ++k)
    y[k] = (x[(k + 1) % n] - x[(k + n - 1) % n]) / (2 * dx);
}
void secondDiff(const std::vector<double> &x, double dx,
                std::vector<double> &y) {
  const size_t n = x.size();
  for (size_t k = 0; k < n; ++k)
    y[k] = (x[(k + 1) % n] - 2 * x[k] + x[(k + n - 1) % n]) / (dx * dx);
}

/// KdV (experiments.md 2): two solitons 2 k^2 sech^2(k (x - c)) at random
/// positions on the periodic domain of length 10 (50 nodes), flipped with
/// probability 1/2; u2 = one explicit midpoint step of dt = 0.001 of the
/// semi-discrete equation du/dt = D(3 u^2 + D2 u).
PairSet kdvPairs(int64_t count, uint64_t seed) {
  const int64_t N = 50;
  const double L = 10, dx = L / N, dt = 1e-3;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  PairSet ps;
  ps.count = count;
  ps.stateSize = N;
  ps.u1.resize(size_t(count * N));
  ps.u2.resize(size_t(count * N));
  ps.dt.assign(size_t(count), dt);
  std::vector<double> u(N), a(N), b(N), m(N), k1(N);
  auto rhs = [&](const std::vector<double> &x, std::vector<double> &out) {
    secondDiff(x, dx, a);
    for (int64_t i = 0; i < N; ++i)
      b[i] = 3 * x[i] * x[i] + a[i];
    centralDiff(b, dx, out);
  };
  for (int64_t s = 0; s < count; ++s) {
    double k1s = 0.5 + 1.5 * U(rng), k2s = 0.5 + 1.5 * U(rng);
    double c1 = L * U(rng), c2 = c1 + 2 + 3 * U(rng);
    bool flip = U(rng) < 0.5;
    for (int64_t i = 0; i < N; ++i) {
      double x = dx * double(i), v = 0;
      for (auto [k, c] : {std::pair{k1s, c1}, std::pair{k2s, c2}}) {
        double r = std::remainder(x - c, L); // nearest periodic image
        double sech = 1 / std::cosh(k * r);
        v += 2 * k * k * sech * sech;
      }
      u[flip ? N - 1 - i : i] = v;
    }
    rhs(u, k1);
    for (int64_t i = 0; i < N; ++i)
      m[i] = u[i] + dt / 2 * k1[i];
    rhs(m, k1);
    for (int64_t i = 0; i < N; ++i) {
      ps.u1[size_t(s * N + i)] = u[i];
      ps.u2[size_t(s * N + i)] = u[i] + dt * k1[i];
    }
  }
  return ps;
}

/// Cahn-Hilliard (experiments.md 3): smooth random profiles
/// a tanh(s sin(2 pi m x + phi)) plus 2% noise, a in [0.05, 1] (the data go
/// from small noise to +-1 domains); u2 = one explicit Euler step of
/// dt = 1e-4 of du/dt = D2(-u + u^3 - gamma D2 u), gamma = 5e-4, on the
/// periodic domain of length 1 (50 nodes).
PairSet chPairs(int64_t count, uint64_t seed) {
  const int64_t N = 50;
  const double dx = 1.0 / N, dt = 1e-4, gamma = 5e-4;
  const double pi = 3.14159265358979323846;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  PairSet ps;
  ps.count = count;
  ps.stateSize = N;
  ps.u1.resize(size_t(count * N));
  ps.u2.resize(size_t(count * N));
  ps.dt.assign(size_t(count), dt);
  std::vector<double> u(N), a(N), b(N), f(N);
  for (int64_t s = 0; s < count; ++s) {
    double amp = 0.05 + 0.95 * U(rng), sharp = 1 + 4 * U(rng),
           phase = 2 * pi * U(rng);
    int mode = 1 + int(3 * U(rng));
    for (int64_t i = 0; i < N; ++i)
      u[i] = amp * (std::tanh(sharp * std::sin(2 * pi * mode * dx * double(i) +
                                               phase)) +
                    0.02 * (2 * U(rng) - 1));
    secondDiff(u, dx, a);
    for (int64_t i = 0; i < N; ++i)
      b[i] = -u[i] + u[i] * u[i] * u[i] - gamma * a[i];
    secondDiff(b, dx, f);
    for (int64_t i = 0; i < N; ++i) {
      ps.u1[size_t(s * N + i)] = u[i];
      ps.u2[size_t(s * N + i)] = u[i] + dt * f[i];
    }
  }
  return ps;
}

/// Mass-spring (experiments.md 4): `series` trajectories of H = q^2 + p^2
/// (a rotation at angular speed 2), radius U(0.1, 1), 100 samples
/// dt = 20/99 apart, N(0, 0.1^2) noise on every sample; consecutive samples
/// are the pairs (25 series: 2475 pairs).
PairSet springPairs(int64_t series, uint64_t seed) {
  const int64_t K = 100;
  const double dt = 20.0 / 99;
  const double pi = 3.14159265358979323846;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  std::normal_distribution<double> G(0, 0.1);
  PairSet ps;
  ps.count = series * (K - 1);
  ps.stateSize = 2;
  std::vector<double> x(size_t(2 * K));
  for (int64_t s = 0; s < series; ++s) {
    double r = 0.1 + 0.9 * U(rng), phi = 2 * pi * U(rng);
    for (int64_t t = 0; t < K; ++t) {
      double a = phi + 2 * dt * double(t);
      x[size_t(2 * t)] = r * std::cos(a) + G(rng);
      x[size_t(2 * t + 1)] = -r * std::sin(a) + G(rng);
    }
    for (int64_t t = 0; t + 1 < K; ++t)
      for (int c = 0; c < 2; ++c) {
        ps.u1.push_back(x[size_t(2 * t + c)]);
        ps.u2.push_back(x[size_t(2 * (t + 1) + c)]);
      }
  }
  ps.dt.assign(size_t(ps.count), dt);
  return ps;
}

/// Two-body (experiments.md 6): `orbits` near-circular orbits from HNN's
/// random_config (pos ~ U(0.5, 1.5)^2, vel = (-y, x) / (2 r^1.5) (1 + 0.05
/// N(0,1)), body 2 at (-pos, -vel)), state (x1, x2, y1, y2, px1, px2, py1,
/// py2), 500 samples dt = 25/499 apart, integrated with 8 RK4 substeps per
/// sample; consecutive samples are the pairs (800 orbits: 399,200 pairs).
PairSet twoBodyPairs(int64_t orbits, uint64_t seed) {
  const int64_t K = 500, sub = 8;
  const double dt = 25.0 / 499;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  std::normal_distribution<double> G(0, 1);
  using V8 = std::array<double, 8>;
  auto f = [](const V8 &s) {
    // q = (x1, x2, y1, y2), p = (px1, px2, py1, py2); dq/dt = p,
    // dp_i/dt = (q_j - q_i) / |q_j - q_i|^3.
    double dx = s[1] - s[0], dy = s[3] - s[2];
    double r2 = dx * dx + dy * dy, r3 = r2 * std::sqrt(r2);
    V8 d{};
    for (int i = 0; i < 4; ++i)
      d[size_t(i)] = s[size_t(4 + i)];
    d[4] = dx / r3;
    d[5] = -dx / r3;
    d[6] = dy / r3;
    d[7] = -dy / r3;
    return d;
  };
  auto axpy = [](const V8 &x, double a, const V8 &y) {
    V8 r;
    for (size_t i = 0; i < 8; ++i)
      r[i] = x[i] + a * y[i];
    return r;
  };
  PairSet ps;
  ps.count = orbits * (K - 1);
  ps.stateSize = 8;
  ps.u1.reserve(size_t(ps.count * 8));
  ps.u2.reserve(size_t(ps.count * 8));
  std::vector<V8> traj(static_cast<size_t>(K));
  for (int64_t o = 0; o < orbits; ++o) {
    double px = 0.5 + U(rng), py = 0.5 + U(rng);
    double r = std::sqrt(px * px + py * py);
    double sc = (1 + 0.05 * G(rng)) / (2 * std::pow(r, 1.5));
    double vx = -py * sc, vy = px * sc;
    V8 s{px, -px, py, -py, vx, -vx, vy, -vy};
    const double h = dt / double(sub);
    for (int64_t t = 0; t < K; ++t) {
      traj[size_t(t)] = s;
      for (int64_t j = 0; j < sub; ++j) {
        V8 k1 = f(s), k2 = f(axpy(s, h / 2, k1)), k3 = f(axpy(s, h / 2, k2)),
           k4 = f(axpy(s, h, k3));
        for (size_t i = 0; i < 8; ++i)
          s[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      }
    }
    for (int64_t t = 0; t + 1 < K; ++t)
      for (size_t i = 0; i < 8; ++i) {
        ps.u1.push_back(traj[size_t(t)][i]);
        ps.u2.push_back(traj[size_t(t + 1)][i]);
      }
  }
  ps.dt.assign(size_t(ps.count), dt);
  return ps;
}

//===----------------------------------------------------------------------===//
// The four models
//===----------------------------------------------------------------------===//

struct Info {
  const char *key;
  Arch arch;
  int64_t batch;        ///< the protocol's batch
  double weightDecay;   ///< the protocol's Adam weight decay
  double dt;            ///< the data's time step (Newton and RK2 steps)
  std::function<PairSet()> full, quick;
};

const Info kdvInfo{"kdv", {true, 1, 200, 50, 3, 50}, 200, 0, 1e-3,
                   [] { return kdvPairs(45000, 1); },
                   [] { return kdvPairs(16, 1); }};
const Info chInfo{"ch", {true, 1, 200, 50, 3, 50}, 200, 0, 1e-4,
                  [] { return chPairs(45000, 0); },
                  [] { return chPairs(16, 0); }};
const Info springInfo{"spring", {false, 2, 200, 1, 1, 2}, 2475, 1e-4,
                      20.0 / 99, [] { return springPairs(25, 0); },
                      [] { return springPairs(1, 0); }};
const Info twoBodyInfo{"2body", {false, 8, 200, 1, 1, 8}, 200, 0, 25.0 / 499,
                       [] { return twoBodyPairs(800, 0); },
                       [] { return twoBodyPairs(1, 0); }};

int64_t batchOf(const Info &in) { return gQuick ? 8 : in.batch; }

/// The pairs of a model, generated once.
const PairSet &pairsOf(const Info &in) {
  static std::map<std::string, PairSet> cache;
  auto it = cache.find(in.key);
  if (it == cache.end())
    it = cache.emplace(in.key, gQuick ? in.quick() : in.full()).first;
  return it->second;
}

template <class T> std::vector<T> rowsOf(const std::vector<double> &v,
                                         int64_t rows, int64_t n) {
  return std::vector<T>(v.begin(), v.begin() + rows * n);
}

//===----------------------------------------------------------------------===//
// GEMM peak
//===----------------------------------------------------------------------===//

template <class T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

int64_t gemmCols() { return gQuick ? 200 : 10000; }
double gemmFlop() { return 2.0 * 200 * 200 * double(gemmCols()); }

/// Best GEMM rate (FLOP/s) seen in this run, per (is double, threads).
std::map<std::pair<bool, int>, double> gPeak;

/// `threads` independent GEMMs, one per std::thread (the caller runs the
/// first); returns when all are done.
template <class T> struct GemmSet {
  std::vector<RowMat<T>> A, B, C;
  explicit GemmSet(int threads) {
    for (int t = 0; t < threads; ++t) {
      A.push_back(RowMat<T>::Random(200, 200));
      B.push_back(RowMat<T>::Random(200, gemmCols()));
      C.push_back(RowMat<T>::Zero(200, gemmCols()));
    }
  }
  void run() {
    const int n = int(A.size());
    auto one = [&](int t) { C[size_t(t)].noalias() = A[size_t(t)] * B[size_t(t)]; };
    std::vector<std::thread> pool;
    for (int t = 1; t < n; ++t)
      pool.emplace_back(one, t);
    one(0);
    for (std::thread &th : pool)
      th.join();
  }
};

template <class T> double &peakSlot(int threads) {
  return gPeak[{std::is_same_v<T, double>, threads}];
}

/// The GEMM rate for (T, threads): the best measured so far, or (when the
/// filter left gemm/* out) the best of 3 runs measured now.
template <class T> double gemmPeak(int threads) {
  double &p = peakSlot<T>(threads);
  if (p > 0)
    return p;
  GemmSet<T> g(threads);
  g.run();
  for (int r = 0; r < 3; ++r) {
    auto t0 = Clock::now();
    g.run();
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    p = std::max(p, threads * gemmFlop() / s);
  }
  return p;
}

template <class T> void BM_gemm(benchmark::State &st, int threads) {
  GemmSet<T> g(threads);
  auto t0 = Clock::now();
  for (auto _ : st) {
    g.run();
    benchmark::ClobberMemory();
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double flop = threads * gemmFlop();
  double rate = flop * double(st.iterations()) / s;
  double &p = peakSlot<T>(threads);
  p = std::max(p, rate);
  st.counters["FLOP/s"] = benchmark::Counter(flop * double(st.iterations()),
                                             benchmark::Counter::kIsRate);
  st.counters["flop_per_iter"] = flop;
  st.counters["eigen_threads"] = Eigen::nbThreads();
}

/// Sets FLOP/s, flop_per_iter, peak_frac and gemm_peak.
template <class T>
void setRate(benchmark::State &st, double flopPerIter, double seconds,
             int threads) {
  const double total = flopPerIter * double(st.iterations());
  st.counters["FLOP/s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
  st.counters["flop_per_iter"] = flopPerIter;
  if (gNoPeak && peakSlot<T>(threads) <= 0)
    return;
  const double peak = gemmPeak<T>(threads);
  st.counters["peak_frac"] = seconds > 0 ? total / seconds / peak : 0;
  st.counters["gemm_peak"] = peak;
}

//===----------------------------------------------------------------------===//
// Benchmarks
//===----------------------------------------------------------------------===//

template <class M, class T>
void BM_train(benchmark::State &st, const Info *in, int threads) {
  dgc::rt::TrainOptions o;
  o.scheme = dgc::rt::Scheme::DG;
  o.batch = batchOf(*in);
  o.seed = 0;
  o.threads = threads;
  o.adam.weightDecay = in->weightDecay;
  dgc::rt::Trainer<M, T> tr(pairsOf(*in), o);
  tr.step(); // warm-up: first-touch of the workspaces
  double loss = 0;
  auto t0 = Clock::now();
  try {
    for (auto _ : st)
      loss = tr.step();
  } catch (const std::exception &e) {
    st.SkipWithError(e.what());
    return;
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  setRate<T>(st, double(tr.batchSize()) * flopsOf(in->arch).train(), s,
             threads);
  st.counters["batch"] = double(tr.batchSize());
  st.counters["loss"] = loss;
}

enum class Fn { Grad, DGrad };

template <class M, class T>
void BM_batch(benchmark::State &st, const Info *in, Fn fn, int threads) {
  using W = typename M::template WorkspaceT<T>;
  const int64_t N = M::state_size, B = batchOf(*in);
  const PairSet &ps = pairsOf(*in);
  auto p = std::make_unique<typename M::template ParamsT<T>>();
  M::init_params(*p, 0);
  std::vector<T> u = rowsOf<T>(ps.u1, B, N), v = rowsOf<T>(ps.u2, B, N);
  std::vector<T> H(static_cast<size_t>(B)), g(static_cast<size_t>(B * N));
  std::vector<std::unique_ptr<W>> ws;
  for (int t = 0; t < threads; ++t)
    ws.push_back(std::make_unique<W>());
  auto chunk = [&](int t) {
    const int64_t b0 = B * t / threads, b1 = B * (t + 1) / threads;
    if (fn == Fn::Grad)
      M::grad_batch(*p, b1 - b0, u.data() + b0 * N, H.data() + b0,
                    g.data() + b0 * N, *ws[size_t(t)]);
    else
      M::discrete_grad_batch(*p, b1 - b0, u.data() + b0 * N,
                             v.data() + b0 * N, g.data() + b0 * N,
                             *ws[size_t(t)]);
  };
  auto run = [&] {
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
      pool.emplace_back(chunk, t);
    chunk(0);
    for (std::thread &th : pool)
      th.join();
  };
  run();
  auto t0 = Clock::now();
  for (auto _ : st) {
    run();
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const Flops f = flopsOf(in->arch);
  setRate<T>(st, double(B) * (fn == Fn::Grad ? f.grad() : f.dgrad()), s,
             threads);
  st.counters["batch"] = double(B);
}

/// Model M with its Newton functions counted (the runtime's dg stepper
/// calls them through M).
template <class M> struct Counting : M {
  static inline int64_t residuals = 0, jacobians = 0, sparseJacobians = 0;
  template <class... A> static decltype(auto) newton_residual(A &&...a) {
    ++residuals;
    return M::newton_residual(std::forward<A>(a)...);
  }
  template <class... A> static decltype(auto) newton_jacobian(A &&...a) {
    ++jacobians;
    return M::newton_jacobian(std::forward<A>(a)...);
  }
  template <class... A> static decltype(auto) newton_jacobian_sparse(A &&...a) {
    ++sparseJacobians;
    return M::newton_jacobian_sparse(std::forward<A>(a)...);
  }
};

/// Model M as it was before the compiler generated sparse Jacobians: the
/// dg stepper builds the dense Jacobian from one JVP per column
/// (`<key>/newton_step_cold_dense`, the side-by-side baseline of
/// `<key>/newton_step_cold`).
template <class M> struct WithoutSparseJacobian : M {
  static constexpr bool has_newton_jacobian_sparse = false;
};

template <class M> constexpr double coloursOf() {
  if constexpr (requires { M::newton_jacobian_colors; })
    return double(M::newton_jacobian_colors);
  else
    return 0;
}

/// One step of scheme `s` per iteration, along a trajectory from the first
/// training state, restarted there every 100 steps; `cold`: always the
/// first step, with a new stepper (so a new Jacobian) each time.
template <class M, class T>
void BM_step(benchmark::State &st, const Info *in, dgc::rt::Scheme s,
             bool cold) {
  using CM = Counting<M>;
  const int64_t N = M::state_size;
  auto p = std::make_unique<typename M::template ParamsT<T>>();
  M::init_params(*p, 0);
  dgc::rt::SchemeOptions o;
  o.scheme = s;
  o.dt = in->dt;
  auto stepper = dgc::rt::makeStepper<CM, T>(*p, o);
  const std::vector<T> u0 = rowsOf<T>(pairsOf(*in).u1, 1, N);
  std::vector<T> u = u0;
  stepper->reset(u.data());
  int64_t n = 0, steps = 0;
  auto advance = [&] {
    if (cold) {
      stepper = dgc::rt::makeStepper<CM, T>(*p, o);
      u = u0;
      stepper->reset(u.data());
      stepper->advance(u.data(), 0);
      return;
    }
    if (n == 100) {
      u = u0;
      n = 0;
      stepper->reset(u.data());
    }
    stepper->advance(u.data(), n++);
  };
  advance(); // the first factorisation, outside the timing
  CM::residuals = CM::jacobians = CM::sparseJacobians = 0;
  const int64_t it0 = stepper->newtonIterations;
  int64_t iters = 0;
  auto t0 = Clock::now();
  try {
    for (auto _ : st) {
      advance();
      ++steps;
      if (cold)
        iters += stepper->newtonIterations;
    }
    if (!cold)
      iters = stepper->newtonIterations - it0;
  } catch (const std::exception &e) {
    st.SkipWithError(e.what());
    return;
  }
  double sec = std::chrono::duration<double>(Clock::now() - t0).count();
  const double k = steps > 0 ? 1.0 / double(steps) : 0;
  const double R = double(CM::residuals) * k, J = double(CM::jacobians) * k,
               SJ = double(CM::sparseJacobians) * k, I = double(iters) * k;
  const double flop = s == dgc::rt::Scheme::DG
                          ? newtonFlops(in->arch, R, J, SJ, coloursOf<M>(), I)
                          : 2 * flopsOf(in->arch).grad();
  setRate<T>(st, flop, sec, 1);
  if (s == dgc::rt::Scheme::DG) {
    st.counters["newton_iters"] = I;
    st.counters["residuals"] = R;
    st.counters["jacobians"] = J + SJ;
    st.counters["sparse_jacobians"] = SJ;
  }
}

template <class M, class T> void registerModel(const Info &in) {
  const std::string k = in.key;
  const std::string b = "/b" + std::to_string(batchOf(in));
  for (int t : {1, 2}) {
    const std::string th = "/threads:" + std::to_string(t);
    benchmark::RegisterBenchmark((k + "/train_step" + th).c_str(),
                                 BM_train<M, T>, &in, t)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  for (int t : {1, 2}) {
    const std::string th = "/threads:" + std::to_string(t);
    benchmark::RegisterBenchmark((k + "/discrete_grad" + b + th).c_str(),
                                 BM_batch<M, T>, &in, Fn::DGrad, t)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((k + "/grad" + b + th).c_str(),
                                 BM_batch<M, T>, &in, Fn::Grad, t)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark((k + "/newton_step").c_str(), BM_step<M, T>,
                               &in, dgc::rt::Scheme::DG, false)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark((k + "/newton_step_cold").c_str(),
                               BM_step<M, T>, &in, dgc::rt::Scheme::DG, true)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  if constexpr (dgc::rt::detail::HasSparseNewtonJacobian<M>)
    benchmark::RegisterBenchmark((k + "/newton_step_cold_dense").c_str(),
                                 BM_step<WithoutSparseJacobian<M>, T>, &in,
                                 dgc::rt::Scheme::DG, true)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  benchmark::RegisterBenchmark((k + "/rk2_step").c_str(), BM_step<M, T>, &in,
                               dgc::rt::Scheme::RK2, false)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
}

//===----------------------------------------------------------------------===//
// --dgc_flops, --dgc_export
//===----------------------------------------------------------------------===//

void printFlops() {
  std::printf("FLOP per call (multiply-add = 2; layer products only)\n");
  for (const Info *in : {&kdvInfo, &chInfo, &springInfo, &twoBodyInfo}) {
    const Flops f = flopsOf(in->arch);
    const double B = double(in->batch);
    std::printf("%-7s C1=%.4g C2=%.4g C3=%.4g  train_step(b%lld)=%.4g  "
                "discrete_grad(b%lld)=%.4g  grad(b%lld)=%.4g  "
                "newton_jacobian=%.4g  rk2_step=%.4g\n",
                in->key, f.c1, f.c2, f.c3, (long long)in->batch,
                B * f.train(), (long long)in->batch, B * f.dgrad(),
                (long long)in->batch, B * f.grad(),
                double(in->arch.state) * f.jvp(), 2 * f.grad());
  }
  std::printf("gemm 200x200x10000: %.4g\n", 2.0 * 200 * 200 * 10000);
}

template <class T> void putNpy(const std::string &path,
                               std::vector<int64_t> shape,
                               const std::vector<T> &v) {
  dgc::rt::writeNpy<T>(path, shape, v.data());
}

/// Loss and gradient of Trainer<M, T2>::evaluate on the first batch, the
/// pairs rounded to T first (so a float model's double evaluation sees the
/// float data the exported arrays hold).
template <class M, class T, class T2>
void exportEval(const std::string &dir, const Info &in, const char *tag) {
  dgc::rt::TrainOptions o;
  o.scheme = dgc::rt::Scheme::DG;
  o.batch = batchOf(in);
  o.threads = 1;
  PairSet ps = pairsOf(in);
  for (std::vector<double> *v : {&ps.u1, &ps.u2, &ps.dt})
    for (double &x : *v)
      x = double(T(x));
  dgc::rt::Trainer<M, T2> tr(ps, o);
  std::vector<int64_t> idx(size_t(tr.batchSize()));
  for (size_t i = 0; i < idx.size(); ++i)
    idx[i] = int64_t(i);
  std::vector<double> loss{tr.evaluate(idx.data(), tr.batchSize())};
  std::vector<double> g(tr.gradient().begin(), tr.gradient().end());
  putNpy<double>(dir + "/loss_" + tag + ".npy", {1}, loss);
  putNpy<double>(dir + "/dparams_" + tag + ".npy", {int64_t(g.size())}, g);
}

template <class M, class T>
void exportModel(const std::string &root, const Info &in,
                 const dgc::rt::ParamTable &tab) {
  namespace fs = std::filesystem;
  const std::string dir = root + "/" + in.key;
  fs::create_directories(dir);
  const int64_t N = M::state_size, B = batchOf(in);
  const PairSet &ps = pairsOf(in);
  putNpy<T>(dir + "/u1.npy", {ps.count, N}, rowsOf<T>(ps.u1, ps.count, N));
  putNpy<T>(dir + "/u2.npy", {ps.count, N}, rowsOf<T>(ps.u2, ps.count, N));
  putNpy<T>(dir + "/dt.npy", {ps.count},
            std::vector<T>(ps.dt.begin(), ps.dt.end()));
  // Parameters as Trainer initialises them (seed 0), in double.
  auto pd = std::make_unique<typename M::template ParamsT<double>>();
  M::init_params(*pd, 0);
  putNpy<double>(dir + "/params.npy", {M::param_count},
                 std::vector<double>(pd->data.begin(), pd->data.end()));
  // Loss and gradient on pairs 0..B-1, in T and (float models) in double.
  exportEval<M, T, T>(dir, in, std::is_same_v<T, double> ? "f64" : "f32");
  if constexpr (std::is_same_v<T, float>)
    exportEval<M, T, double>(dir, in, "f64");
  // discrete_grad(u1, u2) and grad(u1) of that batch, in T.
  auto p = std::make_unique<typename M::template ParamsT<T>>();
  M::init_params(*p, 0);
  auto ws = std::make_unique<typename M::template WorkspaceT<T>>();
  std::vector<T> u = rowsOf<T>(ps.u1, B, N), v = rowsOf<T>(ps.u2, B, N);
  std::vector<T> g(static_cast<size_t>(B * N)), H(static_cast<size_t>(B));
  M::discrete_grad_batch(*p, B, u.data(), v.data(), g.data(), *ws);
  putNpy<T>(dir + "/discrete_grad.npy", {B, N}, g);
  M::grad_batch(*p, B, u.data(), H.data(), g.data(), *ws);
  putNpy<T>(dir + "/grad.npy", {B, N}, g);
  // One dg step and one rk2 step from u1[0].
  for (auto [s, name] : {std::pair{dgc::rt::Scheme::DG, "dg_step"},
                         std::pair{dgc::rt::Scheme::RK2, "rk2_step"}}) {
    dgc::rt::SchemeOptions o;
    o.scheme = s;
    o.dt = in.dt;
    auto stp = dgc::rt::makeStepper<M, T>(*p, o);
    std::vector<T> x(u.begin(), u.begin() + N);
    stp->reset(x.data());
    stp->advance(x.data(), 0);
    putNpy<T>(dir + "/" + name + ".npy", {N}, x);
  }
  nlohmann::json j;
  j["model"] = M::name;
  j["key"] = in.key;
  j["dtype"] = std::is_same_v<T, double> ? "float64" : "float32";
  j["batch"] = B;
  j["count"] = ps.count;
  j["state_size"] = N;
  j["dt"] = in.dt;
  j["weight_decay"] = in.weightDecay;
  j["param_names"] = tab.names;
  j["param_offsets"] = tab.offsets;
  j["param_sizes"] = tab.sizes;
  std::ofstream(dir + "/meta.json") << j.dump(2) << "\n";
  std::printf("exported %s to %s (%lld pairs)\n", in.key, dir.c_str(),
              (long long)ps.count);
}

} // namespace

int main(int argc, char **argv) {
  std::vector<char *> args;
  std::string exportDir;
  bool flops = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dgc_quick") == 0)
      gQuick = true;
    else if (std::strcmp(argv[i], "--dgc_flops") == 0)
      flops = true;
    else if (std::strcmp(argv[i], "--dgc_no_peak") == 0)
      gNoPeak = true;
    else if (std::strncmp(argv[i], "--dgc_export=", 13) == 0)
      exportDir = argv[i] + 13;
    else
      args.push_back(argv[i]);
  }
  if (flops) {
    printFlops();
    return 0;
  }
  namespace D = dgc_models;
  if (!exportDir.empty()) {
#define DGC_TABLE(NS)                                                          \
  dgc::rt::ParamTable::from(D::NS::param_names, D::NS::param_offsets,          \
                            D::NS::param_sizes, D::NS::param_nonneg)
    exportModel<D::KdVNet::Model, double>(exportDir, kdvInfo,
                                          DGC_TABLE(KdVNet));
    exportModel<D::CahnHilliardNet::Model, double>(exportDir, chInfo,
                                                   DGC_TABLE(CahnHilliardNet));
    exportModel<D::MassSpringNet::Model, float>(exportDir, springInfo,
                                                DGC_TABLE(MassSpringNet));
    exportModel<D::TwoBodyNet::Model, float>(exportDir, twoBodyInfo,
                                             DGC_TABLE(TwoBodyNet));
#undef DGC_TABLE
    return 0;
  }
  for (int t : {1, 2}) {
    const std::string th = "/threads:" + std::to_string(t);
    benchmark::RegisterBenchmark(("gemm/double" + th).c_str(),
                                 BM_gemm<double>, t)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("gemm/float" + th).c_str(), BM_gemm<float>,
                                 t)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  registerModel<D::KdVNet::Model, double>(kdvInfo);
  registerModel<D::CahnHilliardNet::Model, double>(chInfo);
  registerModel<D::MassSpringNet::Model, float>(springInfo);
  registerModel<D::TwoBodyNet::Model, float>(twoBodyInfo);

  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data()))
    return 1;
  std::fprintf(stderr,
               "bench_dgnet: Eigen %d.%d.%d, Eigen::nbThreads() = %d (%s), "
               "SIMD: %s%s\n",
               EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION,
               Eigen::nbThreads(),
#ifdef EIGEN_HAS_OPENMP
               "built with OpenMP",
#else
               "no OpenMP: multi-thread GEMM peak = N std::threads",
#endif
               Eigen::SimdInstructionSetsInUse(), gQuick ? ", quick mode" : "");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
