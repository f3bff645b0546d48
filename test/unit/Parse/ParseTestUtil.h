//===- ParseTestUtil.h - Helpers for the front-end unit tests ---*- C++ -*-===//
//
// Part of dgc. Runs the lexer or parser on a string with diagnostics
// captured in memory, so tests can check the exact messages and how many
// lines were printed.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "AST/ASTDumper.h"
#include "Lex/Lexer.h"
#include "Parse/Parser.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace dgc::test {

/// A source buffer plus a DiagnosticEngine printing into a string.
class Harness {
public:
  explicit Harness(std::string source, std::string name = "t.dg") {
    out = open_memstream(&data, &size);
    buffer = sm.addBuffer(std::move(name), std::move(source));
    diags = std::make_unique<DiagnosticEngine>(sm, out);
  }
  ~Harness() {
    std::fclose(out);
    std::free(data);
  }
  Harness(const Harness &) = delete;
  Harness &operator=(const Harness &) = delete;

  /// Everything printed so far.
  std::string printed() {
    std::fflush(out);
    return std::string(data, size);
  }
  /// The `error:` lines printed so far (without source lines and carets).
  std::vector<std::string> errorLines() {
    std::vector<std::string> lines;
    std::string text = printed();
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos)
        end = text.size();
      std::string line = text.substr(start, end - start);
      if (line.find(" error: ") != std::string::npos ||
          line.rfind("dgc: error:", 0) == 0)
        lines.push_back(line);
      start = end + 1;
    }
    return lines;
  }
  /// Lexes the whole buffer.
  std::vector<Token> lexAll() {
    Lexer lexer(buffer, sm, *diags);
    std::vector<Token> toks;
    do
      toks.push_back(lexer.lex());
    while (toks.back().isNot(TokenKind::eof));
    return toks;
  }
  File parse() { return parseFile(buffer, sm, *diags); }

  SourceManager sm;
  uint32_t buffer;
  std::unique_ptr<DiagnosticEngine> diags;

private:
  FILE *out;
  char *data = nullptr;
  size_t size = 0;
};

} // namespace dgc::test
