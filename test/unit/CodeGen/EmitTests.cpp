//===- EmitTests.cpp - Generated headers compiled and run -----------------===//
//
// Part of dgc. Emits headers for hand-built models (TestModels.h), writes a
// driver that calls every generated function (single, batch, scalar
// overload) in double and float, compiles it with the system compiler
// (-Wall -Wextra -Werror), runs it, and compares the results with
// ir::interpret and with formulas written out here.
//
//===----------------------------------------------------------------------===//
#include "CodeGen/CppEmitter.h"
#include "IR/Interpreter.h"
#include "TestModels.h"

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>
#include <regex>
#include <sstream>

using namespace dgc;

namespace {

namespace fs = std::filesystem;

using Values = std::map<std::string, std::vector<double>>;

std::string readFile(const fs::path &p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const fs::path &p, const std::string &s) {
  std::ofstream(p) << s;
}

/// Deterministic inputs in [lo, hi).
std::vector<double> randomVec(int64_t n, uint64_t &state, double lo,
                              double hi) {
  std::vector<double> v(static_cast<size_t>(n));
  for (double &e : v) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    e = lo + (hi - lo) * static_cast<double>(state >> 11) * 0x1.0p-53;
  }
  return v;
}

std::string doubles(const std::vector<double> &v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    char b[40];
    std::snprintf(b, sizeof b, "%s%.17g", i ? ", " : "", v[i]);
    s += b;
  }
  return s;
}

bool isParam(const ir::ModelIR &m, const std::string &n) {
  return m.findParam(n) != nullptr;
}

/// The whole fixture: models, their inputs, the driver's output.
struct Generated {
  std::vector<ir::ModelIR> headerA, headerB;
  std::string textA, textB;
  /// model.function.input -> values
  Values inputs;
  Values out;
  std::string compileLog;
  bool compiled = false;
};

std::string driverFor(const std::vector<const ir::ModelIR *> &models,
                      Values &inputs) {
  std::string d = "#include \"a.hpp\"\n#include \"b.hpp\"\n"
                  "#include <cstdio>\n#include <memory>\n\n"
                  "template <class T> void put(const char* tag, const char* "
                  "key, const T* v, long n) {\n"
                  "  std::printf(\"%s %s %ld\", tag, key, n);\n"
                  "  for (long i = 0; i < n; ++i) std::printf(\" %.17g\", "
                  "static_cast<double>(v[i]));\n"
                  "  std::printf(\"\\n\");\n}\n\n";
  uint64_t state = 12345;
  std::string runAll = "template <class T> void runAll(const char* tag) {\n";
  for (const ir::ModelIR *m : models) {
    std::string ns = "dgc_models::" + m->name;
    d += "template <class T> void run_" + m->name + "(const char* tag) {\n";
    d += "  auto p = std::make_unique<" + ns + "::Params<T>>();\n";
    d += "  " + ns + "::init_params(*p, 7);\n";
    d += "  auto ws = std::make_unique<" + ns + "::Workspace<T>>();\n";
    d += "  put(tag, \"" + m->name + ".params\", p->data.data(), " + ns +
         "::param_count);\n";
    d += "  { auto q = std::make_unique<" + ns + "::Params<T>>(); " + ns +
         "::init_params(*q, 7); auto r = std::make_unique<" + ns +
         "::Params<T>>(); " + ns +
         "::init_params(*r, 8);\n    T det = q->data == p->data && (" + ns +
         "::param_count == 0 || r->data != p->data); put(tag, \"" + m->name +
         ".det\", &det, 1); }\n";
    for (const ir::Function &f : m->functions) {
      std::string key = m->name + "." + f.name;
      std::string args, bargs, b1args;
      d += "  {\n";
      int k = 0;
      for (ir::ValueId v : f.inputs) {
        const ir::Op &op = f.op(v);
        if (isParam(*m, op.name))
          continue;
        int64_t n = op.type.numel();
        bool positive = m->name == "Ops";
        auto vals = randomVec(n, state, positive ? 0.5 : -1.0,
                              positive ? 1.5 : 1.0);
        auto vals2 = randomVec(n, state, positive ? 0.5 : -1.0,
                               positive ? 1.5 : 1.0);
        inputs[key + "." + op.name] = vals;
        std::string in = "in" + std::to_string(k), n_s = std::to_string(n);
        d += "    static const double d_" + in + "[] = {" + doubles(vals) +
             "};\n";
        d += "    static const double e_" + in + "[] = {" + doubles(vals2) +
             "};\n";
        d += "    T " + in + "[" + n_s + "], b" + in + "[2 * " + n_s +
             "];\n";
        d += "    for (int j = 0; j < " + n_s + "; ++j) { " + in +
             "[j] = T(d_" + in + "[j]); b" + in + "[j] = " + in + "[j]; b" +
             in + "[" + n_s + " + j] = T(e_" + in + "[j]); }\n";
        args += ", " + in;
        bargs += ", b" + in;
        b1args += ", b" + in + " + " + n_s;
        ++k;
      }
      std::string outs, bouts, souts, rest;
      std::string check = "    bool same = true;\n";
      for (size_t r = 0; r < f.results.size(); ++r) {
        std::string o = "out" + std::to_string(r);
        std::string n_s = std::to_string(f.type(f.results[r]).numel());
        d += "    T " + o + "[" + n_s + "] = {}, b" + o + "[2 * " + n_s +
             "] = {}, s" + o + "[" + n_s + "] = {};\n";
        outs += ", " + o;
        bouts += ", b" + o;
        souts += ", s" + o;
        if (r > 0)
          rest += ", s" + o;
        check += "    for (int j = 0; j < " + n_s + "; ++j) same = same && b" +
                 o + "[j] == " + o + "[j] && b" + o + "[" + n_s + " + j] == s" +
                 o + "[j];\n";
      }
      d += "    " + ns + "::" + f.name + "(*p" + args + outs + ", *ws);\n";
      for (size_t r = 0; r < f.results.size(); ++r)
        d += "    put(tag, \"" + key + "." + std::to_string(r) + "\", out" +
             std::to_string(r) + ", " +
             std::to_string(f.type(f.results[r]).numel()) + ");\n";
      d += "    " + ns + "::" + f.name + "_batch(*p, 2" + bargs + bouts +
           ", *ws);\n";
      d += "    " + ns + "::" + f.name + "(*p" + b1args + souts + ", *ws);\n";
      d += check;
      d += "    T ok = same; put(tag, \"" + key + ".batchok\", &ok, 1);\n";
      if (!f.results.empty() && f.type(f.results[0]).isScalar()) {
        d += "    T ret = " + ns + "::" + f.name + "(*p" + args + rest +
             ", *ws);\n";
        d += "    put(tag, \"" + key + ".ret\", &ret, 1);\n";
      }
      d += "  }\n";
    }
    d += "}\n\n";
    runAll += "  run_" + m->name + "<T>(tag);\n";
  }
  d += runAll + "}\n\nint main() {\n  runAll<double>(\"d\");\n"
                "  runAll<float>(\"f\");\n}\n";
  return d;
}

Generated &generated() {
  static Generated g = [] {
    Generated g;
    g.headerA = {test::mlpModel(), test::kdvModel(16, 8.0, -6.0, 1.0)};
    g.headerB = {test::convModel(9), test::opsModel()};
    g.textA = codegen::emitHeader(g.headerA, {"a.dg"});
    g.textB = codegen::emitHeader(g.headerB, {"b.dg"});
    fs::path dir = fs::path(DGC_TEST_BINARY_DIR) /
                   ("emit_tmp_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    writeFile(dir / "a.hpp", g.textA);
    writeFile(dir / "b.hpp", g.textB);
    std::vector<const ir::ModelIR *> all;
    for (auto *v : {&g.headerA, &g.headerB})
      for (const ir::ModelIR &m : *v)
        all.push_back(&m);
    writeFile(dir / "driver.cpp", driverFor(all, g.inputs));
    std::string cmd = std::string(DGC_TEST_CXX) +
                      " -std=c++20 -O1 -Wall -Wextra -Werror -isystem " +
                      DGC_TEST_EIGEN_DIR + " -I" + dir.string() + " " +
                      (dir / "driver.cpp").string() + " -o " +
                      (dir / "driver").string() + " > " +
                      (dir / "compile.log").string() + " 2>&1";
    g.compiled = std::system(cmd.c_str()) == 0;
    g.compileLog = readFile(dir / "compile.log");
    if (!g.compiled)
      return g;
    std::string run = (dir / "driver").string() + " > " +
                      (dir / "run.out").string();
    if (std::system(run.c_str()) != 0)
      return g;
    std::istringstream in(readFile(dir / "run.out"));
    std::string tag, key;
    long n;
    while (in >> tag >> key >> n) {
      std::vector<double> v(static_cast<size_t>(n));
      for (double &e : v)
        in >> e;
      g.out[tag + ":" + key] = v;
    }
    return g;
  }();
  return g;
}

const std::vector<double> &output(const std::string &key) {
  static const std::vector<double> none;
  auto &o = generated().out;
  auto it = o.find(key);
  EXPECT_NE(it, o.end()) << "driver printed no " << key;
  return it == o.end() ? none : it->second;
}

void expectClose(const std::vector<double> &got,
                 const std::vector<double> &want, double tol,
                 const std::string &what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 1;
  for (double w : want)
    scale = std::max(scale, std::abs(w));
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * scale) << what << " [" << i << "]";
}

/// Compares every function of `m` with the interpreter, in double and float.
void checkAgainstInterpreter(const ir::ModelIR &m) {
  const std::vector<double> &params = output("d:" + m.name + ".params");
  ASSERT_EQ(static_cast<int64_t>(params.size()),
            std::max<int64_t>(m.paramCount, 0));
  for (const ir::Function &f : m.functions) {
    std::string key = m.name + "." + f.name;
    ir::Bindings bind;
    for (ir::ValueId v : f.inputs) {
      const ir::Op &op = f.op(v);
      if (const ir::ParamInfo *pi = m.findParam(op.name))
        bind[op.name] = std::vector<double>(
            params.begin() + pi->offset, params.begin() + pi->offset + pi->size());
      else
        bind[op.name] = generated().inputs[key + "." + op.name];
    }
    auto want = ir::interpret(f, bind);
    for (size_t r = 0; r < want.size(); ++r) {
      std::string rk = key + "." + std::to_string(r);
      expectClose(output("d:" + rk), want[r], 1e-11, "double " + rk);
      expectClose(output("f:" + rk), want[r], 2e-4, "float " + rk);
    }
    for (const char *t : {"d:", "f:"})
      EXPECT_EQ(output(t + key + ".batchok"), std::vector<double>{1})
          << t << key << ": batch rows differ from single calls";
    if (!f.results.empty() && f.type(f.results[0]).isScalar()) {
      EXPECT_EQ(output("d:" + key + ".ret"), output("d:" + key + ".0"));
    }
  }
  EXPECT_EQ(output("d:" + m.name + ".det"), std::vector<double>{1})
      << "init_params is not deterministic in its seed";
}

TEST(Emit, HeadersCompileWithoutWarnings) {
  EXPECT_TRUE(generated().compiled) << generated().compileLog;
}

TEST(Emit, HeaderShape) {
  const std::string &a = generated().textA;
  EXPECT_NE(a.find("#ifndef DGC_PROLOGUE_INCLUDED"), std::string::npos);
  EXPECT_NE(a.find("namespace dgc_models::KdV {"), std::string::npos);
  EXPECT_NE(a.find("inline constexpr std::int64_t state_size = 16;"),
            std::string::npos);
  EXPECT_NE(a.find("inline constexpr bool conserves_energy = true;"),
            std::string::npos);
  EXPECT_NE(a.find("void energy(const Params<T>&, const T* u, T* H, "
                   "Workspace<T>& ws)"),
            std::string::npos);
  EXPECT_NE(a.find("T* f_W1() {"), std::string::npos);
  // Deterministic output.
  EXPECT_EQ(codegen::emitHeader(generated().headerA, {"a.dg"}), a);
}

TEST(Emit, NoAllocationInModelCode) {
  for (const std::string *t : {&generated().textA, &generated().textB}) {
    size_t at = t->find("namespace dgc_models::");
    ASSERT_NE(at, std::string::npos);
    std::string models = t->substr(at);
    // The tiled losses' workspace is a heap buffer allocated once when it
    // is constructed; nothing else may allocate, and no function does.
    std::regex tileWorkspace(R"(template <class T> struct TileWorkspace \{\n[^\n]*\n\};)");
    ASSERT_TRUE(std::regex_search(models, tileWorkspace));
    models = std::regex_replace(models, tileWorkspace, "");
    EXPECT_FALSE(std::regex_search(
        models, std::regex(R"(\bnew\b|malloc|std::vector|make_unique)")));
  }
}

TEST(Emit, MlpAgainstInterpreter) { checkAgainstInterpreter(generated().headerA[0]); }
TEST(Emit, KdVAgainstInterpreter) { checkAgainstInterpreter(generated().headerA[1]); }
TEST(Emit, ConvAgainstInterpreter) { checkAgainstInterpreter(generated().headerB[0]); }
TEST(Emit, EveryOpAgainstInterpreter) { checkAgainstInterpreter(generated().headerB[1]); }

TEST(Emit, MlpByHand) {
  const auto &p = output("d:Mlp.params");
  ASSERT_EQ(p.size(), 8u * 2 + 8 + 8 + 1);
  Eigen::Map<const Eigen::Matrix<double, 8, 2, Eigen::RowMajor>> W1(p.data());
  Eigen::Map<const Eigen::Matrix<double, 8, 1>> b1(p.data() + 16);
  Eigen::Map<const Eigen::Matrix<double, 1, 8>> W2(p.data() + 24);
  double scale = p[32];
  EXPECT_EQ(scale, 0.75);
  // Orthogonal init: W1 has orthonormal columns, W2 is a unit row.
  EXPECT_LT((W1.transpose() * W1 - Eigen::Matrix2d::Identity()).norm(), 1e-12);
  EXPECT_NEAR(W2.norm(), 1.0, 1e-12);
  EXPECT_GT(b1.norm(), 0.0);
  const auto &u = generated().inputs["Mlp.energy.u"];
  Eigen::Vector2d x(u[0], u[1]);
  auto h = (W1 * x + b1).array().tanh().matrix();
  double H = scale * (W2 * h)(0) + 0.5 * x.squaredNorm();
  EXPECT_NEAR(output("d:Mlp.energy.0")[0], H, 1e-13);
  // grad against central differences of the generated energy formula.
  const auto &ug = generated().inputs["Mlp.grad.u"];
  auto energyAt = [&](Eigen::Vector2d y) {
    return scale * (W2 * (W1 * y + b1).array().tanh().matrix())(0) +
           0.5 * y.squaredNorm();
  };
  Eigen::Vector2d y(ug[0], ug[1]);
  for (int i = 0; i < 2; ++i) {
    Eigen::Vector2d e = Eigen::Vector2d::Zero();
    e[i] = 1e-6;
    double fd = (energyAt(y + e) - energyAt(y - e)) / 2e-6;
    EXPECT_NEAR(output("d:Mlp.grad.1")[static_cast<size_t>(i)], fd, 1e-8);
  }
}

TEST(Emit, KdVByHand) {
  const int n = 16;
  double dx = 0.5;
  const auto &u = generated().inputs["KdV.time_derivative.u"];
  auto at = [&](int j) { return u[static_cast<size_t>((j + n) % n)]; };
  std::vector<double> g(n), dudt(n);
  for (int j = 0; j < n; ++j)
    g[j] = 3.0 * at(j) * at(j) +
           (at(j - 1) - 2 * at(j) + at(j + 1)) / (dx * dx);
  for (int j = 0; j < n; ++j)
    dudt[j] = (g[(j + 1) % n] - g[(j + n - 1) % n]) / (2 * dx);
  expectClose(output("d:KdV.time_derivative.0"), dudt, 1e-12, "kdv rhs");
  // Mass conservation of the central difference: sum(du/dt) = 0.
  double mass = 0;
  for (double v : output("d:KdV.time_derivative.0"))
    mass += v;
  EXPECT_NEAR(mass, 0.0, 1e-10);
}

TEST(Emit, FloatAndDoubleParamsAgree) {
  expectClose(output("f:ConvNet.params"), output("d:ConvNet.params"), 1e-7,
              "conv params");
}

} // namespace
