//===- SemaTestUtil.h - Parse, check and lower dg text in tests -*- C++ -*-===//
//
// Part of dgc's unit tests. `Checked` parses a dg source string with the
// real parser, runs Sema on its first model (with optional -D overrides)
// and captures the diagnostics as text, so that tests can assert on the
// exact messages, the CheckedModel and the lowered IR.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "IR/IR.h"
#include "IR/Interpreter.h"
#include "IR/Verifier.h"
#include "Lower/Lower.h"
#include "Parse/Parser.h"
#include "Sema/CheckedModel.h"
#include "Sema/Sema.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace dgc::test {

inline std::string readExample(const std::string &name) {
  std::ifstream in(std::string(DGC_EXAMPLES_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// One source checked end to end; keeps the AST alive for the model.
struct Checked {
  explicit Checked(const std::string &text, Defines defines = {},
                   size_t modelIndex = 0) {
    char *buf = nullptr;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    {
      DiagnosticEngine diags(sm, out);
      uint32_t id = sm.addBuffer("t.dg", text);
      file = parseFile(id, sm, diags);
      parseErrors = diags.errorCount();
      if (modelIndex < file.models.size())
        model = checkModel(file.models[modelIndex], defines, diags);
      errors = diags.errorCount();
    }
    std::fclose(out);
    diagText.assign(buf, len);
    std::free(buf);
  }

  ir::ModelIR lower() const { return lowerModel(*model); }

  SourceManager sm;
  File file;
  std::unique_ptr<CheckedModel> model;
  unsigned parseErrors = 0;
  unsigned errors = 0;
  std::string diagText;
};

/// The text of the first `error:` line, without the `t.dg:L:C: error: `.
inline std::string firstError(const std::string &diags) {
  size_t p = diags.find("error: ");
  if (p == std::string::npos)
    return "";
  size_t e = diags.find('\n', p);
  return diags.substr(p + 7, e == std::string::npos ? e : e - p - 7);
}

/// `L:C` of the first error.
inline std::string firstErrorLoc(const std::string &diags) {
  size_t p = diags.find(": error: ");
  if (p == std::string::npos)
    return "";
  size_t s = diags.rfind('\n', p);
  std::string head = diags.substr(s == std::string::npos ? 0 : s + 1,
                                  p - (s == std::string::npos ? 0 : s + 1));
  size_t c = head.find(':');
  return c == std::string::npos ? head : head.substr(c + 1);
}

/// Evaluates `f` of `m` with the state `stateName` = `u` and every param
/// input bound from the flat vector `theta` (by the ParamInfo offsets).
inline std::vector<double> run(const ir::ModelIR &m, const ir::Function &f,
                               const std::vector<double> &u,
                               const std::vector<double> &theta = {}) {
  ir::Bindings in;
  for (ir::ValueId v : f.inputs) {
    const std::string &n = f.op(v).name;
    if (n == "u" || n == "x") {
      in[n] = u;
      continue;
    }
    const ir::ParamInfo *p = m.findParam(n);
    std::vector<double> vals(static_cast<size_t>(p->size()));
    for (int64_t i = 0; i < p->size(); ++i)
      vals[static_cast<size_t>(i)] = theta[static_cast<size_t>(p->offset + i)];
    in[n] = vals;
  }
  return ir::interpret(f, in).at(0);
}

} // namespace dgc::test
