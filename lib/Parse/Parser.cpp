//===- Parser.cpp - Recursive-descent parser for the dg language ----------===//
//
// Part of dgc. One parseX method per grammar rule, the rule written above it.
// Error handling follows one convention: a parseX that fails reports exactly
// one error and returns null (or false); its callers pass the failure up
// without reporting again, and the declaration loop recovers by skipping to
// the next `;` (consumed), `}` or declaration keyword. Every loop consumes a
// token or stops, and two limits keep the recursion of the parser and of
// every later pass over the tree bounded: the parser's own nesting depth
// (parentheses, unary operators, right-associative `^`) and the depth of
// the expression tree built (long `+` chains are left-deep trees).
//
//===----------------------------------------------------------------------===//
#include "Parse/Parser.h"

#include "Lex/Lexer.h"

#include <cmath>
#include <cstdlib>
#include <deque>
#include <unordered_map>

namespace dgc {

namespace {

/// Deepest parser recursion (nested parentheses, brackets, unary operators,
/// `^` chains) before "expression nested too deeply".
constexpr unsigned kMaxNesting = 128;
/// Deepest expression tree, so that later recursive passes cannot overflow
/// the stack on a generated `a + a + ... + a`.
constexpr unsigned kMaxTreeDepth = 1024;

bool startsDecl(TokenKind k) {
  switch (k) {
  case TokenKind::kw_const:
  case TokenKind::kw_grid:
  case TokenKind::kw_state:
  case TokenKind::kw_param:
  case TokenKind::kw_net:
  case TokenKind::kw_let:
  case TokenKind::kw_energy:
  case TokenKind::kw_structure:
  case TokenKind::kw_vectorfield:
  case TokenKind::kw_conserves:
  case TokenKind::kw_dissipates:
    return true;
  default:
    return false;
  }
}

class Parser {
public:
  Parser(uint32_t buffer, const SourceManager &sm, DiagnosticEngine &diags)
      : buffer(buffer), diags(diags), lexer(buffer, sm, diags) {}

  File parseFile();

private:
  //===--- Token stream ---------------------------------------------------===//

  const Token &peek(size_t n = 0) {
    while (lookahead.size() <= n)
      lookahead.push_back(lexer.lex());
    return lookahead[n];
  }
  const Token &tok() { return peek(0); }
  bool at(TokenKind k) { return tok().is(k); }
  Token consume() {
    Token t = tok();
    if (t.isNot(TokenKind::eof)) {
      lookahead.pop_front();
      ++consumed;
    }
    prevEnd = t.endLoc();
    return t;
  }
  bool consumeIf(TokenKind k) {
    if (!at(k))
      return false;
    consume();
    return true;
  }

  //===--- Errors and recovery --------------------------------------------===//

  /// Reports a syntax error, except at the end of a file whose last block
  /// comment is unterminated: the lexer's message already says what is wrong.
  void error(SourceLoc loc, const std::string &msg) {
    if (tok().is(TokenKind::eof) && lexer.endsInComment())
      return;
    diags.error(loc, msg);
  }
  /// Skips to the next `;` (consumed), `}`, `model`, declaration keyword or
  /// the end of the file.
  void recover();
  /// `;` ending a declaration. A missing `;` is reported just after the
  /// previous token; returns true if parsing can go on without skipping
  /// (the next token starts a declaration or closes the model).
  bool expectSemi();

  //===--- Grammar --------------------------------------------------------===//

  bool parseModel(Model &model);
  DeclPtr parseDecl();
  DeclPtr parseValueDecl(Decl::Kind kind);
  DeclPtr parseStateDecl();
  DeclPtr parseParamDecl();
  DeclPtr parseClaimDecl();
  bool parseName(const Token &keyword, std::string &name, SourceLoc &loc);
  bool parseType(TypeSpec &type);

  ExprPtr parseExpr();
  ExprPtr parseAdditive();
  ExprPtr parseMultiplicative();
  ExprPtr parseUnary();
  ExprPtr parsePower();
  ExprPtr parsePostfix();
  ExprPtr parseCall(ExprPtr callee);
  ExprPtr parseIndexOrSlice(ExprPtr base);
  ExprPtr parsePrimary();
  ExprPtr parseParenExpr();
  ExprPtr parseListExpr();
  bool parseCloser(TokenKind closer, const Token &opener);

  /// Records the tree depth of a new node (from its children's) and fails
  /// with "expression nested too deeply" past kMaxTreeDepth.
  ExprPtr track(ExprPtr e);
  unsigned depthOf(const Expr *e) const {
    if (!e)
      return 0;
    auto it = treeDepth.find(e);
    return it == treeDepth.end() ? 1 : it->second;
  }
  void reportTooDeep(SourceLoc loc) {
    error(loc, "expression nested too deeply");
  }

  uint32_t buffer;
  DiagnosticEngine &diags;
  Lexer lexer;
  std::deque<Token> lookahead;
  SourceLoc prevEnd;
  uint64_t consumed = 0;
  unsigned nesting = 0;
  std::unordered_map<const Expr *, unsigned> treeDepth;
};

void Parser::recover() {
  for (;;) {
    TokenKind k = tok().kind;
    if (k == TokenKind::eof || k == TokenKind::r_brace ||
        k == TokenKind::kw_model || startsDecl(k))
      return;
    consume();
    if (k == TokenKind::semi)
      return;
  }
}

bool Parser::expectSemi() {
  if (consumeIf(TokenKind::semi))
    return true;
  error(prevEnd, "expected ';' after declaration");
  return at(TokenKind::r_brace) || at(TokenKind::kw_model) ||
         at(TokenKind::eof) || startsDecl(tok().kind);
}

// file := model* EOF   (model names distinct)
File Parser::parseFile() {
  File file;
  file.buffer = buffer;
  unsigned errorsBefore = diags.errorCount();
  std::unordered_map<std::string, SourceLoc> seen; // model name -> where
  while (!at(TokenKind::eof)) {
    if (!at(TokenKind::kw_model)) {
      error(tok().loc, "expected 'model'");
      do
        consume();
      while (!at(TokenKind::eof) && !at(TokenKind::kw_model));
      continue;
    }
    Model model;
    if (!parseModel(model))
      continue;
    // Each model becomes a C++ namespace of that name: one per file.
    auto [prev, fresh] = seen.emplace(model.name, model.nameLoc);
    if (!fresh) {
      error(model.nameLoc, "redefinition of model '" + model.name + "'");
      diags.note(prev->second, "previous definition of '" + model.name +
                                   "' is here");
      continue;
    }
    file.models.push_back(std::move(model));
  }
  if (file.models.empty() && diags.errorCount() == errorsBefore)
    error(SourceLoc{buffer, 1, 1}, "no model in file");
  return file;
}

// model := 'model' NAME '{' decl* '}'
// A model whose header is broken is skipped whole, up to the next `model`.
bool Parser::parseModel(Model &model) {
  Token kw = consume();
  model.loc = kw.loc;
  bool headerOk = parseName(kw, model.name, model.nameLoc);
  if (headerOk && !consumeIf(TokenKind::l_brace)) {
    error(tok().loc, "expected '{' after model name");
    headerOk = false;
  }
  if (!headerOk) {
    while (!at(TokenKind::eof) && !at(TokenKind::kw_model))
      consume();
    return false;
  }
  while (!at(TokenKind::r_brace)) {
    if (at(TokenKind::eof) || at(TokenKind::kw_model)) {
      error(tok().loc, "expected '}' at end of model '" + model.name + "'");
      return true;
    }
    uint64_t before = consumed;
    if (DeclPtr d = parseDecl())
      model.decls.push_back(std::move(d));
    else
      recover();
    if (consumed == before)
      consume(); // cannot happen by the rules above; never loop forever
  }
  consume();
  return true;
}

// decl := constDecl | gridDecl | stateDecl | paramDecl | netDecl | letDecl
//       | energyDecl | structureDecl | vectorfieldDecl | claimDecl
DeclPtr Parser::parseDecl() {
  treeDepth.clear();
  switch (tok().kind) {
  case TokenKind::kw_const:
    return parseValueDecl(Decl::Kind::Const);
  case TokenKind::kw_grid:
    return parseValueDecl(Decl::Kind::Grid);
  case TokenKind::kw_net:
    return parseValueDecl(Decl::Kind::Net);
  case TokenKind::kw_let:
    return parseValueDecl(Decl::Kind::Let);
  case TokenKind::kw_energy:
    return parseValueDecl(Decl::Kind::Energy);
  case TokenKind::kw_structure:
    return parseValueDecl(Decl::Kind::Structure);
  case TokenKind::kw_vectorfield:
    return parseValueDecl(Decl::Kind::VectorField);
  case TokenKind::kw_state:
    return parseStateDecl();
  case TokenKind::kw_param:
    return parseParamDecl();
  case TokenKind::kw_conserves:
  case TokenKind::kw_dissipates:
    return parseClaimDecl();
  case TokenKind::identifier:
    error(tok().loc, "unknown declaration '" + std::string(tok().text) + "'");
    consume();
    return nullptr;
  default:
    error(tok().loc, "expected declaration");
    return nullptr;
  }
}

// NAME := identifier   (after `keyword`)
bool Parser::parseName(const Token &keyword, std::string &name,
                       SourceLoc &loc) {
  if (!at(TokenKind::identifier)) {
    error(tok().loc, "expected name after '" + std::string(keyword.text) + "'");
    return false;
  }
  Token t = consume();
  name = std::string(t.text);
  loc = t.loc;
  return true;
}

// constDecl       := 'const' NAME '=' expr ';'
// gridDecl        := 'grid' NAME '=' expr ';'        (periodic(...), ...)
// netDecl         := 'net' NAME '=' expr ';'         (mlp(...), conv_net(...))
// letDecl         := 'let' NAME '=' expr ';'
// energyDecl      := 'energy' NAME '=' expr ';'
// structureDecl   := 'structure' NAME '=' expr ';'
// vectorfieldDecl := 'vectorfield' NAME '=' expr ';'
DeclPtr Parser::parseValueDecl(Decl::Kind kind) {
  Token kw = consume();
  std::string name;
  SourceLoc nameLoc;
  if (!parseName(kw, name, nameLoc))
    return nullptr;
  if (!consumeIf(TokenKind::equal)) {
    error(tok().loc, "expected '=' after '" + name + "'");
    return nullptr;
  }
  ExprPtr value = parseExpr();
  if (!value || !expectSemi())
    return nullptr;
  return std::make_unique<ValueDecl>(kind, kw.loc, std::move(name), nameLoc,
                                     std::move(value));
}

// stateDecl := 'state' NAME ':' type ';'
DeclPtr Parser::parseStateDecl() {
  Token kw = consume();
  std::string name;
  SourceLoc nameLoc;
  if (!parseName(kw, name, nameLoc))
    return nullptr;
  if (!consumeIf(TokenKind::colon)) {
    error(tok().loc, "expected ':' after '" + name + "'");
    return nullptr;
  }
  TypeSpec type;
  if (!parseType(type) || !expectSemi())
    return nullptr;
  return std::make_unique<StateDecl>(kw.loc, std::move(name), nameLoc,
                                     std::move(type));
}

// paramDecl := 'param' NAME ':' type ['nonneg'] 'init' expr ['nonneg'] ';'
DeclPtr Parser::parseParamDecl() {
  Token kw = consume();
  std::string name;
  SourceLoc nameLoc;
  if (!parseName(kw, name, nameLoc))
    return nullptr;
  if (!consumeIf(TokenKind::colon)) {
    error(tok().loc, "expected ':' after '" + name + "'");
    return nullptr;
  }
  TypeSpec type;
  if (!parseType(type))
    return nullptr;
  bool nonneg = consumeIf(TokenKind::kw_nonneg);
  if (!consumeIf(TokenKind::kw_init)) {
    error(tok().loc, "expected 'init' after the type of '" + name + "'");
    return nullptr;
  }
  ExprPtr init = parseExpr();
  if (!init)
    return nullptr;
  if (at(TokenKind::kw_nonneg)) {
    if (nonneg) {
      error(tok().loc, "duplicate 'nonneg'");
      return nullptr;
    }
    consume();
    nonneg = true;
  }
  if (!expectSemi())
    return nullptr;
  return std::make_unique<ParamDecl>(kw.loc, std::move(name), nameLoc,
                                     std::move(type), std::move(init), nonneg);
}

// claimDecl := ('conserves' | 'dissipates') claimItem (',' claimItem)* ';'
// claimItem := 'energy' | 'mass'
DeclPtr Parser::parseClaimDecl() {
  Token kw = consume();
  std::vector<ClaimDecl::Item> items;
  do {
    const Token &t = tok();
    if (!t.is(TokenKind::kw_energy) && !t.isIdent("mass")) {
      error(t.loc,
            "expected 'energy' or 'mass' after '" + std::string(kw.text) + "'");
      // Skip the rest of the claim only: `energy` here is not a declaration.
      while (!at(TokenKind::eof) && !at(TokenKind::r_brace) &&
             !at(TokenKind::kw_model) && !at(TokenKind::semi))
        consume();
      consumeIf(TokenKind::semi);
      return nullptr;
    }
    items.push_back({std::string(t.text), t.loc});
    consume();
  } while (consumeIf(TokenKind::comma));
  if (!expectSemi())
    return nullptr;
  return std::make_unique<ClaimDecl>(kw.loc, std::string(kw.text),
                                     std::move(items));
}

// type := 'real' ['[' expr (',' expr)* ']'] | 'field' '(' NAME ')'
bool Parser::parseType(TypeSpec &type) {
  type.loc = tok().loc;
  if (tok().isIdent("real")) {
    consume();
    type.kind = TypeSpec::Kind::Real;
    if (!at(TokenKind::l_square))
      return true;
    Token open = consume();
    type.kind = TypeSpec::Kind::Array;
    do {
      ExprPtr dim = parseExpr();
      if (!dim)
        return false;
      type.dims.push_back(std::move(dim));
    } while (consumeIf(TokenKind::comma));
    return parseCloser(TokenKind::r_square, open);
  }
  if (tok().isIdent("field")) {
    consume();
    type.kind = TypeSpec::Kind::Field;
    if (!at(TokenKind::l_paren)) {
      error(tok().loc, "expected '(' after 'field'");
      return false;
    }
    Token open = consume();
    if (!at(TokenKind::identifier)) {
      error(tok().loc, "expected grid name in 'field(...)'");
      return false;
    }
    Token grid = consume();
    type.grid = std::string(grid.text);
    type.gridLoc = grid.loc;
    return parseCloser(TokenKind::r_paren, open);
  }
  error(tok().loc, "expected type 'real', 'real[...]' or 'field(GRID)'");
  return false;
}

/// `)` or `]` closing `opener`; on failure, an error and a note at the
/// opener.
bool Parser::parseCloser(TokenKind closer, const Token &opener) {
  if (consumeIf(closer))
    return true;
  std::string spelled = tokenSpelling(closer);
  error(tok().loc, "expected '" + spelled + "'");
  diags.note(opener.loc, "to match this '" + std::string(opener.text) + "'");
  return false;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

ExprPtr Parser::track(ExprPtr e) {
  unsigned d = 0;
  auto child = [&](const Expr *c) { d = std::max(d, depthOf(c)); };
  switch (e->kind) {
  case Expr::Kind::Number:
  case Expr::Kind::Bool:
  case Expr::Kind::Ident:
    break;
  case Expr::Kind::Member:
    child(cast<MemberExpr>(e.get())->base.get());
    break;
  case Expr::Kind::Unary:
    child(cast<UnaryExpr>(e.get())->operand.get());
    break;
  case Expr::Kind::Binary:
    child(cast<BinaryExpr>(e.get())->lhs.get());
    child(cast<BinaryExpr>(e.get())->rhs.get());
    break;
  case Expr::Kind::Call:
    for (const CallArg &a : cast<CallExpr>(e.get())->args)
      child(a.value.get());
    break;
  case Expr::Kind::Index:
    child(cast<IndexExpr>(e.get())->base.get());
    child(cast<IndexExpr>(e.get())->index.get());
    break;
  case Expr::Kind::Slice:
    child(cast<SliceExpr>(e.get())->base.get());
    child(cast<SliceExpr>(e.get())->lo.get());
    child(cast<SliceExpr>(e.get())->hi.get());
    break;
  case Expr::Kind::List:
    for (const ExprPtr &x : cast<ListExpr>(e.get())->elems)
      child(x.get());
    break;
  }
  if (d + 1 > kMaxTreeDepth) {
    reportTooDeep(e->loc);
    return nullptr;
  }
  treeDepth[e.get()] = d + 1;
  return e;
}

// expr := additive
ExprPtr Parser::parseExpr() { return parseAdditive(); }

// additive := multiplicative (('+' | '-') multiplicative)*
ExprPtr Parser::parseAdditive() {
  ExprPtr lhs = parseMultiplicative();
  while (lhs && (at(TokenKind::plus) || at(TokenKind::minus))) {
    Token op = consume();
    ExprPtr rhs = parseMultiplicative();
    if (!rhs)
      return nullptr;
    lhs = track(std::make_unique<BinaryExpr>(op.loc, op.text[0], std::move(lhs),
                                             std::move(rhs)));
  }
  return lhs;
}

// multiplicative := unary (('*' | '/') unary)*
ExprPtr Parser::parseMultiplicative() {
  ExprPtr lhs = parseUnary();
  while (lhs && (at(TokenKind::star) || at(TokenKind::slash))) {
    Token op = consume();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    lhs = track(std::make_unique<BinaryExpr>(op.loc, op.text[0], std::move(lhs),
                                             std::move(rhs)));
  }
  return lhs;
}

// unary := ('+' | '-') unary | power
// Every recursive path of the expression grammar passes through here, so
// this is where the parser's nesting depth is counted.
ExprPtr Parser::parseUnary() {
  if (nesting >= kMaxNesting) {
    reportTooDeep(tok().loc);
    return nullptr;
  }
  ++nesting;
  ExprPtr result;
  if (at(TokenKind::plus) || at(TokenKind::minus)) {
    Token op = consume();
    if (ExprPtr operand = parseUnary())
      result = track(
          std::make_unique<UnaryExpr>(op.loc, op.text[0], std::move(operand)));
  } else {
    result = parsePower();
  }
  --nesting;
  return result;
}

// power := postfix ['^' unary]
// Right associative, and tighter than a unary minus on its left:
// `-u ^ 2` is `-(u ^ 2)`, `a ^ b ^ c` is `a ^ (b ^ c)`, `x ^ -1` parses.
ExprPtr Parser::parsePower() {
  ExprPtr base = parsePostfix();
  if (!base || !at(TokenKind::caret))
    return base;
  Token op = consume();
  ExprPtr exponent = parseUnary();
  if (!exponent)
    return nullptr;
  return track(std::make_unique<BinaryExpr>(op.loc, '^', std::move(base),
                                            std::move(exponent)));
}

// postfix := primary ( '(' args ')' | '[' index ']' | '.' NAME )*
ExprPtr Parser::parsePostfix() {
  ExprPtr e = parsePrimary();
  while (e) {
    if (at(TokenKind::l_paren)) {
      e = parseCall(std::move(e));
    } else if (at(TokenKind::l_square)) {
      e = parseIndexOrSlice(std::move(e));
    } else if (at(TokenKind::period)) {
      consume();
      if (!at(TokenKind::identifier)) {
        error(tok().loc, "expected member name after '.'");
        return nullptr;
      }
      Token member = consume();
      SourceLoc loc = e->loc;
      e = track(std::make_unique<MemberExpr>(
          loc, std::move(e), std::string(member.text), member.loc));
    } else {
      break;
    }
  }
  return e;
}

// call := NAME '(' [arg (',' arg)*] ')'
// arg  := NAME ':' expr | expr
ExprPtr Parser::parseCall(ExprPtr callee) {
  Token open = consume();
  auto *name = dyn_cast<IdentExpr>(callee.get());
  if (!name) {
    error(open.loc, "only a name can be called");
    return nullptr;
  }
  std::vector<CallArg> args;
  if (!at(TokenKind::r_paren)) {
    do {
      CallArg arg;
      if (at(TokenKind::identifier) && peek(1).is(TokenKind::colon)) {
        Token n = consume();
        consume();
        arg.name = std::string(n.text);
        arg.nameLoc = n.loc;
      }
      arg.value = parseExpr();
      if (!arg.value)
        return nullptr;
      args.push_back(std::move(arg));
    } while (consumeIf(TokenKind::comma));
  }
  if (!parseCloser(TokenKind::r_paren, open))
    return nullptr;
  return track(std::make_unique<CallExpr>(name->loc, std::move(name->name),
                                          std::move(args)));
}

// index := '[' expr ']' | '[' [expr] ':' [expr] ']'
ExprPtr Parser::parseIndexOrSlice(ExprPtr base) {
  Token open = consume();
  ExprPtr lo;
  if (!at(TokenKind::colon)) {
    lo = parseExpr();
    if (!lo)
      return nullptr;
    if (!at(TokenKind::colon)) {
      if (!parseCloser(TokenKind::r_square, open))
        return nullptr;
      SourceLoc loc = base->loc;
      return track(
          std::make_unique<IndexExpr>(loc, std::move(base), std::move(lo)));
    }
  }
  consume(); // ':'
  ExprPtr hi;
  if (!at(TokenKind::r_square)) {
    hi = parseExpr();
    if (!hi)
      return nullptr;
  }
  if (!parseCloser(TokenKind::r_square, open))
    return nullptr;
  SourceLoc loc = base->loc;
  return track(std::make_unique<SliceExpr>(loc, std::move(base), std::move(lo),
                                           std::move(hi)));
}

// primary := NUMBER | 'true' | 'false' | NAME | '(' expr ')' | list
ExprPtr Parser::parsePrimary() {
  const Token &t = tok();
  switch (t.kind) {
  case TokenKind::number: {
    Token n = consume();
    std::string spelling(n.text);
    double value = std::strtod(spelling.c_str(), nullptr);
    if (!std::isfinite(value)) {
      error(n.loc, "number '" + spelling + "' is out of range");
      return nullptr;
    }
    return track(std::make_unique<NumberExpr>(n.loc, value, spelling));
  }
  case TokenKind::kw_true:
  case TokenKind::kw_false: {
    Token b = consume();
    return track(std::make_unique<BoolExpr>(b.loc, b.is(TokenKind::kw_true)));
  }
  case TokenKind::identifier: {
    Token n = consume();
    return track(std::make_unique<IdentExpr>(n.loc, std::string(n.text)));
  }
  case TokenKind::l_paren:
    return parseParenExpr();
  case TokenKind::l_square:
    return parseListExpr();
  default:
    error(t.loc, "expected expression");
    return nullptr;
  }
}

// paren := '(' expr ')'
ExprPtr Parser::parseParenExpr() {
  Token open = consume();
  ExprPtr e = parseExpr();
  if (!e || !parseCloser(TokenKind::r_paren, open))
    return nullptr;
  return e;
}

// list := '[' [expr (',' expr)*] ']'
ExprPtr Parser::parseListExpr() {
  Token open = consume();
  std::vector<ExprPtr> elems;
  if (!at(TokenKind::r_square)) {
    do {
      ExprPtr e = parseExpr();
      if (!e)
        return nullptr;
      elems.push_back(std::move(e));
    } while (consumeIf(TokenKind::comma));
  }
  if (!parseCloser(TokenKind::r_square, open))
    return nullptr;
  return track(std::make_unique<ListExpr>(open.loc, std::move(elems)));
}

} // namespace

File parseFile(uint32_t buffer, const SourceManager &sm,
               DiagnosticEngine &diags) {
  Parser parser(buffer, sm, diags);
  return parser.parseFile();
}

} // namespace dgc
