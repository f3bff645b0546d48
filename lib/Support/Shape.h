//===- Shape.h - Static tensor shapes ---------------------------*- C++ -*-===//
//
// Part of dgc. A shape is a list of extents; the empty list is a scalar.
// Shared by the AST (types computed by Sema) and the IR (every value's type).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dgc {

struct Shape {
  std::vector<int64_t> dims;

  Shape() = default;
  Shape(std::initializer_list<int64_t> d) : dims(d) {}
  explicit Shape(std::vector<int64_t> d) : dims(std::move(d)) {}

  static Shape scalar() { return Shape(); }
  int rank() const { return static_cast<int>(dims.size()); }
  bool isScalar() const { return dims.empty(); }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    return n;
  }
  int64_t operator[](int i) const { return dims[static_cast<size_t>(i)]; }
  bool operator==(const Shape &o) const { return dims == o.dims; }
  bool operator!=(const Shape &o) const { return dims != o.dims; }

  /// `real`, `real[50]`, `real[200, 50]`: the spelling users write.
  std::string str() const {
    if (dims.empty())
      return "real";
    std::string s = "real[";
    for (size_t i = 0; i < dims.size(); ++i) {
      if (i)
        s += ", ";
      s += std::to_string(dims[i]);
    }
    return s + "]";
  }
};

} // namespace dgc
