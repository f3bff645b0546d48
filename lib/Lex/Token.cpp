//===- Token.cpp - Token kind names and keyword lookup --------------------===//
//
// Part of dgc. Tables generated from TokenKinds.def: the name and fixed
// spelling of every kind, and the map from a word to its keyword kind.
//
//===----------------------------------------------------------------------===//
#include "Lex/Token.h"

namespace dgc {

const char *tokenKindName(TokenKind kind) {
  switch (kind) {
#define TOK(NAME)                                                              \
  case TokenKind::NAME:                                                        \
    return #NAME;
#include "Lex/TokenKinds.def"
  }
  return "unknown";
}

const char *tokenSpelling(TokenKind kind) {
  switch (kind) {
#define PUNCT(NAME, SPELLING)                                                  \
  case TokenKind::NAME:                                                        \
    return SPELLING;
#define KEYWORD(WORD)                                                          \
  case TokenKind::kw_##WORD:                                                   \
    return #WORD;
#include "Lex/TokenKinds.def"
  default:
    return nullptr;
  }
}

TokenKind keywordKind(std::string_view word) {
#define KEYWORD(WORD)                                                          \
  if (word == #WORD)                                                           \
    return TokenKind::kw_##WORD;
#include "Lex/TokenKinds.def"
  return TokenKind::identifier;
}

} // namespace dgc
