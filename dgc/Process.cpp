//===- Process.cpp - Running helper programs ------------------------------===//
//
// Part of dgc.
//
//===----------------------------------------------------------------------===//
#include "Process.h"

#include "UserError.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace dgc::driver {

namespace {

/// The child being waited for; signals that would end dgc are passed on to
/// it, so that `kill <dgc>` also stops the program it runs (a compiled
/// `train` would otherwise go on writing checkpoints on its own).
volatile pid_t runningChild = 0;

void forwardSignal(int sig) {
  if (runningChild > 0)
    ::kill(runningChild, sig);
}

} // namespace

int runProcess(const std::vector<std::string> &argv) {
  std::vector<char *> args;
  for (const std::string &a : argv)
    args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  // The runtime's programs die with us even on a SIGKILL, which cannot be
  // passed on (dgc/runtime/ParentDeath.h).
  ::setenv("DGC_PARENT_PID", std::to_string(::getpid()).c_str(), 1);
  pid_t pid;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0)
    return -1;
  runningChild = pid;
  struct sigaction forward = {}, old[3];
  forward.sa_handler = forwardSignal;
  sigemptyset(&forward.sa_mask);
  const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
  for (int i = 0; i < 3; ++i)
    sigaction(sigs[i], &forward, &old[i]);
  int status = 0;
  int rc = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      rc = -1;
      break;
    }
  for (int i = 0; i < 3; ++i)
    sigaction(sigs[i], &old[i], nullptr);
  runningChild = 0;
  if (rc < 0)
    return -1;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int runProgram(const std::vector<std::string> &argv) {
  int rc = runProcess(argv);
  if (rc < 0) {
    userError("cannot run '" + argv[0] + "'");
    return 1;
  }
  if (rc > 128) {
    int sig = rc - 128;
    const char *name = strsignal(sig);
    userError("'" + argv[0] + "' was killed by signal " + std::to_string(sig) +
              " (" + (name ? name : "unknown") + ")");
  }
  return rc;
}

std::string selfDirectory() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return "";
  return exe.parent_path().string();
}

} // namespace dgc::driver
