//===- ParentDeath.h - Die with the dgc that started us ----------*- C++ -*-===//
//
// Part of dgc's runtime. The programs dgc runs (simulate, train, eval,
// dgc_dataset) are its children; dgc passes SIGTERM, SIGINT and SIGHUP on
// to them (dgc/Process.cpp), but a SIGKILL of dgc alone cannot be passed
// on, and a training left running on its own would go on writing
// checkpoints into the folder that a resumed run then writes too. So each
// program asks the kernel for SIGKILL when its parent dies
// (PR_SET_PDEATHSIG, Linux), when dgc started it: dgc puts its pid in
// DGC_PARENT_PID. If dgc is already gone by then, the program stops at once.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <csignal>
#include <cstdlib>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

namespace dgc::rt {

/// See the file comment; does nothing outside Linux or without
/// DGC_PARENT_PID.
inline void dieWithParent() {
#ifdef __linux__
  const char *e = std::getenv("DGC_PARENT_PID");
  if (!e)
    return;
  const long parent = std::strtol(e, nullptr, 10);
  // Our parent is not the dgc that set the variable (a program run by
  // hand from a shell that has it, or under mpirun): nothing to follow.
  if (parent <= 0 || ::getppid() != static_cast<pid_t>(parent)) {
    if (parent > 0 && ::kill(static_cast<pid_t>(parent), 0) != 0)
      ::raise(SIGKILL); // dgc died between starting us and this check
    return;
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != static_cast<pid_t>(parent))
    ::raise(SIGKILL); // it died before prctl took effect
#endif
}

} // namespace dgc::rt
