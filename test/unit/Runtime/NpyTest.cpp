//===- NpyTest.cpp - .npy read/write round trips and numpy interop --------===//
#include "dgc/runtime/Npy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using dgc::rt::NpyArray;
using dgc::rt::NpyError;
using dgc::rt::readNpy;
using dgc::rt::writeNpy;

namespace {

std::string tempPath(const std::string &name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("dgc-npy-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

/// A python3 that can import numpy, or empty.
std::string numpyPython() {
  for (const char *py : {"python3", "/usr/bin/python3"}) {
    std::string cmd = std::string(py) + " -c 'import numpy' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0)
      return py;
  }
  return "";
}

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

} // namespace

TEST(Npy, RoundTripDouble2D) {
  std::vector<double> v = {1.5, -2.25, 3e-300, 4e300, 0.0, -0.0};
  std::string p = tempPath("d.npy");
  writeNpy<double>(p, {2, 3}, v.data());
  NpyArray a = readNpy(p);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(a.float32);
  EXPECT_EQ(a.data, v);
}

TEST(Npy, RoundTripFloat1DAndScalar) {
  std::vector<float> v = {1.5f, -2.25f, 1e-30f};
  std::string p = tempPath("f.npy");
  writeNpy<float>(p, {3}, v.data());
  NpyArray a = readNpy(p);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
  EXPECT_TRUE(a.float32);
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_EQ(a.data[i], static_cast<double>(v[i]));
  double s = 7;
  writeNpy<double>(p, {}, &s);
  a = readNpy(p);
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.data, std::vector<double>{7});
}

TEST(Npy, RefusesWhatItCannotRead) {
  std::string p = tempPath("bad.npy");
  writeBytes(p, "hello, not numpy");
  EXPECT_THROW(readNpy(p), NpyError);
  try {
    readNpy(p);
  } catch (const NpyError &e) {
    EXPECT_NE(std::string(e.what()).find("not a .npy file"), std::string::npos);
  }
  EXPECT_THROW(readNpy(tempPath("missing.npy")), NpyError);

  // A valid header that promises more data than the file holds.
  std::vector<double> v(4, 1.0);
  writeNpy<double>(p, {4}, v.data());
  std::string whole;
  {
    std::ifstream in(p, std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(in), {});
  }
  writeBytes(p, whole.substr(0, whole.size() - 8));
  EXPECT_THROW(readNpy(p), NpyError);

  // Integer dtype and Fortran order are refused by name.
  std::string h = "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }";
  h.append(64 - (10 + h.size() + 1) % 64, ' ');
  h += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8) +
                     std::string(1, static_cast<char>(h.size())) +
                     std::string(1, '\0') + h + std::string(8, '\0');
  writeBytes(p, file);
  try {
    readNpy(p);
    FAIL() << "int64 accepted";
  } catch (const NpyError &e) {
    EXPECT_NE(std::string(e.what()).find("'<i8' is not supported"),
              std::string::npos);
  }
}

TEST(Npy, InteropWithNumpy) {
  std::string py = numpyPython();
  if (py.empty())
    GTEST_SKIP() << "numpy is not installed; interop not checked";
  std::vector<double> v = {1, 2, 3, 4, 5, 6};
  std::string ours = tempPath("ours.npy"), theirs = tempPath("theirs.npy");
  writeNpy<double>(ours, {3, 2}, v.data());
  std::string cmd = py + " -c \"import numpy as np; a = np.load('" + ours +
                    "'); assert a.shape == (3, 2) and a.dtype == np.float64 "
                    "and a[2, 1] == 6.0; np.save('" + theirs +
                    "', np.arange(12, dtype=np.float32).reshape(4, 3))\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  NpyArray a = readNpy(theirs);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{4, 3}));
  EXPECT_TRUE(a.float32);
  EXPECT_EQ(a.data[11], 11.0);
}
