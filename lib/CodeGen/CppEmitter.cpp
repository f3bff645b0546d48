//===- CppEmitter.cpp - One C++ header per .dg file -----------------------===//
//
// Part of dgc. Writes the generated header: includes, the prologue (embedded
// from Prologue.hpp at build time, guarded so several generated headers can
// share a translation unit), then per model a namespace
// `dgc_models::<Model>` with the model's constants and tables, `Params<T>`
// (flat storage with one accessor per parameter), `Workspace<T>`,
// `init_params`, one function per IR function (EmitFunction.cpp), and a
// `struct Model` naming all of it as one type for the runtime. The
// contract is documented in lib/CodeGen/README.md. Output is deterministic.
//
//===----------------------------------------------------------------------===//
#include "CodeGen/CppEmitter.h"
#include "CodeGen/EmitSupport.h"
#include "Support/Version.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include <fmt/ranges.h>

#include "PrologueText.inc"

namespace dgc::codegen {

//===----------------------------------------------------------------------===//
// Names and literals
//===----------------------------------------------------------------------===//

namespace {
const char *const kKeywords[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor",
    "bool", "break", "case", "catch", "char", "char8_t", "char16_t",
    "char32_t", "class", "compl", "concept", "const", "consteval",
    "constexpr", "constinit", "const_cast", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
    "float", "for", "friend", "goto", "if", "inline", "int", "long",
    "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
    "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "return", "short", "signed", "sizeof",
    "static", "static_assert", "static_cast", "struct", "switch", "template",
    "this", "thread_local", "throw", "true", "try", "typedef", "typeid",
    "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
    "wchar_t", "while", "xor", "xor_eq", "main", "std", "dgc_rt"};

/// Names the emitted code itself uses inside every model namespace.
const char *const kModelNames[] = {
    "T", "p", "ws", "i", "b", "batch", "r0", "seed", "rng", "data", "buf",
    "Params", "Workspace", "init_params", "model_name", "state_size",
    "param_count", "workspace_size", "conserves_energy", "dissipates_energy",
    "conserves_mass", "separable", "state_names", "state_offsets",
    "state_sizes", "state_shape", "inner_weight", "param_names", "param_offsets",
    "param_sizes", "param_nonneg", "J", "e", "col", "j", "Model",
    "TileWorkspace", "tile_workspace_size", "dg_numerics"};

/// The functions generic runtime code asks about: `Model::has_<name>` is
/// emitted for each of them, true or false.
const char *const kModelFunctions[] = {
    "energy", "grad", "time_derivative", "time_derivative_jvp",
    "time_derivative_jacobian", "discrete_grad", "discrete_time_derivative",
    "newton_residual", "newton_jvp", "newton_jacobian", "train_dg",
    "train_rk2", "train_rk4", "train_leapfrog", "time_derivative_vjp",
    "newton_jacobian_sparse", "time_derivative_jacobian_sparse"};
} // namespace

std::string NameGen::sanitize(const std::string &in) {
  std::string s;
  for (char c : in)
    s += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    s = "x" + s;
  // Identifiers with a double underscore or `_X` at the start are reserved.
  while (s.find("__") != std::string::npos)
    s.replace(s.find("__"), 2, "_");
  if (s[0] == '_')
    s = "x" + s;
  for (const char *k : kKeywords)
    if (s == k)
      return s + "_";
  return s;
}

std::string NameGen::fresh(const std::string &hint, const std::string &suffix) {
  std::string base = sanitize(hint);
  if (used.insert(base).second)
    return base;
  if (!suffix.empty() && used.insert(base + suffix).second)
    return base + suffix;
  for (int i = 2;; ++i) {
    std::string s = base + "_" + std::to_string(i);
    if (used.insert(s).second)
      return s;
  }
}

std::string literal(double v) {
  if (std::isnan(v))
    return "std::numeric_limits<T>::quiet_NaN()";
  if (std::isinf(v))
    return v > 0 ? "std::numeric_limits<T>::infinity()"
                 : "-std::numeric_limits<T>::infinity()";
  return fmt::format("T({:.17g})", v);
}

std::string fnFunctor(ir::Fn fn) {
  switch (fn) {
#define DGC_FN(Name, spelling, maxOrder)                                       \
  case ir::Fn::Name:                                                           \
    return "dgc_rt::" #Name;
#include "IR/Functions.def"
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Model namespaces
//===----------------------------------------------------------------------===//

namespace {

std::string quoted(const std::string &s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      q += '\\';
    q += c;
  }
  return q + "\"";
}

template <class Range, class Fmt>
std::string joinMapped(const Range &r, Fmt f) {
  std::string s;
  bool first = true;
  for (const auto &e : r) {
    s += (first ? "" : ", ") + f(e);
    first = false;
  }
  return s;
}

class ModelEmitter {
public:
  ModelEmitter(Printer &out, const ir::ModelIR &m, DgNumerics numerics)
      : out(out), m(m), numerics(numerics) {}

  void run() {
    for (const char *n : kModelNames)
      names.reserve(n);
    for (const ir::Function &f : m.functions) {
      names.reserve(f.name);
      names.reserve(f.name + "_batch");
      names.reserve(f.name + "_size");
    }
    std::string ns = NameGen::sanitize(m.name);
    out.line("namespace dgc_models::{} {{", ns);
    out.blank();
    // Functions first into a side printer: the workspace size is their max.
    Printer body;
    int64_t ws = 0, tileWs = 0;
    std::map<std::string, int64_t> wsOf;
    for (const ir::Function &f : m.functions) {
      int64_t size = emitFunction(body, m, f, names, numerics);
      wsOf[f.name] = size;
      (isTileFunction(f) ? tileWs : ws) = std::max(isTileFunction(f) ? tileWs : ws, size);
    }
    for (const ir::SparseJacobian &sj : m.sparseJacobians)
      if (sj.denseReason.empty())
        ws = std::max(ws, emitSparseJacobian(body, m, sj, wsOf[sj.jvp]));
    emitConstants(ws);
    out.line("inline constexpr std::int64_t tile_workspace_size = {};", tileWs);
    for (const ir::Function &f : m.functions)
      if (isTileFunction(f))
        out.line("inline constexpr std::int64_t {}_size = {};", f.name,
                 tileSize(f));
    out.blank();
    emitParams();
    out.line("/// Scratch memory of every function of this model; allocate it "
             "once (it may be large, prefer the heap) and reuse it. One per "
             "thread.");
    out.line("template <class T> struct Workspace {{");
    out.line("  std::array<T, (workspace_size > 0 ? workspace_size : 1)> buf;");
    out.line("}};");
    out.blank();
    out.line("/// Scratch memory of the tile functions (`X_tile`): on "
             "the heap, allocated when constructed. One per thread.");
    out.line("template <class T> struct TileWorkspace {{");
    out.line("  std::vector<T> buf = std::vector<T>("
             "tile_workspace_size > 0 ? tile_workspace_size : 1);");
    out.line("}};");
    out.blank();
    emitInit();
    out.raw(body.str());
    if (m.local)
      emitLocalNamespace(out, m);
    emitModelStruct(ns);
    out.line("}} // namespace dgc_models::{}", ns);
    out.blank();
  }

private:
  Printer &out;
  const ir::ModelIR &m;
  DgNumerics numerics;
  NameGen names;

  void emitConstants(int64_t ws) {
    out.line("inline constexpr const char* model_name = {};", quoted(m.name));
    out.line("/// The dgc that wrote this header (`dgc --version`).");
    out.line("inline constexpr const char* dgc_version = {};",
             quoted(kVersion));
    out.line("inline constexpr std::int64_t state_size = {};", m.stateSize);
    out.line("inline constexpr std::int64_t param_count = {};", m.paramCount);
    out.line("inline constexpr std::int64_t workspace_size = {};", ws);
    out.line("inline constexpr bool conserves_energy = {};",
             m.laws.conservesEnergy);
    out.line("inline constexpr bool dissipates_energy = {};",
             m.laws.dissipatesEnergy);
    out.line("inline constexpr bool conserves_mass = {};", m.laws.conservesMass);
    out.line("inline constexpr bool separable = {};", m.laws.separable);
    out.line("/// How the training functions compute divided differences "
             "(`dgc compile --dg-numerics`): \"exact\" or \"reference\".");
    out.line("inline constexpr const char* dg_numerics = {};",
             quoted(dgNumericsName(numerics)));
    out.blank();
    size_t ns = m.states.size(), np = m.params.size();
    out.line("/// State layout: the pieces of u, in declaration order.");
    out.line("inline constexpr std::array<const char*, {}> state_names = {{{}}};",
             ns, joinMapped(m.states, [](auto &s) { return quoted(s.name); }));
    out.line("inline constexpr std::array<std::int64_t, {}> state_offsets = {{{}}};",
             ns, joinMapped(m.states, [](auto &s) { return std::to_string(s.offset); }));
    out.line("inline constexpr std::array<std::int64_t, {}> state_sizes = {{{}}};",
             ns, joinMapped(m.states, [](auto &s) { return std::to_string(s.size()); }));
    std::vector<int64_t> shape = m.userStateShape();
    out.line("/// The shape of u as a user writes it (a lone field or vector "
             "state: its own shape; otherwise the flat state).");
    out.line("inline constexpr std::array<std::int64_t, {}> state_shape = {{{}}};",
             shape.size(), fmt::join(shape, ", "));
    out.line("/// Weight of each state element in the inner product (dx for "
             "field elements, 1 otherwise).");
    out.line("inline constexpr std::array<double, {}> inner_weight = {{{}}};",
             m.innerWeight.size(), joinMapped(m.innerWeight, [](double w) {
               return fmt::format("{:.17g}", w);
             }));
    out.line("/// Parameter table: the pieces of Params::data.");
    out.line("inline constexpr std::array<const char*, {}> param_names = {{{}}};",
             np, joinMapped(m.params, [](auto &p) { return quoted(p.name); }));
    out.line("inline constexpr std::array<std::int64_t, {}> param_offsets = {{{}}};",
             np, joinMapped(m.params, [](auto &p) { return std::to_string(p.offset); }));
    out.line("inline constexpr std::array<std::int64_t, {}> param_sizes = {{{}}};",
             np, joinMapped(m.params, [](auto &p) { return std::to_string(p.size()); }));
    out.line("/// Parameters kept >= 0 after every optimizer step.");
    out.line("inline constexpr std::array<bool, {}> param_nonneg = {{{}}};", np,
             joinMapped(m.params, [](auto &p) { return p.nonneg ? std::string("true") : std::string("false"); }));
    out.blank();
  }

  void emitParams() {
    NameGen members;
    members.reserve("data");
    out.line("/// Every trainable tensor in one flat vector (offsets in "
             "param_offsets).");
    out.line("template <class T> struct Params {{");
    {
      Printer::Indent in(out);
      out.line("std::array<T, (param_count > 0 ? param_count : 1)> data{{}};");
      for (const ir::ParamInfo &p : m.params) {
        std::string n = members.fresh(p.name);
        out.line("/// `{}` : {}", p.name, p.shape.str());
        out.line("T* {}() {{ return data.data() + {}; }}", n, p.offset);
        out.line("const T* {}() const {{ return data.data() + {}; }}", n,
                 p.offset);
      }
    }
    out.line("}};");
    out.blank();
  }

  /// `struct Model`: the namespace as a type for generic runtime code
  /// (runtime/include/dgc/runtime): its constants, `has_<fn>` flags, the
  /// Params/Workspace templates and static forwarders to every function.
  void emitModelStruct(const std::string &ns) {
    std::string q = "::dgc_models::" + ns + "::";
    std::vector<std::string> fns = {"init_params"};
    std::set<std::string> have;
    for (const ir::Function &f : m.functions) {
      have.insert(f.name);
      fns.push_back(f.name);
      if (!isTileFunction(f))
        fns.push_back(f.name + "_batch");
      std::string jac = denseJacobianBase(f);
      if (!jac.empty()) {
        have.insert(jac + "_jacobian");
        fns.push_back(jac + "_jacobian");
      }
    }
    std::vector<std::string> sparseBases;
    for (const ir::SparseJacobian &sj : m.sparseJacobians)
      if (sj.denseReason.empty()) {
        std::string b = sj.base + "_jacobian";
        sparseBases.push_back(b);
        have.insert(b + "_sparse");
        fns.push_back(b + "_sparse");
        fns.push_back(b + "_pattern");
      }
    std::vector<std::string> flags(std::begin(kModelFunctions),
                                   std::end(kModelFunctions));
    for (const ir::Function &f : m.functions)
      if (std::find(flags.begin(), flags.end(), f.name) == flags.end())
        flags.push_back(f.name);
    out.line("/// The model as a type for generic code (the runtime's schemes): "
             "constants, has_<fn> flags and forwarders to the functions above.");
    out.line("struct Model {{");
    {
      Printer::Indent in(out);
      out.line("static constexpr const char* name = {}model_name;", q);
      out.line("static constexpr const char* dg_numerics = {}dg_numerics;", q);
      out.line("static constexpr const char* dgc_version = {}dgc_version;", q);
      for (const char *c : {"state_size", "param_count", "workspace_size"})
        out.line("static constexpr std::int64_t {} = {}{};", c, q, c);
      out.line("static constexpr bool has_energy = {};", have.count("energy") > 0);
      for (const char *c : {"conserves_energy", "dissipates_energy",
                            "conserves_mass", "separable"})
        out.line("static constexpr bool {} = {}{};", c, q, c);
      out.line("static constexpr const std::array<double, state_size>& "
               "inner_weight = {}inner_weight;", q);
      out.line("static constexpr const auto& state_shape = {}state_shape;", q);
      out.line("template <class T> using ParamsT = Params<T>;");
      out.line("template <class T> using WorkspaceT = Workspace<T>;");
      out.line("template <class T> using TileWorkspaceT = TileWorkspace<T>;");
      for (const ir::Function &f : m.functions)
        if (isTileFunction(f))
          out.line("static constexpr std::int64_t {0}_size = {1}{0}_size;",
                   f.name, q);
      for (const std::string &b : sparseBases) {
        for (const char *c : {"_nnz", "_colors", "_tile"})
          out.line("static constexpr std::int64_t {0}{1} = {2}{0}{1};", b, c, q);
        out.line("static constexpr const auto& {0}_grid = {1}{0}_grid;", b, q);
      }
      for (const std::string &f : flags)
        if (f != "energy")
          out.line("static constexpr bool has_{} = {};", f, have.count(f) > 0);
      for (const std::string &f : fns)
        out.line("template <class... A> static decltype(auto) {}(A&&... a) "
                 "{{ return {}{}(std::forward<A>(a)...); }}", f, q, f);
    }
    out.line("}};");
    out.blank();
  }

  void emitInit() {
    out.line("/// Deterministic initialisation from `seed` (dgc_rt::paramStream: "
             "one splitmix64 stream per parameter).");
    out.line("template <class T>");
    out.line("void init_params(Params<T>& p, std::uint64_t seed) {{");
    {
      Printer::Indent in(out);
      out.line("(void)seed;");
      out.line("p.data.fill(T(0));");
      for (size_t i = 0; i < m.params.size(); ++i) {
        const ir::ParamInfo &p = m.params[i];
        std::string dst = fmt::format("p.data.data() + {}", p.offset);
        out.line("// {} : {}", p.name, p.shape.str());
        switch (p.init.kind) {
        case ir::ParamInit::Kind::Zeros:
          break;
        case ir::ParamInit::Kind::Ones:
          out.line("dgc_rt::fill({}, {}, T(1));", dst, p.size());
          break;
        case ir::ParamInit::Kind::Literal:
          if (p.init.values.empty()) {
            out.line("dgc_rt::fill({}, {}, {});", dst, p.size(),
                     literal(p.init.value));
            break;
          }
          out.line("{{");
          {
            Printer::Indent in2(out);
            out.line("static constexpr double v[] = {{{:.17g}}};",
                     fmt::join(p.init.values, ", "));
            out.line("for (std::size_t k = 0; k < {}; ++k)", p.size());
            out.line("  ({})[k] = T(v[k]);", dst);
          }
          out.line("}}");
          break;
        case ir::ParamInit::Kind::Normal: {
          out.line("{{");
          Printer::Indent in2(out);
          out.line("dgc_rt::SplitMix64 rng = dgc_rt::paramStream(seed, {});", i);
          out.line("dgc_rt::initNormal({}, {}, {:.17g}, rng);", dst, p.size(),
                   p.init.value);
          break;
        }
        case ir::ParamInit::Kind::Orthogonal: {
          int64_t rows = p.shape.rank() >= 2 ? p.shape[0] : 1;
          out.line("{{");
          Printer::Indent in2(out);
          out.line("dgc_rt::SplitMix64 rng = dgc_rt::paramStream(seed, {});", i);
          out.line("dgc_rt::initOrthogonal({}, {}, {}, rng);", dst, rows,
                   p.size() / rows);
          break;
        }
        }
        if (p.init.kind == ir::ParamInit::Kind::Normal ||
            p.init.kind == ir::ParamInit::Kind::Orthogonal)
          out.line("}}");
      }
    }
    out.line("}}");
    out.blank();
  }
};

} // namespace

const char *dgNumericsName(DgNumerics n) {
  switch (n) {
  case DgNumerics::Exact: return "exact";
  case DgNumerics::Reference: return "reference";
  }
  return "?";
}

bool parseDgNumerics(const std::string &name, DgNumerics &out) {
  for (DgNumerics n : {DgNumerics::Exact, DgNumerics::Reference})
    if (name == dgNumericsName(n)) {
      out = n;
      return true;
    }
  return false;
}

std::string emitHeader(const std::vector<ir::ModelIR> &models,
                       const EmitOptions &opts) {
  Printer out;
  out.line("// Generated by dgc {} from {}; do not edit.", kVersion,
           opts.sourceName.empty() ? std::string("<input>") : opts.sourceName);
  out.line("// API: lib/CodeGen/README.md in the dgc sources.");
  if (opts.dgNumerics != DgNumerics::Exact)
    out.line("// Training functions: --dg-numerics={} (divided differences "
             "as the reference library computes them).",
             dgNumericsName(opts.dgNumerics));
  out.line("#pragma once");
  out.blank();
  out.line("#include <array>");
  out.line("#include <cmath>");
  out.line("#include <cstdint>");
  out.line("#include <limits>");
  out.line("#include <utility>");
  out.blank();
  out.line("#include <Eigen/Dense>");
  out.blank();
  for (const char *chunk : kPrologueChunks)
    out.raw(chunk);
  out.blank();
  for (const ir::ModelIR &m : models)
    ModelEmitter(out, m, opts.dgNumerics).run();
  return out.str();
}

} // namespace dgc::codegen
