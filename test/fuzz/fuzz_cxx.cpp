//===- fuzz_cxx.cpp - libFuzzer target: the C++ front end -----------------===//
//
// Part of dgc's fuzz targets (README.md). One input is one small C++ file;
// it goes the way of `dgc compile energy.cpp [--function H] --structure G
// [--grid N,LENGTH]` (dgc/CxxInput.cpp, loadCxxModels), where G and the grid
// are read from the input's own text when it has `--structure X` or
// `--grid N,L` (the lit tests' RUN lines, which are among the seeds, so each
// seed runs as its test does and mutations reach the grid path), else
// `--structure -I` without a grid: Clang 14 parses it, the importer
// evaluates every [[clang::annotate("dgc::energy")]] function into an IR
// energy, a synthesised dg model supplies the structure, and the derivation
// passes run; the header is then emitted. loadCxxModels reads a file, so the
// input is written to one first (Clang's own per-input cost dwarfs it).
// Errors are Clang-style diagnostics on stderr and a false return (run-fuzz
// passes -close_fd_mask=2 to silence them; libFuzzer and the sanitizers still
// report through their own copy of stderr); a crash, assert, hang or
// sanitizer report is a finding.
//
//===----------------------------------------------------------------------===//
#include "CxxInput.h"

#include "CodeGen/CppEmitter.h"
#include "Support/SourceManager.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

/// A private file for the input, made once per process.
const std::string &inputPath() {
  static const std::string path = [] {
    const char *tmp = std::getenv("TMPDIR");
    std::string dir = tmp && *tmp ? tmp : "/tmp";
    std::string tmpl = dir + "/dgc-fuzz-cxx-XXXXXX";
    if (!::mkdtemp(tmpl.data()))
      std::abort();
    static const std::string dirPath = tmpl;
    // Removed when libFuzzer exits normally (a crash leaves it, with the
    // input that crashed).
    std::atexit([] {
      std::remove((dirPath + "/input.cpp").c_str());
      ::rmdir(dirPath.c_str());
    });
    return tmpl + "/input.cpp";
  }();
  return path;
}

bool writeInput(const uint8_t *data, size_t size) {
  FILE *f = std::fopen(inputPath().c_str(), "wb");
  if (!f)
    return false;
  bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

/// The word after `flag` (and a space or '=') in the input, or "".
std::string flagValue(std::string_view text, std::string_view flag) {
  size_t at = text.find(flag);
  if (at == std::string_view::npos)
    return "";
  at += flag.size();
  while (at < text.size() && (text[at] == ' ' || text[at] == '='))
    ++at;
  size_t end = at;
  while (end < text.size() && end - at < 64 && text[end] > ' ' &&
         text[end] != '\'' && text[end] != '"')
    ++end;
  return std::string(text.substr(at, end - at));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!writeInput(data, size))
    std::abort();
  dgc::SourceManager sm;
  std::vector<dgc::ir::ModelIR> models;
  dgc::driver::CxxInputOptions opts;
  opts.input = inputPath();
  // The energy: every [[clang::annotate("dgc::energy")]] function when the
  // input names that attribute, else `--function H` (the lit tests' name).
  std::string_view text(reinterpret_cast<const char *>(data), size);
  if (text.find("dgc::energy") == std::string_view::npos)
    opts.function = "H";
  opts.structure = flagValue(text, "--structure");
  if (opts.structure.empty())
    opts.structure = "-I"; // any state size (S needs an even one)
  opts.grid = flagValue(text, "--grid");
  if (!dgc::driver::loadCxxModels(opts, sm, models))
    return 0;
  dgc::codegen::EmitOptions eo;
  eo.sourceName = "input.cpp";
  (void)dgc::codegen::emitHeader(models, eo);
  return 0;
}
