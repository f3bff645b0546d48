//===- simulate_main.cpp - The simulation program of `dgc simulate` -------===//
//
// Part of dgc's runtime. Compiled by `dgc simulate` against one generated
// header:
//   c++ -std=c++20 -O2 -I<runtime/include> -I<eigen>
//       -DDGC_MODEL_HEADER='"path/model.hpp"' -DDGC_MODEL_NS=dgc_models::KdV
//       runtime/tools/simulate_main.cpp -o prog
// and run as
//   prog --init U0.npy --dt DT --steps N --scheme SCHEME [--params P.npy]
//        [--tol X] [--rtol R --atol A] [--linear-solver NAME]
//        [--max-halvings K] [--threads T] -o TRAJ.npy
// Everything it does is dgc::rt::simulateMain (SimulateCli.h).
//
//===----------------------------------------------------------------------===//
#ifndef DGC_MODEL_HEADER
#error "define DGC_MODEL_HEADER as the quoted path of a generated header"
#endif
#ifndef DGC_MODEL_NS
#error "define DGC_MODEL_NS as the model's namespace, e.g. dgc_models::KdV"
#endif

#include DGC_MODEL_HEADER

#include "dgc/runtime/SimulateCli.h"

int main(int argc, char **argv) {
  return dgc::rt::simulateMain<DGC_MODEL_NS::Model>(argc, argv);
}
