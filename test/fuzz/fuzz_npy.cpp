//===- fuzz_npy.cpp - libFuzzer target: the runtime's .npy reader ---------===//
//
// Part of dgc's fuzz targets (README.md). One input is the bytes of one .npy
// file, read from memory by the same readNpy the file reader uses
// (runtime/include/dgc/runtime/Npy.h). The reader's contract: an array, or
// an NpyError naming the problem. Any other exception (it would escape the
// callers, which catch NpyError), a crash, a sanitizer report, or an
// allocation far beyond the input's size is a finding.
//
//===----------------------------------------------------------------------===//
#include "dgc/runtime/Npy.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char *>(data), size),
                        std::ios::binary);
  try {
    dgc::rt::NpyArray a = dgc::rt::readNpy(in, "fuzz.npy");
    // What the reader promises of an array it returns.
    if (static_cast<int64_t>(a.data.size()) != a.numel())
      __builtin_trap();
    for (int64_t d : a.shape)
      if (d < 0)
        __builtin_trap();
  } catch (const dgc::rt::NpyError &) {
  }
  return 0;
}
