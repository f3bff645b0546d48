//===- DatasetTests.cpp - `dgc dataset` end to end -------------------------===//
//
// Runs `dgc dataset` on small sets (--series) and checks shapes, splits,
// the conservation laws of the ground truth, the NumPy draws, the real
// pendulum's split and quirks, and the refusals (bad name, bad folder).
//
//===----------------------------------------------------------------------===//
#include "dgc/runtime/Npy.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using dgc::rt::NpyArray;
using dgc::rt::readNpy;

namespace {

fs::path tmpDir(const std::string &name) {
  fs::path d = fs::path(DGC_TEST_TMP) / name;
  fs::remove_all(d);
  fs::create_directories(d.parent_path());
  return d;
}

/// Runs dgc with `args`; returns the exit status, stderr in *err.
int dgc(const std::string &args, std::string *err = nullptr) {
  fs::path log = fs::path(DGC_TEST_TMP) / "stderr.txt";
  fs::create_directories(log.parent_path());
  std::string cmd = std::string(DGC_BIN) + " " + args + " 2>'" +
                    log.string() + "'";
  int rc = std::system(cmd.c_str());
  if (err) {
    std::ifstream in(log);
    err->assign(std::istreambuf_iterator<char>(in), {});
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

NpyArray load(const fs::path &dir, const std::string &name) {
  return readNpy((dir / (name + ".npy")).string());
}

nlohmann::json meta(const fs::path &dir) {
  std::ifstream in(dir / "dataset.json");
  return nlohmann::json::parse(in);
}

using Shape = std::vector<int64_t>;

TEST(Dataset, KdvSmallSet) {
  fs::path d = tmpDir("kdv");
  std::string err;
  ASSERT_EQ(dgc("dataset kdv -o '" + d.string() + "' --series 3", &err), 0)
      << err;
  EXPECT_NE(err.find("series 3/3"), std::string::npos) << err;
  // Split rule: floor(0.9 N) train, the rest test: 2 + 1 for N = 3.
  NpyArray tr = load(d, "train_u"), te = load(d, "test_u");
  EXPECT_EQ(tr.shape, (Shape{2, 501, 50}));
  EXPECT_EQ(te.shape, (Shape{1, 501, 50}));
  EXPECT_EQ(load(d, "train_dudt").shape, (Shape{2, 501, 50}));
  EXPECT_EQ(load(d, "test_energy").shape, (Shape{1, 501}));
  EXPECT_EQ(load(d, "t").shape, (Shape{501}));
  EXPECT_DOUBLE_EQ(load(d, "t").data[500], 0.5);
  NpyArray E = load(d, "train_energy");
  const double dx = 0.2;
  for (int s = 0; s < 2; ++s) {
    double e0 = E.data[s * 501], m0 = 0;
    for (int k = 0; k < 50; ++k)
      m0 += dx * tr.data[(s * 501) * 50 + k];
    for (int n = 0; n < 501; ++n) {
      EXPECT_LT(std::abs(E.data[s * 501 + n] - e0) / std::abs(e0), 1e-10);
      double m = 0;
      for (int k = 0; k < 50; ++k)
        m += dx * tr.data[(s * 501 + n) * 50 + k];
      EXPECT_LT(std::abs(m - m0), 1e-12);
    }
    // Every state is the DVDM step of the previous one (experiments.md
    // section 2): (v - u)/dt = D(u^2 + uv + v^2 + D2 (u + v)/2).
    double worst = 0;
    for (int n = 0; n < 500; ++n) {
      const double *u = &tr.data[(s * 501 + n) * 50], *v = u + 50;
      double w[50];
      for (int k = 0; k < 50; ++k) {
        auto at = [&](const double *a, int j) { return a[(j + 50) % 50]; };
        double d2 = (at(u, k + 1) + at(v, k + 1) - 2 * (u[k] + v[k]) +
                     at(u, k - 1) + at(v, k - 1)) /
                    (2 * dx * dx);
        w[k] = u[k] * u[k] + u[k] * v[k] + v[k] * v[k] + d2;
      }
      for (int k = 0; k < 50; ++k) {
        double r = (v[k] - u[k]) / 1e-3 -
                   (w[(k + 1) % 50] - w[(k + 49) % 50]) / (2 * dx);
        worst = std::max(worst, std::abs(r));
      }
    }
    EXPECT_LT(worst, 1e-9);
  }
  nlohmann::json m = meta(d);
  EXPECT_EQ(m["name"], "kdv");
  EXPECT_EQ(m["numpy_seed"], 1);
  EXPECT_EQ(m["split"]["train"], 2);
  EXPECT_EQ(m["integrator"]["scheme"], "dg");
  // First series' k1, from NumPy: /usr/bin/python3 -c 'import numpy as np;
  // np.random.seed(1); print(float(np.random.uniform(0.5, 2.0)).hex())'
  EXPECT_DOUBLE_EQ(m["first_draws"][0]["k1"].get<double>(),
                   std::strtod("0x1.2022ee5fdd682p+0", nullptr));
}

TEST(Dataset, CahnHilliardEnergyDecreases) {
  fs::path d = tmpDir("ch");
  ASSERT_EQ(dgc("dataset ch -o '" + d.string() + "' --series 2"), 0);
  NpyArray E = load(d, "train_energy"), U = load(d, "train_u");
  ASSERT_EQ(U.shape, (Shape{1, 501, 50}));
  double m0 = 0;
  for (int k = 0; k < 50; ++k)
    m0 += U.data[k];
  for (int n = 1; n < 501; ++n) {
    EXPECT_LT(E.data[n], E.data[n - 1]) << "step " << n;
    double m = 0;
    for (int k = 0; k < 50; ++k)
      m += U.data[n * 50 + k];
    EXPECT_LT(std::abs(m - m0) * 0.02, 1e-12);
  }
  // u0 ~ (rand - 0.5) * 0.1 with NumPy seed 0.
  EXPECT_EQ(U.data[0], (std::strtod("0x1.18fe1565f12a8p-1", nullptr) - 0.5) * 0.1);
}

TEST(Dataset, MassSpring) {
  fs::path d = tmpDir("spring");
  ASSERT_EQ(dgc("dataset mass-spring -o '" + d.string() + "'"), 0);
  NpyArray x = load(d, "train_x"), c = load(d, "train_x_clean"),
           dx = load(d, "train_dx"), e = load(d, "train_energy");
  EXPECT_EQ(x.shape, (Shape{25, 100, 2}));
  EXPECT_EQ(load(d, "test_x").shape, (Shape{25, 100, 2}));
  EXPECT_EQ(dx.shape, (Shape{25, 100, 2}));
  EXPECT_EQ(load(d, "t").shape, (Shape{100}));
  // First initial state for seed 0, from NumPy (HNN's get_trajectory).
  EXPECT_EQ(c.data[0], std::strtod("0x1.23156d898cbbbp-3", nullptr));
  EXPECT_EQ(c.data[1], std::strtod("0x1.40cda0052589ap-1", nullptr));
  // Noise: mean ~ 0, std ~ 0.1 over 5000 values; derivative (2p, -2q) at
  // the clean state; energy conserved to the integrator's tolerance.
  double s = 0, s2 = 0;
  for (size_t i = 0; i < x.data.size(); ++i) {
    double r = x.data[i] - c.data[i];
    s += r;
    s2 += r * r;
  }
  double n = double(x.data.size());
  EXPECT_LT(std::abs(s / n), 0.01);
  EXPECT_NEAR(std::sqrt(s2 / n), 0.1, 0.005);
  for (size_t i = 0; i < c.data.size(); i += 2) {
    EXPECT_EQ(dx.data[i], 2 * c.data[i + 1]);
    EXPECT_EQ(dx.data[i + 1], -2 * c.data[i]);
  }
  // atol = 1e-6 (SciPy's default, as in the protocol) dominates rtol 1e-10:
  // the energy wanders by about 1e-5 over t = 20.
  for (int t = 0; t < 25; ++t)
    for (int k = 0; k < 100; ++k)
      EXPECT_NEAR(e.data[t * 100 + k], e.data[t * 100], 1e-4);
  EXPECT_EQ(load(d, "eval_x0").shape, (Shape{15, 2}));
  // Another seed gives another set.
  fs::path d2 = tmpDir("spring7");
  ASSERT_EQ(dgc("dataset mass-spring -o '" + d2.string() +
                "' --seed 7 --series 4"),
            0);
  EXPECT_EQ(load(d2, "train_x").shape, (Shape{2, 100, 2}));
  EXPECT_NE(load(d2, "train_x_clean").data[0], c.data[0]);
  EXPECT_EQ(meta(d2)["numpy_seed"], 7);
}

TEST(Dataset, TwoBodySmall) {
  fs::path d = tmpDir("twobody");
  ASSERT_EQ(dgc("dataset two-body -o '" + d.string() + "' --series 5"), 0);
  // The first floor(N/5) orbits are the test set.
  EXPECT_EQ(load(d, "test_x").shape, (Shape{1, 500, 8}));
  EXPECT_EQ(load(d, "train_x").shape, (Shape{4, 500, 8}));
  NpyArray e = load(d, "train_energy");
  for (int o = 0; o < 4; ++o)
    for (int k = 0; k < 500; ++k)
      EXPECT_NEAR(e.data[o * 500 + k], e.data[o * 500], 1e-4);
  EXPECT_EQ(load(d, "eval_orbits").shape, (Shape{15, 500, 8}));
}

TEST(Dataset, RealPendulum) {
  if (!fs::exists(DGC_REAL_PENDULUM_FILE))
    GTEST_SKIP() << "no " << DGC_REAL_PENDULUM_FILE;
  fs::path d = tmpDir("real");
  ASSERT_EQ(dgc("dataset real-pendulum -o '" + d.string() + "'"), 0);
  NpyArray x = load(d, "train_x"), tx = load(d, "test_x"),
           tt = load(d, "test_t"), raw = load(d, "raw");
  EXPECT_EQ(x.shape, (Shape{445, 2}));
  EXPECT_EQ(tx.shape, (Shape{110, 2}));
  EXPECT_EQ(raw.shape, (Shape{556, 3}));
  EXPECT_DOUBLE_EQ(tt.data[0], 81.0);
  // The training set ends with row 554 (after rows 0..443).
  EXPECT_EQ(x.data[444 * 2], raw.data[554 * 3 + 1]);
  EXPECT_EQ(x.data[443 * 2], raw.data[443 * 3 + 1]);
  // Quirk 1: the last pair is (x_443, x_554) with target dx_443.
  NpyArray p2 = load(d, "train_pair_x2"), pt = load(d, "train_pair_target"),
           pdt = load(d, "train_pair_dt");
  EXPECT_EQ(p2.shape, (Shape{444, 2}));
  EXPECT_EQ(p2.data[443 * 2], raw.data[554 * 3 + 1]);
  EXPECT_EQ(pt.data[443 * 2],
            (raw.data[444 * 3 + 1] - raw.data[443 * 3 + 1]) /
                (raw.data[444 * 3] - raw.data[443 * 3]));
  // Quirk 2: 10 targets over gaps of 1/3 or 1/2.
  int gaps = 0;
  for (double h : pdt.data)
    if (std::abs(h - 1.0 / 6) > 1e-9)
      ++gaps;
  EXPECT_EQ(gaps, 10);
  EXPECT_EQ(meta(d)["split"]["test"], 110);
}

TEST(Dataset, Refusals) {
  std::string err;
  fs::path d = tmpDir("bad");
  EXPECT_EQ(dgc("dataset heat -o '" + d.string() + "'", &err), 2);
  EXPECT_NE(err.find("heat"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(d));
  // A non-empty folder needs --force.
  fs::create_directories(d);
  std::ofstream(d / "keep.txt") << "x";
  EXPECT_EQ(dgc("dataset ch -o '" + d.string() + "' --series 2", &err), 1);
  EXPECT_NE(err.find("not empty"), std::string::npos) << err;
  EXPECT_TRUE(fs::exists(d / "keep.txt"));
  EXPECT_EQ(dgc("dataset ch -o '" + d.string() + "' --series 2 --force"), 0);
  EXPECT_FALSE(fs::exists(d / "keep.txt"));
  EXPECT_TRUE(fs::exists(d / "test_u.npy"));
  // A split left empty by --series is refused (two-body tests on the
  // first fifth of the orbits: 3 orbits give none).
  fs::path sp = tmpDir("split");
  EXPECT_EQ(dgc("dataset two-body -o '" + sp.string() + "' --series 3", &err), 1);
  EXPECT_NE(err.find("--series leaves the test split empty"), std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(sp));
  // An empty folder is fine.
  fs::path e = tmpDir("empty");
  fs::create_directories(e);
  EXPECT_EQ(dgc("dataset ch -o '" + e.string() + "' --series 2"), 0);
  // Unwritable: the parent is a file. One error, nothing left behind.
  fs::path f = tmpDir("file");
  std::ofstream(f) << "x";
  EXPECT_EQ(dgc("dataset ch -o '" + (f / "sub").string() + "' --series 2",
                &err),
            1);
  EXPECT_NE(err.find("error: cannot create"), std::string::npos) << err;
  // A folder the system refuses (procfs) is named as the user gave it.
  EXPECT_EQ(dgc("dataset ch -o /proc/dgc-dataset-test --series 2", &err), 1);
  EXPECT_NE(err.find("error: cannot create the folder "
                     "'/proc/dgc-dataset-test': "),
            std::string::npos)
      << err;
  // --seed where the protocol fixes the seed.
  EXPECT_EQ(dgc("dataset kdv -o '" + tmpDir("s").string() + "' --seed 3",
                &err),
            1);
  EXPECT_NE(err.find("--seed does not apply"), std::string::npos) << err;
  for (const auto &entry : fs::directory_iterator(DGC_TEST_TMP))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"),
              std::string::npos)
        << entry.path();
}

} // namespace
