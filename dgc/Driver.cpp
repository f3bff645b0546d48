//===- Driver.cpp - The dgc pipeline up to a requested stage --------------===//
//
// Part of dgc. `compileModels` is the pipeline, one line per stage; each
// subcommand runs it to the stage it needs and prints or writes the result.
// User errors are reported through the DiagnosticEngine and turn into exit
// status 1.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"
#include "LocalModel.h"
#include "CxxInput.h"
#include "UserError.h"
#include "dgc/runtime/AtomicFile.h"

#include "AST/ASTDumper.h"
#include "CodeGen/CppEmitter.h"
#include "IR/Printer.h"
#include "Lex/Lexer.h"
#include "Lower/Lower.h"
#include "Parse/Parser.h"
#include "Schedule/Schedule.h"
#include "Sema/CheckedModel.h"
#include "Sema/Sema.h"
#include "Transforms/Passes.h"

#include <fmt/core.h>

#include <cassert>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace dgc::driver {

namespace {

/// Parses `-D NAME=VALUE` arguments; reports malformed ones.
std::optional<Defines> parseDefines(const std::vector<std::string> &raw) {
  Defines out;
  bool ok = true;
  for (const std::string &d : raw) {
    size_t eq = d.find('=');
    std::string name = d.substr(0, eq);
    bool nameOk = !name.empty() &&
                  (std::isalpha(static_cast<unsigned char>(name[0])) ||
                   name[0] == '_');
    for (char c : name)
      nameOk = nameOk && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (eq == std::string::npos || !nameOk) {
      userError("-D expects NAME=VALUE, got '" + d + "'");
      ok = false;
      continue;
    }
    std::string value = d.substr(eq + 1);
    char *end = nullptr;
    errno = 0;
    double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) {
      userError("-D " + name + ": '" + value + "' is not a finite real number");
      ok = false;
      continue;
    }
    out[name] = v;
  }
  if (!ok)
    return std::nullopt;
  return out;
}

/// Everything the pipeline produced for one file.
struct Compilation {
  SourceManager sm;
  File file;
  std::vector<ir::ModelIR> models;
};

enum class Stop { Tokens, AST, IR };

/// The pipeline: read, parse, check, lower, derive. Returns false (with the
/// errors printed) on any user error.
bool compileModels(const Options &opts, Stop stop, Compilation &c,
                   std::string *dump) {
  if (isCxxInput(opts.input) && stop == Stop::IR)
    return loadCxxModels({opts.input, opts.function, opts.structure,
                          opts.grid, opts.cxxFlags}, c.sm, c.models);
  std::string err;
  uint32_t buf = c.sm.addFile(opts.input, err);
  if (buf == 0) {
    userError(err);
    return false;
  }
  DiagnosticEngine diags(c.sm);
  if (stop == Stop::Tokens) {
    *dump = dumpTokens(buf, c.sm, diags);
    return !diags.hasErrors();
  }
  c.file = parseFile(buf, c.sm, diags);
  if (diags.hasErrors())
    return false;
  if (stop == Stop::AST) {
    *dump = dumpAST(c.file);
    return true;
  }
  std::optional<Defines> defines = parseDefines(opts.defines);
  if (!defines)
    return false;

  bool found = opts.model.empty();
  for (const Model &m : c.file.models)
    found = found || m.name == opts.model;
  if (!found) {
    std::string names;
    for (const Model &m : c.file.models)
      names += (names.empty() ? "" : ", ") + m.name;
    userError("no model named '" + opts.model + "' in '" + opts.input +
              "' (it has: " + names + ")");
    return false;
  }
  // A -D applies to every selected model that declares that const; it is an
  // error only when none does.
  std::map<std::string, bool> defineUsed;
  for (const auto &[name, value] : *defines)
    defineUsed[name] = false;
  for (const Model &m : c.file.models)
    if (opts.model.empty() || m.name == opts.model)
      for (const DeclPtr &d : m.decls)
        if (d->kind == Decl::Kind::Const && defineUsed.count(d->name))
          defineUsed[d->name] = true;
  for (const auto &[name, used] : defineUsed)
    if (!used) {
      userError("no const named '" + name + "' to override");
      return false;
    }

  for (Model &m : c.file.models) {
    if (!opts.model.empty() && m.name != opts.model)
      continue;
    Defines own;
    for (const DeclPtr &d : m.decls)
      if (d->kind == Decl::Kind::Const && defines->count(d->name))
        own[d->name] = defines->at(d->name);
    std::unique_ptr<CheckedModel> checked = checkModel(m, own, diags);
    if (!checked)
      continue;
    ir::ModelIR mir = lowerModel(*checked);
    transforms::deriveModel(mir);
    if (opts.local.requested() &&
        !addLocalModel(m, own, mir, opts.local, c.sm, diags))
      continue;
    c.models.push_back(std::move(mir));
  }
  return !diags.hasErrors();
}

std::string joinLaws(const ir::Laws &laws) {
  std::vector<std::string> parts;
  if (laws.conservesEnergy)
    parts.push_back("conserves energy");
  if (laws.dissipatesEnergy)
    parts.push_back("dissipates energy");
  if (laws.conservesMass)
    parts.push_back("conserves mass");
  if (parts.empty())
    return "none derived";
  std::string s;
  for (const std::string &p : parts)
    s += (s.empty() ? "" : ", ") + p;
  return s;
}

std::string describeState(const ir::ModelIR &m, const ir::StateVar &s) {
  if (s.grid >= 0)
    return fmt::format("{}: field({}) {}", s.name, m.grids[s.grid].name,
                       s.shape.str());
  return fmt::format("{}: {}", s.name, s.shape.str());
}

std::string checkReport(const ir::ModelIR &m) {
  std::string out = fmt::format("model {}\n", m.name);
  std::string states;
  for (const ir::StateVar &s : m.states)
    states += (states.empty() ? "" : ", ") + describeState(m, s);
  out += fmt::format("  state size: {} ({})\n", m.stateSize, states);
  out += fmt::format("  parameters: {} in {} tensor{}\n", m.paramCount,
                     m.params.size(), m.params.size() == 1 ? "" : "s");
  if (m.kind == ir::ModelIR::Kind::VectorField) {
    out += "  kind: vector field (no energy, no laws)\n";
    return out;
  }
  out += fmt::format("  laws: {}\n", joinLaws(m.laws));
  out += fmt::format("  separable: {}\n",
                     !m.laws.separable ? "no"
                     : m.laws.symplecticScale != 0
                         ? "yes (H = V(q) + T(p))"
                         : "yes (H = V(q) + T(p)), but G is not c S: no "
                           "leapfrog");
  return out;
}

/// The code generation options of `opts` (the banner's file name,
/// --dg-numerics; main.cpp has checked its spelling).
codegen::EmitOptions emitOptionsFor(const Options &opts) {
  codegen::EmitOptions eo;
  eo.sourceName = std::filesystem::path(opts.input).filename().string();
  if (!opts.dgNumerics.empty() &&
      !codegen::parseDgNumerics(opts.dgNumerics, eo.dgNumerics))
    assert(false && "--dg-numerics is checked by the command line");
  return eo;
}

bool writeOrPrint(const Options &opts, const std::string &text) {
  if (opts.output.empty() || opts.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return true;
  }
  return writeFileAtomic(opts.output, text);
}

} // namespace

bool writeFileAtomic(const std::string &path, const std::string &text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".")
                                              : target.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    userError("cannot write '" + path + "': no such directory '" +
              dir.string() + "'");
    return false;
  }
  // Temporary file, fsync, rename, fsync of the folder (AtomicFile.h).
  try {
    rt::writeFileAtomic(path, text);
  } catch (const rt::AtomicWriteError &e) {
    userError(e.what());
    return false;
  }
  return true;
}

int runCheck(const Options &opts) {
  Compilation c;
  if (!compileModels(opts, Stop::IR, c, nullptr))
    return 1;
  for (const ir::ModelIR &m : c.models)
    std::fputs(checkReport(m).c_str(), stdout);
  return 0;
}

int runCompile(const Options &opts) {
  Compilation c;
  if (!compileModels(opts, Stop::IR, c, nullptr))
    return 1;
  codegen::EmitOptions eo = emitOptionsFor(opts);
  return writeFileAtomic(opts.output, codegen::emitHeader(c.models, eo)) ? 0
                                                                          : 1;
}

int runEmit(const Options &opts) {
  Compilation c;
  std::string text;
  if (opts.stage == "tokens" || opts.stage == "ast") {
    if (!compileModels(opts, opts.stage == "tokens" ? Stop::Tokens : Stop::AST,
                       c, &text))
      return 1;
    return writeOrPrint(opts, text) ? 0 : 1;
  }
  if (!compileModels(opts, Stop::IR, c, nullptr))
    return 1;
  if (opts.stage == "ir") {
    for (const ir::ModelIR &m : c.models)
      text += ir::printModel(m);
  } else if (opts.stage == "ddiff") {
    // The discrete-gradient functions only (automatic discrete
    // differentiation and G applied to its result).
    for (const ir::ModelIR &m : c.models) {
      text += fmt::format("// model {}\n", m.name);
      for (const ir::Function &f : m.functions)
        if (f.name.rfind("discrete_", 0) == 0)
          text += ir::printFunction(f) + "\n";
    }
  } else if (opts.stage == "sparsity") {
    for (const ir::ModelIR &m : c.models)
      text += ir::printSparsity(m);
  } else if (opts.stage == "sched") {
    for (const ir::ModelIR &m : c.models)
      for (const ir::Function &f : m.functions) {
        text += fmt::format("// model {}\n", m.name);
        text += schedule::printSchedule(f);
      }
  } else {
    text = codegen::emitHeader(c.models, emitOptionsFor(opts));
  }
  return writeOrPrint(opts, text) ? 0 : 1;
}

bool buildModels(const Options &opts, std::vector<ir::ModelIR> &out,
                 std::string &headerText) {
  Compilation c;
  if (!compileModels(opts, Stop::IR, c, nullptr))
    return false;
  codegen::EmitOptions eo = emitOptionsFor(opts);
  headerText = codegen::emitHeader(c.models, eo);
  out = std::move(c.models);
  return true;
}

} // namespace dgc::driver
