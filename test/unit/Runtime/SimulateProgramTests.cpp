//===- SimulateProgramTests.cpp - The program behind `dgc simulate` -------===//
//
// Part of dgc's tests. Runs `simulate_kdv` (runtime/tools/simulate_main.cpp
// built against the generated KdV header) on good and bad inputs: a good
// run writes the (N + 1, 50) float64 trajectory and prints the summary
// line; a wrong size, a wrong dtype, a NaN, a file that is not .npy, an
// unknown scheme or option, and leapfrog on KdV are one `error: ...` line,
// exit status 1 and no output file.
//
//===----------------------------------------------------------------------===//
#include "SchemeTestSupport.h"
#include "kdv.hpp"

#include "dgc/runtime/SimulateCli.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

using namespace dgc::rt;
namespace fs = std::filesystem;

namespace {

struct ProgramRun {
  int status;
  std::string out, err;
};

class SimulateProgramTest : public ::testing::Test {
protected:
  fs::path dir;

  void SetUp() override {
    dir = fs::path(DGC_TEST_TMP) /
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir);
    fs::create_directories(dir);
  }

  std::string path(const std::string &name) const {
    return (dir / name).string();
  }

  static std::string slurp(const std::string &p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  ProgramRun run(const std::string &args) {
    std::string cmd = std::string(DGC_SIMULATE_KDV) + " " + args + " >" +
                      path("stdout") + " 2>" + path("stderr");
    int rc = std::system(cmd.c_str());
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(path("stdout")),
            slurp(path("stderr"))};
  }

  /// Writes a .npy with an arbitrary dtype string and raw payload.
  void writeRaw(const std::string &name, const char *descr,
                const std::vector<int64_t> &shape, const void *data,
                size_t bytes) {
    std::string h = npy_detail::header(descr, shape);
    std::ofstream out(path(name), std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    char len[2] = {char(h.size() & 0xff), char(h.size() >> 8)};
    out.write(len, 2);
    out << h;
    out.write(static_cast<const char *>(data), std::streamsize(bytes));
  }

  void expectRefused(const std::string &args, const std::string &fragment) {
    ProgramRun r = run(args + " -o " + path("traj.npy"));
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.err.rfind("dgc: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(fs::exists(path("traj.npy")));
    // No temporary file of the atomic write (AtomicFile.h) or the output
    // probe is left either.
    for (const auto &e : fs::directory_iterator(fs::path(path("traj.npy")).parent_path()))
      EXPECT_EQ(e.path().filename().string().find("traj.npy."),
                std::string::npos)
          << e.path();
  }
};

// A step that fails is not the end of the work done before it: the
// trajectory up to the last good step is written, the summary names the
// step, stderr says why, and the exit status is 3 (kExitStepFailed).
TEST_F(SimulateProgramTest, AFailedStepKeepsTheStepsBeforeIt) {
  std::vector<double> u0 = test::kdvTwoSolitons();
  writeNpy<double>(path("u0.npy"), {50}, u0.data());
  ProgramRun r = run("--init " + path("u0.npy") +
                     " --dt 0.001 --steps 10 --scheme dg --tol 1e-20 "
                     "--max-newton-iters 1 -o " + path("traj.npy"));
  EXPECT_EQ(r.status, kExitStepFailed) << r.err;
  EXPECT_EQ(r.out.rfind("scheme=dg steps=0 wall=", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(" failed_step=1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.rfind("dgc: error: step 1 failed: Newton's method did not "
                        "converge at step 1: ",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("traj.npy holds steps 0 to 0\n"), std::string::npos)
      << r.err;
  NpyArray t = readNpy(path("traj.npy"));
  EXPECT_EQ(t.shape, (std::vector<int64_t>{1, 50}));
  EXPECT_EQ(t.data, u0);
}

TEST_F(SimulateProgramTest, WritesTrajectoryAndSummary) {
  std::vector<double> u0 = test::kdvTwoSolitons();
  writeNpy<double>(path("u0.npy"), {50}, u0.data());
  writeNpy<double>(path("u0row.npy"), {1, 50}, u0.data());
  for (const char *init : {"u0.npy", "u0row.npy"}) {
    ProgramRun r = run("--init " + path(init) +
                " --dt 0.001 --steps 200 --scheme dg -o " + path("traj.npy"));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(r.out.rfind("scheme=dg steps=200 wall=", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(" energy_drift="), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" mass_drift="), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" newton_iters="), std::string::npos) << r.out;
    // KdV's 50 unknowns: auto picks the dense LU.
    EXPECT_NE(r.out.find("/step linear_solver=dense factorizations="),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(" halvings=0\n"), std::string::npos) << r.out;
    NpyArray t = readNpy(path("traj.npy"));
    ASSERT_EQ(t.shape, (std::vector<int64_t>{201, 50}));
    EXPECT_FALSE(t.float32);
    for (int i = 0; i < 50; ++i)
      EXPECT_EQ(t.data[i], u0[i]);
    // The program's trajectory is the library's.
    dgc_models::KdV::Params<double> p;
    SchemeOptions o;
    o.dt = 0.001;
    auto tr = simulate<dgc_models::KdV::Model>(p, u0.data(), 200, o);
    for (size_t i = 0; i < tr.states.size(); ++i)
      ASSERT_EQ(t.data[i], tr.states[i]) << i;
  }
}

TEST_F(SimulateProgramTest, RefusesBadInputsWithoutOutput) {
  std::vector<double> u0 = test::kdvTwoSolitons();
  const std::string common = " --dt 0.001 --steps 10 --scheme dg";
  writeNpy<double>(path("short.npy"), {49}, u0.data());
  expectRefused("--init " + path("short.npy") + common,
                "has shape (49,); model KdV needs (50,) or (1, 50)");
  writeNpy<double>(path("two.npy"), {2, 25}, u0.data());
  expectRefused("--init " + path("two.npy") + common, "has shape (2, 25)");
  std::vector<int64_t> ints(50, 1);
  writeRaw("int.npy", "<i8", {50}, ints.data(), ints.size() * 8);
  expectRefused("--init " + path("int.npy") + common, "dtype '<i8'");
  std::vector<double> nan = u0;
  nan[17] = std::nan("");
  writeNpy<double>(path("nan.npy"), {50}, nan.data());
  expectRefused("--init " + path("nan.npy") + common,
                "holds a NaN at element 17");
  std::ofstream(path("text.npy")) << "0.1 0.2 0.3\n";
  expectRefused("--init " + path("text.npy") + common, "not a .npy file");
  expectRefused("--init " + path("missing.npy") + common, "cannot open");
  writeNpy<double>(path("u0.npy"), {50}, u0.data());
  const std::string good = "--init " + path("u0.npy");
  expectRefused(good + " --dt 0.001 --steps 10 --scheme euler",
                "unknown scheme 'euler'");
  expectRefused(good + " --dt 0.001 --steps 10 --scheme leapfrog",
                "KdV is not separable");
  expectRefused(good + " --dt 0.001 --steps 10 --scheme dg --frobnicate 1",
                "unknown option '--frobnicate'");
  expectRefused(good + " --dt -1 --steps 10 --scheme dg",
                "--dt must be positive");
  expectRefused(good + " --dt 0.001 --steps 10 --scheme dg --params " +
                    path("u0.npy"),
                "parameters");
  expectRefused(good + " --dt 0.001 --steps 10 --scheme dg "
                       "--linear-solver=lu",
                "dgc: error: unknown linear solver 'lu' (expected one of "
                "auto, dense, sparse-lu, gmres-ilu, gmres-fft, gmres)\n");
  expectRefused(good + " --dt 0.001 --steps 10 --scheme dg --max-halvings 21",
                "dgc: error: --max-halvings must be between 0 and 20, got "
                "21\n");
  expectRefused(good + " --dt 0.001 --steps 10 --scheme dg --threads 0",
                "dgc: error: --threads must be between 1 and 4096, got 0\n");
}

TEST_F(SimulateProgramTest, PassesTheLinearSolverHalvingsAndThreads) {
  std::vector<double> u0 = test::kdvTwoSolitons();
  writeNpy<double>(path("u0.npy"), {50}, u0.data());
  ProgramRun r = run("--init " + path("u0.npy") +
                     " --dt 0.001 --steps 20 --scheme dg --linear-solver "
                     "gmres --max-halvings 2 --threads 1 -o " +
                     path("traj.npy"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(" linear_solver=gmres factorizations=0 halvings=0 "
                       "linear_iters="),
            std::string::npos)
      << r.out;
}

TEST(SimulateArgsTest, ParsesTheCommandLine) {
  const char *argv[] = {"prog",  "--init",  "a.npy", "--dt=0.5", "--steps",
                        "7",     "--scheme", "rk4",  "--rtol",   "1e-6",
                        "-o",    "t.npy"};
  SimulateArgs a = parseSimulateArgs(12, argv);
  EXPECT_EQ(a.init, "a.npy");
  EXPECT_EQ(a.dt, 0.5);
  EXPECT_EQ(a.steps, 7);
  EXPECT_EQ(a.scheme, "rk4");
  EXPECT_EQ(a.rtol, 1e-6);
  EXPECT_EQ(a.output, "t.npy");
  const char *noDt[] = {"prog", "--init", "a.npy", "--steps", "7"};
  EXPECT_THROW(parseSimulateArgs(5, noDt), InputError);
  const char *badNum[] = {"prog", "--dt", "fast"};
  EXPECT_THROW(parseSimulateArgs(3, badNum), InputError);
  const char *solver[] = {"prog", "--init", "a.npy", "--dt", "0.1",
                          "--steps", "1", "--scheme", "dg",
                          "--linear-solver=sparse-lu", "--max-halvings", "3",
                          "--threads", "2", "-o", "t.npy"};
  a = parseSimulateArgs(16, solver);
  EXPECT_EQ(a.linearSolver, LinearSolver::SparseLU);
  EXPECT_EQ(a.maxHalvings, 3);
  EXPECT_EQ(a.threads, 2);
  const char *badK[] = {"prog", "--max-halvings", "two"};
  try {
    parseSimulateArgs(3, badK);
    ADD_FAILURE() << "accepted --max-halvings two";
  } catch (const InputError &e) {
    EXPECT_STREQ(e.what(), "option --max-halvings needs an integer, got 'two'");
  }
}

} // namespace
