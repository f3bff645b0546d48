//===- train_main.cpp - The training program of `dgc train` ---------------===//
//
// Part of dgc's runtime. Compiled by `dgc train` against one generated
// header, like simulate_main.cpp:
//   c++ -std=c++20 -O2 -I<runtime/include> -I<eigen>
//       -DDGC_MODEL_HEADER='"path/model.hpp"' -DDGC_MODEL_NS=dgc_models::M
//       runtime/tools/train_main.cpp -o prog
// and run as
//   prog --data DIR --scheme dg|rk2|rk4|leapfrog --iters N -o PARAMS_DIR
//        [--batch B] [--lr LR] [--seed S] [--weight-decay W]
//        [--dtype float|double] [--threads T] [--checkpoint-every K]
//        [--resume DIR] [--log-every K]
// Everything it does is dgc::rt::trainMain (TrainCli.h).
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
  namespace ns = DGC_MODEL_NS;
  return dgc::rt::trainMain<ns::Model>(
      argc, argv,
      dgc::rt::ParamTable::from(ns::param_names, ns::param_offsets,
                                ns::param_sizes, ns::param_nonneg));
}
