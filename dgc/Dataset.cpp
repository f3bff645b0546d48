//===- Dataset.cpp - `dgc dataset`: the paper's datasets ------------------===//
//
// Part of dgc. dgc_dataset is looked up as $DGC_DATASET_PROGRAM, else next
// to the running dgc (/proc/self/exe), else in ../libexec/dgc (an install).
// It does the checks on the output folder, the generation and the atomic
// write; its exit status is dgc's.
//
//===----------------------------------------------------------------------===//
#include "Dataset.h"
#include "Process.h"
#include "UserError.h"

#include <cstdlib>
#include <filesystem>

namespace dgc::driver {

namespace {
const char *const kNames[] = {"kdv",      "ch",       "mass-spring",
                              "pendulum", "two-body", "real-pendulum",
                              nullptr};
} // namespace

const char *const *datasetNames() { return kNames; }

int runDataset(const std::string &name, const std::string &outDir,
               const std::vector<std::string> &extra) {
  std::string program;
  if (const char *e = std::getenv("DGC_DATASET_PROGRAM"))
    program = e;
  std::error_code ec;
  if (std::string dir = selfDirectory(); program.empty() && !dir.empty()) {
    // The build tree puts it beside dgc; an install in PREFIX/libexec/dgc.
    program = dir + "/dgc_dataset";
    std::string installed = dir + "/../libexec/dgc/dgc_dataset";
    if (!std::filesystem::exists(program, ec) &&
        std::filesystem::exists(installed, ec))
      program = std::filesystem::path(installed).lexically_normal().string();
  }
  if (program.empty() || !std::filesystem::exists(program, ec)) {
    userError("the dataset program dgc_dataset is not next to dgc ('" +
              program + "'); build the dgc_dataset target");
    return 1;
  }
  std::vector<std::string> argv = {program, name, outDir};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return runProgram(argv);
}

} // namespace dgc::driver
