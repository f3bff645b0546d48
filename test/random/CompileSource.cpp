//===- CompileSource.cpp - dg text to derived ModelIRs, for tests ---------===//
#include "CompileSource.h"

#include "Lower/Lower.h"
#include "Parse/Parser.h"
#include "Sema/CheckedModel.h"
#include "Sema/Sema.h"
#include "Transforms/Passes.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dgc::testing {

Compiled compileSource(const std::string &text) {
  Compiled c;
  char *buf = nullptr;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  {
    SourceManager sm;
    DiagnosticEngine diags(sm, out);
    uint32_t id = sm.addBuffer("input.dg", text);
    File file = parseFile(id, sm, diags);
    if (!diags.hasErrors())
      for (Model &m : file.models) {
        std::unique_ptr<CheckedModel> checked = checkModel(m, {}, diags);
        if (!checked)
          continue;
        ir::ModelIR mir = lowerModel(*checked);
        transforms::deriveModel(mir);
        c.models.push_back(std::move(mir));
      }
  }
  std::fclose(out);
  c.diagnostics.assign(buf, len);
  std::free(buf);
  return c;
}

std::string readExample(const std::string &name) {
  std::ifstream in(std::string(DGC_EXAMPLES_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace dgc::testing
