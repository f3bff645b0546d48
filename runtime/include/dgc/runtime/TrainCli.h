//===- TrainCli.h - The programs behind `dgc train` and `dgc eval` -*- C++ -*-//
//
// Part of dgc's runtime. The command lines of the training and evaluation
// programs that `dgc train` / `dgc eval` compile against a generated header
// (runtime/tools/train_main.cpp, eval_main.cpp):
//
//   train --data DIR --scheme dg|rk2|rk4|leapfrog|dopri5 --iters N -o DIR
//         [--batch B] [--lr LR] [--seed S] [--weight-decay W]
//         [--dtype float|double] [--threads T] [--checkpoint-every K]
//         [--resume DIR] [--log-every K]
//   eval  --params DIR|P.npy --data DIR --scheme SCHEME
//         [--train-scheme SCHEME] [--json FILE]
//
// Training prints a progress line on stderr (rewritten in place on a
// terminal: iteration, loss, it/s, ETA; a plain line every --log-every
// iterations otherwise) and one summary line on stdout. Evaluation prints
// `name=value` per metric on one line and writes them with --json; a metric
// whose prediction failed for some series is `nan`, followed by
// `name_partial` (the mean over the series that completed) and
// `name_completed=k/n` (Eval.h). Any problem (bad option, model and data
// that do not match, a scheme the model cannot use, an output folder that
// cannot be written) is one line `error: ...` on stderr and exit status 1,
// before any output is written.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Eval.h"
#include "dgc/runtime/Train.h"

#include <chrono>
#include <cstdio>
#include <thread>
#include <unistd.h>

namespace dgc::rt {

struct TrainArgs {
  std::string data, output, resume, scheme, dtype = "double";
  int64_t iters = -1, batch = 0, checkpointEvery = 0, logEvery = 100;
  uint64_t seed = 0;
  double lr = 1e-3, weightDecay = 0;
  int threads = 0; ///< 0: all cores
  bool help = false;
};

inline constexpr const char *kTrainUsage =
    "usage: train --data DIR --scheme dg|rk2|rk4|leapfrog|dopri5 --iters N\n"
    "             -o DIR\n"
    "             [--batch B] [--lr LR] [--seed S] [--weight-decay W]\n"
    "             [--dtype float|double] [--threads T] [--checkpoint-every K]\n"
    "             [--resume DIR] [--log-every K]\n";

inline constexpr const char *kEvalUsage =
    "usage: eval --params DIR|P.npy --data DIR --scheme SCHEME\n"
    "            [--train-scheme SCHEME] [--json FILE]\n";

namespace cli_detail {

/// Splits argv into (option, value) pairs: `--opt value` or `--opt=value`.
inline std::vector<std::pair<std::string, std::string>>
optionPairs(int argc, const char *const *argv, bool &help) {
  std::vector<std::pair<std::string, std::string>> r;
  for (int i = 1; i < argc; ++i) {
    std::string opt = argv[i];
    if (opt == "-h" || opt == "--help") {
      help = true;
      return r;
    }
    std::string value = optionValue(opt, i, argc, argv);
    r.emplace_back(opt, value);
  }
  return r;
}

} // namespace cli_detail

inline TrainArgs parseTrainArgs(int argc, const char *const *argv) {
  TrainArgs a;
  using namespace cli_detail;
  for (auto &[opt, v] : optionPairs(argc, argv, a.help)) {
    if (opt == "--data")
      a.data = v;
    else if (opt == "-o" || opt == "--output")
      a.output = v;
    else if (opt == "--resume")
      a.resume = v;
    else if (opt == "--scheme")
      a.scheme = v;
    else if (opt == "--dtype")
      a.dtype = v;
    else if (opt == "--iters")
      a.iters = parseInt(opt, v);
    else if (opt == "--batch")
      a.batch = parseInt(opt, v);
    else if (opt == "--checkpoint-every")
      a.checkpointEvery = parseInt(opt, v);
    else if (opt == "--log-every")
      a.logEvery = parseInt(opt, v);
    else if (opt == "--threads")
      a.threads = static_cast<int>(parseInt(opt, v));
    else if (opt == "--seed") {
      int64_t s = parseInt(opt, v);
      if (s < 0)
        throw InputError("--seed must be >= 0");
      a.seed = static_cast<uint64_t>(s);
    } else if (opt == "--lr")
      a.lr = parseDouble(opt, v);
    else if (opt == "--weight-decay")
      a.weightDecay = parseDouble(opt, v);
    else
      throw InputError("unknown option '" + opt + "'");
  }
  if (a.help)
    return a;
  if (a.data.empty())
    throw InputError("missing --data DIR");
  if (a.scheme.empty())
    throw InputError("missing --scheme");
  if (a.iters < 0)
    throw InputError("missing --iters N (N >= 0)");
  if (a.output.empty())
    throw InputError("missing -o PARAMS_DIR");
  if (a.batch < 0)
    throw InputError("--batch must be >= 1");
  if (!(a.lr > 0))
    throw InputError("--lr must be positive");
  if (a.weightDecay < 0)
    throw InputError("--weight-decay must be >= 0");
  if (a.dtype != "float" && a.dtype != "double")
    throw InputError("--dtype must be float or double, got '" + a.dtype + "'");
  if (a.threads < 0)
    throw InputError("--threads must be >= 1");
  if (a.checkpointEvery < 0 || a.logEvery < 1)
    throw InputError("--checkpoint-every must be >= 0, --log-every >= 1");
  return a;
}

/// The progress line: on a terminal, rewritten at most 10 times a second;
/// otherwise a plain line every `every` iterations (and the last).
class Progress {
public:
  Progress(int64_t total, int64_t every)
      : total_(total), every_(every), tty_(::isatty(2) != 0),
        start_(std::chrono::steady_clock::now()), last_(start_) {}

  void update(int64_t it, int64_t first, double loss) {
    auto now = std::chrono::steady_clock::now();
    const bool end = it == total_;
    if (tty_) {
      if (!end && now - last_ < std::chrono::milliseconds(100))
        return;
    } else if (!end && it % every_ != 0) {
      return;
    }
    last_ = now;
    double el = std::chrono::duration<double>(now - start_).count();
    double rate = el > 0 ? double(it - first) / el : 0;
    double eta = rate > 0 ? double(total_ - it) / rate : 0;
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "iter %lld/%lld  loss %.6e  %.1f it/s  ETA %lldm%02llds",
                  static_cast<long long>(it), static_cast<long long>(total_),
                  loss, rate, static_cast<long long>(eta) / 60,
                  static_cast<long long>(eta) % 60);
    if (tty_)
      std::fprintf(stderr, "\r%s\033[K%s", buf, end ? "\n" : "");
    else
      std::fprintf(stderr, "%s\n", buf);
    std::fflush(stderr);
  }

private:
  int64_t total_, every_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

template <class M, class T>
int runTraining(const TrainArgs &a, Scheme scheme, const DatasetInfo &d,
                const ParamTable &table) {
  checkTrainScheme<M, T>(scheme);
  PairSet ps = loadTrainPairs(d, M::state_size, M::name, scheme == Scheme::DG,
                               stateShapeOf<M>());
  TrainOptions o;
  o.scheme = scheme;
  o.iters = a.iters;
  o.batch = a.batch > 0 ? a.batch : ps.count;
  o.seed = a.seed;
  o.adam.lr = a.lr;
  o.adam.weightDecay = a.weightDecay;
  o.threads = a.threads > 0
                  ? a.threads
                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  o.checkpointEvery = a.checkpointEvery;
  Trainer<M, T> tr(ps, o, table);
  if (!a.resume.empty())
    tr.loadCheckpoint(a.resume);
  // An output folder that cannot be written is found before training. A
  // folder this run created is removed again if the run fails before it
  // holds a checkpoint (nothing half-written is left).
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool created = !fs::exists(a.output, ec);
  fs::create_directories(a.output, ec);
  if (ec)
    throw TrainError("cannot create '" + a.output + "': " + ec.message());
  struct RemoveIfEmpty {
    fs::path dir;
    bool armed;
    ~RemoveIfEmpty() {
      std::error_code e;
      if (armed && !fs::exists(dir / "checkpoint.json", e))
        fs::remove_all(dir, e);
    }
  } cleanup{a.output, created};
  checkCanWrite((fs::path(a.output) / "checkpoint.json").string());
  nlohmann::json extra = {{"data", d.dir},
                          {"dataset", d.name},
                          {"pairs", ps.count}};
  const int64_t first = tr.iteration();
  Progress prog(a.iters, a.logEvery);
  auto start = std::chrono::steady_clock::now();
  double firstLoss = std::numeric_limits<double>::quiet_NaN(), loss = firstLoss;
  while (tr.iteration() < a.iters) {
    loss = tr.step();
    if (tr.iteration() == first + 1)
      firstLoss = loss;
    prog.update(tr.iteration(), first, loss);
    if (a.checkpointEvery > 0 && tr.iteration() % a.checkpointEvery == 0 &&
        tr.iteration() < a.iters)
      tr.saveCheckpoint(a.output, extra, false);
  }
  tr.saveCheckpoint(a.output, extra, true);
  cleanup.armed = false;
  double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("model=%s scheme=%s dtype=%s dg_numerics=%s iters=%lld "
              "pairs=%lld batch=%lld threads=%d first_loss=%.6e "
              "final_loss=%.6e wall=%.3gs params=%s\n",
              M::name, schemeName(scheme), a.dtype.c_str(), dgNumericsOf<M>(),
              static_cast<long long>(tr.iteration()),
              static_cast<long long>(ps.count),
              static_cast<long long>(tr.batchSize()), tr.threads(), firstLoss,
              loss, wall, a.output.c_str());
  return 0;
}

/// The whole training program: returns the exit status.
template <class M>
int trainMain(int argc, const char *const *argv, ParamTable table) {
  try {
    dieWithParent();
    TrainArgs a = parseTrainArgs(argc, argv);
    if (a.help) {
      std::fputs(kTrainUsage, stdout);
      return 0;
    }
    Scheme s = parseScheme(a.scheme);
    DatasetInfo d = loadDatasetInfo(a.data);
    if (a.dtype == "float")
      return runTraining<M, float>(a, s, d, table);
    return runTraining<M, double>(a, s, d, table);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dgc: error: %s\n", e.what());
    return 1;
  }
}

struct EvalArgs {
  std::string params, data, scheme, trainScheme, json;
  bool help = false;
};

inline EvalArgs parseEvalArgs(int argc, const char *const *argv) {
  EvalArgs a;
  for (auto &[opt, v] : cli_detail::optionPairs(argc, argv, a.help)) {
    if (opt == "--params")
      a.params = v;
    else if (opt == "--data")
      a.data = v;
    else if (opt == "--scheme")
      a.scheme = v;
    else if (opt == "--train-scheme")
      a.trainScheme = v;
    else if (opt == "--json")
      a.json = v;
    else
      throw InputError("unknown option '" + opt + "'");
  }
  if (a.help)
    return a;
  if (a.params.empty())
    throw InputError("missing --params PARAMS_DIR");
  if (a.data.empty())
    throw InputError("missing --data DIR");
  if (a.scheme.empty())
    throw InputError("missing --scheme");
  return a;
}

/// Parameters from a checkpoint folder (its latest parameters; the training
/// scheme into `trainScheme` when it is empty) or a flat .npy file.
template <class M>
void loadEvalParams(const std::string &path,
                    typename M::template ParamsT<double> &p,
                    std::string &trainScheme) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(path)) {
    loadParams<M>(path, p);
    return;
  }
  const fs::path idx = fs::path(path) / "checkpoint.json";
  if (!fs::exists(idx))
    throw InputError("'" + path + "' holds no checkpoint.json (write one "
                     "with `dgc train ... -o DIR`)");
  nlohmann::json j;
  try {
    j = readCheckpointIndex(path, "cannot read the parameters");
    const int64_t count = j.at("param_count").template get<int64_t>();
    if (j.at("model").template get<std::string>() != M::name ||
        count != M::param_count)
      throw InputError("the parameters in '" + path + "' are of model " +
                       j.at("model").template get<std::string>() + " (" +
                       std::to_string(count) + " parameter" +
                       (count == 1 ? "" : "s") + "), not " + M::name + " (" +
                       std::to_string(M::param_count) + ")");
    if (trainScheme.empty())
      trainScheme = j.at("scheme").template get<std::string>();
    loadParams<M>(
        checkpointFile(path, j, "params", "cannot read the parameters"), p);
  } catch (const TrainError &e) {
    throw InputError(e.what());
  } catch (const nlohmann::json::exception &e) {
    throw InputError(idx.string() + ": not a valid checkpoint index (" +
                     e.what() + ")");
  }
}

/// ", and N more" for a list cut short.
inline std::string fmtCount(size_t n, const char *what) {
  return " and " + std::to_string(n) + what;
}

/// The whole evaluation program: returns the exit status.
template <class M> int evalMain(int argc, const char *const *argv) {
  try {
    dieWithParent();
    EvalArgs a = parseEvalArgs(argc, argv);
    if (a.help) {
      std::fputs(kEvalUsage, stdout);
      return 0;
    }
    if (!a.json.empty())
      checkCanWrite(a.json);
    EvalOptions o;
    o.scheme = parseScheme(a.scheme);
    DatasetInfo d = loadDatasetInfo(a.data);
    auto p = std::make_unique<typename M::template ParamsT<double>>();
    std::string ts = a.trainScheme;
    loadEvalParams<M>(a.params, *p, ts);
    o.trainScheme = ts.empty() ? o.scheme : parseScheme(ts);
    // The prediction scheme must apply to the model (before any work).
    {
      SchemeOptions so;
      so.scheme = o.scheme;
      (void)makeStepper<M, double>(*p, so);
    }
    PartialMetrics partial;
    Metrics m = evaluate<M>(*p, d, o, &partial);
    nlohmann::json j = nlohmann::json::object();
    std::string line;
    char buf[160];
    for (auto &[k, v] : m) {
      std::snprintf(buf, sizeof buf, "%s%s=%.6e", line.empty() ? "" : " ",
                    k.c_str(), v);
      line += buf;
      j[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    }
    // A metric whose predictions partly failed stays NaN; its mean over the
    // series that completed is NAME_partial, with how many it covers.
    for (const PartialMetric &pm : partial) {
      std::snprintf(buf, sizeof buf, " %s_partial=%.6e %s_completed=%lld/%lld",
                    pm.metric.c_str(), pm.value, pm.metric.c_str(),
                    static_cast<long long>(pm.completed),
                    static_cast<long long>(pm.total));
      line += buf;
      const nlohmann::json v = std::isfinite(pm.value)
                                   ? nlohmann::json(pm.value)
                                   : nlohmann::json(nullptr);
      j[pm.metric + "_partial"] = v;
      j["partial"][pm.metric] = {{"value", v},
                                 {"completed", pm.completed},
                                 {"total", pm.total},
                                 {"failed", pm.failed}};
      std::string failed;
      for (size_t i = 0; i < pm.failed.size() && i < 5; ++i)
        failed += (i ? ", " : "") + pm.failed[i];
      if (pm.failed.size() > 5)
        failed += fmtCount(pm.failed.size() - 5, " more");
      std::fprintf(stderr,
                   "dgc: warning: %s is partial: the prediction failed for "
                   "%s; %s_partial=%.6e is over the other %lld of %lld\n",
                   pm.metric.c_str(), failed.c_str(), pm.metric.c_str(),
                   pm.value, static_cast<long long>(pm.completed),
                   static_cast<long long>(pm.total));
    }
    if (!a.json.empty())
      writeFileAtomic(a.json, j.dump(2) + "\n");
    std::printf("%s\n", line.c_str());
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dgc: error: %s\n", e.what());
    return 1;
  }
}

} // namespace dgc::rt
