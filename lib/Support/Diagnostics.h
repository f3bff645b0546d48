//===- Diagnostics.h - User-facing error reporting --------------*- C++ -*-===//
//
// Part of dgc. Every error in user input goes through DiagnosticEngine, in
// the form `file:line:col: error: message`, followed by the source line and a
// caret. Messages follow LLVM style: they start lower-case and have no final
// period (checked by an assert). Compiler bugs use assert, never this.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Support/SourceManager.h"

#include <cstdio>
#include <string>

namespace dgc {

enum class Severity { Error, Warning, Note };

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(const SourceManager &sm, FILE *out = stderr)
      : sm(sm), out(out) {}

  void error(SourceLoc loc, const std::string &msg) {
    report(Severity::Error, loc, msg);
  }
  void warning(SourceLoc loc, const std::string &msg) {
    report(Severity::Warning, loc, msg);
  }
  void note(SourceLoc loc, const std::string &msg) {
    report(Severity::Note, loc, msg);
  }
  void report(Severity sev, SourceLoc loc, const std::string &msg);

  unsigned errorCount() const { return errors; }
  /// The first error reported: where and what (for a caller that checks
  /// a variant of the input and restates its error in its own words).
  SourceLoc firstErrorLoc() const { return firstLoc; }
  const std::string &firstErrorMessage() const { return firstMsg; }
  bool hasErrors() const { return errors != 0; }

  /// Stop printing after this many errors (a 1 MB file of junk must not
  /// print a million lines). The count keeps increasing.
  void setErrorLimit(unsigned n) { limit = n; }

private:
  const SourceManager &sm;
  FILE *out;
  unsigned errors = 0;
  unsigned limit = 20;
  SourceLoc firstLoc;
  std::string firstMsg;
};

} // namespace dgc
