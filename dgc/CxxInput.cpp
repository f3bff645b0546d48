//===- CxxInput.cpp - C++ energy functions as dgc models ------------------===//
//
// Part of dgc. For each imported energy function: synthesise
//
//   model NAME {
//     grid x = periodic(N, LENGTH);   // with --grid
//     state u : field(x);             // or `real[N]` without --grid
//     energy H = sum(u);              // replaced by the C++ energy
//     structure G = STRUCTURE;
//   }
//
// run it through parseFile, checkModel and lowerModel (so the structure,
// its laws and the inner-product weights are the dg front end's own), put
// the imported `energy` in place of the placeholder, and derive.
//
//===----------------------------------------------------------------------===//
#include "CxxInput.h"
#include "UserError.h"

#include "CxxFrontend/ClangImporter.h"
#include "Lower/Lower.h"
#include "Parse/Parser.h"
#include "Sema/CheckedModel.h"
#include "Sema/Sema.h"
#include "Support/Diagnostics.h"
#include "Transforms/Passes.h"

#include <fmt/core.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace dgc::driver {

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Parses `N,LENGTH` (N a positive integer, LENGTH > 0).
bool parseGrid(const std::string &text, int64_t &n, double &length) {
  size_t comma = text.find(',');
  if (comma == std::string::npos) {
    userError("--grid expects N,LENGTH (e.g. --grid 50,10.0), got '" + text +
              "'");
    return false;
  }
  std::string ns = text.substr(0, comma), ls = text.substr(comma + 1);
  char *end = nullptr;
  errno = 0;
  long long nv = std::strtoll(ns.c_str(), &end, 10);
  if (ns.empty() || *end != '\0' || errno == ERANGE || nv <= 0 ||
      nv > (int64_t(1) << 24)) {
    userError("--grid: the number of points '" + ns +
              "' is not a positive integer");
    return false;
  }
  errno = 0;
  double lv = std::strtod(ls.c_str(), &end);
  if (ls.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(lv) ||
      lv <= 0) {
    userError("--grid: the length '" + ls + "' is not a positive real number");
    return false;
  }
  n = nv;
  length = lv;
  return true;
}

/// A dg identifier for the model, from the C++ function's name.
std::string modelName(const std::string &fn) {
  std::string s;
  for (char c : fn)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  static const char *keywords[] = {
      "model", "const", "grid", "state", "param", "net", "let", "energy",
      "structure", "vectorfield", "conserves", "dissipates", "init",
      "nonneg", "true", "false"};
  bool clash = s.empty() || std::isdigit(static_cast<unsigned char>(s[0]));
  for (const char *k : keywords)
    clash = clash || s == k;
  return clash ? "cxx_" + s : s;
}

} // namespace

bool isCxxInput(const std::string &path) {
  return endsWith(path, ".cpp") || endsWith(path, ".cc") ||
         endsWith(path, ".cxx") || endsWith(path, ".C");
}

bool loadCxxModels(const CxxInputOptions &opts, SourceManager &sm,
                   std::vector<ir::ModelIR> &models, bool derive) {
  if (opts.structure.empty()) {
    userError("C++ input needs --structure (S, D, D2, -I, \"S - "
              "friction(0.1)\", ...): the structure matrix G of du/dt = G "
              "grad H");
    return false;
  }
  int64_t n = 0;
  double length = 0;
  if (!opts.grid.empty() && !parseGrid(opts.grid, n, length))
    return false;

  std::string err;
  uint32_t buf = sm.addFile(opts.input, err);
  if (buf == 0) {
    userError(err);
    return false;
  }
  cxx::ImportOptions io;
  io.path = opts.input;
  io.code = std::string(sm.text(buf));
  io.function = opts.function;
  io.stateSize = n;
  io.flags = opts.flags;
  io.buffer = buf;
  std::vector<cxx::ImportedEnergy> energies;
  if (!cxx::importEnergies(io, energies))
    return false;

  DiagnosticEngine diags(sm);
  for (cxx::ImportedEnergy &e : energies) {
    std::string name = modelName(e.name);
    std::string text = fmt::format("model {} {{\n", name);
    if (n > 0) {
      text += fmt::format("  grid x = periodic({}, {:.17g});\n", n, length);
      text += "  state u : field(x);\n";
    } else {
      text += fmt::format("  state u : real[{}];\n", e.stateSize);
    }
    text += "  energy H = sum(u);\n";
    text += "  structure G = " + opts.structure + ";\n}\n";
    uint32_t mbuf = sm.addBuffer("<--structure>", text);
    File file = parseFile(mbuf, sm, diags);
    if (diags.hasErrors() || file.models.size() != 1)
      return false;
    std::unique_ptr<CheckedModel> checked =
        checkModel(file.models[0], Defines{}, diags);
    if (!checked)
      return false;
    ir::ModelIR m = lowerModel(*checked);
    ir::Function *placeholder = m.find("energy");
    if (!placeholder || m.stateSize != e.stateSize) {
      userError("internal: synthesised model does not match the C++ energy");
      return false;
    }
    *placeholder = std::move(e.energy);
    if (derive)
      transforms::deriveModel(m);
    models.push_back(std::move(m));
  }
  return !diags.hasErrors();
}

} // namespace dgc::driver
