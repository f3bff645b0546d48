//===- Lexer.cpp - Tokenizer for the dg language --------------------------===//
//
// Part of dgc. A hand-written scanner over the buffer's bytes. Locations are
// 1-based lines and byte columns. Every loop advances `pos`, so lexing is
// linear in the buffer size whatever the input (a 1 MB file of junk costs a
// few milliseconds and, through the DiagnosticEngine's limit, a bounded
// number of printed errors).
//
//===----------------------------------------------------------------------===//
#include "Lex/Lexer.h"

#include <cstdio>

namespace dgc {

namespace {

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

/// The punctuation kind of `c`, or eof if `c` is not punctuation.
TokenKind punctKind(char c) {
  switch (c) {
#define PUNCT(NAME, SPELLING)                                                  \
  case SPELLING[0]:                                                            \
    return TokenKind::NAME;
#include "Lex/TokenKinds.def"
  default:
    return TokenKind::eof;
  }
}

/// True if `c` can begin a token, a comment or whitespace.
bool startsSomething(char c) {
  return isSpace(c) || isIdentChar(c) || punctKind(c) != TokenKind::eof;
}

} // namespace

Lexer::Lexer(uint32_t buffer, const SourceManager &sm, DiagnosticEngine &diags)
    : buffer(buffer), diags(diags), text(sm.text(buffer)) {}

SourceLoc Lexer::here() const {
  return SourceLoc{buffer, line, static_cast<uint32_t>(pos - lineStart + 1)};
}

Token Lexer::make(TokenKind kind, size_t start, SourceLoc loc) const {
  Token t;
  t.kind = kind;
  t.loc = loc;
  t.text = text.substr(start, pos - start);
  return t;
}

void Lexer::skipTrivia() {
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '\n') {
      ++pos;
      ++line;
      lineStart = pos;
    } else if (isSpace(c)) {
      ++pos;
    } else if (c == '/' && pos + 1 < text.size() && text[pos + 1] == '/') {
      while (pos < text.size() && text[pos] != '\n')
        ++pos;
    } else if (c == '/' && pos + 1 < text.size() && text[pos + 1] == '*') {
      SourceLoc start = here();
      pos += 2;
      bool closed = false;
      while (pos < text.size()) {
        if (text[pos] == '*' && pos + 1 < text.size() && text[pos + 1] == '/') {
          pos += 2;
          closed = true;
          break;
        }
        if (text[pos] == '\n') {
          ++line;
          lineStart = pos + 1;
        }
        ++pos;
      }
      if (!closed) {
        diags.error(start, "unterminated block comment");
        unterminatedComment = true;
      }
    } else {
      return;
    }
  }
}

void Lexer::skipJunk() {
  SourceLoc loc = here();
  unsigned char first = static_cast<unsigned char>(text[pos]);
  while (pos < text.size() && !startsSomething(text[pos]))
    ++pos;
  char buf[64];
  if (first >= 0x80)
    std::snprintf(buf, sizeof buf, "invalid non-ASCII character");
  else if (first >= 0x20 && first < 0x7f)
    std::snprintf(buf, sizeof buf, "invalid character '%c'", first);
  else
    std::snprintf(buf, sizeof buf, "invalid character 0x%02x", first);
  diags.error(loc, buf);
}

// identifier := [A-Za-z_][A-Za-z0-9_]*
Token Lexer::lexIdentifier() {
  size_t start = pos;
  SourceLoc loc = here();
  while (pos < text.size() && isIdentChar(text[pos]))
    ++pos;
  Token t = make(TokenKind::identifier, start, loc);
  t.kind = keywordKind(t.text);
  return t;
}

// number := (digits ['.' digits?] | '.' digits) [('e'|'E') ['+'|'-'] digits]
// A number directly followed by a letter, digit, `_` or `.` (`1.2.3`, `2x`),
// or with an exponent that has no digits (`1e`, `1e+`), is malformed: the
// whole run is reported once and still returned as one number token.
Token Lexer::lexNumber() {
  size_t start = pos;
  SourceLoc loc = here();
  auto digits = [&] {
    while (pos < text.size() && isDigit(text[pos]))
      ++pos;
  };
  digits();
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    digits();
  }
  bool bad = false;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    size_t p = pos + 1;
    if (p < text.size() && (text[p] == '+' || text[p] == '-'))
      ++p;
    if (p < text.size() && isDigit(text[p])) {
      pos = p;
      digits();
    } else {
      bad = true;
      pos = p;
    }
  }
  if (pos < text.size() && (isIdentChar(text[pos]) || text[pos] == '.'))
    bad = true;
  if (bad) {
    while (pos < text.size() && (isIdentChar(text[pos]) || text[pos] == '.'))
      ++pos;
    diags.error(loc, "malformed number '" +
                         std::string(text.substr(start, pos - start)) + "'");
  }
  return make(TokenKind::number, start, loc);
}

Token Lexer::lex() {
  for (;;) {
    skipTrivia();
    if (pos >= text.size()) {
      Token t = make(TokenKind::eof, pos, here());
      return t;
    }
    char c = text[pos];
    if (isIdentStart(c))
      return lexIdentifier();
    if (isDigit(c) ||
        (c == '.' && pos + 1 < text.size() && isDigit(text[pos + 1])))
      return lexNumber();
    TokenKind k = punctKind(c);
    if (k != TokenKind::eof) {
      size_t start = pos;
      SourceLoc loc = here();
      ++pos;
      return make(k, start, loc);
    }
    skipJunk();
  }
}

std::string dumpTokens(uint32_t buffer, const SourceManager &sm,
                       DiagnosticEngine &diags) {
  Lexer lexer(buffer, sm, diags);
  std::string out;
  for (;;) {
    Token t = lexer.lex();
    out += std::to_string(t.loc.line) + ":" + std::to_string(t.loc.col) + " " +
           tokenKindName(t.kind) + " '" + std::string(t.text) + "'\n";
    if (t.is(TokenKind::eof))
      return out;
  }
}

} // namespace dgc
