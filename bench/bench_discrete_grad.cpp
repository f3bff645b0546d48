//===- bench_discrete_grad.cpp - Cost of the discrete gradient -----------===//
//
// Part of dgc. Times the generated `grad_batch` and `discrete_grad_batch`
// (double) of the paper's KdV network (batch 200) and mass-spring network
// (batch 1 and 200), and prints the ratio discrete_grad / grad (issue 3,
// item 5: the paper claims at most about 2). `energy_batch` and a close pair
// (|u - v| ~ 1e-5, the divided differences' series branch) are timed too,
// for context.
//
// Each benchmark runs 5 repetitions by default; the ratios use the median
// CPU time per call. Any Google Benchmark flag can be passed
// (--benchmark_filter, --benchmark_repetitions, --benchmark_min_time, ...).
// Not part of ctest: run `make bench`.
//
//===----------------------------------------------------------------------===//
#include "kdv_net.hpp"
#include "mass_spring_net.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

/// Uniform [-1, 1) rows; `near` non-null: near + 1e-5 * uniform.
std::vector<double> rows(std::int64_t n, std::uint64_t seed,
                         const std::vector<double> *near = nullptr) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<double> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = near ? (*near)[i] + 1e-5 * d(rng) : d(rng);
  return v;
}

enum class Kind { Energy, Grad, DGrad, DGradClose };

/// One benchmark of model namespace NS: the function `kind` on `batch` rows.
#define DGC_BENCH_MODEL(NS)                                                    \
  void bench_##NS(benchmark::State &st, Kind kind, std::int64_t batch) {       \
    namespace m = dgc_models::NS;                                              \
    auto p = std::make_unique<m::Params<double>>();                            \
    auto ws = std::make_unique<m::Workspace<double>>();                        \
    m::init_params(*p, 1);                                                     \
    const std::int64_t n = m::state_size * batch;                              \
    std::vector<double> u = rows(n, 2);                                        \
    std::vector<double> v = kind == Kind::DGradClose ? rows(n, 3, &u)          \
                                                     : rows(n, 3);             \
    std::vector<double> H(static_cast<size_t>(batch)),                         \
        g(static_cast<size_t>(n));                                             \
    for (auto _ : st) {                                                        \
      switch (kind) {                                                          \
      case Kind::Energy:                                                       \
        m::energy_batch(*p, batch, u.data(), H.data(), *ws);                   \
        break;                                                                 \
      case Kind::Grad:                                                         \
        m::grad_batch(*p, batch, u.data(), H.data(), g.data(), *ws);           \
        break;                                                                 \
      case Kind::DGrad:                                                        \
      case Kind::DGradClose:                                                   \
        m::discrete_grad_batch(*p, batch, u.data(), v.data(), g.data(), *ws);  \
        break;                                                                 \
      }                                                                        \
      benchmark::DoNotOptimize(g.data());                                      \
      benchmark::DoNotOptimize(H.data());                                      \
      benchmark::ClobberMemory();                                              \
    }                                                                          \
    st.SetItemsProcessed(st.iterations() * batch);                             \
  }

DGC_BENCH_MODEL(KdVNet)
DGC_BENCH_MODEL(MassSpringNet)

/// Prints like the console reporter and keeps each benchmark's time: the
/// median aggregate when repetitions ran, else the single run.
class Capture : public benchmark::ConsoleReporter {
public:
  std::map<std::string, double> cpu;

  Capture()
      : ConsoleReporter(isatty(fileno(stdout)) ? OO_ColorTabular
                                               : OO_Tabular) {}

  void ReportRuns(const std::vector<Run> &reports) override {
    for (const Run &r : reports) {
      if (r.error_occurred)
        continue;
      const std::string &name = r.run_name.function_name;
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
        cpu[name] = r.GetAdjustedCPUTime();
      else if (r.run_type == Run::RT_Iteration && r.repetitions <= 1)
        cpu[name] = r.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(reports);
  }
};

} // namespace

int main(int argc, char **argv) {
  struct Case {
    const char *name;
    void (*fn)(benchmark::State &, Kind, std::int64_t);
    Kind kind;
    std::int64_t batch;
  };
  const Case cases[] = {
      {"kdv_net/energy/b200", bench_KdVNet, Kind::Energy, 200},
      {"kdv_net/grad/b200", bench_KdVNet, Kind::Grad, 200},
      {"kdv_net/discrete_grad/b200", bench_KdVNet, Kind::DGrad, 200},
      {"kdv_net/discrete_grad_close/b200", bench_KdVNet, Kind::DGradClose, 200},
      {"spring/energy/b1", bench_MassSpringNet, Kind::Energy, 1},
      {"spring/grad/b1", bench_MassSpringNet, Kind::Grad, 1},
      {"spring/discrete_grad/b1", bench_MassSpringNet, Kind::DGrad, 1},
      {"spring/discrete_grad_close/b1", bench_MassSpringNet, Kind::DGradClose, 1},
      {"spring/energy/b200", bench_MassSpringNet, Kind::Energy, 200},
      {"spring/grad/b200", bench_MassSpringNet, Kind::Grad, 200},
      {"spring/discrete_grad/b200", bench_MassSpringNet, Kind::DGrad, 200},
      {"spring/discrete_grad_close/b200", bench_MassSpringNet,
       Kind::DGradClose, 200},
  };
  for (const Case &c : cases)
    benchmark::RegisterBenchmark(c.name, c.fn, c.kind, c.batch)
        ->Unit(benchmark::kMicrosecond);

  // Defaults: 5 repetitions, aggregates only; flags given win.
  std::vector<char *> args(argv, argv + argc);
  bool reps = false, aggr = false;
  for (int i = 1; i < argc; ++i) {
    reps |= std::strncmp(argv[i], "--benchmark_repetitions", 23) == 0;
    aggr |= std::strncmp(argv[i], "--benchmark_report_aggregates_only", 34) == 0;
  }
  static char repFlag[] = "--benchmark_repetitions=5";
  static char aggrFlag[] = "--benchmark_report_aggregates_only=true";
  if (!reps)
    args.push_back(repFlag);
  if (!aggr)
    args.push_back(aggrFlag);
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data()))
    return 1;
  Capture rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  benchmark::Shutdown();

  auto ratio = [&](const char *dg, const char *g) {
    auto a = rep.cpu.find(dg), b = rep.cpu.find(g);
    if (a == rep.cpu.end() || b == rep.cpu.end() || b->second <= 0)
      return std::string("n/a");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", a->second / b->second);
    return std::string(buf);
  };
  std::printf("ratio kdv_net_b200=%s spring_b1=%s spring_b200=%s\n",
              ratio("kdv_net/discrete_grad/b200", "kdv_net/grad/b200").c_str(),
              ratio("spring/discrete_grad/b1", "spring/grad/b1").c_str(),
              ratio("spring/discrete_grad/b200", "spring/grad/b200").c_str());
  std::printf("ratio (close pairs, series branch) kdv_net_b200=%s "
              "spring_b1=%s spring_b200=%s\n",
              ratio("kdv_net/discrete_grad_close/b200", "kdv_net/grad/b200")
                  .c_str(),
              ratio("spring/discrete_grad_close/b1", "spring/grad/b1").c_str(),
              ratio("spring/discrete_grad_close/b200", "spring/grad/b200")
                  .c_str());
  std::printf("ratio grad / energy: kdv_net_b200=%s spring_b1=%s "
              "spring_b200=%s\n",
              ratio("kdv_net/grad/b200", "kdv_net/energy/b200").c_str(),
              ratio("spring/grad/b1", "spring/energy/b1").c_str(),
              ratio("spring/grad/b200", "spring/energy/b200").c_str());
  return 0;
}
