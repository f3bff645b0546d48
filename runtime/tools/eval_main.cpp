//===- eval_main.cpp - The evaluation program of `dgc eval` ---------------===//
//
// Part of dgc's runtime. Compiled by `dgc eval` against one generated
// header, like simulate_main.cpp, and run as
//   prog --params PARAMS_DIR|P.npy --data DIR --scheme SCHEME
//        [--train-scheme SCHEME] [--json FILE]
// Everything it does is dgc::rt::evalMain (TrainCli.h; metrics in Eval.h).
//
//===----------------------------------------------------------------------===//
#ifndef DGC_MODEL_HEADER
#error "define DGC_MODEL_HEADER as the quoted path of a generated header"
#endif
#ifndef DGC_MODEL_NS
#error "define DGC_MODEL_NS as the model's namespace, e.g. dgc_models::KdV"
#endif

#include DGC_MODEL_HEADER

#include "dgc/runtime/TrainCli.h"

int main(int argc, char **argv) {
  return dgc::rt::evalMain<DGC_MODEL_NS::Model>(argc, argv);
}
