//===- Simulate.cpp - `dgc simulate`: compile, cache, run -----------------===//
//
// Part of dgc. The cache key is a 64-bit FNV-1a hash of the generated
// header, the simulation program and runtime headers it includes, the
// compiler and its flags; the entry is a folder holding the header and the
// binary. Compilation writes to a temporary name and renames, so an
// interrupted compile never leaves a broken entry. The binary runs with the
// user's arguments; its exit status is dgc's.
//
//===----------------------------------------------------------------------===//
#include "Simulate.h"
#include "Process.h"

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace dgc::driver {

namespace fs = std::filesystem;

namespace {

const char *const kSchemes[] = {"dg",   "implicit_midpoint", "rk2", "rk4",
                                "dopri5", "leapfrog",        nullptr};

void userError(const std::string &msg) {
  std::fprintf(stderr, "dgc: error: %s\n", msg.c_str());
}

uint64_t fnv1a(const std::string &s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string readText(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The runtime folder: $DGC_RUNTIME_DIR, else the source tree dgc was
/// built from.
fs::path runtimeDir() {
  if (const char *e = std::getenv("DGC_RUNTIME_DIR"))
    return e;
  return DGC_RUNTIME_DIR;
}

/// $DGC_CACHE_DIR, else $XDG_CACHE_HOME/dgc, else ~/.cache/dgc, else a
/// folder under the system's temporary directory.
fs::path cacheDir() {
  if (const char *e = std::getenv("DGC_CACHE_DIR"))
    return e;
  if (const char *x = std::getenv("XDG_CACHE_HOME"))
    return fs::path(x) / "dgc";
  if (const char *h = std::getenv("HOME"))
    return fs::path(h) / ".cache" / "dgc";
  return fs::temp_directory_path() / "dgc-cache";
}

std::string compiler() {
  if (const char *e = std::getenv("CXX"))
    return e;
  return DGC_CXX;
}

/// Builds (or finds) the simulation binary for `header`; "" on failure.
std::string buildSimulator(const std::string &header, const std::string &ns) {
  fs::path rt = runtimeDir();
  fs::path mainSrc = rt / "tools" / "simulate_main.cpp";
  fs::path include = rt / "include";
  if (!fs::exists(mainSrc)) {
    userError("the dgc runtime is not at '" + rt.string() +
              "' (set DGC_RUNTIME_DIR to the runtime folder)");
    return "";
  }
  std::vector<std::string> flags = {"-std=c++20", "-O2", "-DNDEBUG",
                                    "-I" + include.string(),
                                    "-isystem", DGC_EIGEN_INCLUDE};
  // Everything that affects the binary goes into the key.
  std::string key = header + "\n" + readText(mainSrc) + "\n" + compiler();
  for (const std::string &f : flags)
    key += " " + f;
  for (const auto &e : fs::recursive_directory_iterator(include))
    if (e.is_regular_file())
      key += readText(e.path());
  std::string dirName = ns;
  for (size_t pos; (pos = dirName.find("::")) != std::string::npos;)
    dirName.replace(pos, 2, "-");
  fs::path entry = cacheDir() / fmt::format("{}-{:016x}", dirName, fnv1a(key));
  fs::path binary = entry / "simulate";
  if (fs::exists(binary))
    return binary.string();

  std::error_code ec;
  fs::create_directories(entry, ec);
  if (ec) {
    userError("cannot create the cache folder '" + entry.string() +
              "': " + ec.message());
    return "";
  }
  fs::path hpp = entry / "model.hpp";
  if (!writeFileAtomic(hpp.string(), header))
    return "";
  fs::path tmp = entry / fmt::format("simulate.tmp{}", ::getpid());
  fs::path log = entry / "compile.log";
  std::vector<std::string> cmd = {compiler()};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.push_back(fmt::format("-DDGC_MODEL_HEADER=\"{}\"", hpp.string()));
  cmd.push_back("-DDGC_MODEL_NS=" + ns);
  cmd.push_back(mainSrc.string());
  cmd.push_back("-o");
  cmd.push_back(tmp.string());
  std::fprintf(stderr, "dgc: compiling %s (cached in %s)\n", ns.c_str(),
               entry.string().c_str());
  // Capture the compiler's output in the log; show it only on failure.
  std::string shell;
  for (const std::string &a : cmd) {
    std::string q = a;
    size_t pos = 0;
    while ((pos = q.find('\'', pos)) != std::string::npos) {
      q.replace(pos, 1, "'\\''");
      pos += 4;
    }
    shell += "'" + q + "' ";
  }
  shell += "> '" + log.string() + "' 2>&1";
  int rc = runProcess({"/bin/sh", "-c", shell});
  if (rc != 0) {
    fs::remove(tmp, ec);
    std::string text = readText(log);
    std::fprintf(stderr, "%s", text.c_str());
    userError(fmt::format("the C++ compiler failed on the generated code "
                          "(exit {}); see {}",
                          rc, log.string()));
    return "";
  }
  fs::rename(tmp, binary, ec);
  if (ec) {
    userError("cannot install '" + binary.string() + "': " + ec.message());
    return "";
  }
  return binary.string();
}

} // namespace

const char *const *simulateSchemes() { return kSchemes; }

int runSimulate(const SimulateOptions &opts) {
  std::vector<ir::ModelIR> models;
  std::string header;
  if (!buildModels(opts.model, models, header))
    return 1;
  if (models.size() != 1) {
    std::string names;
    for (const ir::ModelIR &m : models)
      names += (names.empty() ? "" : ", ") + m.name;
    userError("'" + opts.model.input + "' holds several models (" + names +
              "); choose one with --model");
    return 1;
  }
  const ir::ModelIR &m = models[0];
  if (opts.scheme == "leapfrog" && !m.laws.separable) {
    userError("scheme 'leapfrog' needs a separable energy H = V(q) + T(p); "
              "model '" + m.name + "' is not separable (use dg, "
              "implicit_midpoint, rk2, rk4 or dopri5)");
    return 1;
  }
  if ((opts.scheme == "dg" || opts.scheme == "leapfrog") &&
      m.kind == ir::ModelIR::Kind::VectorField) {
    userError("scheme '" + opts.scheme + "' needs an energy; model '" +
              m.name + "' is a vector field");
    return 1;
  }
  std::string binary = buildSimulator(header, "dgc_models::" + m.name);
  if (binary.empty())
    return 1;
  std::vector<std::string> argv = {binary,
                                   "--init", opts.init,
                                   "--dt", fmt::format("{:.17g}", opts.dt),
                                   "--steps", std::to_string(opts.steps),
                                   "--scheme", opts.scheme,
                                   "-o", opts.output};
  if (!opts.params.empty())
    argv.insert(argv.end(), {"--params", opts.params});
  if (!opts.tol.empty())
    argv.insert(argv.end(), {"--tol", opts.tol});
  if (!opts.rtol.empty())
    argv.insert(argv.end(), {"--rtol", opts.rtol});
  if (!opts.atol.empty())
    argv.insert(argv.end(), {"--atol", opts.atol});
  int rc = runProcess(argv);
  if (rc < 0) {
    userError("cannot run '" + binary + "'");
    return 1;
  }
  return rc;
}

} // namespace dgc::driver
