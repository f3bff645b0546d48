//===- TrainEndToEndTests.cpp - `dgc train` and `dgc eval` end to end -----===//
//
// Part of dgc's tests. Runs the dgc binary on a small mass-spring dataset
// (`dgc dataset mass-spring --series 4`) with a 16-unit DGNet
// (models/spring_small.dg): `dgc eval` prints finite metrics and writes
// them with --json; `dgc train` with Eq. 6 lowers the loss and the
// derivative MSE (when the generated code has train_dg; until then it must
// refuse with a clear message); mismatched model and data, dopri5 training
// and bad parameters are refused with exit status 1 and no output. The
// programs are compiled once into a cache under the build folder.
//
//===----------------------------------------------------------------------===//
#include "spring_small.hpp"

#include "dgc/runtime/Eval.h"
#include "dgc/runtime/Train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <sys/wait.h>

namespace fs = std::filesystem;
using M = dgc_models::SpringSmall::Model;

namespace {

struct DgcRun {
  int status;
  std::string out, err;
};

/// This test's own folder (tests may run in parallel processes).
fs::path kTmp = DGC_TEST_TMP;

std::string slurp(const fs::path &p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

DgcRun dgc(const std::string &args) {
  static int n = 0;
  fs::path o = kTmp / ("out" + std::to_string(n)), e = kTmp / ("err" + std::to_string(n));
  ++n;
  std::string cmd = "DGC_CACHE_DIR='" + (fs::path(DGC_TEST_TMP) / "dgc_cache").string() +
                    "' '" DGC_BIN "' " + args + " >'" + o.string() + "' 2>'" +
                    e.string() + "'";
  int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(o), slurp(e)};
}

const std::string kModel = DGC_SPRING_SMALL;

class TrainE2E : public ::testing::Test {
protected:
  void SetUp() override {
    kTmp = fs::path(DGC_TEST_TMP) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(kTmp);
    fs::create_directories(kTmp);
    DgcRun r = dgc("dataset mass-spring --series 4 -o '" + (kTmp / "ms").string() + "'");
    ASSERT_EQ(r.status, 0) << r.err;
    r = dgc("dataset kdv --series 2 -o '" + (kTmp / "kdv").string() + "'");
    ASSERT_EQ(r.status, 0) << r.err;
    // The initial parameters as a flat float64 file.
    M::ParamsT<double> p;
    M::init_params(p, 0);
    dgc::rt::writeNpy<double>((kTmp / "p0.npy").string(), {M::param_count},
                              p.data.data());
  }

  static std::string ms() { return (kTmp / "ms").string(); }

  /// The metrics line `k=v k=v` as a map.
  static std::map<std::string, double> metrics(const std::string &line) {
    std::map<std::string, double> m;
    std::istringstream s(line);
    std::string kv;
    while (s >> kv) {
      size_t eq = kv.find('=');
      if (eq != std::string::npos)
        m[kv.substr(0, eq)] = std::strtod(kv.c_str() + eq + 1, nullptr);
    }
    return m;
  }
};

TEST_F(TrainE2E, EvalPrintsFiniteMetrics) {
  fs::path json = kTmp / "eval0.json";
  DgcRun r = dgc("eval '" + kModel + "' --params '" + (kTmp / "p0.npy").string() +
              "' --data '" + ms() + "' --scheme rk2 --json '" + json.string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  auto m = metrics(r.out);
  ASSERT_EQ(m.size(), 2u) << r.out;
  EXPECT_TRUE(std::isfinite(m["derivative_mse"]) && m["derivative_mse"] > 0);
  EXPECT_TRUE(std::isfinite(m["energy_mse"]) && m["energy_mse"] >= 0);
  nlohmann::json j = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(j.size(), 2u);
  EXPECT_NEAR(j["derivative_mse"].get<double>(), m["derivative_mse"],
              1e-6 * m["derivative_mse"]);
  // Eq. 6 prediction gives the same derivative MSE (it depends on training
  // only) and a finite energy MSE.
  r = dgc("eval '" + kModel + "' --params '" + (kTmp / "p0.npy").string() +
          "' --data '" + ms() + "' --scheme dg");
  ASSERT_EQ(r.status, 0) << r.err;
  auto m2 = metrics(r.out);
  EXPECT_NEAR(m2["derivative_mse"], m["derivative_mse"],
              1e-6 * m["derivative_mse"]);
  EXPECT_TRUE(std::isfinite(m2["energy_mse"]));
}

TEST_F(TrainE2E, EvalRefusesMismatchedData) {
  fs::path json = kTmp / "bad.json";
  DgcRun r = dgc("eval '" + kModel + "' --params '" + (kTmp / "p0.npy").string() +
              "' --data '" + (kTmp / "kdv").string() + "' --scheme rk2 --json '" +
              json.string() + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("holds states of size 50"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(json));
  // Parameters of another size.
  double x[3] = {1, 2, 3};
  dgc::rt::writeNpy<double>((kTmp / "p3.npy").string(), {3}, x);
  r = dgc("eval '" + kModel + "' --params '" + (kTmp / "p3.npy").string() +
          "' --data '" + ms() + "' --scheme rk2 --json '" + json.string() + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("flat array of 336"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(json));
  // A folder that is not a dataset.
  r = dgc("eval '" + kModel + "' --params '" + (kTmp / "p0.npy").string() +
          "' --data '" + kTmp.string() + "' --scheme rk2");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("not a dataset folder"), std::string::npos) << r.err;
}

TEST_F(TrainE2E, TrainRefusesMismatches) {
  fs::path out = kTmp / "refused";
  DgcRun r = dgc("train '" + kModel + "' --data '" + (kTmp / "kdv").string() +
          "' --scheme dg --iters 3 -o '" + out.string() + "'");
  EXPECT_EQ(r.status, 1);
  if constexpr (dgc::rt::TrainFns<M, double>::dg) {
    EXPECT_NE(r.err.find("holds states of size 50"), std::string::npos)
        << r.err;
  }
  EXPECT_FALSE(fs::exists(out));
  r = dgc("train '" + kModel + "' --data '" + ms() +
          "' --scheme leapfrog --iters 3 -o '" + out.string() + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("needs a separable energy"), std::string::npos) << r.err;
  r = dgc("train '" + kModel + "' --data '" + kTmp.string() +
          "' --scheme dg --iters 3 -o '" + out.string() + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("not a dataset folder"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(TrainE2E, TrainLowersTheLossAndTheDerivativeError) {
  fs::path out = kTmp / "trained";
  DgcRun r = dgc("train '" + kModel + "' --data '" + ms() +
              "' --scheme dg --iters 150 --lr 3e-3 --weight-decay 1e-4 "
              "--threads 2 --log-every 50 -o '" + out.string() + "'");
  if constexpr (!dgc::rt::TrainFns<M, double>::dg) {
    // The generated code has no training gradients yet: a clear refusal.
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("has no train_dg"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out / "checkpoint.json"));
    return;
  }
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("iter 150/150"), std::string::npos) << r.err;
  nlohmann::json j = nlohmann::json::parse(slurp(out / "checkpoint.json"));
  EXPECT_EQ(j["iteration"], 150);
  dgc::rt::NpyArray loss = dgc::rt::readNpy(
      (out / j["files"]["loss"].get<std::string>()).string());
  ASSERT_EQ(loss.data.size(), 150u);
  EXPECT_LT(loss.data.back(), 0.5 * loss.data.front());
  DgcRun before = dgc("eval '" + kModel + "' --params '" +
                   (kTmp / "p0.npy").string() + "' --data '" + ms() +
                   "' --scheme dg");
  DgcRun after = dgc("eval '" + kModel + "' --params '" + out.string() +
                  "' --data '" + ms() + "' --scheme dg");
  ASSERT_EQ(after.status, 0) << after.err;
  EXPECT_LT(metrics(after.out)["derivative_mse"],
            0.5 * metrics(before.out)["derivative_mse"]);
}

TEST_F(TrainE2E, TrainsAndScoresTheUsersOwnSeries) {
  if constexpr (!dgc::rt::TrainFns<M, double>::dg)
    GTEST_SKIP() << "no train_dg in the generated code";
  // The spring's clean series as a user would save them: no dataset.json, the
  // training set as one (K, N) series, times as t.npy.
  fs::path own = kTmp / "own";
  fs::create_directories(own);
  dgc::rt::NpyArray x = dgc::rt::readNpy((fs::path(ms()) / "train_x_clean.npy").string());
  dgc::rt::NpyArray tx = dgc::rt::readNpy((fs::path(ms()) / "test_x_clean.npy").string());
  dgc::rt::NpyArray t = dgc::rt::readNpy((fs::path(ms()) / "t.npy").string());
  const int64_t K = x.shape[1];
  dgc::rt::writeNpy<double>((own / "train_x.npy").string(), {K, 2}, x.data.data());
  dgc::rt::writeNpy<double>((own / "test_x.npy").string(), tx.shape, tx.data.data());
  dgc::rt::writeNpy<double>((own / "t.npy").string(), {K}, t.data.data());
  const std::string data = " --data '" + own.string() + "'";
  fs::path out = kTmp / "own_trained";
  DgcRun r = dgc("train '" + kModel + "'" + data +
                 " --scheme dg --iters 150 --lr 3e-3 --threads 2 -o '" +
                 out.string() + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("pairs=" + std::to_string(K - 1)), std::string::npos)
      << r.out;
  DgcRun before = dgc("eval '" + kModel + "' --params '" +
                      (kTmp / "p0.npy").string() + "'" + data + " --scheme dg");
  DgcRun after = dgc("eval '" + kModel + "' --params '" + out.string() + "'" +
                     data + " --scheme dg");
  ASSERT_EQ(after.status, 0) << after.err;
  auto m0 = metrics(before.out), m1 = metrics(after.out);
  ASSERT_EQ(m1.size(), 2u) << after.out; // no test_dx: no derivative_mse
  EXPECT_LT(m1["difference_mse"], 0.5 * m0["difference_mse"]);
  EXPECT_TRUE(std::isfinite(m1["prediction_mse"]) && m1["prediction_mse"] > 0);
  // The times from dataset.json's dt instead of t.npy give the same scores.
  fs::remove(own / "t.npy");
  std::ofstream(own / "dataset.json")
      << "{\"name\": \"trajectories\", \"dt\": " << std::setprecision(17)
      << (t.data[1] - t.data[0])
      << "}";
  DgcRun viaDt = dgc("eval '" + kModel + "' --params '" + out.string() + "'" +
                     data + " --scheme dg");
  ASSERT_EQ(viaDt.status, 0) << viaDt.err;
  EXPECT_NEAR(metrics(viaDt.out)["prediction_mse"], m1["prediction_mse"],
              1e-6 * m1["prediction_mse"]);
  // Refusals: no times at all, times that do not increase.
  fs::remove(own / "dataset.json");
  r = dgc("eval '" + kModel + "' --params '" + out.string() + "'" + data +
          " --scheme dg");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("has no t.npy (the times of the states) and no \"dt\" "
                       "in dataset.json"),
            std::string::npos)
      << r.err;
  std::vector<double> bad(t.data);
  bad[3] = bad[2];
  dgc::rt::writeNpy<double>((own / "t.npy").string(), {K}, bad.data());
  r = dgc("train '" + kModel + "'" + data + " --scheme dg --iters 3 -o '" +
          (kTmp / "own_refused").string() + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("the times must increase (t[3] <= t[2])"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(kTmp / "own_refused"));
}

TEST_F(TrainE2E, TrueEnergiesOfTheMetricsMatchTheDatasets) {
  using dgc::rt::eval_detail::trueEnergy;
  struct Case {
    const char *name, *args, *states, *energy;
  } cases[] = {{"kdv", "--series 2", "test_u", "test_energy"},
               {"ch", "--series 2", "test_u", "test_energy"},
               {"two-body", "--series 5", "test_x", "test_energy"},
               {"mass-spring", "--series 2", "test_x_clean", "test_energy"},
               {"real-pendulum", "", "test_x", "test_energy_ref"}};
  for (const Case &c : cases) {
    fs::path dir = kTmp / c.name;
    if (!fs::exists(dir)) {
      DgcRun r = dgc(std::string("dataset ") + c.name + " " + c.args +
                     " -o '" + dir.string() + "'");
      ASSERT_EQ(r.status, 0) << r.err;
    }
    dgc::rt::DatasetInfo d = dgc::rt::loadDatasetInfo(dir.string());
    dgc::rt::NpyArray x = dgc::rt::readNpy(d.path(c.states));
    dgc::rt::NpyArray e = dgc::rt::readNpy(d.path(c.energy));
    const int64_t n = x.shape.back();
    ASSERT_EQ(x.numel() / n, e.numel()) << c.name;
    for (int64_t r = 0; r < e.numel(); r += 37)
      EXPECT_NEAR(trueEnergy(d, x.data.data() + r * n, n), e.data[r],
                  1e-10 * (1 + std::abs(e.data[r])))
          << c.name << " row " << r;
  }
}

TEST(Dopri5Generated, GradientThroughTheStagesMatchesDifferences) {
  if constexpr (!dgc::rt::TrainFns<M, double>::dopri5) {
    GTEST_SKIP() << "no time_derivative_vjp in the generated code";
  } else {
    auto p = std::make_unique<M::ParamsT<double>>();
    M::init_params(*p, 1);
    dgc::rt::Dopri5Loss<M, double> loss;
    const double u1[4] = {0.6, -0.3, -0.2, 0.9}, u2[4] = {0.55, -0.42, -0.1, 0.85},
                 dt[2] = {0.2, 0.2};
    const int64_t idx[2] = {0, 1};
    std::vector<double> g(M::param_count), gg(M::param_count);
    loss(*p, u1, u2, dt, idx, 2, g.data());
    for (int k : {0, 7, 40, 100, 200, 335}) {
      const double eps = 1e-6, keep = p->data[k];
      p->data[k] = keep + eps;
      double Lp = loss(*p, u1, u2, dt, idx, 2, gg.data());
      p->data[k] = keep - eps;
      double Lm = loss(*p, u1, u2, dt, idx, 2, gg.data());
      p->data[k] = keep;
      EXPECT_NEAR(g[k], (Lp - Lm) / (2 * eps), 1e-6 * (1 + std::abs(g[k])))
          << k;
    }
  }
}

TEST_F(TrainE2E, ResumedTrainingEqualsAnUninterruptedRun) {
  if constexpr (!dgc::rt::TrainFns<M, double>::dg)
    GTEST_SKIP() << "no train_dg in the generated code";
  auto train = [&](const std::string &extra, const fs::path &out) {
    DgcRun r = dgc("train '" + kModel + "' --data '" + ms() +
                   "' --scheme dg --batch 40 --seed 5 --threads 2 "
                   "--dtype float --weight-decay 1e-4 " + extra + " -o '" +
                   out.string() + "'");
    EXPECT_EQ(r.status, 0) << r.err;
  };
  train("--iters 12", kTmp / "a");
  train("--iters 5", kTmp / "b");
  train("--iters 12 --resume '" + (kTmp / "b").string() + "'", kTmp / "b");
  EXPECT_EQ(slurp(kTmp / "a" / "params.npy"), slurp(kTmp / "b" / "params.npy"));
  EXPECT_EQ(slurp(kTmp / "a" / "loss_12.npy"), slurp(kTmp / "b" / "loss_12.npy"));
}

TEST_F(TrainE2E, DgNumericsIsRecordedAndKeptOnResume) {
  // --dg-numerics=reference builds a program of its own (the header
  // records the numerics); the summary line and the checkpoint say which
  // numerics trained it, and a resume with the other one is refused.
  if constexpr (!dgc::rt::TrainFns<M, double>::dg)
    GTEST_SKIP() << "no train_dg in the generated code";
  auto train = [&](const std::string &extra, const fs::path &out) {
    return dgc("train '" + kModel + "' --data '" + ms() +
               "' --scheme dg --threads 1 --dtype float " + extra + " -o '" +
               out.string() + "'");
  };
  auto numerics = [&](const fs::path &out) {
    return nlohmann::json::parse(slurp(out / "checkpoint.json"))["dg_numerics"]
        .get<std::string>();
  };
  DgcRun ref = train("--iters 3 --dg-numerics=reference", kTmp / "ref");
  ASSERT_EQ(ref.status, 0) << ref.err;
  EXPECT_NE(ref.out.find(" dg_numerics=reference "), std::string::npos) << ref.out;
  EXPECT_EQ(numerics(kTmp / "ref"), "reference");
  DgcRun exact = train("--iters 3", kTmp / "exact");
  ASSERT_EQ(exact.status, 0) << exact.err;
  EXPECT_NE(exact.out.find(" dg_numerics=exact "), std::string::npos) << exact.out;
  EXPECT_EQ(numerics(kTmp / "exact"), "exact");

  DgcRun mixed = train("--iters 5 --resume '" + (kTmp / "ref").string() + "'",
                       kTmp / "ref");
  EXPECT_EQ(mixed.status, 1);
  EXPECT_NE(mixed.err.find("cannot resume: the checkpoint was trained with "
                           "--dg-numerics=reference, this run uses "
                           "--dg-numerics=exact"),
            std::string::npos)
      << mixed.err;
  DgcRun same = train("--iters 5 --dg-numerics=reference --resume '" +
                          (kTmp / "ref").string() + "'",
                      kTmp / "ref");
  ASSERT_EQ(same.status, 0) << same.err;
  EXPECT_EQ(numerics(kTmp / "ref"), "reference");
  EXPECT_EQ(nlohmann::json::parse(slurp(kTmp / "ref" / "checkpoint.json"))["iteration"], 5);
}

} // namespace
