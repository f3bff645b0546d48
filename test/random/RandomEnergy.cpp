//===- RandomEnergy.cpp - Random well-typed dg energies -------------------===//
//
// Part of dgc's tests. A recursive generator with two kinds of node: `vec`
// (shape of the state, real[N]) and `scal` (real). Depth bounds the tree;
// element-wise functions are applied where they are defined and bounded
// (log and sqrt of 1 + square(.), exp of tanh(.), division by 2 + tanh(.)),
// so every energy is finite at every state.
//
//===----------------------------------------------------------------------===//
#include "RandomEnergy.h"

#include <random>
#include <sstream>
#include <vector>

namespace dgc::testing {

namespace {

class Generator {
public:
  explicit Generator(uint64_t seed) : rng(seed) {}

  RandomModel run() {
    RandomModel m;
    n = pick(2, 7) * (coin() ? 1 : 2);
    field = coin();
    hidden = pick(2, 6);
    std::ostringstream os;
    os << "model R {\n";
    if (field)
      // dx in [0.3, 1]: D2 scales by 1/dx^2, and a tiny dx would make the
      // energies ill-conditioned (large cancelling terms), which tests the
      // evaluation's round-off rather than the discrete gradient.
      os << "  grid x = periodic(" << n << ", " << real(0.3 * n, 1.0 * n) << ");\n"
         << "  state u : field(x);\n";
    else
      os << "  state u : real[" << n << "];\n";
    os << "  param W : real[" << n << ", " << n << "] init normal(0.4);\n";
    os << "  param b : real[" << n << "] init normal(0.3);\n";
    static const char *acts[] = {"tanh", "sigmoid", "softplus", "sin"};
    os << "  net f = mlp(in: " << n << ", hidden: [" << hidden
       << "], out: 1, act: " << acts[pick(0, 3)] << ", bias_last: "
       << (coin() ? "true" : "false") << ");\n";
    os << "  const c = " << real(0.2, 2) << ";\n";
    os << "  let w = " << vec(2) << ";\n";
    haveW = true;
    os << "  energy H = " << scal(pick(2, 4)) << ";\n";
    os << "  structure G = -I;\n}\n";
    m.source = os.str();
    m.stateSize = n;
    m.field = field;
    return m;
  }

private:
  int pick(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  }
  bool coin() { return pick(0, 1) == 1; }
  std::string real(double lo, double hi) {
    double v = std::uniform_real_distribution<double>(lo, hi)(rng);
    std::ostringstream os;
    os.precision(4);
    os << std::fixed << v;
    return os.str();
  }

  /// An expression of shape real[n].
  std::string vec(int depth) {
    if (depth <= 0)
      return leafVec();
    switch (pick(0, 17)) {
    case 0: return "(" + vec(depth - 1) + " + " + vec(depth - 1) + ")";
    // Not a plain a - b: two subtrees that are equal up to round-off (u and
    // u + b - b) would make energies that are pure round-off noise.
    case 1: return "(" + vec(depth - 1) + " - " + real(0.2, 0.6) + " * " + vec(depth - 1) + ")";
    case 2: return "(" + vec(depth - 1) + " * " + vec(depth - 1) + ")";
    case 3: return "(" + vec(depth - 1) + " / (2 + tanh(" + vec(depth - 1) + ")))";
    case 4: return "(" + real(-2, 2) + " * " + vec(depth - 1) + ")";
    case 5: return "(" + scal(depth - 1) + " * " + vec(depth - 1) + ")";
    case 6: return "(" + vec(depth - 1) + " + " + scal(depth - 1) + ")";
    case 7: {
      static const char *fns[] = {"tanh", "sigmoid", "softplus", "sin",
                                  "cos",  "square",  "abs",      "relu"};
      return std::string(fns[pick(0, 7)]) + "(" + vec(depth - 1) + ")";
    }
    case 8: return "exp(tanh(" + vec(depth - 1) + "))";
    case 9: return "log(1 + square(" + vec(depth - 1) + "))";
    case 10: return "sqrt(1 + square(" + vec(depth - 1) + "))";
    case 11: return "(tanh(" + vec(depth - 1) + ") ^ " + std::to_string(pick(1, 4)) + ")";
    case 12: return "matmul(W, " + vec(depth - 1) + ")";
    case 13: return "(" + vec(depth - 1) + " + b)";
    case 14:
      if (field) {
        // Under a nonlinearity: a bare difference sums to zero (telescoping),
        // which would make whole energies vanish identically.
        static const char *ops[] = {"D", "Df", "Db", "D2"};
        static const char *fns[] = {"softplus", "square", "cos"}; // not odd
        // `u + e` keeps the grid even when e is a concatenation, which
        // has none.
        return std::string(fns[pick(0, 2)]) + "(" + ops[pick(0, 3)] +
               "(u + " + vec(depth - 1) + "))";
      }
      return "matmul(W, " + vec(depth - 1) + ")";
    case 15: {
      // Concatenation of two slices that together have length n.
      int cut = pick(1, static_cast<int>(n) - 1);
      return "[" + sliced(vec(depth - 1), 0, cut) + ", " +
             sliced(vec(depth - 1), cut, static_cast<int>(n)) + "]";
    }
    case 16: return haveW ? "w" : leafVec();
    default: return "(c * " + vec(depth - 1) + ")";
    }
  }

  /// `e[a:b]` where e is parenthesised when it is not a name.
  std::string sliced(const std::string &e, int a, int b) {
    if (e == "u" || e == "w")
      return e + "[" + std::to_string(a) + ":" + std::to_string(b) + "]";
    return "(" + e + ")[" + std::to_string(a) + ":" +
           std::to_string(b) + "]";
  }

  std::string leafVec() {
    switch (pick(0, 3)) {
    case 0: return "u";
    case 1: return "(u * " + real(0.5, 1.5) + ")";
    case 2: return "tanh(u)";
    default: return "(u + b)";
    }
  }

  /// A scalar expression.
  std::string scal(int depth) {
    if (depth <= 0)
      return leafScal();
    switch (pick(0, 9)) {
    case 0: return "sum(" + vec(depth - 1) + ")";
    case 1: return "mean(" + vec(depth - 1) + ")";
    case 2: return "dot(" + vec(depth - 1) + ", " + vec(depth - 1) + ")";
    case 3: return "f(" + vec(depth - 1) + ")";
    case 4: return "(" + scal(depth - 1) + " * " + scal(depth - 1) + ")";
    case 5: return "(" + scal(depth - 1) + " + " + scal(depth - 1) + ")";
    case 6: return "tanh(" + scal(depth - 1) + ")";
    case 7: return "(" + scal(depth - 1) + " ^ 2)";
    case 8: return "(" + scal(depth - 1) + " / (3 + sin(" + scal(depth - 1) + ")))";
    default: return "sum(" + vec(depth - 1) + " * " + vec(depth - 1) + ")";
    }
  }

  std::string leafScal() {
    int i = pick(0, static_cast<int>(n) - 1);
    switch (pick(0, 3)) {
    case 0: return "u[" + std::to_string(i) + "]";
    case 1: return "sum(u)";
    case 2: return "dot(u, u)";
    default: return real(-1, 1);
    }
  }

  std::mt19937_64 rng;
  int64_t n = 0;
  bool field = false;
  int hidden = 0;
  bool haveW = false; ///< `let w` is defined (not inside its own definition)
};

} // namespace

RandomModel randomEnergyModel(uint64_t seed) { return Generator(seed).run(); }

} // namespace dgc::testing
