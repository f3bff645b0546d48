//===- NetSugar.cpp - mlp and conv_net declarations -----------------------===//
//
// Part of dgc. Expands `net NAME = mlp(...)` and `net NAME = conv_net(...)`
// into a NetInfo and its parameters `NAME.W1`, `NAME.b1`, `NAME.W2`, ...
// (orthogonal weights, zero biases, the last bias only with bias_last), and
// types calls of a net.
//
//   mlp(in: I, hidden: [H1..Hm], out: O, act: A, bias_last: B)
//     weights [H1, I], [H2, H1], ..., [O, Hm]; takes real[I] (a scalar when
//     I == 1) and gives real[O] (a scalar when O == 1); or, point by point,
//     a vector or field (I == 1) or a stack real[I, n], giving real[O, n]
//     (the argument's shape when O == 1).
//   conv_net(channels_in: C, hidden: [H1..Hm], out: O, kernel: K, act: A,
//            bias_last: B)
//     first kernel [H1, C, K] (periodic, centred, cross-correlation), then
//     1x1 layers as weights [H2, H1], ..., [O, Hm]; takes a field real[n]
//     when C == 1 (or real[C, n]) and gives real[O, n], a field real[n] when
//     O == 1.
//
//===----------------------------------------------------------------------===//
#include "Sema/SemaContext.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace dgc::sema {

namespace {

/// The named arguments of one net constructor call.
class NetArgs {
public:
  NetArgs(SemaContext &ctx, CallExpr &call, std::vector<std::string> names)
      : ctx(ctx), call(call), names(std::move(names)) {}

  /// Reports positional, unknown and duplicate arguments.
  bool collect() {
    bool ok = true, unknown = false;
    for (CallArg &a : call.args) {
      if (a.name.empty()) {
        ctx.error(a.value->loc, fmt::format("'{}' takes named arguments only",
                                            call.callee));
        ok = false;
        continue;
      }
      if (std::find(names.begin(), names.end(), a.name) == names.end()) {
        std::string list;
        for (size_t i = 0; i < names.size(); ++i)
          list += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") +
                  names[i];
        ctx.error(a.nameLoc, fmt::format("'{}' has no argument '{}'; it "
                                         "takes {}",
                                         call.callee, a.name, list));
        ok = false;
        unknown = true;
        continue;
      }
      if (found.count(a.name)) {
        ctx.error(a.nameLoc, fmt::format("duplicate argument '{}'", a.name));
        ok = false;
        continue;
      }
      found[a.name] = a.value.get();
    }
    // After a misspelt name, the missing one is most likely that name.
    for (const std::string &n : names)
      if (!unknown && !found.count(n)) {
        ctx.error(call.loc, fmt::format("'{}' needs the argument '{}'",
                                        call.callee, n));
        ok = false;
      }
    return ok;
  }

  Expr *get(const std::string &n) const { return found.at(n); }

  std::optional<int64_t> positive(const std::string &n) {
    return ctx.constantInt(*found.at(n), "'" + n + "'", 1);
  }

  std::optional<std::vector<int64_t>> widths(const std::string &n) {
    Expr *e = found.at(n);
    auto *list = dyn_cast<ListExpr>(e);
    if (!list) {
      ctx.error(e->loc, fmt::format("'{}' must be a list of positive "
                                    "integers such as [200, 200]",
                                    n));
      return std::nullopt;
    }
    std::vector<int64_t> out;
    bool ok = true;
    for (ExprPtr &w : list->elems) {
      std::optional<int64_t> v = ctx.constantInt(*w, "a hidden width", 1);
      ok = ok && v.has_value();
      if (v)
        out.push_back(*v);
    }
    list->type = Shape{static_cast<int64_t>(list->elems.size())};
    if (!ok)
      return std::nullopt;
    return out;
  }

  std::optional<ir::Fn> act(const std::string &n) {
    Expr *e = found.at(n);
    ir::Fn fn;
    auto *id = dyn_cast<IdentExpr>(e);
    if (!id || !lookupElementwise(id->name, fn)) {
      ctx.error(e->loc, fmt::format("'{}' must be an element-wise function "
                                    "(tanh, sigmoid, softplus, relu, ...), "
                                    "got '{}'",
                                    n, spell(*e)));
      return std::nullopt;
    }
    return fn;
  }

  std::optional<bool> flag(const std::string &n) {
    Expr *e = found.at(n);
    auto *b = dyn_cast<BoolExpr>(e);
    if (!b) {
      ctx.error(e->loc, fmt::format("'{}' must be true or false, got '{}'", n,
                                    spell(*e)));
      return std::nullopt;
    }
    return b->value;
  }

private:
  SemaContext &ctx;
  CallExpr &call;
  std::vector<std::string> names;
  std::map<std::string, Expr *> found;
};

ir::ParamInfo makeParam(const std::string &name, Shape shape, bool weight) {
  ir::ParamInfo p;
  p.name = name;
  p.shape = std::move(shape);
  p.init.kind =
      weight ? ir::ParamInit::Kind::Orthogonal : ir::ParamInit::Kind::Zeros;
  return p;
}

} // namespace

void SemaContext::checkNet(ValueDecl &d, const std::string &name) {
  auto *call = dyn_cast<CallExpr>(d.value.get());
  if (!call || (call->callee != "mlp" && call->callee != "conv_net")) {
    error(d.value->loc, "a net is mlp(...) or conv_net(...)");
    return;
  }
  bool conv = call->callee == "conv_net";
  NetArgs args(*this, *call,
               conv ? std::vector<std::string>{"channels_in", "hidden", "out",
                                               "kernel", "act", "bias_last"}
                    : std::vector<std::string>{"in", "hidden", "out", "act",
                                               "bias_last"});
  if (!args.collect())
    return;
  NetInfo net;
  net.kind = conv ? NetInfo::Kind::ConvNet : NetInfo::Kind::Mlp;
  net.name = name;
  net.loc = d.nameLoc;
  std::optional<int64_t> in = args.positive(conv ? "channels_in" : "in");
  std::optional<std::vector<int64_t>> hidden = args.widths("hidden");
  std::optional<int64_t> out = args.positive("out");
  std::optional<ir::Fn> act = args.act("act");
  std::optional<bool> biasLast = args.flag("bias_last");
  int64_t kernel = 1;
  bool kernelOk = true;
  if (conv) {
    std::optional<int64_t> k = args.positive("kernel");
    kernelOk = k.has_value();
    if (k && *k % 2 == 0) {
      // An even width has no centre: periodic padding K/2 would shift it.
      error(args.get("kernel")->loc,
            fmt::format("'kernel' must be odd, got {}", *k));
      kernelOk = false;
    }
    kernel = k.value_or(1);
  }
  if (!in || !hidden || !out || !act || !biasLast || !kernelOk)
    return;
  net.in = *in;
  net.out = *out;
  net.hidden = *hidden;
  net.kernel = kernel;
  net.act = *act;
  net.biasLast = *biasLast;

  std::vector<int64_t> widths{net.in};
  widths.insert(widths.end(), net.hidden.begin(), net.hidden.end());
  widths.push_back(net.out);
  size_t layers = widths.size() - 1;
  for (size_t l = 1; l <= layers; ++l) {
    Shape w = (conv && l == 1) ? Shape{widths[l], widths[0], net.kernel}
                               : Shape{widths[l], widths[l - 1]};
    if (!checkElementCount(w.dims, d.value->loc,
                           fmt::format("'{}.W{}' ({})", name, l, w.str())))
      return;
    NetLayer layer;
    layer.weight = addParam(makeParam(fmt::format("{}.W{}", name, l), w,
                                      /*weight=*/true));
    if (l < layers || net.biasLast)
      layer.bias = addParam(makeParam(fmt::format("{}.b{}", name, l),
                                      Shape{widths[l]}, /*weight=*/false));
    net.layers.push_back(layer);
  }
  cm.symbols.at(name).index = static_cast<int>(cm.nets.size());
  cm.nets.push_back(std::move(net));
}

std::optional<Shape> SemaContext::typeNetCall(CallExpr &call,
                                              const NetInfo &net,
                                              const Shape &arg, int argGrid,
                                              int &resultGrid) {
  resultGrid = -1;
  if (net.kind == NetInfo::Kind::Mlp) {
    if (net.takesWhole(arg))
      return net.out == 1 ? Shape() : Shape{net.out};
    // Point by point (a 1x1 convolution): any vector when in: 1, a [in, n]
    // stack of a 1-D grid's fields, a 2-D field when in: 1 and out: 1. The
    // result stays on the argument's grid.
    const ir::GridInfo *g =
        argGrid >= 0 ? &cm.grids[static_cast<size_t>(argGrid)] : nullptr;
    if (g && g->dims == 2 && net.in == 1 && arg.rank() == 2 &&
        arg[0] == g->n[1] && arg[1] == g->n[0]) {
      if (net.out == 1) {
        resultGrid = argGrid;
        return arg;
      }
      error(call.loc, fmt::format("net '{}' maps a 2-D field point by point "
                                  "only with out: 1, not out: {}",
                                  net.name, net.out));
      return std::nullopt;
    }
    if ((net.in == 1 && arg.rank() == 1) ||
        (arg.rank() == 2 && arg[0] == net.in && (!g || g->dims == 1))) {
      resultGrid = argGrid;
      int64_t n = arg[arg.rank() - 1];
      return net.out == 1 ? Shape{n} : Shape{net.out, n};
    }
    if (net.in == 1)
      error(call.loc, fmt::format("net '{}' takes real, a vector or a field "
                                  "(point by point), got {}",
                                  net.name, arg.str()));
    else
      error(call.loc, fmt::format("net '{}' takes real[{}], or point by point "
                                  "a stack of {} fields real[{}, n], got {}",
                                  net.name, net.in, net.in, net.in,
                                  arg.str()));
    return std::nullopt;
  }
  bool ok = (arg.rank() == 2 && arg[0] == net.in) ||
            (net.in == 1 && arg.rank() == 1);
  if (!ok) {
    if (net.in == 1)
      error(call.loc, fmt::format("net '{}' takes a field real[n] or "
                                  "real[1, n], got {}",
                                  net.name, arg.str()));
    else
      error(call.loc, fmt::format("net '{}' takes real[{}, n] "
                                  "(channels_in: {}), got {}",
                                  net.name, net.in, net.in, arg.str()));
    return std::nullopt;
  }
  int64_t n = arg[arg.rank() - 1];
  resultGrid = argGrid;
  return net.out == 1 ? Shape{n} : Shape{net.out, n};
}

} // namespace dgc::sema
