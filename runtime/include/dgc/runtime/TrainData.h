//===- TrainData.h - Dataset folders of `dgc dataset` for training -*- C++ -*-//
//
// Part of dgc's runtime. Reads a folder written by `dgc dataset`
// (runtime/tools/dataset/README.md): `dataset.json` says which of the six
// datasets it is, the arrays are float64 .npy files. This header turns the
// training arrays into pairs (u_n, u_n+1, dt_n) as the protocol
// (shared/reference/experiments.md, 1.5 and sections 2-7) builds them:
//
//   kdv, ch                    train_u (S, K, N): consecutive states of a
//                              series, dt = t[n+1] - t[n]
//   mass-spring, pendulum,     train_x (S, K, N): the same
//   two-body
//   trajectories               the user's own data (no dataset.json, or
//                              one whose name is "trajectories"):
//                              train_x (S, K, N) or one series (K, N) and
//                              t (K) or dataset.json's "dt"; pair dt =
//                              t[n+1] - t[n] > 0 (docs/trajectories.md)
//   real-pendulum              train_pair_x1/x2/target/dt. Eq. 6 (dg) uses
//                              (x1, x2, pair dt); explicit schemes step the
//                              model over dt = 1/6 (quirk 2) and are scored
//                              against the stored target, so their pair is
//                              (x1, x1 + target/6, 1/6). Quirk 1 (the last
//                              pair's target is dx_443) cannot be expressed
//                              with Eq. 6's (u2 - u1)/dt, so dg drops every
//                              pair whose target is not (x2 - x1)/dt (only
//                              (x_443, x_554)): taking (x_554 - x_443)/dt as
//                              its target instead, a rate of about (4, -7)
//                              18 s apart, dominates the loss and wrecks the
//                              learned energy (docs/results-analysis.md).
//
// A folder that lacks dataset.json or an array, or whose states do not have
// the model's size, is refused with an InputError naming both.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/InputCheck.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace dgc::rt {

/// A dataset folder: its path, dataset.json and name.
struct DatasetInfo {
  std::string dir;
  std::string name; ///< kdv, ch, mass-spring, pendulum, two-body, real-pendulum
  nlohmann::json json;

  bool isPde() const { return name == "kdv" || name == "ch"; }
  bool isRealPendulum() const { return name == "real-pendulum"; }
  /// The user's own series (docs/trajectories.md), not one of the six.
  bool isTrajectories() const { return name == "trajectories"; }

  std::string path(const std::string &array) const {
    return (std::filesystem::path(dir) / (array + ".npy")).string();
  }
  bool has(const std::string &array) const {
    return std::filesystem::exists(path(array));
  }
};

inline DatasetInfo loadDatasetInfo(const std::string &dir) {
  DatasetInfo d;
  d.dir = dir;
  std::filesystem::path j = std::filesystem::path(dir) / "dataset.json";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw InputError("dataset folder '" + dir + "': " +
                     (std::filesystem::exists(dir, ec) ? "not a folder"
                                                       : "no such folder"));
  std::ifstream in(j);
  if (!in) {
    // A folder of the user's own series needs no description.
    if (d.has("train_x") || d.has("test_x")) {
      d.name = "trajectories";
      d.json = nlohmann::json::object();
      return d;
    }
    throw InputError("'" + dir + "' is not a dataset folder (no dataset.json "
                     "and no train_x.npy; make one with `dgc dataset NAME -o "
                     "DIR`, or save your own series there as train_x.npy and "
                     "t.npy)");
  }
  try {
    d.json = nlohmann::json::parse(in);
    d.name = d.json.at("name").get<std::string>();
  } catch (const std::exception &e) {
    throw InputError(j.string() + ": not a valid dataset description (" +
                     e.what() + ")");
  }
  static const char *const known[] = {
      "kdv",      "ch",            "mass-spring", "pendulum",
      "two-body", "real-pendulum", "trajectories"};
  bool ok = false;
  for (const char *k : known)
    ok = ok || d.name == k;
  if (!ok)
    throw InputError(j.string() + ": unknown dataset '" + d.name + "'");
  return d;
}

/// Reads `array` of the dataset; InputError when it is missing, when its
/// rank is not one of `ranks`, or (stateSize > 0) when its last extent is
/// not the model's state size. Trailing extents equal to a state shape
/// `own` of rank >= 2 (a 2-D field's (NY, NX)) are first merged into one.
inline NpyArray readDatasetArray(const DatasetInfo &d, const std::string &array,
                                 std::initializer_list<size_t> ranks,
                                 int64_t stateSize, const char *modelName,
                                 const char *purpose,
                                 const std::vector<int64_t> &own = {}) {
  if (!d.has(array))
    throw InputError("dataset '" + d.dir + "' (" + d.name + ") has no " +
                     array + ".npy, needed for " + purpose);
  NpyArray a = readInput(d.path(array), "dataset");
  const std::string ownShape =
      own.size() >= 2 ? " (a state may also keep its shape " +
                            shapeString(own) + ")"
                      : "";
  if (own.size() >= 2 && a.shape.size() > own.size() &&
      std::equal(own.begin(), own.end(), a.shape.end() - own.size())) {
    a.shape.resize(a.shape.size() - own.size());
    a.shape.push_back(stateSize);
  }
  if (std::find(ranks.begin(), ranks.end(), a.shape.size()) == ranks.end()) {
    std::string want;
    for (size_t r : ranks)
      want += (want.empty() ? "" : " or ") + std::to_string(r);
    throw InputError("dataset array " + d.path(array) + " has shape " +
                     shapeString(a.shape) + "; expected rank " + want +
                     ownShape);
  }
  if (stateSize > 0 && a.shape.back() != stateSize)
    throw InputError("dataset '" + d.dir + "' (" + d.name + ") holds states "
                     "of size " + std::to_string(a.shape.back()) + " (" +
                     array + ".npy " + shapeString(a.shape) + "); model " +
                     modelName + " has state_size " +
                     std::to_string(stateSize) + ownShape);
  if (a.numel() == 0)
    throw InputError("dataset array " + d.path(array) + " is empty (shape " +
                     shapeString(a.shape) + "); the dataset has too few " +
                     "series for its split (make it with a larger --series)");
  requireFinite(a, d.path(array), "dataset array");
  return a;
}

inline NpyArray readDatasetArray(const DatasetInfo &d, const std::string &array,
                                 size_t rank, int64_t stateSize,
                                 const char *modelName, const char *purpose) {
  return readDatasetArray(d, array, std::initializer_list<size_t>{rank},
                          stateSize, modelName, purpose);
}

/// Series `array` of a trajectories dataset as (S, K, N): a (K, N) array is
/// one series. States may be stored in the model's own shape `own` (its
/// state_shape, e.g. (NY, NX) for a 2-D field): (S, K, NY, NX) or
/// (K, NY, NX) are read as the flat states they hold, row-major.
inline NpyArray readSeries(const DatasetInfo &d, const std::string &array,
                           int64_t stateSize, const char *modelName,
                           const char *purpose,
                           const std::vector<int64_t> &own = {}) {
  NpyArray a = readDatasetArray(d, array, {2, 3}, stateSize, modelName,
                                purpose, own);
  if (a.shape.size() == 2)
    a.shape.insert(a.shape.begin(), 1);
  return a;
}

/// The K times of the series of `array`: t.npy; for the user's own series
/// without t.npy, K steps of dataset.json's "dt" from 0. InputError when
/// t.npy is missing (for `purpose`) or has another length, or when the
/// times do not increase.
inline std::vector<double> seriesTimes(const DatasetInfo &d, int64_t K,
                                       const std::string &array,
                                       const char *modelName,
                                       const char *purpose) {
  std::vector<double> t(static_cast<size_t>(K));
  if (d.has("t") || !d.isTrajectories()) {
    NpyArray a = readDatasetArray(d, "t", 1, 0, modelName, purpose);
    if (a.shape[0] != K)
      throw InputError("dataset '" + d.dir + "': t.npy has " +
                       std::to_string(a.shape[0]) + " times, " + array +
                       ".npy " + std::to_string(K) + " states per series");
    t.assign(a.data.begin(), a.data.end());
  } else if (d.json.contains("dt") && d.json["dt"].is_number()) {
    for (int64_t k = 0; k < K; ++k)
      t[static_cast<size_t>(k)] = static_cast<double>(k) * d.json["dt"].get<double>();
  } else {
    throw InputError("dataset '" + d.dir + "' has no t.npy (the times of the "
                     "states) and no \"dt\" in dataset.json");
  }
  for (int64_t k = 0; k + 1 < K; ++k)
    if (!(t[static_cast<size_t>(k + 1)] > t[static_cast<size_t>(k)]))
      throw InputError("dataset '" + d.dir + "': the times must increase (t[" +
                       std::to_string(k + 1) + "] <= t[" + std::to_string(k) +
                       "])");
  return t;
}

/// Training pairs, row-major: u1/u2 are count x stateSize.
struct PairSet {
  int64_t count = 0, stateSize = 0;
  std::vector<double> u1, u2, dt;
};

/// The training pairs of dataset `d` for a model of `stateSize` states,
/// for a training scheme that is Eq. 6 (`implicitDg`) or an explicit step;
/// the user's own series may store states in `stateShape` (readSeries).
inline PairSet loadTrainPairs(const DatasetInfo &d, int64_t stateSize,
                              const char *modelName, bool implicitDg,
                              const std::vector<int64_t> &stateShape = {}) {
  PairSet ps;
  ps.stateSize = stateSize;
  const int64_t N = stateSize;
  if (d.isRealPendulum()) {
    NpyArray x1 = readDatasetArray(d, "train_pair_x1", 2, N, modelName,
                                   "training");
    NpyArray x2 = readDatasetArray(d, "train_pair_x2", 2, N, modelName,
                                   "training");
    NpyArray tg = readDatasetArray(d, "train_pair_target", 2, N, modelName,
                                   "training");
    NpyArray dt = readDatasetArray(d, "train_pair_dt", 1, 0, modelName,
                                   "training");
    const int64_t P = x1.shape[0];
    if (x2.shape[0] != P || tg.shape[0] != P || dt.shape[0] != P)
      throw InputError("dataset '" + d.dir + "': the train_pair_* arrays "
                       "have different lengths");
    const double step = d.json.value("dt", 1.0 / 6.0);
    // Eq. 6's loss targets (u2 - u1)/dt; a pair whose stored target is a
    // different rate (quirk 1's junction pair) is left out for dg.
    auto consistent = [&](int64_t j) {
      for (int64_t i = 0; i < N; ++i) {
        double r = (x2.data[j * N + i] - x1.data[j * N + i]) / dt.data[j];
        double t = tg.data[j * N + i];
        if (!(std::abs(r - t) <= 1e-9 * std::max(1.0, std::abs(t))))
          return false;
      }
      return true;
    };
    for (int64_t j = 0; j < P; ++j) {
      if (implicitDg) {
        if (!consistent(j))
          continue;
        ps.dt.push_back(dt.data[j]);
        for (int64_t i = 0; i < N; ++i) {
          ps.u1.push_back(x1.data[j * N + i]);
          ps.u2.push_back(x2.data[j * N + i]);
        }
      } else {
        ps.dt.push_back(step);
        for (int64_t i = 0; i < N; ++i) {
          ps.u1.push_back(x1.data[j * N + i]);
          ps.u2.push_back(x1.data[j * N + i] + step * tg.data[j * N + i]);
        }
      }
    }
    ps.count = static_cast<int64_t>(ps.dt.size());
    if (ps.count < 1)
      throw InputError("dataset '" + d.dir + "' has no training pairs");
    return ps;
  }
  const std::string array = d.isPde() ? "train_u" : "train_x";
  NpyArray x = d.isTrajectories()
                   ? readSeries(d, array, N, modelName, "training",
                                stateShape)
                   : readDatasetArray(d, array, 3, N, modelName, "training");
  const int64_t S = x.shape[0], K = x.shape[1];
  const std::vector<double> t = seriesTimes(d, K, array, modelName, "training");
  if (K < 2 || S < 1)
    throw InputError("dataset '" + d.dir + "' has no training pairs");
  ps.count = S * (K - 1);
  ps.u1.resize(static_cast<size_t>(ps.count * N));
  ps.u2.resize(static_cast<size_t>(ps.count * N));
  ps.dt.resize(static_cast<size_t>(ps.count));
  int64_t j = 0;
  for (int64_t s = 0; s < S; ++s)
    for (int64_t k = 0; k + 1 < K; ++k, ++j) {
      const double *a = x.data.data() + (s * K + k) * N;
      std::copy(a, a + N, ps.u1.begin() + j * N);
      std::copy(a + N, a + 2 * N, ps.u2.begin() + j * N);
      ps.dt[j] = t[static_cast<size_t>(k + 1)] - t[static_cast<size_t>(k)];
    }
  return ps;
}

/// Checks that every array the metrics of dataset `d` need is present and
/// has the state size N of model `nm` (whose own state shape is `own`);
/// InputError otherwise. Done before any work, by `dgc eval` before it
/// compiles the evaluation program and by that program.
inline void checkEvalData(const DatasetInfo &d, int64_t N, const char *nm,
                          const std::vector<int64_t> &own) {
  if (d.isTrajectories()) {
    NpyArray x = readSeries(d, "test_x", N, nm, "evaluation", own);
    if (x.shape[1] < 2)
      throw InputError("dataset '" + d.dir + "': test_x.npy holds series of "
                       "one state; evaluation needs at least two");
    seriesTimes(d, x.shape[1], "test_x", nm, "evaluation");
    if (d.has("test_dx")) {
      NpyArray dx = readSeries(d, "test_dx", N, nm, "derivative_mse", own);
      if (dx.shape != x.shape)
        throw InputError("dataset '" + d.dir + "': test_dx.npy has shape " +
                         shapeString(dx.shape) + ", test_x.npy " +
                         shapeString(x.shape));
    }
    return;
  }
  if (d.isRealPendulum()) {
    for (const char *a : {"test_pair_x1", "test_dx", "test_x"})
      readDatasetArray(d, a, 2, N, nm, "evaluation");
    readDatasetArray(d, "test_energy_ref", 1, 0, nm, "energy_mse");
    return;
  }
  if (d.isPde()) {
    readDatasetArray(d, "test_u", 3, N, nm, "evaluation");
    readDatasetArray(d, "test_dudt", 3, N, nm, "derivative_mse");
    readDatasetArray(d, "test_energy", 2, 0, nm, "energy_mse");
    readDatasetArray(d, "t", 1, 0, nm, "evaluation");
    return;
  }
  readDatasetArray(d, "test_x", 3, N, nm, "evaluation");
  readDatasetArray(d, "test_dx", 3, N, nm, "derivative_mse");
  readDatasetArray(d, "eval_x0", 2, N, nm, "energy_mse");
  readDatasetArray(d, "eval_orbits", 3, N, nm, "energy_mse");
  readDatasetArray(d, "t", 1, 0, nm, "energy_mse");
}

} // namespace dgc::rt
