//===- ProcessTests.cpp - dgc runs other programs ---------------------------===//
//
// Part of dgc's tests. runProcess (dgc/Process.cpp) returns the program's
// exit status, 128 + signal when it was killed, -1 when it cannot start;
// and while it waits, SIGTERM/SIGINT/SIGHUP sent to dgc are passed on to
// the program, so that `kill <dgc train>` also ends the compiled `train`.
// runProgram adds the one-line message of a program that could not start
// or was killed.
//
//===----------------------------------------------------------------------===//
#include "Process.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using dgc::driver::runProcess;
namespace fs = std::filesystem;

TEST(Process, ReturnsTheExitStatus) {
  EXPECT_EQ(runProcess({"true"}), 0);
  EXPECT_EQ(runProcess({"/bin/sh", "-c", "exit 7"}), 7);
  EXPECT_EQ(runProcess({"/bin/sh", "-c", "kill -KILL $$"}), 128 + SIGKILL);
  EXPECT_EQ(runProcess({"dgc-no-such-program-anywhere"}), -1);
}

/// runProgram: the same status, and one `dgc: error:` line when the
/// program cannot start or dies of a signal (a crashed program must not
/// end dgc silently).
TEST(Process, RunProgramSaysWhenTheProgramWasKilled) {
  using dgc::driver::runProgram;
  testing::internal::CaptureStderr();
  EXPECT_EQ(runProgram({"/bin/sh", "-c", "exit 3"}), 3);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  testing::internal::CaptureStderr();
  EXPECT_EQ(runProgram({"/bin/sh", "-c", "kill -SEGV $$"}), 128 + SIGSEGV);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "dgc: error: '/bin/sh' was killed by signal 11 (Segmentation "
            "fault)\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(runProgram({"dgc-no-such-program-anywhere"}), 1);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "dgc: error: cannot run 'dgc-no-such-program-anywhere'\n");
}

/// A process that runs (through runProcess) a shell that writes its pid
/// and sleeps; `sig` sent to that process must end the shell at once.
void checkForwarded(int sig) {
  fs::create_directories(DGC_TEST_TMP);
  const fs::path pidFile =
      fs::path(DGC_TEST_TMP) / ("sleeper-" + std::to_string(sig));
  fs::remove(pidFile);
  pid_t driver = fork();
  ASSERT_GE(driver, 0);
  if (driver == 0) {
    int rc = runProcess({"/bin/sh", "-c",
                         "echo $$ > '" + pidFile.string() + "'; exec sleep 20"});
    _exit(rc < 0 ? 99 : rc);
  }
  // Wait for the sleeper to start (and runProcess to install its handlers).
  pid_t sleeper = 0;
  for (int i = 0; i < 500 && sleeper <= 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(pidFile);
    in >> sleeper;
  }
  ASSERT_GT(sleeper, 0) << "the sleeper did not start";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(driver, sig), 0);
  int status = 0;
  ASSERT_EQ(waitpid(driver, &status, 0), driver);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  // The driver's runProcess saw its program killed by `sig`.
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
  EXPECT_LT(waited, 10.0) << "the signal was not passed on";
  EXPECT_EQ(::kill(sleeper, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(Process, PassesTermIntAndHupOnToTheProgram) {
  checkForwarded(SIGTERM);
  checkForwarded(SIGINT);
  checkForwarded(SIGHUP);
}

} // namespace
