//===- Lexer.h - Tokenizer for the dg language ------------------*- C++ -*-===//
//
// Part of dgc. Turns one source buffer into tokens on demand. Comments and
// whitespace are skipped; lexical errors (invalid characters, an unterminated
// block comment, a malformed number) are reported through the
// DiagnosticEngine and lexing goes on, so the parser sees a best-effort token
// stream and the user sees every lexical error once.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Lex/Token.h"
#include "Support/Diagnostics.h"

#include <string>

namespace dgc {

class Lexer {
public:
  /// Lexes buffer `buffer` of `sm`; the buffer must outlive the lexer.
  Lexer(uint32_t buffer, const SourceManager &sm, DiagnosticEngine &diags);

  /// Returns the next token; after the end of the buffer, `eof` forever.
  Token lex();

  /// True once a block comment ran to the end of the buffer: the rest of the
  /// file is comment, so the parser does not also report what is missing at
  /// the end of the file.
  bool endsInComment() const { return unterminatedComment; }

private:
  /// Skips whitespace and comments; reports an unterminated block comment.
  void skipTrivia();
  Token lexIdentifier();
  Token lexNumber();
  /// Skips a maximal run of bytes that cannot start a token and reports it
  /// once.
  void skipJunk();

  SourceLoc here() const;
  Token make(TokenKind kind, size_t start, SourceLoc loc) const;

  uint32_t buffer;
  DiagnosticEngine &diags;
  std::string_view text;
  size_t pos = 0;
  bool unterminatedComment = false;
  size_t lineStart = 0;
  uint32_t line = 1;
};

/// `dgc emit --stage=tokens`: every token of `buffer`, one per line, as
/// `line:col kind 'spelling'`, ending with the eof token. Lexical errors go
/// to `diags`.
std::string dumpTokens(uint32_t buffer, const SourceManager &sm,
                       DiagnosticEngine &diags);

} // namespace dgc
