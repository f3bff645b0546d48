//===- Dataset.h - dgc_dataset's shared pieces -------------------------===//
//
// Part of dgc. What the dataset families of dgc_dataset share (one family
// per file: PdeDatasets.cpp, OdeDatasets.cpp, RealPendulum.cpp; the
// command line and the output in dataset_main.cpp, whose comment describes
// the program): a Dataset is the arrays and the dataset.json metadata one
// family builds; a failed series throws SeriesFailed after trimming the
// arrays to the series completed before it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Simulate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

namespace dgc::dataset {

using json = nlohmann::ordered_json;

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
void requireSplit(int64_t nTrain, int64_t nTest, const std::string &rule);

/// "series k/N" on stderr, about 20 times per run.
void progress(const std::string &name, const char *what, int64_t k,
              int64_t n);

/// DGC_TEST_FAIL_SERIES (dataset_main.cpp's comment): the options of
/// series `s` (0-based).
dgc::rt::SchemeOptions seriesOptions(dgc::rt::SchemeOptions so, int64_t s);

/// "series 93 of 100 (test series 3)".
std::string seriesLabel(const char *what, int64_t s, int64_t n,
                        const char *split, int64_t row);

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

// The families: each fills `ds` for the options (seed, series count, data
// file) or throws DatasetError / SeriesFailed.
void kdv(Dataset &ds, const Options &o);          // PdeDatasets.cpp
void ch(Dataset &ds, const Options &o);           // PdeDatasets.cpp
void massSpring(Dataset &ds, const Options &o);   // OdeDatasets.cpp
void pendulum(Dataset &ds, const Options &o);     // OdeDatasets.cpp
void twoBody(Dataset &ds, const Options &o);      // OdeDatasets.cpp
void realPendulum(Dataset &ds, const Options &o); // RealPendulum.cpp

} // namespace dgc::dataset
