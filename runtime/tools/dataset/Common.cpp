//===- Common.cpp - dgc_dataset's shared helpers -----------------------===//
//
// Part of dgc. The helpers every dataset family uses (Dataset.h).
//
//===----------------------------------------------------------------------===//
#include "Dataset.h"

#include <cstdio>
#include <cstdlib>

namespace dgc::dataset {

/// Both splits must hold at least one series: an empty test split would
/// make every metric 0/0.
void requireSplit(int64_t nTrain, int64_t nTest, const std::string &rule) {
  if (nTrain < 1 || nTest < 1)
    throw DatasetError("--series leaves the " +
                       std::string(nTrain < 1 ? "training" : "test") +
                       " split empty (" + rule + "); use more series");
}

/// "series k/N" on stderr, about 20 times per run.
void progress(const std::string &name, const char *what, int64_t k,
              int64_t n) {
  int64_t every = std::max<int64_t>(1, n / 20);
  if (k == n || k % every == 0 || k == 1)
    std::fprintf(stderr, "dgc dataset %s: %s %lld/%lld\n", name.c_str(), what,
                 static_cast<long long>(k), static_cast<long long>(n));
}

/// DGC_TEST_FAIL_SERIES (see the file comment): the options of series
/// `s` (0-based).
dgc::rt::SchemeOptions seriesOptions(dgc::rt::SchemeOptions so, int64_t s) {
  if (const char *e = std::getenv("DGC_TEST_FAIL_SERIES"))
    if (std::strtoll(e, nullptr, 10) == s + 1) {
      so.newton.maxIters = 1;
      so.maxInternalSteps = 20;
    }
  return so;
}

/// "series 93 of 100 (test series 3)".
std::string seriesLabel(const char *what, int64_t s, int64_t n,
                        const char *split, int64_t row) {
  return std::string(what) + " " + std::to_string(s + 1) + " of " +
         std::to_string(n) + " (" + split + " " + what + " " +
         std::to_string(row + 1) + ")";
}

} // namespace dgc::dataset
