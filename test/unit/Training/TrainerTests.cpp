//===- TrainerTests.cpp - Adam, batches, threads, checkpoints ------------===//
//
// Part of dgc's tests. The runtime's training loop (Adam.h, Train.h,
// TrainData.h) over the hand-written FakeModel.h: Adam against hand-computed
// steps, the projection of nonneg parameters, the batch gradient as the
// mean of per-sample gradients, threads against one thread, bit-for-bit
// reproducibility, checkpoint + resume against an uninterrupted run, the
// refusals, and training pairs read from a dataset folder.
//
//===----------------------------------------------------------------------===//
#include "FakeModel.h"

#include "dgc/runtime/Train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace dgc::rt;
namespace fs = std::filesystem;
using M = fake::Model;

namespace {

fs::path tmpDir(const std::string &name) {
  fs::path d = fs::path(DGC_TEST_TMP) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

/// Pairs along the flow u' = (0.7 v, -1.3 u) sampled with some noise-free
/// steps of a closed-form rotation, dt 0.1 (count pairs).
PairSet makePairs(int64_t count) {
  PairSet ps;
  ps.count = count;
  ps.stateSize = 2;
  for (int64_t j = 0; j < count; ++j) {
    double q = std::cos(0.37 * double(j)), p = std::sin(0.23 * double(j) + 1);
    double dt = 0.1 + 0.01 * double(j % 3);
    ps.u1.insert(ps.u1.end(), {q, p});
    ps.u2.insert(ps.u2.end(), {q + dt * 0.7 * p, p - dt * 1.3 * q});
    ps.dt.push_back(dt);
  }
  return ps;
}

TEST(Adam, MatchesHandComputedSteps) {
  AdamOptions o;
  o.lr = 0.1;
  Adam<double> adam(1, o);
  double theta = 1.0;
  // Step 1, g = 0.5: m = 0.05, v = 0.00025, bias-corrected 0.5 and 0.25.
  double g = 0.5;
  adam.step(&theta, &g);
  double t1 = 1.0 - (0.1 / 0.1) * 0.05 / (std::sqrt(0.00025) / std::sqrt(0.001) + 1e-8);
  EXPECT_DOUBLE_EQ(theta, t1);
  EXPECT_NEAR(theta, 0.9, 1e-7);
  // Step 2, g = -1: m = 0.9*0.05 - 0.1 = -0.055, v = 0.999*0.00025 + 0.001.
  g = -1.0;
  adam.step(&theta, &g);
  double m2 = 0.9 * 0.05 + 0.1 * -1.0, v2 = 0.999 * 0.00025 + 0.001 * 1.0;
  double bc1 = 1 - 0.81, bc2 = 1 - 0.999 * 0.999;
  double t2 = t1 - (0.1 / bc1) * m2 / (std::sqrt(v2) / std::sqrt(bc2) + 1e-8);
  EXPECT_NEAR(theta, t2, 1e-15);
  EXPECT_EQ(adam.steps(), 2);
}

TEST(Adam, WeightDecayIsAddedToTheGradient) {
  AdamOptions o;
  o.lr = 0.01;
  o.weightDecay = 0.5;
  Adam<double> a(1, o), b(1, AdamOptions{0.01});
  double x = 2.0, y = 2.0;
  double g = 0.3, gy = 0.3 + 0.5 * 2.0; // what the decay adds at x = 2
  a.step(&x, &g);
  b.step(&y, &gy);
  EXPECT_EQ(x, y);
  EXPECT_DOUBLE_EQ(a.m()[0], 0.1 * 1.3);
}

TEST(Adam, FloatStepsAreFloat) {
  Adam<float> a(2);
  float th[2] = {1.f, -1.f}, g[2] = {0.25f, -0.25f};
  for (int i = 0; i < 3; ++i)
    a.step(th, g);
  EXPECT_NEAR(th[0], 1.f - 3e-3f, 1e-6f);
  EXPECT_NEAR(th[1], -1.f + 3e-3f, 1e-6f);
}

TEST(Adam, NonnegParametersAreProjected) {
  Adam<double> a(3);
  a.setNonneg(0, 2);
  double th[3] = {1e-4, 0.5, 1e-4}, g[3] = {1.0, 1.0, 1.0};
  a.step(th, g);
  EXPECT_EQ(th[0], 0.0);                // would be 1e-4 - 1e-3 < 0
  EXPECT_NEAR(th[1], 0.5 - 1e-3, 1e-9); // stays positive, unprojected
  EXPECT_LT(th[2], 0.0);                // not nonneg: may go negative
}

TEST(Trainer, NonnegParameterIsProjectedDuringTraining) {
  TrainOptions o;
  o.scheme = Scheme::DG;
  o.batch = 8;
  o.adam.lr = 0.05;
  Trainer<M, double> tr(makePairs(20), o);
  for (int i = 0; i < 40; ++i)
    tr.step();
  EXPECT_EQ(tr.params().data[0], 0.0); // c is pulled towards -1
}

TEST(Trainer, BatchGradientIsTheMeanOfPerSampleGradients) {
  PairSet ps = makePairs(13);
  TrainOptions o;
  o.scheme = Scheme::RK2;
  o.batch = 13;
  o.threads = 3;
  Trainer<M, double> tr(ps, o);
  std::vector<int64_t> idx = {0, 3, 5, 6, 12};
  double loss = tr.evaluate(idx.data(), int64_t(idx.size()));
  double Lm = 0, gm[3] = {0, 0, 0};
  M::WorkspaceT<double> ws;
  for (int64_t j : idx) {
    double L, g[3];
    M::train_rk2(tr.params(), ps.u1.data() + 2 * j, ps.u2.data() + 2 * j,
                 ps.dt.data() + j, &L, g, ws);
    Lm += L / 5;
    for (int i = 0; i < 3; ++i)
      gm[i] += g[i] / 5;
  }
  EXPECT_NEAR(loss, Lm, 1e-14);
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(tr.gradient()[i], gm[i], 1e-14);
}

template <class T>
std::vector<double> runParams(int threads, int iters, int64_t batch,
                              std::vector<double> *losses = nullptr) {
  TrainOptions o;
  o.scheme = Scheme::DG;
  o.batch = batch;
  o.seed = 7;
  o.threads = threads;
  o.adam.weightDecay = 1e-3;
  Trainer<M, T> tr(makePairs(50), o);
  for (int i = 0; i < iters; ++i)
    tr.step();
  if (losses)
    *losses = tr.losses();
  return tr.paramsAsDouble();
}

TEST(Trainer, ThreadsMatchOneThreadToRoundOff) {
  std::vector<double> a = runParams<double>(1, 30, 11),
                      b = runParams<double>(3, 30, 11),
                      c = runParams<double>(4, 30, 50);
  std::vector<double> d = runParams<double>(1, 30, 50);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(a[i], b[i], 1e-12 * (1 + std::abs(a[i])));
    EXPECT_NEAR(c[i], d[i], 1e-12 * (1 + std::abs(c[i])));
  }
}

TEST(Trainer, BitForBitReproducibleForASeedAndThreadCount) {
  std::vector<double> la, lb;
  std::vector<double> a = runParams<double>(3, 25, 9, &la),
                      b = runParams<double>(3, 25, 9, &lb);
  EXPECT_EQ(a, b);
  EXPECT_EQ(la, lb);
  EXPECT_EQ(runParams<float>(2, 25, 9), runParams<float>(2, 25, 9));
}

TEST(Trainer, LossDecreases) {
  std::vector<double> l;
  runParams<double>(2, 600, 50, &l);
  ASSERT_EQ(l.size(), 600u);
  EXPECT_LT(l.back(), 0.5 * l.front());
}

template <class T> void checkResume() {
  fs::path dir = tmpDir(std::string("resume_") + Trainer<M, T>::dtypeName());
  TrainOptions o;
  o.scheme = Scheme::DG;
  o.batch = 7;
  o.seed = 3;
  o.threads = 2;
  o.iters = 20;
  o.adam.weightDecay = 1e-2;
  PairSet ps = makePairs(40);
  Trainer<M, T> full(ps, o);
  for (int i = 0; i < 20; ++i)
    full.step();
  Trainer<M, T> first(ps, o);
  for (int i = 0; i < 8; ++i)
    first.step();
  first.saveCheckpoint(dir.string(), {{"note", "test"}}, false);
  for (int i = 0; i < 3; ++i) // steps after the checkpoint are lost
    first.step();
  first.saveCheckpoint((dir / "other").string(), {}, false);
  Trainer<M, T> resumed(ps, o);
  resumed.loadCheckpoint(dir.string());
  EXPECT_EQ(resumed.iteration(), 8);
  while (resumed.iteration() < 20)
    resumed.step();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(resumed.params().data[i], full.params().data[i]) << i;
  EXPECT_EQ(resumed.losses(), full.losses());
  EXPECT_EQ(resumed.adam().m(), full.adam().m());
  EXPECT_EQ(resumed.adam().v(), full.adam().v());
}

TEST(Trainer, ResumeEqualsAnUninterruptedRunDouble) { checkResume<double>(); }
TEST(Trainer, ResumeEqualsAnUninterruptedRunFloat) { checkResume<float>(); }

TEST(Trainer, CheckpointFolderLayout) {
  fs::path dir = tmpDir("layout");
  TrainOptions o;
  o.batch = 4;
  Trainer<M, double> tr(makePairs(10), o);
  tr.step();
  tr.saveCheckpoint(dir.string(), {}, false);
  tr.step();
  tr.saveCheckpoint(dir.string(), {}, true);
  std::ifstream in(dir / "checkpoint.json");
  nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["iteration"], 2);
  EXPECT_EQ(j["model"], "FakeLinear");
  EXPECT_EQ(j["final"], true);
  EXPECT_EQ(j["parameters"][0]["nonneg"], true);
  EXPECT_TRUE(fs::exists(dir / "params_2.npy"));
  EXPECT_FALSE(fs::exists(dir / "params_1.npy")); // the previous one, removed
  NpyArray p = readNpy((dir / "params.npy").string());
  ASSERT_EQ(p.shape, std::vector<int64_t>{3});
  EXPECT_FALSE(p.float32);
  EXPECT_EQ(p.data[1], tr.params().data[1]);
  NpyArray l = readNpy((dir / "loss_2.npy").string());
  EXPECT_EQ(l.data, tr.losses());
}

TEST(Trainer, ResumeRefusesAnotherScheme) {
  fs::path dir = tmpDir("refuse_scheme");
  TrainOptions o;
  Trainer<M, double> tr(makePairs(5), o);
  tr.step();
  tr.saveCheckpoint(dir.string(), {}, true);
  o.scheme = Scheme::RK2;
  Trainer<M, double> other(makePairs(5), o);
  EXPECT_THROW(other.loadCheckpoint(dir.string()), TrainError);
  EXPECT_THROW(other.loadCheckpoint((dir / "none").string()), TrainError);
}

/// The message of loadCheckpoint's TrainError on `dir` ("" if it loads).
std::string resumeError(const fs::path &dir) {
  TrainOptions o;
  o.batch = 4;
  Trainer<M, double> tr(makePairs(10), o);
  try {
    tr.loadCheckpoint(dir.string());
  } catch (const TrainError &e) {
    return e.what();
  }
  return "";
}

/// A folder holding a good two-iteration checkpoint.
fs::path goodCheckpoint(const std::string &name) {
  fs::path dir = tmpDir(name);
  TrainOptions o;
  o.batch = 4;
  Trainer<M, double> tr(makePairs(10), o);
  tr.step();
  tr.saveCheckpoint(dir.string(), {}, false);
  tr.step();
  tr.saveCheckpoint(dir.string(), {}, true);
  return dir;
}

TEST(Trainer, CheckpointRecordsItsFormatAndChecksums) {
  fs::path dir = goodCheckpoint("format2");
  std::ifstream in(dir / "checkpoint.json");
  nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_EQ(j["format"], "dgc-checkpoint-2");
  EXPECT_EQ(j["checksums"]["params_2.npy"]["bytes"],
            fs::file_size(dir / "params_2.npy"));
  EXPECT_EQ(resumeError(dir), "");
  // Nothing but the checkpoint: no temporary files, no earlier iteration.
  int files = 0;
  for (const auto &e : fs::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 6); // index, 4 arrays, params.npy
}

TEST(Trainer, ResumeRefusesATruncatedCheckpointFile) {
  fs::path dir = goodCheckpoint("truncated");
  fs::resize_file(dir / "adam_v_2.npy", fs::file_size(dir / "adam_v_2.npy") - 8);
  std::string e = resumeError(dir);
  EXPECT_NE(e.find("cannot resume: the checkpoint file"), std::string::npos) << e;
  EXPECT_NE(e.find("adam_v_2.npy is damaged"), std::string::npos) << e;
}

TEST(Trainer, ResumeRefusesAnAlteredCheckpointFile) {
  fs::path dir = goodCheckpoint("altered");
  {
    std::fstream f(dir / "params_2.npy",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f.put('\x7f');
  }
  std::string e = resumeError(dir);
  EXPECT_NE(e.find("params_2.npy is damaged (its checksum does not match"),
            std::string::npos)
      << e;
}

TEST(Trainer, ResumeRefusesATornOrAlteredIndex) {
  fs::path dir = goodCheckpoint("torn_index");
  const fs::path idx = dir / "checkpoint.json";
  std::string text;
  {
    std::ifstream in(idx);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  // Torn: the first half of the index.
  { std::ofstream(idx) << text.substr(0, text.size() / 2); }
  EXPECT_NE(resumeError(dir).find("is damaged (not a complete JSON object)"),
            std::string::npos);
  // Altered: a valid JSON object whose iteration changed.
  size_t at = text.find("\"iteration\": 2");
  ASSERT_NE(at, std::string::npos);
  std::string altered = text;
  altered.replace(at, 14, "\"iteration\": 1");
  { std::ofstream(idx) << altered; }
  EXPECT_NE(resumeError(dir).find("is damaged (its checksum does not match "
                                  "its contents)"),
            std::string::npos);
  // An unknown format.
  std::string future = text;
  at = future.find("dgc-checkpoint-2");
  future.replace(at, 16, "dgc-checkpoint-9");
  { std::ofstream(idx) << future; }
  EXPECT_NE(resumeError(dir).find("has format 'dgc-checkpoint-9'"),
            std::string::npos);
  // The good index loads again.
  { std::ofstream(idx) << text; }
  EXPECT_EQ(resumeError(dir), "");
}

TEST(Trainer, ResumeReadsAFormat1Checkpoint) {
  fs::path dir = goodCheckpoint("format1");
  const fs::path idx = dir / "checkpoint.json";
  std::ifstream in(idx);
  nlohmann::json j = nlohmann::json::parse(in);
  in.close();
  j["format"] = "dgc-checkpoint-1";
  j.erase("checksums");
  j.erase("index_fnv1a64");
  { std::ofstream(idx) << j.dump(2); }
  EXPECT_EQ(resumeError(dir), "");
  // Without checksums a truncated file is still caught by its length.
  fs::resize_file(dir / "loss_2.npy", fs::file_size(dir / "loss_2.npy") - 8);
  EXPECT_NE(resumeError(dir).find("damaged"), std::string::npos);
}

TEST(Trainer, CheckpointRemovesFilesOfInterruptedWrites) {
  fs::path dir = goodCheckpoint("orphans");
  // What a kill between a file's rename and the index's leaves: a newer
  // iteration's files no index names, and a temporary of a dead writer.
  fs::copy_file(dir / "params_2.npy", dir / "params_7.npy");
  { std::ofstream(dir / ".params_8.npy.tmp-dgc-999999999-0") << "x"; }
  TrainOptions o;
  o.batch = 4;
  Trainer<M, double> tr(makePairs(10), o);
  tr.loadCheckpoint(dir.string());
  tr.step();
  tr.saveCheckpoint(dir.string(), {}, true);
  EXPECT_FALSE(fs::exists(dir / "params_7.npy"));
  EXPECT_FALSE(fs::exists(dir / ".params_8.npy.tmp-dgc-999999999-0"));
  EXPECT_TRUE(fs::exists(dir / "params_3.npy"));
}

TEST(Trainer, RefusesSchemesTheModelCannotTrainWith) {
  TrainOptions o;
  o.scheme = Scheme::RK4; // no train_rk4
  try {
    Trainer<M, double> tr(makePairs(5), o);
    FAIL() << "rk4 accepted";
  } catch (const TrainError &e) {
    EXPECT_NE(std::string(e.what()).find("no train_rk4"), std::string::npos);
  }
  o.scheme = Scheme::ImplicitMidpoint;
  EXPECT_THROW((Trainer<M, double>(makePairs(5), o)), TrainError);
  EXPECT_TRUE((TrainFns<M, double>::dg));
  EXPECT_TRUE((TrainFns<M, double>::dopri5));
  EXPECT_FALSE((TrainFns<M, double>::leapfrog));
}

// f = (a v, -b u) is a rotation: the exact flow over dt is known.
double exactFlowLoss(const M::ParamsT<double> &p, const double *u1,
                     const double *u2, double dt) {
  const double a = p.data[1], b = p.data[2], w = std::sqrt(a * b);
  double q = u1[0] * std::cos(w * dt) + a / w * u1[1] * std::sin(w * dt);
  double v = u1[1] * std::cos(w * dt) - b / w * u1[0] * std::sin(w * dt);
  double r0 = (q - u2[0]) / dt, r1 = (v - u2[1]) / dt;
  return (r0 * r0 + r1 * r1) / 2;
}

TEST(Dopri5Training, LossMatchesTheExactFlowAndGradientMatchesDifferences) {
  M::ParamsT<double> p;
  p.data = {0.3, 0.8, 1.7};
  // Three pairs, the last with half the time step (rescaled time).
  const std::vector<double> u1 = {0.4, -0.9, 1.0, 0.2, -0.3, 0.5},
                            u2 = {0.5, -1.0, 0.9, -0.3, -0.2, 0.6},
                            dt = {0.7, 0.7, 0.35};
  const int64_t idx[3] = {0, 1, 2};
  for (int threads : {1, 2}) {
    Dopri5Loss<M, double> loss(threads);
    double g[3];
    double L = loss(p, u1.data(), u2.data(), dt.data(), idx, 3, g);
    EXPECT_GT(loss.acceptedSteps, 2);
    double want = 0;
    for (int b = 0; b < 3; ++b)
      want += exactFlowLoss(p, &u1[2 * b], &u2[2 * b], dt[b]) / 3;
    EXPECT_NEAR(L, want, 1e-6 * want);
    EXPECT_EQ(g[0], 0.0);
    for (int k = 1; k < 3; ++k) {
      const double eps = 1e-6;
      M::ParamsT<double> pp = p, pm = p;
      pp.data[k] += eps;
      pm.data[k] -= eps;
      double gg[3];
      double Lp = loss(pp, u1.data(), u2.data(), dt.data(), idx, 3, gg);
      double Lm = loss(pm, u1.data(), u2.data(), dt.data(), idx, 3, gg);
      EXPECT_NEAR(g[k], (Lp - Lm) / (2 * eps), 1e-5 * (1 + std::abs(g[k])))
          << k << " threads " << threads;
    }
  }
}

TEST(Dopri5Training, TheBatchSharesOneStepSequence) {
  // torchdiffeq's error norm is over the whole batch tensor, so a pair
  // near 0 (where atol makes the error small) takes the steps of a pair of
  // size 1 when they are in one batch.
  M::ParamsT<double> p;
  p.data = {0, 2.0, 2.0};
  const std::vector<double> u1 = {1e-10, -1e-10, 0.4, -0.9}, u2 = u1,
                            dt = {1.0, 1.0};
  const int64_t tiny[1] = {0}, big[1] = {1}, both[2] = {0, 1};
  Dopri5Loss<M, double> loss;
  double g[3];
  loss(p, u1.data(), u2.data(), dt.data(), tiny, 1, g);
  const int64_t tinySteps = loss.acceptedSteps;
  loss(p, u1.data(), u2.data(), dt.data(), big, 1, g);
  const int64_t bigSteps = loss.acceptedSteps;
  loss(p, u1.data(), u2.data(), dt.data(), both, 2, g);
  EXPECT_LT(tinySteps, bigSteps);
  EXPECT_GE(loss.acceptedSteps, bigSteps - 1);
  EXPECT_GT(loss.acceptedSteps, tinySteps);
  // Two copies of one pair: the norm, the steps and the mean loss are
  // those of the pair alone.
  const double L = loss(p, u1.data(), u2.data(), dt.data(), big, 1, g);
  const int64_t twice[2] = {1, 1};
  EXPECT_DOUBLE_EQ(loss(p, u1.data(), u2.data(), dt.data(), twice, 2, g), L);
  EXPECT_EQ(loss.acceptedSteps, bigSteps);
}

TEST(Dopri5Training, TrainerLowersTheLoss) {
  TrainOptions o;
  o.scheme = Scheme::Dopri5;
  o.batch = 50;
  o.threads = 2;
  o.adam.lr = 1e-2;
  Trainer<M, double> tr(makePairs(50), o);
  for (int i = 0; i < 100; ++i)
    tr.step();
  EXPECT_LT(tr.losses().back(), 0.7 * tr.losses().front());
}

TEST(TrainData, PairsFromAnOdeDatasetFolder) {
  fs::path dir = tmpDir("data_ode");
  {
    std::ofstream(dir / "dataset.json") << R"({"name": "mass-spring", "dt": 0.5})";
  }
  std::vector<double> x(2 * 3 * 2), t = {0, 0.5, 1.0};
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = double(i);
  writeNpy<double>((dir / "train_x.npy").string(), {2, 3, 2}, x.data());
  writeNpy<double>((dir / "t.npy").string(), {3}, t.data());
  DatasetInfo d = loadDatasetInfo(dir.string());
  PairSet ps = loadTrainPairs(d, 2, "FakeLinear", true);
  ASSERT_EQ(ps.count, 4); // 2 series x 2 pairs
  EXPECT_EQ(ps.u1[2 * 2], 6.0); // series 1, state 0
  EXPECT_EQ(ps.u2[2 * 2], 8.0);
  EXPECT_EQ(ps.dt[3], 0.5);
  try {
    loadTrainPairs(d, 50, "KdV", true);
    FAIL() << "state size mismatch accepted";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("holds states of size 2"),
              std::string::npos);
  }
  fs::remove(dir / "t.npy");
  EXPECT_THROW(loadTrainPairs(d, 2, "FakeLinear", true), InputError);
  EXPECT_THROW(loadDatasetInfo((dir / "missing").string()), InputError);
}

TEST(TrainData, RealPendulumPairsUseTheTargetForExplicitSchemes) {
  fs::path dir = tmpDir("data_real");
  {
    std::ofstream(dir / "dataset.json")
        << R"({"name": "real-pendulum", "dt": 0.16666666666666666})";
  }
  // Pair 0: target (x2 - x1)/dt; pair 1 (like quirk 1's junction pair):
  // a target that is not (x2 - x1)/dt.
  std::vector<double> x1 = {1, 2, 3, 4}, x2 = {1.5, 1.5, 7, 8},
                      tg = {3, -3, 1, 2}, dt = {1.0 / 6, 1.0 / 3};
  writeNpy<double>((dir / "train_pair_x1.npy").string(), {2, 2}, x1.data());
  writeNpy<double>((dir / "train_pair_x2.npy").string(), {2, 2}, x2.data());
  writeNpy<double>((dir / "train_pair_target.npy").string(), {2, 2}, tg.data());
  writeNpy<double>((dir / "train_pair_dt.npy").string(), {2}, dt.data());
  DatasetInfo d = loadDatasetInfo(dir.string());
  PairSet dg = loadTrainPairs(d, 2, "F", true), ex = loadTrainPairs(d, 2, "F", false);
  // dg keeps (x1, x2, dt) of pair 0 and leaves out pair 1.
  ASSERT_EQ(dg.count, 1);
  EXPECT_EQ(dg.u2, std::vector<double>({1.5, 1.5}));
  EXPECT_EQ(dg.dt[0], 1.0 / 6);
  ASSERT_EQ(ex.count, 2);
  EXPECT_EQ(ex.dt[1], 1.0 / 6);
  EXPECT_NEAR((ex.u2[3] - ex.u1[3]) / ex.dt[1], 2.0, 1e-12);
}

} // namespace

TEST(TrainData, AnEmptyDatasetArrayIsRefusedByName) {
  // A dataset made with too few series can leave a split empty (two-body's
  // test split is the first fifth of the orbits); its metrics would be 0/0.
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("dgc-empty-split-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "dataset.json") << R"({"name": "two-body"})";
  std::vector<double> none;
  dgc::rt::writeNpy<double>((dir / "test_x.npy").string(), {0, 500, 8},
                            none.data());
  dgc::rt::DatasetInfo d = dgc::rt::loadDatasetInfo(dir.string());
  try {
    dgc::rt::readDatasetArray(d, "test_x", 3, 8, "M", "evaluation");
    FAIL() << "an empty array was accepted";
  } catch (const dgc::rt::InputError &e) {
    EXPECT_NE(std::string(e.what()).find("test_x.npy is empty (shape (0, 500, 8))"),
              std::string::npos)
        << e.what();
  }
  fs::remove_all(dir);
}
