//===- InputCheck.h - Checks on a simulation's input arrays -----*- C++ -*-===//
//
// Part of dgc's runtime. The checks on the arrays a user gives `dgc
// simulate` (the initial state, a flat parameter file) and on any .npy a
// runtime program reads, as functions of the model's facts (name, sizes,
// shape) rather than of a generated model type: the simulation program
// calls them (SimulateCli.h), and so does the `dgc` driver before it
// compiles that program, so that a wrong-shaped array is reported at once
// and in the same words. Needs only Npy.h (no Eigen).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Npy.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace dgc::rt {

/// A bad command line or input file: the message is printed as `error: ...`.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Reads a .npy file, turning its errors into InputError.
inline NpyArray readInput(const std::string &path, const char *what) {
  try {
    return readNpy(path);
  } catch (const NpyError &e) {
    throw InputError(std::string(what) + ": " + e.what());
  }
}

inline void requireFinite(const NpyArray &a, const std::string &path,
                          const char *what) {
  for (size_t i = 0; i < a.data.size(); ++i)
    if (!std::isfinite(a.data[i]))
      throw InputError(std::string(what) + " " + path + " holds a " +
                       (std::isnan(a.data[i]) ? "NaN" : "non-finite value") +
                       " at element " + std::to_string(i));
}

/// "(a, b, c)" or "(n,)", as numpy prints a shape.
inline std::string shapeString(const std::vector<int64_t> &s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.size() == 1 ? ",)" : ")");
}

/// An initial state fits a model of `stateSize` elements whose own shape is
/// `ownShape` (e.g. (NY, NX) for a 2-D field) when it is the flat state or
/// that shape, either with a leading 1; it must also be finite.
inline void checkInitialState(const NpyArray &a, const std::string &path,
                              const std::string &model, int64_t stateSize,
                              const std::vector<int64_t> &ownShape) {
  std::vector<std::vector<int64_t>> shapes = {{stateSize}};
  if (ownShape != shapes[0])
    shapes.push_back(ownShape);
  std::vector<std::string> ok;
  bool fits = false;
  for (const std::vector<int64_t> &want : shapes) {
    std::vector<int64_t> lead = {1};
    lead.insert(lead.end(), want.begin(), want.end());
    fits = fits || a.shape == want || a.shape == lead;
    ok.push_back(shapeString(want));
    ok.push_back(shapeString(lead));
  }
  if (!fits) {
    std::string need;
    for (size_t i = 0; i < ok.size(); ++i)
      need += (i == 0 ? "" : i + 1 == ok.size() ? " or " : ", ") + ok[i];
    throw InputError("initial state " + path + " has shape " +
                     shapeString(a.shape) + "; model " + model + " needs " +
                     need);
  }
  requireFinite(a, path, "initial state");
}

/// A parameter file: float64, flat, `paramCount` finite values.
inline void checkParamsArray(const NpyArray &a, const std::string &path,
                             const std::string &model, int64_t paramCount) {
  if (a.float32)
    throw InputError("parameters " + path + " are float32; expected float64");
  if (a.shape.size() != 1 || a.shape[0] != paramCount)
    throw InputError("parameters " + path + " must be a flat array of " +
                     std::to_string(paramCount) +
                     (paramCount == 1 ? " value" : " values") + " (model " +
                     model + ")");
  requireFinite(a, path, "parameters");
}

/// The parameters at `path`: a flat P.npy, or the folder `dgc train -o DIR`
/// writes (its latest parameters, DIR/params.npy), checked for `model`.
inline NpyArray readParams(const std::string &path, const std::string &model,
                           int64_t paramCount) {
  std::error_code ec;
  std::string file = path;
  if (std::filesystem::is_directory(path, ec)) {
    file = (std::filesystem::path(path) / "params.npy").string();
    if (!std::filesystem::exists(file, ec))
      throw InputError("parameters: '" + path + "' is a folder without "
                       "params.npy (give P.npy or a folder written by "
                       "`dgc train -o DIR`)");
  }
  NpyArray a = readInput(file, "parameters");
  checkParamsArray(a, file, model, paramCount);
  return a;
}

} // namespace dgc::rt
