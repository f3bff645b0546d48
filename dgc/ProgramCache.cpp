//===- ProgramCache.cpp - Runtime programs compiled per model -------------===//
//
// Part of dgc. The cache key is a 64-bit FNV-1a hash of the generated
// header, the program's source and every runtime header, the compiler and
// its flags; an entry is a folder holding the header and the binary.
// Compilation writes a temporary name and renames it, so an interrupted
// compile never leaves a broken entry. The cache is $DGC_CACHE_DIR, else
// $XDG_CACHE_HOME/dgc, else ~/.cache/dgc. The runtime is $DGC_RUNTIME_DIR
// (a runtime source folder), else an installed one beside dgc (PREFIX/bin/dgc
// with the program sources in PREFIX/share/dgc/runtime and the headers in
// PREFIX/include/dgc), else the source tree dgc was built from; the compiler
// $CXX, else the one that built dgc.
//
// Programs are built for the machine they run on (-O3 -march=native: the
// generated GEMMs and element-wise loops use its widest vector units), so
// the key also holds this CPU's model and feature flags: a cache folder
// shared between different machines never hands one an illegal
// instruction. -fno-math-errno lets the compiler treat tanh, exp, ... as
// pure, so the fused loops evaluate tanh(a) once where the forward value,
// the divided difference and its derivatives all need it (generated code
// never reads errno). The simulation program is built with OpenMP (when
// the compiler that built dgc has it) for its --threads.
//
//===----------------------------------------------------------------------===//
#include "ProgramCache.h"

#include "Driver.h"
#include "Process.h"
#include "UserError.h"

#include "dgc/runtime/AtomicFile.h"

#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>
#include <vector>

namespace dgc::driver {

namespace fs = std::filesystem;

namespace {

std::string readText(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Where the runtime's program sources and headers are. `tools` holds
/// tools/*_main.cpp and petsc/tools/; each include root holds a dgc/ folder.
struct RuntimeLayout {
  fs::path tools;
  fs::path coreInclude, petscInclude;
};

RuntimeLayout sourceLayout(const fs::path &rt) {
  return {rt, rt / "include", rt / "petsc" / "include"};
}

RuntimeLayout runtimeLayout() {
  if (const char *e = std::getenv("DGC_RUNTIME_DIR"))
    return sourceLayout(e);
  std::error_code ec;
  if (std::string self = selfDirectory(); !self.empty()) {
    fs::path prefix = fs::path(self).parent_path();
    fs::path tools = prefix / "share" / "dgc" / "runtime";
    if (fs::exists(tools / "tools" / "simulate_main.cpp", ec))
      return {tools, prefix / "include", prefix / "include"};
  }
  return sourceLayout(DGC_RUNTIME_DIR);
}

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

/// The first processor's model name and feature flags from /proc/cpuinfo
/// (empty where there is none).
std::string cpuSignature() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, sig;
  int found = 0;
  while (found < 2 && std::getline(in, line))
    if (line.rfind("model name", 0) == 0 || line.rfind("flags", 0) == 0) {
      sig += line + "\n";
      ++found;
    }
  return sig;
}

std::string shellQuote(const std::string &a) {
  std::string q = a;
  size_t pos = 0;
  while ((pos = q.find('\'', pos)) != std::string::npos) {
    q.replace(pos, 1, "'\\''");
    pos += 4;
  }
  return "'" + q + "'";
}

} // namespace

std::string runtimeFolder() { return runtimeLayout().tools.string(); }

namespace {

/// What one kind of program is built from: its main source (under the
/// runtime folder), include folders and flags beyond the common ones, and
/// libraries after the source.
struct ProgramSpec {
  std::string tool;           ///< cache entry prefix and binary name
  fs::path mainSrc;           ///< relative to the runtime folder
  bool petsc = false;          ///< also the PETSc backend's headers
  std::vector<std::string> flags, libs;
};

std::vector<std::string> splitFlags(const std::string &s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string f; in >> f;)
    out.push_back(f);
  return out;
}

std::string buildProgram(const std::string &header, const std::string &ns,
                         const ProgramSpec &spec);

} // namespace

std::string buildRuntimeProgram(const std::string &header,
                                const std::string &ns,
                                const std::string &tool) {
  ProgramSpec spec{tool, fs::path("tools") / (tool + "_main.cpp"), false,
                   {}, {}};
  // The simulation program runs the generated loops (`#pragma omp` under
  // _OPENMP) and Eigen on --threads threads. train and eval keep their own
  // threads (one Workspace each) and are built without OpenMP.
  if (tool == "simulate")
    spec.flags = splitFlags(DGC_OPENMP_FLAGS);
  return buildProgram(header, ns, spec);
}

std::string buildPetscProgram(const std::string &header,
                              const std::string &ns) {
  if (std::string(DGC_PETSC_LIBS).empty()) {
    userError("this dgc was built without PETSc: --backend petsc needs "
              "PETSc and MPI (Debian: libpetsc-real-dev) when dgc is "
              "configured");
    return "";
  }
  ProgramSpec spec{"simulate-petsc", "petsc/tools/simulate_main.cpp", true,
                   splitFlags(DGC_PETSC_CFLAGS),
                   splitFlags(DGC_PETSC_LIBS)};
  return buildProgram(header, ns, spec);
}

namespace {

// --- Cache entries: lock, atomic install, stamp --------------------------
//
// An entry folder holds model.hpp, the binary (named for the tool), its
// stamp `<tool>.stamp` ("<bytes> <fnv1a64>" of the binary, written after
// the binary's rename) and `lock`. The binary is used only when it matches
// its stamp; otherwise (a truncated or altered binary, a build killed
// between the rename and the stamp) it is rebuilt. Builds of one entry are
// serialised by flock on `lock`: a second dgc waits, then finds the entry
// built. The kernel drops the lock of a killed dgc, so a crash never
// leaves the entry locked.

/// "<bytes> <fnv1a64 hex>" of the file at `p`; "" when it cannot be read.
std::string stampOf(const fs::path &p) {
  rt::FileDigest d;
  if (!rt::digestFile(p.string(), d))
    return "";
  return std::to_string(d.bytes) + " " + d.hex() + "\n";
}

/// The binary exists and matches its stamp.
bool entryIsValid(const fs::path &binary, const fs::path &stamp) {
  std::error_code ec;
  if (!fs::is_regular_file(binary, ec) || !fs::is_regular_file(stamp, ec))
    return false;
  const std::string want = readText(stamp), have = stampOf(binary);
  return !have.empty() && want == have;
}

/// An exclusive flock on `path` (created if needed), held until
/// destruction; says on stderr when it has to wait for another dgc.
class EntryLock {
public:
  explicit EntryLock(const fs::path &path, const std::string &what) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      error_ = std::strerror(errno);
      return;
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0)
      return;
    std::fprintf(stderr, "dgc: waiting for another dgc compiling %s\n",
                 what.c_str());
    while (::flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) {
        error_ = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        return;
      }
  }
  ~EntryLock() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  EntryLock(const EntryLock &) = delete;
  EntryLock &operator=(const EntryLock &) = delete;
  bool held() const { return fd_ >= 0; }
  const std::string &error() const { return error_; }

private:
  int fd_ = -1;
  std::string error_;
};

/// Whether `cxx` names a program that can be run: a path that is an
/// executable file, or a name found so on $PATH.
bool compilerRunnable(const std::string &cxx) {
  auto executable = [](const fs::path &p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
  };
  if (cxx.empty())
    return false;
  if (cxx.find('/') != std::string::npos)
    return executable(cxx);
  const char *path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');)
    if (executable(fs::path(d.empty() ? "." : d) / cxx))
      return true;
  return false;
}

/// fsync of a file (the compiled binary before its rename).
void syncFile(const fs::path &p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

/// Returns the entry's binary, building it under the entry's lock when it
/// is missing or does not match its stamp; "" after printing an error.
std::string installEntry(const fs::path &entry, const ProgramSpec &spec,
                         const std::vector<std::string> &flags,
                         const fs::path &mainSrc, const std::string &header,
                         const std::string &ns) {
  const std::string &tool = spec.tool;
  const fs::path binary = entry / tool;
  const fs::path stamp = entry / (tool + ".stamp");
  if (entryIsValid(binary, stamp))
    return binary.string();
  // Before anything is created in the cache.
  const std::string cxx = compiler();
  if (!compilerRunnable(cxx)) {
    userError("cannot run the C++ compiler '" + cxx + "' (not found or not "
              "executable); set CXX to a C++20 compiler");
    return "";
  }

  std::error_code ec;
  fs::create_directories(entry, ec);
  if (ec) {
    userError("cannot create the cache folder '" + entry.string() +
              "': " + ec.message());
    return "";
  }
  EntryLock lock(entry / "lock", entry.string());
  if (!lock.held()) {
    userError("cannot lock the cache entry '" + entry.string() +
              "': " + lock.error());
    return "";
  }
  // Another dgc may have built it while we waited.
  if (entryIsValid(binary, stamp))
    return binary.string();
  if (fs::exists(binary, ec))
    std::fprintf(stderr,
                 "dgc: warning: the cached program '%s' does not match its "
                 "stamp (damaged or incomplete); rebuilding it\n",
                 binary.string().c_str());
  fs::remove(stamp, ec);
  fs::remove(binary, ec);
  // Temporary binaries of builds that were killed (we hold the lock, so
  // no build of this entry is running).
  for (fs::directory_iterator it(entry, ec), end; !ec && it != end;
       it.increment(ec))
    if (it->path().filename().string().rfind(tool + ".tmp", 0) == 0) {
      std::error_code rec;
      fs::remove(it->path(), rec);
    }

  fs::path hpp = entry / "model.hpp";
  if (!writeFileAtomic(hpp.string(), header))
    return "";
  fs::path tmp = entry / fmt::format("{}.tmp{}", tool, ::getpid());
  fs::path log = entry / "compile.log";
  std::vector<std::string> cmd = {cxx};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.push_back(fmt::format("-DDGC_MODEL_HEADER=\"{}\"", hpp.string()));
  cmd.push_back("-DDGC_MODEL_NS=" + ns);
  cmd.push_back(mainSrc.string());
  cmd.insert(cmd.end(), spec.libs.begin(), spec.libs.end());
  cmd.push_back("-o");
  cmd.push_back(tmp.string());
  std::fprintf(stderr, "dgc: compiling %s for %s (cached in %s)\n",
               tool.c_str(), ns.c_str(), entry.string().c_str());
  // The compiler's output goes to the log; it is shown only on failure.
  std::string shell;
  for (const std::string &a : cmd)
    shell += shellQuote(a) + " ";
  shell += "> " + shellQuote(log.string()) + " 2>&1";
  int rc = runProcess({"/bin/sh", "-c", shell});
  if (rc != 0) {
    fs::remove(tmp, ec);
    std::fprintf(stderr, "%s", readText(log).c_str());
    userError(fmt::format("the C++ compiler failed on the generated code "
                          "(exit {}); see {}",
                          rc, log.string()));
    return "";
  }
  // The binary, then its stamp: a kill in between leaves a binary without
  // a stamp, which the next run rebuilds.
  syncFile(tmp);
  fs::rename(tmp, binary, ec);
  if (ec) {
    fs::remove(tmp, ec);
    userError("cannot install '" + binary.string() + "': " + ec.message());
    return "";
  }
  const std::string st = stampOf(binary);
  try {
    if (st.empty())
      throw rt::AtomicWriteError("cannot read '" + binary.string() + "'");
    rt::writeFileAtomic(stamp.string(), st);
  } catch (const rt::AtomicWriteError &e) {
    fs::remove(binary, ec);
    userError(std::string("cannot install the cache entry: ") + e.what());
    return "";
  }
  return binary.string();
}

} // namespace

namespace {

std::string buildProgram(const std::string &header, const std::string &ns,
                         const ProgramSpec &spec) {
  const std::string &tool = spec.tool;
  RuntimeLayout rt = runtimeLayout();
  fs::path mainSrc = rt.tools / spec.mainSrc;
  if (!fs::exists(mainSrc)) {
    userError("the dgc runtime is not at '" + rt.tools.string() +
              "' (set DGC_RUNTIME_DIR to the runtime folder)");
    return "";
  }
  std::vector<fs::path> includes = {rt.coreInclude};
  if (spec.petsc && rt.petscInclude != rt.coreInclude)
    includes.push_back(rt.petscInclude);
  std::vector<std::string> flags = {"-std=c++20", "-O3", "-march=native", "-fno-math-errno", "-DNDEBUG",
                                    "-pthread"};
  for (const fs::path &inc : includes)
    flags.push_back("-I" + inc.string());
  flags.insert(flags.end(), {"-isystem", DGC_EIGEN_INCLUDE});
  flags.insert(flags.end(), spec.flags.begin(), spec.flags.end());
  // A sanitizer build's instrumentation (cmake/Sanitize.cmake); in the key.
  for (const std::string &f : splitFlags(DGC_PROGRAM_FLAGS))
    flags.push_back(f);
  // train and eval read and write JSON (nlohmann-json).
  std::string json = DGC_JSON_INCLUDE;
  if (!json.empty() && json != "/usr/include")
    flags.insert(flags.end(), {"-isystem", json});
  // Everything that affects the binary goes into the key.
  std::string key = header + "\n" + readText(mainSrc) + "\n" + compiler() +
                    "\n" + cpuSignature();
  for (const std::string &f : flags)
    key += " " + f;
  for (const std::string &f : spec.libs)
    key += " " + f;
  // The headers under each root's dgc/ (not the whole root: installed in
  // /usr, that root is /usr/include).
  std::error_code walkEc;
  for (const fs::path &inc : includes)
    for (const auto &e : fs::recursive_directory_iterator(inc / "dgc", walkEc))
      if (e.is_regular_file())
        key += e.path().string() + readText(e.path());
  std::string dirName = ns;
  for (size_t pos; (pos = dirName.find("::")) != std::string::npos;)
    dirName.replace(pos, 2, "-");
  rt::FileDigest digest; // FNV-1a, as the entry's stamp
  digest.add(key.data(), key.size());
  fs::path entry =
      cacheDir() / fmt::format("{}-{}-{}", tool, dirName, digest.hex());
  return installEntry(entry, spec, flags, mainSrc, header, ns);
}

} // namespace

} // namespace dgc::driver
