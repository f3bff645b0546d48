//===- NumpyRandomTests.cpp - NumPy's legacy stream, bit for bit ----------===//
//
// dgc::rt::NumpyRandom against NumPy: hard-coded values obtained from NumPy
// 1.24.2 (/usr/bin/python3) and, where a python3 with numpy is installed, a
// longer mixed sequence compared with NumPy at test time (skipped cleanly
// otherwise).
//
//===----------------------------------------------------------------------===//
#include "dgc/runtime/NumpyRandom.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using dgc::rt::NumpyRandom;

namespace {

double hex(const char *s) { return std::strtod(s, nullptr); }

// Obtained with:
// /usr/bin/python3 -c 'import numpy as np; np.random.seed(0);
//   print([float(v).hex() for v in np.random.rand(3)]);
//   print([float(v).hex() for v in np.random.uniform(0.5,2.0,2)]);
//   print([float(v).hex() for v in np.random.randn(3)]);
//   print(np.random.randint(0,50), np.random.randint(0,2),
//         np.random.randint(0,1000));
//   print(float(np.random.normal(1.0,2.0)).hex())'
TEST(NumpyRandom, MatchesHardCodedNumpyValues) {
  NumpyRandom r(0);
  EXPECT_EQ(r.randomSample(), hex("0x1.18fe1565f12a8p-1"));
  EXPECT_EQ(r.randomSample(), hex("0x1.6e2d4cf608733p-1"));
  EXPECT_EQ(r.randomSample(), hex("0x1.349d66b6e894bp-1"));
  EXPECT_EQ(r.uniform(0.5, 2.0), hex("0x1.513c3248ab078p+0"));
  EXPECT_EQ(r.uniform(0.5, 2.0), hex("0x1.22aef61dee59cp+0"));
  EXPECT_EQ(r.gauss(), hex("-0x1.af7986f57fa88p-1"));
  EXPECT_EQ(r.gauss(), hex("0x1.f84cf7f7312a7p+0")); // the cached value
  EXPECT_EQ(r.gauss(), hex("0x1.4420580e99483p+0"));
  EXPECT_EQ(r.randint(0, 50), 23);
  EXPECT_EQ(r.randint(0, 2), 0);
  EXPECT_EQ(r.randint(0, 1000), 600);
  // The Gaussian cached by the third randn call is used here.
  EXPECT_EQ(r.normal(1.0, 2.0), hex("-0x1.811ffa15c5480p-7"));
}

// /usr/bin/python3 -c 'import numpy as np; np.random.seed(123456789);
//   print(np.random.randint(0,7,size=8).tolist(),
//         float(np.random.randn()).hex())'
TEST(NumpyRandom, RandintAndSeedResetTheGaussCache) {
  NumpyRandom r(5);
  r.gauss(); // leaves a cached value that seed() must drop
  r.seed(123456789);
  std::vector<int64_t> got;
  for (int i = 0; i < 8; ++i)
    got.push_back(r.randint(0, 7));
  EXPECT_EQ(got, (std::vector<int64_t>{0, 4, 2, 1, 2, 5, 4, 2}));
  EXPECT_EQ(r.gauss(), hex("-0x1.c8d2ec48a4a49p+0"));
  EXPECT_EQ(r.randint(3, 4), 3); // one value: no draw
}

// The mass-spring dataset's first initial state for seed 0 (HNN's
// get_trajectory): y0 = rand(2)*2-1; r = rand()*0.9+0.1;
// y0 / sqrt(sum(y0**2)) * r. From /usr/bin/python3 with numpy 1.24.2.
TEST(NumpyRandom, SpringFirstInitialStateSeed0) {
  NumpyRandom r(0);
  double y0 = r.randomSample() * 2 - 1, y1 = r.randomSample() * 2 - 1;
  double rad = r.randomSample() * 0.9 + 0.1;
  double n = std::sqrt(y0 * y0 + y1 * y1);
  EXPECT_EQ(y0 / n * rad, hex("0x1.23156d898cbbbp-3"));
  EXPECT_EQ(y1 / n * rad, hex("0x1.40cda0052589ap-1"));
}

/// A python3 that imports numpy, or "".
std::string pythonWithNumpy() {
  for (const char *py : {"/usr/bin/python3", "python3"}) {
    std::string cmd = std::string(py) + " -c 'import numpy' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0)
      return py;
  }
  return "";
}

TEST(NumpyRandom, MatchesNumpyLongMixedSequence) {
  std::string py = pythonWithNumpy();
  if (py.empty())
    GTEST_SKIP() << "no python3 with numpy";
  // Several seeds; per seed: 1000 rand, 501 randn (odd: leaves a cached
  // value), 300 uniform(-3, 5), 200 randint(0, 50), 200 randint(0, 2),
  // 101 normal(2, 0.5), randint(-5, 1000000) x 50.
  const char *script =
      "import numpy as np\n"
      "for s in (0, 1, 42, 4294967295):\n"
      "  np.random.seed(s)\n"
      "  for v in np.random.rand(1000): print(float(v).hex())\n"
      "  for v in np.random.randn(501): print(float(v).hex())\n"
      "  for i in range(300): print(float(np.random.uniform(-3, 5)).hex())\n"
      "  for i in range(200): print(int(np.random.randint(0, 50)))\n"
      "  for i in range(200): print(int(np.random.randint(0, 2)))\n"
      "  for i in range(101): print(float(np.random.normal(2, .5)).hex())\n"
      "  for i in range(50): print(int(np.random.randint(-5, 1000000)))\n";
  std::string cmd = py + " -c '" + script + "'";
  FILE *p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::vector<std::string> lines;
  char buf[128];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string l(buf);
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
      l.pop_back();
    lines.push_back(l);
  }
  ASSERT_EQ(pclose(p), 0);
  ASSERT_EQ(lines.size(), 4u * (1000 + 501 + 300 + 200 + 200 + 101 + 50));
  size_t k = 0;
  auto real = [&](double got) {
    ASSERT_EQ(got, hex(lines[k].c_str())) << "line " << k;
    ++k;
  };
  auto integer = [&](int64_t got) {
    ASSERT_EQ(got, std::stoll(lines[k])) << "line " << k;
    ++k;
  };
  NumpyRandom r;
  for (uint32_t s : {0u, 1u, 42u, 4294967295u}) {
    r.seed(s);
    for (int i = 0; i < 1000; ++i)
      real(r.randomSample());
    for (int i = 0; i < 501; ++i)
      real(r.gauss());
    for (int i = 0; i < 300; ++i)
      real(r.uniform(-3, 5));
    for (int i = 0; i < 200; ++i)
      integer(r.randint(0, 50));
    for (int i = 0; i < 200; ++i)
      integer(r.randint(0, 2));
    for (int i = 0; i < 101; ++i)
      real(r.normal(2, .5));
    for (int i = 0; i < 50; ++i)
      integer(r.randint(-5, 1000000));
  }
}

} // namespace
