//===- ChainRule.cpp - Checking discrete gradients with the interpreter ----===//
#include "ChainRule.h"

#include <cassert>
#include <cmath>

namespace dgc::testing {

ir::Bindings randomParams(const ir::ModelIR &m, std::mt19937_64 &rng) {
  std::normal_distribution<double> n(0.0, 0.5);
  ir::Bindings b;
  for (const ir::ParamInfo &p : m.params) {
    std::vector<double> v(static_cast<size_t>(p.size()));
    for (double &x : v)
      x = p.nonneg ? std::fabs(n(rng)) : n(rng);
    b[p.name] = std::move(v);
  }
  return b;
}

std::vector<std::vector<double>> call(const ir::ModelIR &m,
                                      const std::string &name,
                                      const ir::Bindings &states,
                                      const ir::Bindings &params) {
  const ir::Function *f = m.find(name);
  assert(f && "no such function");
  ir::Bindings in;
  for (ir::ValueId v : f->inputs) {
    const std::string &n = f->op(v).name;
    auto s = states.find(n);
    in[n] = s != states.end() ? s->second : params.at(n);
  }
  return ir::interpret(*f, in);
}

ChainRuleError chainRule(const ir::ModelIR &m, const std::vector<double> &u,
                         const std::vector<double> &v,
                         const ir::Bindings &params) {
  ChainRuleError e;
  e.hu = call(m, "energy", {{"u", u}}, params)[0][0];
  e.hv = call(m, "energy", {{"u", v}}, params)[0][0];
  std::vector<double> d =
      call(m, "discrete_grad", {{"u", u}, {"v", v}}, params)[0];
  e.lhs = e.hu - e.hv;
  double terms = 0; // sum of |terms| of the inner product: its rounding scale
  for (size_t i = 0; i < u.size(); ++i) {
    double t = d[i] * (u[i] - v[i]) * m.innerWeight[i];
    e.rhs += t;
    terms += std::fabs(t);
  }
  double scale = std::fabs(e.hu) + std::fabs(e.hv) + terms;
  e.relative = std::fabs(e.lhs - e.rhs) / (scale > 0 ? scale : 1.0);
  return e;
}

} // namespace dgc::testing
