//===- ParserTest.cpp - Unit tests for the dg parser and AST dumper -------===//
//
// Part of dgc. Every example of dsl.md parses without errors; operator
// precedence and associativity; node locations; every declaration form;
// error recovery (several errors per run, good declarations kept); the
// nesting guards; empty, truncated, junk and megabyte inputs; the AST dump.
//
//===----------------------------------------------------------------------===//
#include "ParseTestUtil.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace dgc;
using dgc::test::Harness;

namespace {

/// A compact, location-free rendering of an expression: `(+ a (* b c))`.
std::string sexpr(const Expr *e) {
  if (!e)
    return "_";
  switch (e->kind) {
  case Expr::Kind::Number:
    return static_cast<const NumberExpr *>(e)->spelling;
  case Expr::Kind::Bool:
    return static_cast<const BoolExpr *>(e)->value ? "true" : "false";
  case Expr::Kind::Ident:
    return static_cast<const IdentExpr *>(e)->name;
  case Expr::Kind::Member: {
    auto *m = static_cast<const MemberExpr *>(e);
    return "(. " + sexpr(m->base.get()) + " " + m->member + ")";
  }
  case Expr::Kind::Unary: {
    auto *u = static_cast<const UnaryExpr *>(e);
    return std::string("(") + u->op + " " + sexpr(u->operand.get()) + ")";
  }
  case Expr::Kind::Binary: {
    auto *b = static_cast<const BinaryExpr *>(e);
    return std::string("(") + b->op + " " + sexpr(b->lhs.get()) + " " +
           sexpr(b->rhs.get()) + ")";
  }
  case Expr::Kind::Call: {
    auto *c = static_cast<const CallExpr *>(e);
    std::string s = "(call " + c->callee;
    for (const CallArg &a : c->args)
      s += " " + (a.name.empty() ? "" : a.name + ":") + sexpr(a.value.get());
    return s + ")";
  }
  case Expr::Kind::Index: {
    auto *i = static_cast<const IndexExpr *>(e);
    return "(index " + sexpr(i->base.get()) + " " + sexpr(i->index.get()) + ")";
  }
  case Expr::Kind::Slice: {
    auto *s = static_cast<const SliceExpr *>(e);
    return "(slice " + sexpr(s->base.get()) + " " + sexpr(s->lo.get()) + " " +
           sexpr(s->hi.get()) + ")";
  }
  case Expr::Kind::List: {
    auto *l = static_cast<const ListExpr *>(e);
    std::string s = "[";
    for (size_t k = 0; k < l->elems.size(); ++k)
      s += (k ? " " : "") + sexpr(l->elems[k].get());
    return s + "]";
  }
  }
  return "?";
}

/// Parses `let v = <expr>;` and returns its value rendered by sexpr, or
/// the first error line.
std::string parseExpr(const std::string &expr) {
  Harness h("model M {\n  let v = " + expr + ";\n}\n");
  File f = h.parse();
  if (h.diags->hasErrors())
    return h.errorLines().front();
  const auto *d = dyn_cast<ValueDecl>(f.models.at(0).decls.at(0).get());
  return d ? sexpr(d->value.get()) : "not a value decl";
}

std::string readFile(const std::filesystem::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

//===----------------------------------------------------------------------===//
// The examples of dsl.md
//===----------------------------------------------------------------------===//

TEST(Parser, EveryExampleParsesWithoutErrors) {
  unsigned files = 0;
  for (const auto &entry :
       std::filesystem::directory_iterator(DGC_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".dg")
      continue;
    ++files;
    Harness h(readFile(entry.path()), entry.path().filename().string());
    File f = h.parse();
    EXPECT_EQ(h.diags->errorCount(), 0u) << entry.path() << "\n" << h.printed();
    EXPECT_GE(f.models.size(), 1u) << entry.path();
    for (const Model &m : f.models)
      EXPECT_GE(m.decls.size(), 3u) << m.name;
  }
  EXPECT_GE(files, 9u);
}

TEST(Parser, KdVExampleStructure) {
  Harness h(readFile(std::filesystem::path(DGC_EXAMPLES_DIR) / "kdv.dg"));
  File f = h.parse();
  ASSERT_EQ(f.models.size(), 1u);
  const Model &m = f.models[0];
  EXPECT_EQ(m.name, "KdV");
  using K = Decl::Kind;
  std::vector<K> ks;
  for (const DeclPtr &d : m.decls)
    ks.push_back(d->kind);
  EXPECT_EQ(ks, (std::vector<K>{K::Const, K::Const, K::Grid, K::State,
                                K::Energy, K::Structure, K::Claim}));
  auto *energy = dyn_cast<ValueDecl>(m.decls[4].get());
  ASSERT_TRUE(energy);
  EXPECT_EQ(sexpr(energy->value.get()),
            "(* (. x dx) (call sum (- (* (/ (- alpha) 6) (^ u 3)) "
            "(/ (* (/ beta 2) (+ (^ (call Df u) 2) (^ (call Db u) 2))) 2))))");
  auto *state = dyn_cast<StateDecl>(m.decls[3].get());
  ASSERT_TRUE(state);
  EXPECT_EQ(state->type.kind, TypeSpec::Kind::Field);
  EXPECT_EQ(state->type.grid, "x");
  auto *claim = dyn_cast<ClaimDecl>(m.decls[6].get());
  ASSERT_TRUE(claim);
  EXPECT_TRUE(claim->isConserves());
  ASSERT_EQ(claim->items.size(), 2u);
  EXPECT_EQ(claim->items[0].what, "energy");
  EXPECT_EQ(claim->items[1].what, "mass");
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

TEST(Parser, Precedence) {
  EXPECT_EQ(parseExpr("-u ^ 2"), "(- (^ u 2))");
  EXPECT_EQ(parseExpr("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(parseExpr("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(parseExpr("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(parseExpr("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(parseExpr("a ^ b ^ c"), "(^ a (^ b c))");
  EXPECT_EQ(parseExpr("2 * -x"), "(* 2 (- x))");
  EXPECT_EQ(parseExpr("x ^ -1"), "(^ x (- 1))");
  EXPECT_EQ(parseExpr("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(parseExpr("- - +a"), "(- (- (+ a)))");
  EXPECT_EQ(parseExpr("a * b ^ 2"), "(* a (^ b 2))");
  EXPECT_EQ(parseExpr("(u ^ 2 - 1) ^ 2"), "(^ (- (^ u 2) 1) 2)");
  EXPECT_EQ(parseExpr("S - friction(g)"), "(- S (call friction g))");
  EXPECT_EQ(parseExpr("-I"), "(- I)");
}

TEST(Parser, PostfixAndPrimaries) {
  EXPECT_EQ(parseExpr("f([q, p])"), "(call f [q p])");
  EXPECT_EQ(parseExpr("mlp(in: 2, hidden: [200, 200], act: tanh, "
                      "bias_last: false)"),
            "(call mlp in:2 hidden:[200 200] act:tanh bias_last:false)");
  EXPECT_EQ(parseExpr("f()"), "(call f)");
  EXPECT_EQ(parseExpr("u[1]"), "(index u 1)");
  EXPECT_EQ(parseExpr("u[1:3]"), "(slice u 1 3)");
  EXPECT_EQ(parseExpr("u[:3]"), "(slice u _ 3)");
  EXPECT_EQ(parseExpr("u[2:]"), "(slice u 2 _)");
  EXPECT_EQ(parseExpr("u[:]"), "(slice u _ _)");
  EXPECT_EQ(parseExpr("x.dx * x.n"), "(* (. x dx) (. x n))");
  EXPECT_EQ(parseExpr("[]"), "[]");
  EXPECT_EQ(parseExpr("true"), "true");
  EXPECT_EQ(parseExpr(".5 + 2. + 1e-3"), "(+ (+ .5 2.) 1e-3)");
  EXPECT_EQ(parseExpr("u[1:2][0]"), "(index (slice u 1 2) 0)");
  EXPECT_EQ(parseExpr("-u[0] ^ 2"), "(- (^ (index u 0) 2))");
}

TEST(Parser, NumberValues) {
  Harness h("model M { let a = 1e-3; let b = 6; }");
  File f = h.parse();
  ASSERT_EQ(f.models.at(0).decls.size(), 2u);
  auto *a = dyn_cast<NumberExpr>(
      cast<ValueDecl>(f.models[0].decls[0].get())->value.get());
  auto *b = dyn_cast<NumberExpr>(
      cast<ValueDecl>(f.models[0].decls[1].get())->value.get());
  ASSERT_TRUE(a && b);
  EXPECT_DOUBLE_EQ(a->value, 1e-3);
  EXPECT_FALSE(a->isIntegerLiteral());
  EXPECT_DOUBLE_EQ(b->value, 6.0);
  EXPECT_TRUE(b->isIntegerLiteral());
}

TEST(Parser, Locations) {
  Harness h("model M {\n"
            "  energy H = x.dx * f(in: u[1:2]);\n"
            "}\n");
  File f = h.parse();
  ASSERT_EQ(h.diags->errorCount(), 0u) << h.printed();
  const Model &m = f.models.at(0);
  EXPECT_EQ(m.loc.line, 1u);
  EXPECT_EQ(m.nameLoc.col, 7u);
  const auto *d = cast<ValueDecl>(m.decls.at(0).get());
  EXPECT_EQ(d->loc.line, 2u);
  EXPECT_EQ(d->loc.col, 3u);
  EXPECT_EQ(d->nameLoc.col, 10u);
  const auto *mul = dyn_cast<BinaryExpr>(d->value.get());
  ASSERT_TRUE(mul);
  EXPECT_EQ(mul->loc.line, 2u);
  EXPECT_EQ(mul->loc.col, 19u); // the operator
  const auto *mem = dyn_cast<MemberExpr>(mul->lhs.get());
  ASSERT_TRUE(mem);
  EXPECT_EQ(mem->loc.col, 14u);
  EXPECT_EQ(mem->memberLoc.col, 16u);
  const auto *call = dyn_cast<CallExpr>(mul->rhs.get());
  ASSERT_TRUE(call);
  EXPECT_EQ(call->loc.col, 21u);
  ASSERT_EQ(call->args.size(), 1u);
  EXPECT_EQ(call->args[0].name, "in");
  EXPECT_EQ(call->args[0].nameLoc.col, 23u);
  const auto *slice = dyn_cast<SliceExpr>(call->args[0].value.get());
  ASSERT_TRUE(slice);
  EXPECT_EQ(slice->loc.col, 27u);
  EXPECT_EQ(slice->lo->loc.col, 29u);
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

TEST(Parser, StateTypes) {
  Harness h("model M {\n"
            "  state a : real;\n"
            "  state b : real[3];\n"
            "  state c : real[2, K];\n"
            "  state d : field(x);\n"
            "}\n");
  File f = h.parse();
  ASSERT_EQ(h.diags->errorCount(), 0u) << h.printed();
  const auto &ds = f.models.at(0).decls;
  ASSERT_EQ(ds.size(), 4u);
  auto type = [&](size_t k) -> const TypeSpec & {
    return cast<StateDecl>(ds[k].get())->type;
  };
  EXPECT_EQ(type(0).kind, TypeSpec::Kind::Real);
  EXPECT_EQ(type(1).kind, TypeSpec::Kind::Array);
  ASSERT_EQ(type(1).dims.size(), 1u);
  EXPECT_EQ(sexpr(type(1).dims[0].get()), "3");
  ASSERT_EQ(type(2).dims.size(), 2u);
  EXPECT_EQ(sexpr(type(2).dims[1].get()), "K");
  EXPECT_EQ(type(3).kind, TypeSpec::Kind::Field);
  EXPECT_EQ(type(3).grid, "x");
  EXPECT_EQ(type(3).gridLoc.col, 19u);
}

TEST(Parser, ParamForms) {
  Harness h("model M {\n"
            "  param g : real init 0 nonneg;\n"
            "  param A : real[2, 2] init orthogonal;\n"
            "  param L : real[2, 2] nonneg init normal(0.1);\n"
            "  param c : real init -1;\n"
            "}\n");
  File f = h.parse();
  ASSERT_EQ(h.diags->errorCount(), 0u) << h.printed();
  const auto &ds = f.models.at(0).decls;
  ASSERT_EQ(ds.size(), 4u);
  auto param = [&](size_t k) { return cast<ParamDecl>(ds[k].get()); };
  EXPECT_TRUE(param(0)->nonneg);
  EXPECT_EQ(sexpr(param(0)->init.get()), "0");
  EXPECT_FALSE(param(1)->nonneg);
  EXPECT_EQ(sexpr(param(1)->init.get()), "orthogonal");
  EXPECT_TRUE(param(2)->nonneg);
  EXPECT_EQ(sexpr(param(2)->init.get()), "(call normal 0.1)");
  EXPECT_EQ(sexpr(param(3)->init.get()), "(- 1)");
}

TEST(Parser, ClaimsAndSeveralModels) {
  Harness h("model A { dissipates energy; }\n"
            "model B { conserves mass; conserves energy, mass; }\n");
  File f = h.parse();
  ASSERT_EQ(h.diags->errorCount(), 0u) << h.printed();
  ASSERT_EQ(f.models.size(), 2u);
  EXPECT_EQ(f.models[1].name, "B");
  const auto *c = cast<ClaimDecl>(f.models[0].decls.at(0).get());
  EXPECT_FALSE(c->isConserves());
  EXPECT_EQ(c->items.at(0).what, "energy");
  EXPECT_EQ(cast<ClaimDecl>(f.models[1].decls.at(1).get())->items.size(), 2u);
}

//===----------------------------------------------------------------------===//
// Errors and recovery
//===----------------------------------------------------------------------===//

TEST(ParserErrors, SeveralErrorsPerRunAndGoodDeclsKept) {
  Harness h("model M {\n"
            "  const a = ;\n" // 2:13
            "  const b = 2;\n"
            "  state u : int;\n"  // 4:13
            "  cosnt c = 3;\n"    // 5:3
            "  let d = f(1, 2;\n" // 6:17
            "  energy H = b;\n"
            "}\n");
  File f = h.parse();
  EXPECT_EQ(h.errorLines(),
            (std::vector<std::string>{
                "t.dg:2:13: error: expected expression",
                "t.dg:4:13: error: expected type 'real', 'real[...]' or "
                "'field(GRID)'",
                "t.dg:5:3: error: unknown declaration 'cosnt'",
                "t.dg:6:17: error: expected ')'"}));
  EXPECT_NE(h.printed().find("t.dg:6:12: note: to match this '('"),
            std::string::npos);
  ASSERT_EQ(f.models.size(), 1u);
  std::vector<std::string> names;
  for (const DeclPtr &d : f.models[0].decls)
    names.push_back(d->name);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "H"}));
}

TEST(ParserErrors, MissingSemicolonPointsAfterPreviousToken) {
  Harness h("model M {\n"
            "  const a = 1\n"
            "  const b = 2;\n"
            "}\n");
  File f = h.parse();
  EXPECT_EQ(h.errorLines(),
            (std::vector<std::string>{
                "t.dg:2:14: error: expected ';' after declaration"}));
  // Both declarations survive: nothing was skipped.
  EXPECT_EQ(f.models.at(0).decls.size(), 2u);
}

TEST(ParserErrors, Messages) {
  auto firstError = [](const std::string &src) {
    Harness h(src);
    h.parse();
    std::vector<std::string> errs = h.errorLines();
    return errs.empty() ? std::string("no error") : errs.front();
  };
  EXPECT_EQ(firstError("model { }"),
            "t.dg:1:7: error: expected name after 'model'");
  EXPECT_EQ(firstError("model M const a = 1; }"),
            "t.dg:1:9: error: expected '{' after model name");
  EXPECT_EQ(firstError("model M { const a = 1;"),
            "t.dg:1:23: error: expected '}' at end of model 'M'");
  EXPECT_EQ(firstError("model M { let = 1; }"),
            "t.dg:1:15: error: expected name after 'let'");
  EXPECT_EQ(firstError("model M { let a 1; }"),
            "t.dg:1:17: error: expected '=' after 'a'");
  EXPECT_EQ(firstError("model M { state u real; }"),
            "t.dg:1:19: error: expected ':' after 'u'");
  EXPECT_EQ(firstError("model M { param g : real 0; }"),
            "t.dg:1:26: error: expected 'init' after the type of 'g'");
  EXPECT_EQ(firstError("model M { param g : real nonneg init 0 nonneg; }"),
            "t.dg:1:40: error: duplicate 'nonneg'");
  EXPECT_EQ(firstError("model M { conserves momentum; }"),
            "t.dg:1:21: error: expected 'energy' or 'mass' after 'conserves'");
  EXPECT_EQ(firstError("model M { state u : field x; }"),
            "t.dg:1:27: error: expected '(' after 'field'");
  EXPECT_EQ(firstError("model M { state u : field(1); }"),
            "t.dg:1:27: error: expected grid name in 'field(...)'");
  EXPECT_EQ(firstError("model M { let a = x.1; }"),
            "t.dg:1:20: error: expected ';' after declaration");
  EXPECT_EQ(firstError("model M { let a = x.(y); }"),
            "t.dg:1:21: error: expected member name after '.'");
  EXPECT_EQ(firstError("model M { let a = f(x)(y); }"),
            "t.dg:1:23: error: only a name can be called");
  EXPECT_EQ(firstError("model M { let a = [1, 2; }"),
            "t.dg:1:24: error: expected ']'");
  EXPECT_EQ(firstError("model M { let a = 1e999; }"),
            "t.dg:1:19: error: number '1e999' is out of range");
  EXPECT_EQ(firstError("model M { ; }"),
            "t.dg:1:11: error: expected declaration");
  EXPECT_EQ(firstError("const a = 1;"), "t.dg:1:1: error: expected 'model'");
  EXPECT_EQ(firstError("model M { } }"), "t.dg:1:13: error: expected 'model'");
}

TEST(ParserErrors, ClaimRecoveryDoesNotCascade) {
  Harness h("model M { conserves momentum energy; let a = 1; }");
  File f = h.parse();
  EXPECT_EQ(h.diags->errorCount(), 1u) << h.printed();
  EXPECT_EQ(f.models.at(0).decls.size(), 1u);
}

TEST(ParserErrors, BrokenModelHeaderSkipsToNextModel) {
  Harness h("model { const a = 1; }\nmodel N { const b = 2; }\n");
  File f = h.parse();
  EXPECT_EQ(h.diags->errorCount(), 1u) << h.printed();
  ASSERT_EQ(f.models.size(), 1u);
  EXPECT_EQ(f.models[0].name, "N");
}

TEST(ParserErrors, MissingCloseBraceBeforeNextModel) {
  Harness h("model A { const a = 1;\nmodel B { const b = 2; }\n");
  File f = h.parse();
  EXPECT_EQ(h.errorLines(),
            (std::vector<std::string>{
                "t.dg:2:1: error: expected '}' at end of model 'A'"}));
  EXPECT_EQ(f.models.size(), 2u);
}

TEST(ParserErrors, EmptyFileAndCommentOnlyFile) {
  for (const char *src : {"", "  // nothing\n/* here */\n"}) {
    Harness h(src);
    File f = h.parse();
    EXPECT_TRUE(f.models.empty());
    EXPECT_EQ(h.errorLines(),
              (std::vector<std::string>{"t.dg:1:1: error: no model in file"}));
  }
}

TEST(ParserErrors, NestingGuard) {
  std::string deep = std::string(200, '(') + "a" + std::string(200, ')');
  Harness h("model M {\n  let a = " + deep + ";\n  let b = 1;\n}\n");
  File f = h.parse();
  std::vector<std::string> errs = h.errorLines();
  ASSERT_EQ(errs.size(), 1u) << h.printed();
  EXPECT_NE(errs[0].find("error: expression nested too deeply"),
            std::string::npos);
  // Recovery skips the rest of `a` and keeps `b`.
  ASSERT_EQ(f.models.at(0).decls.size(), 1u);
  EXPECT_EQ(f.models[0].decls[0]->name, "b");
}

TEST(ParserErrors, NestingGuardHoldsForHugeInputs) {
  for (const std::string &deep :
       {std::string(100000, '(') + "a", std::string(100000, '-') + "a",
        std::string(100000, '[') + "a", [] {
          std::string s = "a";
          for (int k = 0; k < 50000; ++k)
            s += " ^ a";
          return s;
        }()}) {
    Harness h("model M { let a = " + deep + "; }");
    h.parse();
    EXPECT_EQ(h.diags->errorCount(), 1u);
    EXPECT_NE(h.printed().find("error: expression nested too deeply"),
              std::string::npos);
  }
}

TEST(ParserErrors, TreeDepthGuard) {
  // A left-deep chain has no parser recursion but a deep tree.
  std::string sum = "a";
  for (int k = 0; k < 100000; ++k)
    sum += " + a";
  Harness h("model M { let s = " + sum + "; let t = 1; }");
  File f = h.parse();
  EXPECT_EQ(h.diags->errorCount(), 1u);
  EXPECT_NE(h.printed().find("error: expression nested too deeply"),
            std::string::npos);
  EXPECT_EQ(f.models.at(0).decls.size(), 1u);
  // A long but reasonable sum is fine.
  std::string ok = "a";
  for (int k = 0; k < 500; ++k)
    ok += " + a";
  EXPECT_NE(parseExpr(ok).find("(+ "), std::string::npos);
}

TEST(ParserErrors, EveryPrefixOfAnExampleTerminates) {
  std::string src = readFile(std::filesystem::path(DGC_EXAMPLES_DIR) /
                             "real_pendulum_net.dg");
  size_t end = src.rfind('}');
  ASSERT_NE(end, std::string::npos);
  for (size_t n = 0; n < end; ++n) {
    Harness h(src.substr(0, n));
    h.parse();
    EXPECT_TRUE(h.diags->hasErrors()) << "prefix of length " << n;
  }
}

TEST(ParserErrors, RandomTokenSoupTerminates) {
  const char *pieces[] = {"model",  "M",         "{",      "}",     "(",
                          ")",      "[",         "]",      ",",     ";",
                          ":",      "=",         "+",      "-",     "*",
                          "/",      "^",         ".",      "const", "state",
                          "param",  "init",      "nonneg", "real",  "field",
                          "energy", "conserves", "mass",   "1.5",   "x"};
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string src;
    for (int k = 0; k < 300; ++k)
      src += std::string(pieces[rng() % std::size(pieces)]) + " ";
    Harness h(src);
    h.parse(); // must return; the error count is whatever it is
    EXPECT_LE(h.errorLines().size(), 21u);
  }
}

TEST(ParserErrors, MegabyteOfJunk) {
  std::mt19937 rng(1);
  std::string junk(1 << 20, '\0');
  for (char &c : junk)
    c = static_cast<char>(rng() & 0xff);
  Harness h(junk);
  auto start = std::chrono::steady_clock::now();
  File f = h.parse();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_LT(seconds, 2.0);
  EXPECT_TRUE(h.diags->hasErrors());
  EXPECT_EQ(h.errorLines().size(), 21u);
}

TEST(Parser, MegabyteOfValidModels) {
  std::string one =
      readFile(std::filesystem::path(DGC_EXAMPLES_DIR) / "allen_cahn_2d.dg");
  std::string src;
  unsigned copies = 0;
  const std::string name = "model AllenCahn2D ";
  const size_t at = one.find(name);
  ASSERT_NE(at, std::string::npos);
  while (src.size() < (1u << 20)) { // model names must differ
    std::string copy = one;
    copy.replace(at, name.size(), name.substr(0, name.size() - 1) + "_" +
                                      std::to_string(copies) + " ");
    src += copy;
    ++copies;
  }
  Harness h(src);
  auto start = std::chrono::steady_clock::now();
  File f = h.parse();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_LT(seconds, 5.0);
  EXPECT_EQ(h.diags->errorCount(), 0u);
  EXPECT_EQ(f.models.size(), copies);
}

//===----------------------------------------------------------------------===//
// AST dump
//===----------------------------------------------------------------------===//

TEST(ASTDump, TreeWithLocations) {
  Harness h("model M {\n"
            "  state u : real[2];\n"
            "  param g : real init 0 nonneg;\n"
            "  net f = mlp(in: 2);\n"
            "  energy H = -u[0:1] ^ 2;\n"
            "  dissipates energy;\n"
            "}\n");
  File f = h.parse();
  ASSERT_EQ(h.diags->errorCount(), 0u) << h.printed();
  EXPECT_EQ(dumpAST(f), "Model M @1:1\n"
                        "  State u @2:3\n"
                        "    Type real[...] @2:13\n"
                        "      Number 2 @2:18\n"
                        "  Param g nonneg @3:3\n"
                        "    Type real @3:13\n"
                        "    Number 0 @3:23\n"
                        "  Net f @4:3\n"
                        "    Call mlp @4:11\n"
                        "      Arg in @4:15\n"
                        "        Number 2 @4:19\n"
                        "  Energy H @5:3\n"
                        "    Unary - @5:14\n"
                        "      Binary ^ @5:22\n"
                        "        Slice @5:15\n"
                        "          Ident u @5:15\n"
                        "          Number 0 @5:17\n"
                        "          Number 1 @5:19\n"
                        "        Number 2 @5:24\n"
                        "  Claim dissipates @6:3\n"
                        "    Item energy @6:14\n");
}

TEST(ASTDump, TypesOnlyWhenAsked) {
  Harness h("model M { let a = x.dx * u[:]; }");
  File f = h.parse();
  ASSERT_EQ(h.diags->errorCount(), 0u) << h.printed();
  auto *v = cast<ValueDecl>(f.models.at(0).decls.at(0).get());
  v->value->type = Shape{50};
  EXPECT_EQ(dumpAST(f), dumpAST(f, false));
  EXPECT_EQ(dumpAST(f, false), "Model M @1:1\n"
                               "  Let a @1:11\n"
                               "    Binary * @1:24\n"
                               "      Member .dx @1:19\n"
                               "        Ident x @1:19\n"
                               "      Slice @1:26\n"
                               "        Ident u @1:26\n"
                               "        <none>\n"
                               "        <none>\n");
  std::string typed = dumpAST(f, true);
  EXPECT_NE(typed.find("    Binary * @1:24 : real[50]\n"), std::string::npos);
  EXPECT_NE(typed.find("      Member .dx @1:19 : real\n"), std::string::npos);
}

} // namespace
