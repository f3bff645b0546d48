//===- AtomicFile.h - Durable, all-or-nothing file writes --------*- C++ -*-===//
//
// Part of dgc's runtime. writeFileAtomic writes a file so that a reader, a
// crash or a SIGKILL at any moment sees either the old file or the whole
// new one, never a torn one: the bytes go to a temporary file in the same
// folder (`.NAME.tmp-dgc-PID-N`), which is fsync'ed, renamed over NAME,
// and the folder is fsync'ed so that the rename itself survives a power
// loss. A failure (a full or read-only file system, a file size limit)
// removes the temporary file and throws AtomicWriteError naming the file
// and the system's reason; SIGXFSZ is ignored so that a size limit is an
// error (EFBIG), not a killed process.
//
// The same pass computes the 64-bit FNV-1a digest of the bytes and their
// count (FileDigest), which checkpoints store to detect a damaged file.
//
// Test hook: DGC_TEST_WRITE_PAUSE_MS=N sleeps N ms between writing the
// temporary file and renaming it, to widen the window in which a kill
// test interrupts a write (test/reliability/kill_resume.py).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace dgc::rt {

struct AtomicWriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Size and 64-bit FNV-1a hash of a file's bytes.
struct FileDigest {
  uint64_t bytes = 0;
  uint64_t fnv1a = 14695981039346656037ull;

  void add(const void *data, size_t n) {
    const unsigned char *p = static_cast<const unsigned char *>(data);
    uint64_t h = fnv1a;
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ull;
    }
    fnv1a = h;
    bytes += n;
  }

  /// The hash as 16 lower-case hex digits.
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(fnv1a));
    return buf;
  }
};

/// The digest of the file at `path`; false when it cannot be read.
inline bool digestFile(const std::string &path, FileDigest &d) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ::close(fd);
      return false;
    }
    if (n == 0)
      break;
    d.add(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

namespace atomic_detail {

inline void pauseForTests() {
  if (const char *e = std::getenv("DGC_TEST_WRITE_PAUSE_MS")) {
    long ms = std::strtol(e, nullptr, 10);
    if (ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
}

/// fsync of the folder holding `path`, so that a rename in it is durable.
/// Some file systems refuse fsync on a folder (EINVAL); that is not an
/// error of the write.
inline void syncFolderOf(const std::string &path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty())
    dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  ::fsync(fd);
  ::close(fd);
}

} // namespace atomic_detail

/// Writes the concatenation of `chunks` to `path` atomically and durably
/// (see the file comment); returns the digest of what was written.
inline FileDigest
writeFileAtomic(const std::string &path,
                const std::vector<std::pair<const void *, size_t>> &chunks) {
  // A file size limit (ulimit -f) should be reported, not kill us.
  static const bool ignoreXfsz = [] {
    std::signal(SIGXFSZ, SIG_IGN);
    return true;
  }();
  (void)ignoreXfsz;
  static std::atomic<unsigned> counter{0};
  namespace fs = std::filesystem;
  fs::path target(path);
  std::string tmp =
      (target.parent_path() /
       ("." + target.filename().string() + ".tmp-dgc-" +
        std::to_string(::getpid()) + "-" + std::to_string(counter++)))
          .string();
  auto fail = [&](const std::string &why) -> AtomicWriteError {
    return AtomicWriteError("cannot write '" + path + "': " + why);
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    throw fail(std::strerror(errno));
  FileDigest d;
  for (const auto &[data, size] : chunks) {
    const char *p = static_cast<const char *>(data);
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::write(fd, p + done, size - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        int e = n < 0 ? errno : ENOSPC;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw fail(std::strerror(e));
      }
      done += static_cast<size_t>(n);
    }
    d.add(p, size);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw fail(std::strerror(e));
  }
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw fail(std::strerror(e));
  }
  atomic_detail::pauseForTests();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw fail(std::strerror(e));
  }
  atomic_detail::syncFolderOf(path);
  return d;
}

/// writeFileAtomic of one buffer.
inline FileDigest writeFileAtomic(const std::string &path,
                                  std::string_view text) {
  return writeFileAtomic(path, {{text.data(), text.size()}});
}

/// Checks, before long work whose result would otherwise be lost, that a
/// file can be created next to `path` (its folder exists and is
/// writable); AtomicWriteError naming `path` and the reason otherwise.
inline void checkCanWrite(const std::string &path) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".")
                                              : target.parent_path();
  const std::string probe =
      (dir / ("." + target.filename().string() + ".probe-dgc-" +
              std::to_string(::getpid())))
          .string();
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  0644);
  if (fd < 0)
    throw AtomicWriteError("cannot write '" + path + "': " +
                           std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

namespace atomic_detail {

/// Whether process `pid` still runs (a zombie, killed but not yet reaped
/// by its parent, does not).
inline bool processRuns(long pid) {
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)
    return false;
  FILE *f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f)
    return true; // no /proc: assume it runs
  char buf[512];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // "pid (comm) S ...": the state follows the last ')'.
  const char *close = std::strrchr(buf, ')');
  if (!close || close[1] != ' ')
    return true;
  return close[2] != 'Z' && close[2] != 'X';
}

} // namespace atomic_detail

/// Removes the temporary files a killed writeFileAtomic left in `dir`
/// (`.NAME.tmp-dgc-PID-N` of processes that no longer run).
inline void removeStaleTemporaries(const std::string &dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    size_t at = name.rfind(".tmp-dgc-");
    if (name.empty() || name[0] != '.' || at == std::string::npos)
      continue;
    long pid = std::strtol(name.c_str() + at + 9, nullptr, 10);
    if (pid > 0 && pid != ::getpid() && atomic_detail::processRuns(pid))
      continue; // its writer still runs
    std::error_code rec;
    fs::remove(it->path(), rec);
  }
}

} // namespace dgc::rt
