//===- LawsTest.cpp - Structure rules, claims, constants and errors -------===//
//
// Part of dgc's unit tests. The law rules of Laws.cpp on combinations of
// structure terms, claims that do and do not follow, `-D` overrides,
// constant folding, and a hand-built AST (no parser) through Sema.
//
//===----------------------------------------------------------------------===//
#include "SemaTestUtil.h"

#include <gtest/gtest.h>

using namespace dgc;
using namespace dgc::test;

namespace {

/// A 1-D field model with the given structure and claims.
std::string fieldModel(const std::string &structure,
                       const std::string &claims = "") {
  return "model M {\n  grid x = periodic(16, 2.0);\n  state u : field(x);\n"
         "  energy H = x.dx * sum(u ^ 2);\n  structure G = " +
         structure + ";\n" + claims + "}\n";
}

/// A two-state model (q, p) with params A [2, 2], L [2, 1] and g.
std::string odeModel(const std::string &structure,
                     const std::string &claims = "") {
  return "model M {\n  state q : real;\n  state p : real;\n"
         "  param A : real[2, 2] init orthogonal;\n"
         "  param L : real[2, 1] init normal(0.1);\n"
         "  param g : real init 0.5 nonneg;\n"
         "  energy H = q ^ 2 + p ^ 2;\n  structure G = " +
         structure + ";\n" + claims + "}\n";
}

ir::Laws lawsOf(const std::string &text) {
  Checked c(text);
  EXPECT_EQ(c.errors, 0u) << c.diagText;
  return c.model ? c.model->laws : ir::Laws{};
}

TEST(SemaLaws, SkewTermsConserveEnergy) {
  for (const char *s : {"S", "skew(A)", "S + skew(A)", "2 * S", "S / 4",
                        "-S"}) {
    ir::Laws l = lawsOf(odeModel(s, "conserves energy;\n"));
    EXPECT_TRUE(l.conservesEnergy) << s;
    EXPECT_FALSE(l.dissipatesEnergy) << s;
    EXPECT_FALSE(l.conservesMass) << s;
  }
}

TEST(SemaLaws, ZeroScaleIsTheZeroMatrix) {
  ir::Laws l = lawsOf(odeModel("0 * I", "conserves energy, mass;\n"));
  EXPECT_TRUE(l.conservesEnergy && l.conservesMass);
}

TEST(SemaLaws, DissipativeTerms) {
  for (const char *s : {"-I", "S - friction(g)", "skew(A) - psd(L)",
                        "S - friction(0.1)", "-psd(L)", "S - 3 * I",
                        "-(I + psd(L))", "skew(A) + -2 * I"}) {
    ir::Laws l = lawsOf(odeModel(s, "dissipates energy;\n"));
    EXPECT_FALSE(l.conservesEnergy) << s;
    EXPECT_TRUE(l.dissipatesEnergy) << s;
  }
}

TEST(SemaLaws, NoEnergyLaw) {
  // I increases energy; D2 - I is fine but I - psd(L) has no sign.
  for (const char *s : {"I", "S + friction(g)", "I - psd(L)", "-2 * -I",
                        "-1 * skew(A) + psd(L)"}) {
    ir::Laws l = lawsOf(odeModel(s));
    EXPECT_FALSE(l.conservesEnergy) << s;
    EXPECT_FALSE(l.dissipatesEnergy) << s;
  }
}

TEST(SemaLaws, GridOperators) {
  ir::Laws d = lawsOf(fieldModel("D", "conserves energy, mass;\n"));
  EXPECT_TRUE(d.conservesEnergy && d.conservesMass);
  ir::Laws d2 = lawsOf(fieldModel("D2", "dissipates energy;\n"));
  EXPECT_TRUE(d2.dissipatesEnergy && d2.conservesMass);
  ir::Laws both = lawsOf(fieldModel("D + 0.5 * D2", "conserves mass;\n"));
  EXPECT_TRUE(both.dissipatesEnergy && both.conservesMass);
  ir::Laws mixed = lawsOf(fieldModel("D - I"));
  EXPECT_TRUE(mixed.dissipatesEnergy);
  EXPECT_FALSE(mixed.conservesMass);
  // A conservative structure also satisfies `dissipates energy`.
  EXPECT_TRUE(lawsOf(fieldModel("D", "dissipates energy;\n")).conservesEnergy);
}

TEST(SemaLaws, TwoDimensionalOperators) {
  std::string m = "model M {\n  grid x = periodic2(4, 3, 1.0, 2.0);\n"
                  "  state u : field(x);\n"
                  "  energy H = x.dx * x.dy * sum(u ^ 2);\n"
                  "  structure G = Dx + Dy + Lap;\n  conserves mass;\n}\n";
  ir::Laws l = lawsOf(m);
  EXPECT_TRUE(l.dissipatesEnergy && l.conservesMass);
}

TEST(SemaLaws, UnprovableClaimsNameTheTerm) {
  struct Case {
    std::string text, error, loc;
  } cases[] = {
      {odeModel("S - friction(g)", "conserves energy;\n"),
       "cannot prove 'conserves energy': 'friction(g)' dissipates energy",
       "8:21"},
      {odeModel("skew(A) - psd(L)", "conserves energy;\n"),
       "cannot prove 'conserves energy': 'psd(L)' dissipates energy", "8:27"},
      {odeModel("S + I", "dissipates energy;\n"),
       "cannot prove 'dissipates energy': 'I' may increase energy", "8:21"},
      // `- -2 * psd(L)` is +2 psd(L).
      {odeModel("-I - -2 * psd(L)", "dissipates energy;\n"),
       "cannot prove 'dissipates energy': '-2 * psd(L)' may increase energy",
       "8:22"},
      {fieldModel("D - I", "conserves mass;\n"),
       "cannot prove 'conserves mass': 'I' does not conserve mass", "5:21"},
      {fieldModel("D2", "conserves energy;\n"),
       "cannot prove 'conserves energy': 'D2' dissipates energy", "5:17"},
  };
  for (const Case &c : cases) {
    Checked r(c.text);
    EXPECT_EQ(r.model, nullptr);
    EXPECT_EQ(firstError(r.diagText), c.error) << r.diagText;
    EXPECT_EQ(firstErrorLoc(r.diagText), c.loc) << r.diagText;
  }
}

TEST(SemaLaws, ClaimOnAVectorField) {
  Checked c("model M {\n  state q : real;\n  vectorfield F = -q;\n"
            "  conserves energy;\n}\n");
  EXPECT_EQ(firstError(c.diagText),
            "cannot prove 'conserves energy': a vectorfield has no structure "
            "to derive laws from");
  EXPECT_EQ(firstErrorLoc(c.diagText), "4:13");
}

TEST(SemaLaws, DissipatesMassIsNotALaw) {
  Checked c(fieldModel("D2", "dissipates mass;\n"));
  EXPECT_EQ(firstError(c.diagText),
            "only energy can be dissipated; mass is conserved or not");
}

TEST(SemaLaws, StructureScaleMustBeConstant) {
  Checked c(odeModel("q * S"));
  EXPECT_EQ(firstError(c.diagText),
            "a structure scale must be a compile-time constant, got 'q'");
  Checked d(odeModel("S * I"));
  EXPECT_EQ(firstError(d.diagText),
            "cannot multiply two structures in 'S * I'; scale a structure by "
            "a constant");
  Checked z(odeModel("S / 0"));
  EXPECT_EQ(firstError(z.diagText), "division of a structure by zero");
}

TEST(SemaLaws, FrictionCoefficient) {
  Checked neg(odeModel("S - friction(-1)"));
  EXPECT_EQ(firstError(neg.diagText),
            "friction(g) needs a nonneg param or a constant >= 0, got '-1'");
  Checked vec("model M {\n  state q : real;\n  state p : real;\n"
              "  param g : real[2] init 0 nonneg;\n"
              "  energy H = q ^ 2 + p ^ 2;\n"
              "  structure G = S - friction(g);\n}\n");
  EXPECT_EQ(firstError(vec.diagText),
            "a friction coefficient must be a scalar or one per momentum "
            "(real[1]), got real[2]");
  Checked notParam(odeModel("skew(q)"));
  EXPECT_EQ(firstError(notParam.diagText), "skew(A) needs a param, got 'q'");
}

TEST(SemaConstants, DefinesOverrideConsts) {
  std::string text = "model M {\n  const a = 2;\n  const b = a * 3;\n"
                     "  grid x = periodic(b, 1.5 * a);\n"
                     "  state u : field(x);\n"
                     "  energy H = x.dx * sum(u ^ 2);\n"
                     "  structure G = D;\n}\n";
  Checked plain(text);
  ASSERT_NE(plain.model, nullptr) << plain.diagText;
  EXPECT_EQ(plain.model->grids[0].n[0], 6);
  EXPECT_DOUBLE_EQ(plain.model->grids[0].dx[0], 0.5);
  Checked over(text, {{"a", 4}});
  ASSERT_NE(over.model, nullptr) << over.diagText;
  EXPECT_EQ(over.model->stateSize, 12);
  EXPECT_DOUBLE_EQ(over.model->grids[0].length[0], 6.0);
  Checked direct(text, {{"b", 10}});
  ASSERT_NE(direct.model, nullptr);
  EXPECT_EQ(direct.model->stateSize, 10);
  Checked bad(text, {{"a", 2.5}});
  EXPECT_EQ(firstError(bad.diagText),
            "a grid size must be a positive integer, got 7.5");
  Checked unknown(text, {{"c", 1}});
  EXPECT_NE(unknown.diagText.find("dgc: error: no const named 'c' to "
                                  "override"),
            std::string::npos)
      << unknown.diagText;
}

TEST(SemaConstants, FoldingAndMembers) {
  Checked c("model M {\n  const s = sqrt(4) + exp(0) - 2 ^ 3;\n"
            "  grid x = periodic2(4, 2, 1.0, 3.0);\n"
            "  state u : field(x);\n"
            "  let k = x.dy * x.ny + x.nx;\n"
            "  energy H = s * k * sum(u ^ 2);\n  structure G = -I;\n}\n");
  ASSERT_NE(c.model, nullptr) << c.diagText;
  EXPECT_DOUBLE_EQ(c.model->consts[0], 2 + 1 - 8);
  const Expr *k = c.model->lets[0]->value.get();
  EXPECT_DOUBLE_EQ(*c.model->constValue(k), 1.5 * 2 + 4);
  EXPECT_EQ(c.model->states[0].shape, (Shape{2, 4}));
  Checked inf("model M {\n  const z = log(0);\n  state q : real;\n"
              "  vectorfield F = q;\n}\n");
  EXPECT_EQ(firstError(inf.diagText), "'log(0)' is not finite at compile time");
  Checked div("model M {\n  const z = 1 / (2 - 2);\n  state q : real;\n"
              "  vectorfield F = q;\n}\n");
  EXPECT_EQ(firstError(div.diagText), "division by zero in '1 / (2 - 2)'");
  Checked member("model M {\n  grid x = periodic(4, 1.0);\n"
                 "  state u : field(x);\n  vectorfield F = x.dy * u;\n}\n");
  EXPECT_EQ(firstError(member.diagText), "'dy' needs a 2-D grid; 'x' is 1-D");
}

TEST(SemaNames, EveryExpressionIsTyped) {
  Checked c(readExample("kdv_net.dg"));
  ASSERT_NE(c.model, nullptr);
  const auto *energy = c.model->energy;
  // x.dx * sum(f(u)): the product, the sum and the net call.
  auto *mul = dyn_cast<BinaryExpr>(energy->value.get());
  ASSERT_NE(mul, nullptr);
  EXPECT_TRUE(mul->type.isScalar());
  auto *sum = dyn_cast<CallExpr>(mul->rhs.get());
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->args[0].value->type, Shape{50});
  EXPECT_EQ(c.model->gridOf(sum->args[0].value.get()), 0);
  EXPECT_EQ(c.model->structureDecl->value->type, (Shape{50, 50}));
}

TEST(SemaNames, HandBuiltAST) {
  // model M { state q : real; state p : real;
  //           energy H = q * p; structure G = S; }  -- built without parser.
  SourceManager sm;
  uint32_t id = sm.addBuffer("h.dg", "x\n");
  SourceLoc l{id, 1, 1};
  Model m;
  m.name = "M";
  m.loc = m.nameLoc = l;
  m.decls.push_back(std::make_unique<StateDecl>(l, "q", l, TypeSpec{}));
  m.decls.push_back(std::make_unique<StateDecl>(l, "p", l, TypeSpec{}));
  m.decls.push_back(std::make_unique<ValueDecl>(
      Decl::Kind::Energy, l, "H", l,
      std::make_unique<BinaryExpr>(l, '*',
                                   std::make_unique<IdentExpr>(l, "q"),
                                   std::make_unique<IdentExpr>(l, "p"))));
  m.decls.push_back(std::make_unique<ValueDecl>(
      Decl::Kind::Structure, l, "G", l, std::make_unique<IdentExpr>(l, "S")));
  char *buf = nullptr;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  DiagnosticEngine diags(sm, out);
  std::unique_ptr<CheckedModel> cm = checkModel(m, {}, diags);
  std::fclose(out);
  std::free(buf);
  ASSERT_NE(cm, nullptr);
  EXPECT_EQ(cm->stateSize, 2);
  EXPECT_TRUE(cm->laws.conservesEnergy);
  ir::ModelIR ir = lowerModel(*cm);
  // H = q p, G x = (p, -q).
  EXPECT_DOUBLE_EQ(run(ir, *ir.find("energy"), {3, 5})[0], 15);
  EXPECT_EQ(run(ir, *ir.find("structure"), {3, 5}),
            (std::vector<double>{5, -3}));
}

TEST(SemaNames, ErrorsDoNotCascade) {
  // One error for the bad const; its uses stay silent.
  Checked c("model M {\n  const a = u;\n  const b = a + 1;\n"
            "  state q : real;\n  state p : real;\n"
            "  energy H = b * q ^ 2 + p ^ 2;\n  structure G = S;\n}\n");
  EXPECT_EQ(c.errors, 1u) << c.diagText;
  EXPECT_EQ(firstError(c.diagText), "unknown name 'u'");
}

} // namespace
