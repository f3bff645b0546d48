//===- Dataset.h - `dgc dataset`: the paper's datasets ---------*- C++ -*-===//
//
// Part of dgc. Runs dgc_dataset (runtime/tools/dataset), installed next to
// the dgc binary, which builds one of the six datasets of the experiment
// protocol into a folder of .npy arrays and dataset.json.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace dgc::driver {

/// The dataset names, for the command line's check (null-terminated).
const char *const *datasetNames();

/// Builds dataset `name` into `outDir`; `extra` are further arguments for
/// dgc_dataset (--seed S, --series N, --force). Returns the exit status.
int runDataset(const std::string &name, const std::string &outDir,
               const std::vector<std::string> &extra);

} // namespace dgc::driver
