//===- Train.h - `dgc train` and `dgc eval`: compile, cache, run -*- C++ -*-===//
//
// Part of dgc. Like `dgc simulate` (Simulate.h): generates a model's header,
// compiles it with the runtime's training program (runtime/tools/
// train_main.cpp) or evaluation program (eval_main.cpp) into the cache, and
// runs it with the user's options. The programs' command lines are in
// runtime/include/dgc/runtime/TrainCli.h.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Driver.h"

#include <string>

namespace dgc::driver {

struct TrainOptions {
  Options model;            ///< the input, --model, -D
  std::string data;         ///< --data DIR (a `dgc dataset` folder)
  std::string scheme;       ///< --scheme
  long long iters = 0;      ///< --iters
  std::string batch;        ///< --batch (optional: full batch)
  std::string lr;           ///< --lr (optional: 1e-3)
  std::string seed;         ///< --seed (optional: 0)
  std::string output;       ///< -o PARAMS_DIR
  std::string weightDecay;  ///< --weight-decay
  std::string dtype;        ///< --dtype float|double
  std::string threads;      ///< --threads
  std::string checkpointEvery; ///< --checkpoint-every
  std::string resume;       ///< --resume DIR
  std::string logEvery;     ///< --log-every
};

struct EvalOptions {
  Options model;
  std::string params;       ///< --params PARAMS_DIR or P.npy
  std::string data;         ///< --data DIR
  std::string scheme;       ///< --scheme (prediction)
  std::string trainScheme;  ///< --train-scheme (default: the checkpoint's)
  std::string json;         ///< --json FILE
};

int runTrain(const TrainOptions &opts);
int runEval(const EvalOptions &opts);

/// False, after one error, when `params` is a folder whose checkpoint.json
/// says its parameters belong to another model than `m` (or another
/// parameter count), or when the parameters themselves (P.npy or the
/// folder's params.npy) are missing or not m's (dgc/runtime/InputCheck.h,
/// the programs' own check). `dgc simulate` and `dgc eval` ask before
/// compiling.
bool checkParamsModel(const std::string &params, const ir::ModelIR &m);

/// What a scheme is asked for: `dgc train`, or `dgc simulate` / `dgc eval`.
enum class SchemeUse { Training, Prediction };

/// False, after one message naming the schemes that do apply, when model
/// `m` cannot use `scheme`: dg and leapfrog need an energy, leapfrog a
/// separable H and G = c S. Every subcommand asks before compiling.
bool checkSchemeForModel(const std::string &scheme, const ir::ModelIR &m,
                         SchemeUse use);

/// Training schemes (the runtime refuses those a model cannot use).
const char *const *trainSchemes();

} // namespace dgc::driver
