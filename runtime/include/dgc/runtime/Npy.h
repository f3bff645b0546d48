//===- Npy.h - NumPy .npy arrays: read and write ----------------*- C++ -*-===//
//
// Part of dgc's runtime. Reads and writes NumPy's `.npy` format (versions 1.0
// to 3.0), float32 and float64: what `np.save` writes and `np.load` reads.
// Reading takes either byte order and C or Fortran order (a transposed
// array), converted to double in C order; writing is little endian, C
// order. Every other dtype (integers, bools, float16, complex, strings) and
// a truncated file are refused with an NpyError whose message names the
// file and the problem: a state or parameter file of integers is more
// often a mistake than a state. Header-only so that programs compiled by
// `dgc simulate` need no library.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/AtomicFile.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dgc::rt {

struct NpyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An array read from a .npy file, converted to double.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<double> data;
  bool float32 = false; ///< the file held float32

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

namespace npy_detail {

inline bool hostIsLittleEndian() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

/// The value of `key` in the header dict, as the raw text up to the next
/// top-level comma or closing brace.
inline std::string dictValue(const std::string &h, const std::string &key,
                             const std::string &path) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos)
    throw NpyError(path + ": not a valid .npy file (header has no '" + key +
                   "')");
  size_t colon = h.find(':', k);
  if (colon == std::string::npos)
    throw NpyError(path + ": not a valid .npy file (malformed header)");
  size_t i = colon + 1;
  while (i < h.size() && h[i] == ' ')
    ++i;
  int depth = 0;
  size_t j = i;
  for (; j < h.size(); ++j) {
    char c = h[j];
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  std::string v = h.substr(i, j - i);
  while (!v.empty() && v.back() == ' ')
    v.pop_back();
  return v;
}

/// The most elements (and the largest product of the nonzero dimensions)
/// an array may have: 2^40, far beyond any state, parameter or trajectory.
inline constexpr int64_t kMaxElements = int64_t(1) << 40;

inline std::vector<int64_t> parseShape(const std::string &v,
                                       const std::string &path) {
  if (v.size() < 2 || v.front() != '(' || v.back() != ')')
    throw NpyError(path + ": not a valid .npy file (bad shape '" + v + "')");
  std::vector<int64_t> shape;
  size_t i = 1;
  while (i < v.size() - 1) {
    while (i < v.size() - 1 && (v[i] == ' ' || v[i] == ','))
      ++i;
    if (i >= v.size() - 1)
      break;
    size_t j = i;
    while (j < v.size() - 1 && v[j] >= '0' && v[j] <= '9')
      ++j;
    if (j == i)
      throw NpyError(path + ": not a valid .npy file (bad shape '" + v + "')");
    // Digit by digit, stopping past kMaxElements: std::stoll would throw
    // std::out_of_range (not an NpyError) on a long run of digits.
    int64_t d = 0;
    for (size_t k = i; k < j; ++k) {
      d = d * 10 + (v[k] - '0');
      if (d > kMaxElements)
        throw NpyError(path + ": array too large (shape " + v + ")");
    }
    shape.push_back(d);
    while (j < v.size() - 1 && v[j] == 'L') // Python 2 longs
      ++j;
    i = j;
  }
  return shape;
}

/// A dtype this reader converts: float32 or float64 (width 4 or 8) and
/// whether its bytes are in the other order than the host's.
struct Dtype {
  size_t width = 0; ///< 0: not a dtype this reader takes
  bool swap = false;
};

/// Parses a descr such as '<f8', '>f4', '=f8'.
inline Dtype parseDescr(const std::string &d) {
  Dtype t;
  if (d.size() != 5 || d.front() != '\'' || d.back() != '\'' || d[2] != 'f' ||
      (d[3] != '4' && d[3] != '8'))
    return t;
  const char order = d[1];
  const bool little = hostIsLittleEndian();
  if (order != '<' && order != '>' && order != '=')
    return t;
  t.width = d[3] == '4' ? 4 : 8;
  t.swap = (order == '<' && !little) || (order == '>' && little);
  return t;
}

/// Element `p` (file byte order) as a double.
inline double decode(const Dtype &t, const char *p) {
  unsigned char b[8];
  std::memcpy(b, p, t.width);
  if (t.swap)
    for (size_t i = 0; i < t.width / 2; ++i)
      std::swap(b[i], b[t.width - 1 - i]);
  if (t.width == 8) {
    double d;
    std::memcpy(&d, b, 8);
    return d;
  }
  float f;
  std::memcpy(&f, b, 4);
  return f;
}

} // namespace npy_detail

/// Reads a float32 or float64 .npy array from `in` (see the file comment);
/// `path` names it in messages. readNpy(path) reads a file through this;
/// the fuzz target (test/fuzz/fuzz_npy.cpp) reads memory.
inline NpyArray readNpy(std::istream &in, const std::string &path) {
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw NpyError(path + ": not a .npy file (no NumPy magic string)");
  unsigned major = static_cast<unsigned char>(magic[6]);
  uint32_t hlen = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char *>(b), 2))
      throw NpyError(path + ": truncated .npy header");
    hlen = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char *>(b), 4))
      throw NpyError(path + ": truncated .npy header");
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  } else {
    throw NpyError(path + ": unsupported .npy version " +
                   std::to_string(major));
  }
  if (hlen > (1u << 20))
    throw NpyError(path + ": not a valid .npy file (header too long)");
  std::string header(hlen, '\0');
  if (!in.read(header.data(), hlen))
    throw NpyError(path + ": truncated .npy header");

  std::string descr = npy_detail::dictValue(header, "descr", path);
  std::string order = npy_detail::dictValue(header, "fortran_order", path);
  NpyArray a;
  a.shape = npy_detail::parseShape(
      npy_detail::dictValue(header, "shape", path), path);
  npy_detail::Dtype t = npy_detail::parseDescr(descr);
  if (t.width == 0)
    throw NpyError(path + ": dtype " + descr +
                   " is not supported (expected float32 '<f4' or float64 "
                   "'<f8'; convert with .astype(np.float64))");
  a.float32 = t.width == 4;
  bool fortran = order == "True";
  if (!fortran && order != "False")
    throw NpyError(path + ": not a valid .npy file (fortran_order is " +
                   order + ")");

  // The product of the nonzero dimensions bounds the element count and the
  // Fortran-order strides below; checked before either is computed (a
  // shape such as (0, 2^31, 2^31, 2^31) has no elements, but its strides
  // overflow).
  int64_t nonzero = 1;
  for (int64_t d : a.shape)
    if (d != 0) {
      if (nonzero > npy_detail::kMaxElements / d)
        throw NpyError(path + ": array too large");
      nonzero *= d;
    }
  int64_t n = a.numel();
  // Read in bounded chunks, growing the buffer with the bytes the stream
  // really holds: a short file whose header claims a huge shape is
  // "truncated", not a multi-gigabyte allocation first.
  const size_t bytes = static_cast<size_t>(n) * t.width;
  std::vector<char> raw;
  constexpr size_t kChunk = size_t(1) << 24;
  while (raw.size() < bytes) {
    size_t have = raw.size(), step = std::min(kChunk, bytes - have);
    raw.resize(have + step);
    if (!in.read(raw.data() + have, static_cast<std::streamsize>(step)))
      throw NpyError(path + ": truncated data (expected " +
                     std::to_string(n) + " elements)");
  }
  a.data.resize(static_cast<size_t>(n));
  // Fortran order: file element k has its first index fastest; the C-order
  // position of that element is found by counting the indices up.
  std::vector<int64_t> idx(a.shape.size(), 0), stride(a.shape.size(), 1);
  for (size_t d = a.shape.size(); d-- > 1;)
    stride[d - 1] = stride[d] * a.shape[d];
  for (int64_t k = 0; k < n; ++k) {
    int64_t dst = k;
    if (fortran) {
      dst = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        dst += idx[d] * stride[d];
      for (size_t d = 0; d < idx.size() && ++idx[d] == a.shape[d]; ++d)
        idx[d] = 0;
    }
    a.data[static_cast<size_t>(dst)] =
        npy_detail::decode(t, raw.data() + static_cast<size_t>(k) * t.width);
  }
  return a;
}

/// Reads a float32 or float64 .npy file (see the file comment).
inline NpyArray readNpy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw NpyError("cannot open '" + path + "'");
  return readNpy(in, path);
}

namespace npy_detail {

template <class T> const char *descrOf();
template <> inline const char *descrOf<double>() { return "<f8"; }
template <> inline const char *descrOf<float>() { return "<f4"; }

inline std::string header(const char *descr, const std::vector<int64_t> &shape) {
  std::string s = "{'descr': '";
  s += descr;
  s += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    s += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size())
      s += ",";
    if (i + 1 < shape.size())
      s += " ";
  }
  s += "), }";
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  size_t total = 10 + s.size() + 1;
  s.append((64 - total % 64) % 64, ' ');
  s += '\n';
  return s;
}

} // namespace npy_detail

/// Writes a C-order array atomically and durably (AtomicFile.h: a
/// temporary file next to `path`, fsync, rename), so a failure or a kill
/// leaves no partial file. Returns the digest of the file's bytes.
template <class T>
FileDigest writeNpy(const std::string &path, const std::vector<int64_t> &shape,
                    const T *data) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::string h = npy_detail::header(npy_detail::descrOf<T>(), shape);
  const char len[2] = {static_cast<char>(h.size() & 0xff),
                       static_cast<char>((h.size() >> 8) & 0xff)};
  try {
    return writeFileAtomic(path, {{"\x93NUMPY\x01\x00", 8},
                                  {len, 2},
                                  {h.data(), h.size()},
                                  {data, static_cast<size_t>(n) * sizeof(T)}});
  } catch (const AtomicWriteError &e) {
    throw NpyError(e.what());
  }
}

} // namespace dgc::rt
