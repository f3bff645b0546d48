//===- NpyTest.cpp - .npy read/write round trips and numpy interop --------===//
#include "dgc/runtime/Npy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

/// A version 1.0 .npy file with the given header fields and data bytes.
std::string rawNpy(const std::string &descr, const std::string &fortran,
                   const std::string &shape, const std::string &body) {
  std::string h = "{'descr': " + descr + ", 'fortran_order': " + fortran +
                  ", 'shape': " + shape + ", }";
  h.append(64 - (10 + h.size() + 1) % 64, ' ');
  h += '\n';
  return std::string("\x93NUMPY\x01\x00", 8) +
         std::string(1, static_cast<char>(h.size())) + std::string(1, '\0') +
         h + body;
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

  // Integers, bools, float16 and complex are refused by name.
  for (const char *d : {"'<i8'", "'|b1'", "'<f2'", "'<c16'"}) {
    writeBytes(p, rawNpy(d, "False", "(1,)", std::string(16, '\0')));
    try {
      readNpy(p);
      ADD_FAILURE() << d << " accepted";
    } catch (const NpyError &e) {
      EXPECT_NE(std::string(e.what()).find(std::string(d) + " is not supported "
                                           "(expected float32 '<f4' or "
                                           "float64 '<f8'"),
                std::string::npos)
          << e.what();
    }
  }
}

/// The message of the NpyError that reading `bytes` throws ("" if none;
/// any other exception fails the test by escaping).
std::string npyErrorOf(const std::string &bytes) {
  std::istringstream in(bytes, std::ios::binary);
  try {
    readNpy(in, "f.npy");
  } catch (const NpyError &e) {
    return e.what();
  }
  return "";
}

// Found by test/fuzz/fuzz_npy (test/fuzz/regressions/npy): a header's shape
// is untrusted input.
TEST(Npy, HostileShapesAreNpyErrors) {
  // A short file whose header claims 2^39 elements: truncated, without
  // allocating 4 TiB first (that was std::bad_alloc, or an OOM under ASan).
  EXPECT_EQ(npyErrorOf(rawNpy("'<f8'", "False", "(549755813888,)",
                              std::string(16, '\0'))),
            "f.npy: truncated data (expected 549755813888 elements)");
  // A dimension past int64: was std::out_of_range from std::stoll.
  EXPECT_EQ(npyErrorOf(rawNpy("'<f8'", "False", "(99999999999999999999,)", "")),
            "f.npy: array too large (shape (99999999999999999999,))");
  // An element count past int64: was signed overflow in NpyArray::numel.
  EXPECT_EQ(npyErrorOf(rawNpy("'<f8'", "False", "(3037000500, 3037000500, 2)", "")),
            "f.npy: array too large");
  // No elements, but Fortran strides past int64: was signed overflow.
  EXPECT_EQ(npyErrorOf(rawNpy("'<f8'", "True",
                              "(0, 2147483648, 2147483648, 2147483648)", "")),
            "f.npy: array too large");
  // Zero-size arrays of sane shape are still read.
  EXPECT_EQ(npyErrorOf(rawNpy("'<f8'", "True", "(0, 5)", "")), "");
}

TEST(Npy, ReadsFromAStream) {
  std::vector<double> v = {1.0, -2.5};
  std::string p = tempPath("stream.npy");
  writeNpy<double>(p, {2}, v.data());
  std::ifstream in(p, std::ios::binary);
  NpyArray a = readNpy(in, p);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(a.data, v);
}

TEST(Npy, ReadsEitherByteOrder) {
  std::string p = tempPath("order.npy");
  writeBytes(p, rawNpy("'>f8'", "False", "(1,)",
                       std::string("\x3f\xf8\0\0\0\0\0\0", 8)));
  EXPECT_EQ(readNpy(p).data, std::vector<double>{1.5});
  writeBytes(p, rawNpy("'>f4'", "False", "(2,)",
                       std::string("\xbf\x40\0\0\x40\0\0\0", 8)));
  NpyArray a = readNpy(p);
  EXPECT_TRUE(a.float32);
  EXPECT_EQ(a.data, (std::vector<double>{-0.75, 2}));
}

TEST(Npy, FortranOrderIsReadInCOrder) {
  // A 2 x 3 array [[0, 1, 2], [3, 4, 5]] stored column by column.
  std::string body;
  for (double x : {0.0, 3.0, 1.0, 4.0, 2.0, 5.0})
    body.append(reinterpret_cast<const char *>(&x), 8);
  std::string p = tempPath("fortran.npy");
  writeBytes(p, rawNpy("'<f8'", "True", "(2, 3)", body));
  NpyArray a = readNpy(p);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.data, (std::vector<double>{0, 1, 2, 3, 4, 5}));
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
  // A transposed (Fortran order) big-endian float32 array and a 3-D
  // Fortran float64 one.
  cmd = py + " -c \"import numpy as np; "
             "np.save('" + theirs + "', np.arange(6, dtype='>f4').reshape(2, 3).T); "
             "np.save('" + ours + "', np.asfortranarray(np.arange(24.0).reshape(2, 3, 4)))\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  a = readNpy(theirs);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(a.data, (std::vector<double>{0, 3, 1, 4, 2, 5}));
  a = readNpy(ours);
  ASSERT_EQ(a.shape, (std::vector<int64_t>{2, 3, 4}));
  for (size_t k = 0; k < 24; ++k)
    EXPECT_EQ(a.data[k], static_cast<double>(k)) << k;
}
