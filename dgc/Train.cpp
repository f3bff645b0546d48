//===- Train.cpp - `dgc train` and `dgc eval`: compile, cache, run --------===//
//
// Part of dgc. Builds the runtime's `train` or `eval` program for the model
// through the program cache (ProgramCache.h), as `dgc simulate` does, and
// runs it with the user's arguments; its exit status is dgc's.
//
//===----------------------------------------------------------------------===//
#include "Train.h"
#include "Process.h"
#include "ProgramCache.h"
#include "UserError.h"

#include "dgc/runtime/TrainData.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace dgc::driver {

namespace fs = std::filesystem;

namespace {

const char *const kTrainSchemes[] = {"dg", "rk2", "rk4", "dopri5", "leapfrog",
                                     nullptr};

const ir::ModelIR *singleModel(const Options &o,
                               std::vector<ir::ModelIR> &models,
                               std::string &header) {
  if (!buildModels(o, models, header))
    return nullptr;
  if (models.size() != 1) {
    std::string names;
    for (const ir::ModelIR &m : models)
      names += (names.empty() ? "" : ", ") + m.name;
    userError("'" + o.input + "' holds several models (" + names +
              "); choose one with --model");
    return nullptr;
  }
  return &models[0];
}

void addIf(std::vector<std::string> &argv, const char *opt,
           const std::string &v) {
  if (!v.empty())
    argv.insert(argv.end(), {opt, v});
}

} // namespace

const char *const *trainSchemes() { return kTrainSchemes; }

/// How much of a dataset folder to check before compiling a program.
enum class DataCheck {
  Folder,     ///< that it is one (dataset.json, or the user's own series)
  Training,   ///< and its training pairs, against the model
  Evaluation, ///< and the arrays the metrics need, against the model
};

/// The dataset folder, read and checked against model `m` as the training
/// or evaluation program reads it (dgc/runtime/TrainData.h), so that a
/// wrong dataset is reported before that program is compiled.
static bool checkData(const std::string &dir, const ir::ModelIR &m,
                      DataCheck what, const std::string &scheme) {
  try {
    rt::DatasetInfo d = rt::loadDatasetInfo(dir);
    if (what == DataCheck::Training)
      rt::loadTrainPairs(d, m.stateSize, m.name.c_str(), scheme == "dg",
                         m.userStateShape());
    if (what == DataCheck::Evaluation)
      rt::checkEvalData(d, m.stateSize, m.name.c_str(), m.userStateShape());
  } catch (const rt::InputError &e) {
    userError(e.what());
    return false;
  }
  return true;
}

bool checkSchemeForModel(const std::string &scheme, const ir::ModelIR &m,
                         SchemeUse use) {
  const bool training = use == SchemeUse::Training;
  if ((scheme == "dg" || scheme == "leapfrog") &&
      m.kind == ir::ModelIR::Kind::VectorField) {
    userError("scheme '" + scheme +
              (training && scheme == "dg" ? "' (Eq. 6)" : "'") +
              " needs an energy; model '" + m.name + "' is a vector field (" +
              (training ? "train it with rk2, rk4 or dopri5"
                        : "use implicit_midpoint, rk2, rk4 or dopri5") +
              ")");
    return false;
  }
  if (scheme != "leapfrog")
    return true;
  const std::string others =
      training ? "" : " (use dg, implicit_midpoint, rk2, rk4 or dopri5)";
  if (!m.laws.separable) {
    userError("scheme 'leapfrog' needs a separable energy H = V(q) + T(p); "
              "model '" + m.name + "' is not separable" + others);
    return false;
  }
  if (m.laws.symplecticScale == 0) {
    userError(std::string("scheme 'leapfrog' needs the structure S") +
              (training ? " (friction(g) terms aside)" : "") + "; model '" +
              m.name + "' has another structure" + others);
    return false;
  }
  return true;
}

/// A `dgc train -o` folder's checkpoint.json names the model and its
/// parameter count; true when there is none to compare.
static bool checkCheckpointIndex(const std::string &params,
                                 const ir::ModelIR &m) {
  const fs::path idx = fs::path(params) / "checkpoint.json";
  std::error_code ec;
  if (!fs::is_directory(params, ec) || !fs::is_regular_file(idx, ec))
    return true;
  std::ifstream in(idx);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("model") ||
      !j["model"].is_string() || !j.contains("param_count") ||
      !j["param_count"].is_number_integer()) {
    userError(idx.string() + ": not a valid checkpoint index (no model name "
              "and parameter count)");
    return false;
  }
  const std::string name = j["model"].get<std::string>();
  const int64_t count = j["param_count"].get<int64_t>();
  if (name == m.name && count == m.paramCount)
    return true;
  userError(fmt::format("the parameters in '{}' are of model {} ({} "
                        "parameter{}), not {} ({})",
                        params, name, count, count == 1 ? "" : "s", m.name,
                        m.paramCount));
  return false;
}

bool checkParamsModel(const std::string &params, const ir::ModelIR &m) {
  if (!checkCheckpointIndex(params, m))
    return false;
  try {
    rt::readParams(params, m.name, m.paramCount);
  } catch (const rt::InputError &e) {
    userError(e.what());
    return false;
  }
  return true;
}

int runTrain(const TrainOptions &opts) {
  std::vector<ir::ModelIR> models;
  std::string header;
  const ir::ModelIR *m = singleModel(opts.model, models, header);
  if (!m)
    return 1;
  if (!checkSchemeForModel(opts.scheme, *m, SchemeUse::Training))
    return 1;
  if (!checkData(opts.data, *m, DataCheck::Training, opts.scheme))
    return 1;
  std::string binary = buildRuntimeProgram(header, "dgc_models::" + m->name, "train");
  if (binary.empty())
    return 1;
  std::vector<std::string> argv = {binary,   "--data",  opts.data,
                                   "--scheme", opts.scheme, "--iters",
                                   std::to_string(opts.iters), "-o",
                                   opts.output};
  addIf(argv, "--batch", opts.batch);
  addIf(argv, "--lr", opts.lr);
  addIf(argv, "--seed", opts.seed);
  addIf(argv, "--weight-decay", opts.weightDecay);
  addIf(argv, "--dtype", opts.dtype);
  addIf(argv, "--threads", opts.threads);
  addIf(argv, "--checkpoint-every", opts.checkpointEvery);
  addIf(argv, "--resume", opts.resume);
  addIf(argv, "--log-every", opts.logEvery);
  return runProgram(argv);
}

int runEval(const EvalOptions &opts) {
  std::vector<ir::ModelIR> models;
  std::string header;
  const ir::ModelIR *m = singleModel(opts.model, models, header);
  if (!m)
    return 1;
  if (!checkSchemeForModel(opts.scheme, *m, SchemeUse::Prediction) ||
      !checkData(opts.data, *m, DataCheck::Folder, opts.scheme) ||
      !checkParamsModel(opts.params, *m) ||
      !checkData(opts.data, *m, DataCheck::Evaluation, opts.scheme))
    return 1;
  std::string binary = buildRuntimeProgram(header, "dgc_models::" + m->name, "eval");
  if (binary.empty())
    return 1;
  std::vector<std::string> argv = {binary,        "--params", opts.params,
                                   "--data",      opts.data,  "--scheme",
                                   opts.scheme};
  addIf(argv, "--train-scheme", opts.trainScheme);
  addIf(argv, "--json", opts.json);
  return runProgram(argv);
}

} // namespace dgc::driver
