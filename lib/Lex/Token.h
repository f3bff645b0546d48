//===- Token.h - A token of the dg language ---------------------*- C++ -*-===//
//
// Part of dgc. A token is its kind (from TokenKinds.def), the location of its
// first character and its spelling, a view into the SourceManager's buffer
// (valid as long as the SourceManager lives).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "Support/SourceManager.h"

#include <cstdint>
#include <string_view>

namespace dgc {

/// Every kind of token; the list lives in TokenKinds.def.
enum class TokenKind : uint8_t {
#define TOK(NAME) NAME,
#include "Lex/TokenKinds.def"
};

/// The kind's name as written in TokenKinds.def (`kw_model`, `semi`), used by
/// `dgc emit --stage=tokens`.
const char *tokenKindName(TokenKind kind);

/// The fixed spelling of a punctuation or keyword kind (`;`, `model`), or
/// nullptr for identifier, number and eof.
const char *tokenSpelling(TokenKind kind);

/// The keyword kind spelled `word`, or TokenKind::identifier if `word` is not
/// a keyword.
TokenKind keywordKind(std::string_view word);

struct Token {
  TokenKind kind = TokenKind::eof;
  SourceLoc loc;
  std::string_view text;

  bool is(TokenKind k) const { return kind == k; }
  bool isNot(TokenKind k) const { return kind != k; }
  /// True for an identifier spelled `word` (`real`, `field`, `mass`).
  bool isIdent(std::string_view word) const {
    return kind == TokenKind::identifier && text == word;
  }
  /// The location just past the token's last character (for "expected ';'"
  /// after it). Tokens never span lines.
  SourceLoc endLoc() const {
    SourceLoc l = loc;
    l.col += static_cast<uint32_t>(text.size());
    return l;
  }
};

} // namespace dgc
