//===- npy_diff.cpp - Compare two .npy arrays, for lit tests --------------===//
//
// Part of dgc's tests. `npy_diff A.npy B.npy TOL` prints the largest
// element-wise difference relative to the largest magnitude in A, and exits
// 1 when the shapes differ or that difference exceeds TOL.
//
//===----------------------------------------------------------------------===//
#include "dgc/runtime/Npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: npy_diff A.npy B.npy TOL\n");
    return 2;
  }
  try {
    dgc::rt::NpyArray a = dgc::rt::readNpy(argv[1]);
    dgc::rt::NpyArray b = dgc::rt::readNpy(argv[2]);
    if (a.shape != b.shape) {
      std::printf("shapes differ\n");
      return 1;
    }
    double scale = 0, diff = 0;
    for (size_t i = 0; i < a.data.size(); ++i) {
      scale = std::max(scale, std::fabs(a.data[i]));
      diff = std::max(diff, std::fabs(a.data[i] - b.data[i]));
    }
    double rel = scale > 0 ? diff / scale : diff;
    std::printf("max relative difference %.3g\n", rel);
    return rel <= std::atof(argv[3]) ? 0 : 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
