//===- ClangImporter.cpp - C++ energy functions to the IR -----------------===//
//
// Part of dgc. Runs Clang 14 (LibTooling's buildASTFromCodeWithArgs) on the
// translation unit with `-std=c++20`, Clang's resource directory and the
// user's flags, finds the energy function(s), instantiates a function
// template at --grid's size when the file does not, and hands each body to
// the Evaluator. Every message goes through the ASTUnit's DiagnosticsEngine
// (custom diagnostic IDs), so dgc's errors look like Clang's and point at the
// user's source.
//
//===----------------------------------------------------------------------===//
#include "CxxFrontend/ClangImporter.h"

#include "CxxFrontend/Evaluator.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Frontend/ASTUnit.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>

#include <fstream>
#include <sstream>

#ifndef DGC_CLANG_RESOURCE_DIR
#define DGC_CLANG_RESOURCE_DIR ""
#endif

namespace dgc::cxx {

namespace {

using namespace clang;

struct FunctionFinder : RecursiveASTVisitor<FunctionFinder> {
  std::vector<const FunctionDecl *> all;
  bool VisitFunctionDecl(FunctionDecl *fd) {
    all.push_back(fd);
    return true;
  }
};

bool isAnnotatedEnergy(const FunctionDecl *fd) {
  for (const Decl *d : fd->redecls())
    for (const auto *a : d->specific_attrs<AnnotateAttr>())
      if (a->getAnnotation() == "dgc::energy")
        return true;
  return false;
}

/// Reports `msg` (no location when `loc` is invalid) through `diags`.
void report(DiagnosticsEngine &diags, SourceLocation loc,
            const std::string &msg) {
  unsigned id = diags.getCustomDiagID(DiagnosticsEngine::Error, "%0");
  diags.Report(loc, id) << msg;
}

/// The flags of `path` in a compilation database (compile_commands.json in
/// the file's folder or a parent, as clang-tidy finds it): the command line
/// without the compiler, the source, `-c` and `-o FILE`. Empty when there is
/// no database or it has no entry for the file.
std::vector<std::string> databaseFlags(const std::string &path) {
  std::string error;
  std::unique_ptr<tooling::CompilationDatabase> db =
      tooling::CompilationDatabase::autoDetectFromSource(path, error);
  if (!db)
    return {};
  std::vector<tooling::CompileCommand> cmds = db->getCompileCommands(path);
  if (cmds.empty())
    return {};
  const std::vector<std::string> &line = cmds.front().CommandLine;
  std::vector<std::string> flags;
  for (size_t i = 1; i < line.size(); ++i) {
    const std::string &a = line[i];
    if (a == "-c" || a == cmds.front().Filename || a == path)
      continue;
    if (a == "-o") {
      ++i;
      continue;
    }
    flags.push_back(a);
  }
  return flags;
}

/// One parse: the ASTUnit, or null after Clang printed its errors. The
/// user's flags are those after `--`, else the compilation database's.
std::unique_ptr<ASTUnit> parse(const ImportOptions &o, const std::string &code) {
  std::vector<std::string> args = {"-std=c++20", "-xc++"};
  if (*DGC_CLANG_RESOURCE_DIR)
    args.push_back(std::string("-resource-dir=") + DGC_CLANG_RESOURCE_DIR);
  std::vector<std::string> user =
      o.flags.empty() ? databaseFlags(o.path) : o.flags;
  args.insert(args.end(), user.begin(), user.end());
  std::unique_ptr<ASTUnit> ast =
      tooling::buildASTFromCodeWithArgs(code, args, o.path, "dgc");
  if (!ast || ast->getDiagnostics().hasErrorOccurred())
    return nullptr;
  return ast;
}

/// The energy functions of the parsed unit. Sets `instantiate` to the
/// qualified name of a function template that still needs an instantiation
/// at o.stateSize (the caller re-parses with one).
bool findEnergies(ASTUnit &ast, const ImportOptions &o,
                  std::vector<const FunctionDecl *> &found,
                  std::string &instantiate) {
  DiagnosticsEngine &diags = ast.getDiagnostics();
  FunctionFinder finder;
  finder.TraverseDecl(ast.getASTContext().getTranslationUnitDecl());
  const clang::SourceManager &sm = ast.getSourceManager();
  std::vector<const FunctionDecl *> candidates;
  for (const FunctionDecl *fd : finder.all) {
    if (!fd->doesThisDeclarationHaveABody() ||
        sm.isInSystemHeader(fd->getLocation()))
      continue;
    if (fd->isTemplateInstantiation())
      continue; // reached through its template below
    if (const auto *md = dyn_cast<CXXMethodDecl>(fd); md && !md->isStatic())
      continue; // a method (or a lambda) needs its object: not an energy
    bool match = o.function.empty()
                     ? isAnnotatedEnergy(fd)
                     : (fd->getNameAsString() == o.function ||
                        fd->getQualifiedNameAsString() == o.function);
    if (match)
      candidates.push_back(fd);
  }
  if (candidates.empty()) {
    report(diags, SourceLocation(),
           o.function.empty()
               ? "no function in '" + o.path +
                     "' is marked [[clang::annotate(\"dgc::energy\")]]; "
                     "name one with --function NAME"
               : "no function named '" + o.function + "' with a body in '" +
                     o.path + "'");
    return false;
  }
  if (!o.function.empty() && candidates.size() > 1) {
    report(diags, candidates[1]->getLocation(),
           "'" + o.function + "' is overloaded; dgc needs exactly one "
           "definition of the energy function");
    return false;
  }
  for (const FunctionDecl *fd : candidates) {
    const FunctionTemplateDecl *ft = fd->getDescribedFunctionTemplate();
    if (!ft) {
      if (fd->isDependentContext()) {
        report(diags, fd->getLocation(),
               "energy functions inside class templates are not supported");
        return false;
      }
      found.push_back(fd);
      continue;
    }
    // A function template: its instantiation at the grid's size, or its one
    // instantiation in the file.
    std::vector<const FunctionDecl *> specs;
    for (const FunctionDecl *s : ft->specializations())
      if (s->hasBody())
        specs.push_back(s);
    const FunctionDecl *pick = nullptr;
    for (const FunctionDecl *s : specs) {
      const TemplateArgumentList *args = s->getTemplateSpecializationArgs();
      if (o.stateSize > 0 && args && args->size() >= 1 &&
          (*args)[0].getKind() == TemplateArgument::Integral &&
          (*args)[0].getAsIntegral().getExtValue() == o.stateSize)
        pick = s;
    }
    if (!pick && o.stateSize <= 0 && specs.size() == 1)
      pick = specs[0];
    if (pick) {
      found.push_back(pick);
      continue;
    }
    if (o.stateSize > 0 && instantiate.empty()) {
      instantiate = fd->getQualifiedNameAsString();
      continue;
    }
    report(diags, fd->getLocation(),
           specs.empty()
               ? "function template '" + fd->getNameAsString() +
                     "' has no instantiation: give --grid N,LENGTH or "
                     "instantiate it in the file"
               : "function template '" + fd->getNameAsString() +
                     "' has several instantiations: give --grid N,LENGTH to "
                     "pick one");
    return false;
  }
  return true;
}

} // namespace

const char *resourceDir() { return DGC_CLANG_RESOURCE_DIR; }

bool importEnergies(const ImportOptions &o, std::vector<ImportedEnergy> &out) {
  std::string code = o.code;
  if (code.empty()) {
    std::ifstream in(o.path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "dgc: error: cannot read '%s'\n", o.path.c_str());
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    code = ss.str();
  }
  std::string extra;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<ASTUnit> ast = parse(o, code + extra);
    if (!ast)
      return false;
    DiagnosticsEngine &diags = ast->getDiagnostics();
    DiagnosticConsumer *client = diags.getClient();
    client->BeginSourceFile(ast->getLangOpts(), &ast->getPreprocessor());
    std::vector<const FunctionDecl *> found;
    std::string instantiate;
    bool ok = findEnergies(*ast, o, found, instantiate);
    if (ok && !instantiate.empty() && attempt == 0) {
      // Instantiate the template at the grid's size by taking its address,
      // then parse again (the user's lines keep their numbers).
      extra = "\n[[maybe_unused]] static auto *const dgc_instantiate_ = &" +
              instantiate + "<" + std::to_string(o.stateSize) + ">;\n";
      client->EndSourceFile();
      continue;
    }
    for (const FunctionDecl *fd : found) {
      if (!ok)
        break;
      ImportedEnergy e;
      e.name = fd->getNameAsString();
      ok = evaluateEnergy(ast->getASTContext(), diags, fd, o.stateSize,
                          o.buffer, e.energy, e.stateSize);
      if (ok)
        out.push_back(std::move(e));
    }
    client->EndSourceFile();
    return ok && !diags.hasErrorOccurred();
  }
  return false;
}

} // namespace dgc::cxx
