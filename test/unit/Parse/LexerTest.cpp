//===- LexerTest.cpp - Unit tests for the dg lexer ------------------------===//
//
// Part of dgc. Token kinds, spellings and locations; numbers in every C form;
// comments; each lexical error reported once with its location; junk input
// handled in linear time with a bounded number of printed errors.
//
//===----------------------------------------------------------------------===//
#include "ParseTestUtil.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

using namespace dgc;
using dgc::test::Harness;

namespace {

std::vector<TokenKind> kinds(const std::vector<Token> &toks) {
  std::vector<TokenKind> out;
  for (const Token &t : toks)
    out.push_back(t.kind);
  return out;
}

TEST(Lexer, PunctuationAndKeywords) {
  Harness h("{ } ( ) [ ] , ; : = + - * / ^ .\n"
            "model const grid state param net let energy structure "
            "vectorfield conserves dissipates init nonneg true false");
  std::vector<Token> toks = h.lexAll();
  using K = TokenKind;
  std::vector<K> expected = {
      K::l_brace,      K::r_brace,        K::l_paren,      K::r_paren,
      K::l_square,     K::r_square,       K::comma,        K::semi,
      K::colon,        K::equal,          K::plus,         K::minus,
      K::star,         K::slash,          K::caret,        K::period,
      K::kw_model,     K::kw_const,       K::kw_grid,      K::kw_state,
      K::kw_param,     K::kw_net,         K::kw_let,       K::kw_energy,
      K::kw_structure, K::kw_vectorfield, K::kw_conserves, K::kw_dissipates,
      K::kw_init,      K::kw_nonneg,      K::kw_true,      K::kw_false,
      K::eof};
  EXPECT_EQ(kinds(toks), expected);
  EXPECT_EQ(h.diags->errorCount(), 0u);
}

TEST(Lexer, ContextualWordsAreIdentifiers) {
  Harness h("real field mass zeros S D I _x1 modelx");
  for (const Token &t : h.lexAll()) {
    if (t.isNot(TokenKind::eof)) {
      EXPECT_EQ(t.kind, TokenKind::identifier) << t.text;
    }
  }
}

TEST(Lexer, Numbers) {
  Harness h("6 0.25 1e-3 .5 2. 1E+10 2.e3 007");
  std::vector<Token> toks = h.lexAll();
  std::vector<std::string> spellings;
  for (const Token &t : toks) {
    if (t.is(TokenKind::eof))
      break;
    EXPECT_EQ(t.kind, TokenKind::number) << t.text;
    spellings.emplace_back(t.text);
  }
  EXPECT_EQ(spellings,
            (std::vector<std::string>{"6", "0.25", "1e-3", ".5", "2.", "1E+10",
                                      "2.e3", "007"}));
  EXPECT_EQ(h.diags->errorCount(), 0u);
}

TEST(Lexer, MemberAccessIsNotANumber) {
  Harness h("x.dx g.n");
  using K = TokenKind;
  EXPECT_EQ(kinds(h.lexAll()),
            (std::vector<K>{K::identifier, K::period, K::identifier,
                            K::identifier, K::period, K::identifier, K::eof}));
}

TEST(Lexer, Locations) {
  Harness h(
      "model M {\n  // comment ( junk $\n  /* a\n  b */ const\tc = -6.0;\n}");
  std::vector<Token> toks = h.lexAll();
  ASSERT_EQ(toks.size(), 11u);
  EXPECT_EQ(toks[0].loc.line, 1u);
  EXPECT_EQ(toks[0].loc.col, 1u);
  EXPECT_EQ(toks[2].loc.col, 9u); // {
  EXPECT_EQ(toks[3].text, "const");
  EXPECT_EQ(toks[3].loc.line, 4u);
  EXPECT_EQ(toks[3].loc.col, 8u);
  EXPECT_EQ(toks[4].text, "c");
  EXPECT_EQ(toks[4].loc.col, 14u); // a tab counts as one column
  EXPECT_EQ(toks[6].kind, TokenKind::minus);
  EXPECT_EQ(toks[6].loc.col, 18u);
  EXPECT_EQ(toks[7].text, "6.0");
  EXPECT_EQ(toks[7].loc.col, 19u);
  EXPECT_EQ(toks[7].endLoc().col, 22u);
  EXPECT_EQ(toks[9].kind, TokenKind::r_brace);
  EXPECT_EQ(toks[9].loc.line, 5u);
  EXPECT_EQ(toks[10].kind, TokenKind::eof);
  EXPECT_EQ(toks[10].loc.line, 5u);
  EXPECT_EQ(toks[10].loc.col, 2u);
  EXPECT_EQ(h.diags->errorCount(), 0u);
}

TEST(Lexer, EofRepeats) {
  Harness h("a");
  Lexer lexer(h.buffer, h.sm, *h.diags);
  EXPECT_EQ(lexer.lex().kind, TokenKind::identifier);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(lexer.lex().kind, TokenKind::eof);
}

TEST(Lexer, UnterminatedBlockComment) {
  Harness h("a\n  /* never closed\n\n");
  std::vector<Token> toks = h.lexAll();
  EXPECT_EQ(kinds(toks),
            (std::vector<TokenKind>{TokenKind::identifier, TokenKind::eof}));
  EXPECT_EQ(h.errorLines(),
            (std::vector<std::string>{
                "t.dg:2:3: error: unterminated block comment"}));
}

TEST(Lexer, MalformedNumbers) {
  Harness h("1.2.3 1e 1e+ 2x 3.5;");
  std::vector<Token> toks = h.lexAll();
  std::vector<std::string> spellings;
  for (const Token &t : toks)
    spellings.emplace_back(t.text);
  EXPECT_EQ(spellings, (std::vector<std::string>{"1.2.3", "1e", "1e+", "2x",
                                                 "3.5", ";", ""}));
  EXPECT_EQ(h.errorLines(), (std::vector<std::string>{
                                "t.dg:1:1: error: malformed number '1.2.3'",
                                "t.dg:1:7: error: malformed number '1e'",
                                "t.dg:1:10: error: malformed number '1e+'",
                                "t.dg:1:14: error: malformed number '2x'"}));
}

TEST(Lexer, ExponentSignIsNotEatenWithoutDigits) {
  // `1e-3-2` is 1e-3 minus 2.
  Harness h("1e-3-2");
  std::vector<Token> toks = h.lexAll();
  EXPECT_EQ(kinds(toks),
            (std::vector<TokenKind>{TokenKind::number, TokenKind::minus,
                                    TokenKind::number, TokenKind::eof}));
  EXPECT_EQ(toks[0].text, "1e-3");
}

TEST(Lexer, JunkIsReportedOncePerRun) {
  Harness h(std::string("a $$$@# b\n\xc3\xa9t\xc3\xa9 c \x01\x02 d ") +
            std::string(1, '\0') + "e");
  std::vector<Token> toks = h.lexAll();
  std::vector<std::string> spellings;
  for (const Token &t : toks)
    spellings.emplace_back(t.text);
  EXPECT_EQ(spellings,
            (std::vector<std::string>{"a", "b", "t", "c", "d", "e", ""}));
  EXPECT_EQ(h.errorLines(), (std::vector<std::string>{
                                "t.dg:1:3: error: invalid character '$'",
                                "t.dg:2:1: error: invalid non-ASCII character",
                                "t.dg:2:4: error: invalid non-ASCII character",
                                "t.dg:2:9: error: invalid character 0x01",
                                "t.dg:2:14: error: invalid character 0x00"}));
}

TEST(Lexer, DumpTokens) {
  Harness h("model M {\n  state q : real; // q\n}\n");
  EXPECT_EQ(dumpTokens(h.buffer, h.sm, *h.diags), "1:1 kw_model 'model'\n"
                                                  "1:7 identifier 'M'\n"
                                                  "1:9 l_brace '{'\n"
                                                  "2:3 kw_state 'state'\n"
                                                  "2:9 identifier 'q'\n"
                                                  "2:11 colon ':'\n"
                                                  "2:13 identifier 'real'\n"
                                                  "2:17 semi ';'\n"
                                                  "3:1 r_brace '}'\n"
                                                  "4:1 eof ''\n");
}

TEST(Lexer, MegabyteOfJunkIsFastAndBounded) {
  std::mt19937 rng(42);
  std::string junk(1 << 20, '\0');
  for (char &c : junk)
    c = static_cast<char>(rng() & 0xff);
  Harness h(junk);
  auto start = std::chrono::steady_clock::now();
  std::vector<Token> toks = h.lexAll();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_LT(seconds, 2.0);
  EXPECT_GT(h.diags->errorCount(), 1000u);
  // 20 errors, each with its source line and caret, then the stop notice.
  std::vector<std::string> errs = h.errorLines();
  EXPECT_EQ(errs.size(), 21u);
  EXPECT_EQ(errs.back(), "dgc: error: too many errors emitted, stopping now");
  EXPECT_EQ(toks.back().kind, TokenKind::eof);
}

} // namespace
