//===- fuzz_dg.cpp - libFuzzer target: dg text through C++ emission -------===//
//
// Part of dgc's fuzz targets (README.md). One input is one .dg file; it goes
// through what `dgc compile` runs (dgc/Driver.cpp, compileModels and
// runCompile) without the file I/O: parse, Sema, lowering, the derivation
// passes (gradient, discrete gradient, Newton Jacobian, ...), scheduling and
// C++ emission. A user error must be diagnostics and a false return; any
// crash, assert, hang or sanitizer report is a finding.
//
//===----------------------------------------------------------------------===//
#include "CodeGen/CppEmitter.h"
#include "IR/IR.h"
#include "Lower/Lower.h"
#include "Parse/Parser.h"
#include "Sema/CheckedModel.h"
#include "Sema/Sema.h"
#include "Support/Diagnostics.h"
#include "Support/SourceManager.h"
#include "Transforms/Passes.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace dgc;

namespace {
constexpr int64_t kMaxFuzzState = 4096;
constexpr int64_t kMaxFuzzParams = int64_t(1) << 17;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Diagnostics are the expected outcome for most inputs: keep them off the
  // fuzzer's output (DGC_FUZZ_VERBOSE=1 prints them, for a reproducer).
  static FILE *sink = std::getenv("DGC_FUZZ_VERBOSE")
                          ? stderr
                          : std::fopen("/dev/null", "w");
  SourceManager sm;
  uint32_t buf = sm.addBuffer(
      "fuzz.dg", std::string(reinterpret_cast<const char *>(data), size));
  DiagnosticEngine diags(sm, sink);
  File file = parseFile(buf, sm, diags);
  if (diags.hasErrors())
    return 0;
  std::vector<ir::ModelIR> models;
  for (Model &m : file.models) {
    std::unique_ptr<CheckedModel> checked = checkModel(m, Defines{}, diags);
    if (!checked)
      continue;
    // The per-input budget: Sema allows 2^24 elements, and the derivation
    // passes' time grows with the state (a 256 x 256 grid takes over 10 s
    // under ASan). Larger models stop after Sema, so that -timeout=10
    // reports hangs rather than big legal models; the seeds' grids fit.
    if (checked->stateSize > kMaxFuzzState ||
        checked->paramCount > kMaxFuzzParams)
      continue;
    ir::ModelIR mir = lowerModel(*checked);
    transforms::deriveModel(mir);
    models.push_back(std::move(mir));
  }
  if (diags.hasErrors())
    return 0;
  codegen::EmitOptions eo;
  eo.sourceName = "fuzz.dg";
  // Both divided-difference numerics (--dg-numerics), picked by the input's
  // length so that one input always takes the same path.
  eo.dgNumerics = size % 2 ? codegen::DgNumerics::Reference
                           : codegen::DgNumerics::Exact;
  std::string header = codegen::emitHeader(models, eo);
  if (!models.empty() && header.empty())
    __builtin_trap();
  return 0;
}
