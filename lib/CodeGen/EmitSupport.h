//===- EmitSupport.h - Printer and names of the C++ emitter -----*- C++ -*-===//
//
// Part of dgc. Internal to lib/CodeGen: the printer (an fmt::memory_buffer
// with an RAII indent guard), the one name generator every emitted
// identifier goes through, literal formatting with full precision, and the
// per-function emitter that CppEmitter.cpp drives.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "CodeGen/CppEmitter.h"
#include "IR/IR.h"

#include <fmt/format.h>

#include <set>
#include <string>
#include <string_view>

namespace dgc::codegen {

/// Accumulates indented lines.
class Printer {
public:
  template <class... Args>
  void line(fmt::format_string<Args...> f, Args &&...args) {
    indentNow();
    fmt::format_to(std::back_inserter(buf), f, std::forward<Args>(args)...);
    buf.push_back('\n');
  }
  void blank() { buf.push_back('\n'); }
  /// Appends text verbatim (no indentation).
  void raw(std::string_view s) { buf.append(s.data(), s.data() + s.size()); }
  std::string str() const { return fmt::to_string(buf); }

  /// Indents the lines printed during its lifetime by two spaces.
  class Indent {
  public:
    explicit Indent(Printer &p) : p(p) { ++p.depth; }
    ~Indent() { --p.depth; }
    Indent(const Indent &) = delete;
    Indent &operator=(const Indent &) = delete;

  private:
    Printer &p;
  };

private:
  void indentNow() {
    for (int i = 0; i < depth; ++i)
      buf.append(std::string_view("  "));
  }
  fmt::memory_buffer buf;
  int depth = 0;
};

/// Hands out C++ identifiers: sanitized ([A-Za-z0-9_], no leading digit, no
/// keyword) and unique within its scope.
class NameGen {
public:
  /// Marks `name` as taken (names used by the emitted code itself).
  void reserve(const std::string &name) { used.insert(name); }
  /// `hint` sanitized; if taken, `hint` + `suffix`, then numbered.
  std::string fresh(const std::string &hint, const std::string &suffix = "");
  static std::string sanitize(const std::string &s);

private:
  std::set<std::string> used;
};

/// `T(<value with 17 significant digits>)`; infinities and NaN spelled
/// through std::numeric_limits<T>.
std::string literal(double v);
/// The prologue's functor of `fn` (`dgc_rt::Tanh`).
std::string fnFunctor(ir::Fn fn);

/// A function over a tile of samples (`train_dg_tile`,
/// `time_derivative_tile`, ...): it takes a TileWorkspace and has no
/// `_batch` form.
bool isTileFunction(const ir::Function &f);
/// The tile of a tile function: the last extent of its first non-parameter
/// input (u1 of a loss, u of time_derivative_tile).
int64_t tileSize(const ir::Function &f);

/// A training loss (`train_dg`, `train_dg_tile`, ...): the functions whose
/// divided differences follow EmitOptions::dgNumerics.
bool isTrainingFunction(const ir::Function &f);

/// For a Jacobian-vector product `X_jvp` (a non-parameter input `w` of rank
/// 1 and one result of w's shape), the base name `X` of the dense
/// `X_jacobian` emitFunction also writes; empty for any other function.
std::string denseJacobianBase(const ir::Function &f);

/// Emits `template <class T> void NAME(...)` for one IR function; returns
/// its workspace size in elements. `params` tells which inputs are read from
/// the Params struct. Its `divdiff` ops call dgc_rt::divdiffReference when
/// `numerics` is Reference and `f` is a training function, else
/// dgc_rt::divdiff.
int64_t emitFunction(Printer &out, const ir::ModelIR &m, const ir::Function &f,
                     const NameGen &modelNames, DgNumerics numerics);

/// Emits the pattern and `<base>_jacobian_sparse` of one sparse Jacobian
/// (EmitSparse.cpp) after its JVP, whose workspace is `jvpWorkspace`
/// elements; returns the workspace the new function needs.
int64_t emitSparseJacobian(Printer &out, const ir::ModelIR &m,
                           const ir::SparseJacobian &sj, int64_t jvpWorkspace);

/// Emits `namespace local { ... }`, the local-tile kernels of a model
/// that has ModelIR::local (EmitLocal.cpp).
void emitLocalNamespace(Printer &out, const ir::ModelIR &global);

} // namespace dgc::codegen
