//===- Train.h - Minibatch training of a generated model ---------*- C++ -*-===//
//
// Part of dgc's runtime. `Trainer<Model, T>` fits a model's parameters to
// pairs (u_n, u_n+1, dt_n) with the protocol's loss (experiments.md 1.5):
//
//   L(theta) = mean over the batch of L_b,  dL/dtheta = mean of dL_b/dtheta,
//
// where L_b and its gradient come from the model's generated per-sample
// function of the training scheme (`train_dg`, `train_rk2`, `train_rk4`,
// `train_leapfrog`: (p, u1, u2, dt) -> (L, dparams), dparams flat in the
// Params::data layout), or for `dopri5` from Dopri5Train.h (one adaptive
// run over the whole batch with shared steps, as torchdiffeq's,
// back-propagated through the accepted stages with the generated
// `time_derivative_vjp`). A model without the scheme's function is refused.
//
// Each iteration draws a batch of `batch` distinct pairs with a seeded
// std::mt19937_64 (a partial Fisher-Yates shuffle; the full set in order
// when batch >= pairs), evaluates the batch in parallel on `threads`
// threads (contiguous chunks; every thread owns its Workspace, a dparams
// buffer and a double accumulator, allocated once; chunks are added in
// thread order, so a run is bit-for-bit reproducible for a given seed and
// thread count), and takes one Adam step (Adam.h), with `nonneg`
// parameters projected after it.
//
// Checkpoints (a folder): `checkpoint.json` (the index, written last and
// atomically) naming `params_<it>.npy`, `adam_m_<it>.npy`, `adam_v_<it>.npy`
// and `loss_<it>.npy` (flat float64: parameters, Adam moments, the loss of
// every iteration so far), plus the generator's state and the settings; and
// `params.npy`, the latest parameters, for `dgc simulate --params`. A run
// resumed from a checkpoint continues exactly as the uninterrupted run.
//
// Checkpoints survive a kill at any moment (test/reliability/
// kill_resume.py): every file is written atomically and durably
// (AtomicFile.h: temporary file, fsync, rename, fsync of the folder), the
// index is renamed into place only after the files it names, and the
// previous checkpoint's files are removed only after that. Format
// dgc-checkpoint-2 records each file's size and FNV-1a hash and the
// index's own hash, so a torn, truncated or altered checkpoint is refused
// on resume with one message; dgc-checkpoint-1 (no hashes) is still read.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dgc/runtime/Adam.h"
#include "dgc/runtime/AtomicFile.h"
#include "dgc/runtime/Dopri5Train.h"
#include "dgc/runtime/Integrators.h"
#include "dgc/runtime/Npy.h"
#include "dgc/runtime/TrainData.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace dgc::rt {

/// A problem with training (a scheme the model cannot train with, a bad
/// checkpoint): printed as `error: ...`.
struct TrainError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The schemes whose loss is a generated function `train_<name>` (and,
/// where the model tiles, `train_<name>_tile`): X(Scheme enumerator, name).
/// TrainFns and TileFns below are written once over this list.
#define DGC_LOSS_SCHEMES(X)                                                    \
  X(DG, dg) X(RK2, rk2) X(RK4, rk4) X(Leapfrog, leapfrog)

/// How the model's training functions compute divided differences
/// (`dgc compile --dg-numerics`, recorded in the generated header as
/// `dg_numerics`): "exact" or "reference". A model without the constant
/// (hand-written test models, headers of older dgc) is "exact".
template <class M> const char *dgNumericsOf() {
  if constexpr (requires { M::dg_numerics; })
    return M::dg_numerics;
  else
    return "exact";
}

/// The per-sample training functions a model provides, found with
/// requires-expressions (a model namespace without them still compiles).
template <class M, class T> struct TrainFns {
  using P = typename M::template ParamsT<T>;
  using W = typename M::template WorkspaceT<T>;
#define DGC_HAS_LOSS(E, n)                                                     \
  static constexpr bool n = requires(const P &p, const T *x, T *y, W &w) {     \
    M::train_##n(p, x, x, x, y, y, w);                                         \
  };
  DGC_LOSS_SCHEMES(DGC_HAS_LOSS)
#undef DGC_HAS_LOSS

  /// dopri5 training back-propagates with time_derivative_vjp.
  static constexpr bool dopri5 =
      requires(const P &p, const T *x, T *y, W &w) {
        M::time_derivative(p, x, y, w);
        M::time_derivative_vjp(p, x, x, y, y, w);
      };

  static bool has(Scheme s) {
    switch (s) {
#define DGC_CASE(E, n)                                                         \
  case Scheme::E:                                                              \
    return n;
      DGC_LOSS_SCHEMES(DGC_CASE)
#undef DGC_CASE
    case Scheme::Dopri5: return dopri5;
    case Scheme::ImplicitMidpoint: return false;
    }
    return false;
  }

  /// L (one value) and dparams (max(param_count, 1) values) of one pair.
  static void call(Scheme s, const P &p, const T *u1, const T *u2,
                   const T *dt, T *L, T *g, W &w) {
    switch (s) {
#define DGC_CASE(E, n)                                                         \
  case Scheme::E:                                                              \
    if constexpr (n) {                                                         \
      M::train_##n(p, u1, u2, dt, L, g, w);                                    \
      return;                                                                  \
    }                                                                          \
    break;
      DGC_LOSS_SCHEMES(DGC_CASE)
#undef DGC_CASE
    case Scheme::ImplicitMidpoint:
    case Scheme::Dopri5:
      break;
    }
    throw TrainError("no training function for this scheme");
  }
};

/// The tiled training losses a model may provide (`train_dg_tile`, ...:
/// a tile of pairs at once, pair b in column b of u1 and u2, a weight per
/// pair; see Transforms/Batch.cpp). tile(s) is 0 where there is none.
template <class M, class T> struct TileFns {
  static constexpr bool any =
      requires { typename M::template TileWorkspaceT<T>; };

  static int64_t tile(Scheme s) {
    if constexpr (any) {
      switch (s) {
#define DGC_CASE(E, n)                                                         \
  case Scheme::E:                                                              \
    if constexpr (requires { M::train_##n##_tile_size; })                      \
      return M::train_##n##_tile_size;                                         \
    break;
        DGC_LOSS_SCHEMES(DGC_CASE)
#undef DGC_CASE
      case Scheme::ImplicitMidpoint:
      case Scheme::Dopri5:
        break;
      }
    }
    return 0;
  }

  /// L (tile values) and dparams = sum_b weight_b dL_b/dparams.
  template <class P, class W>
  static void call(Scheme s, const P &p, const T *u1, const T *u2,
                   const T *dt, const T *w, T *L, T *g, W &ws) {
    if constexpr (any) {
      switch (s) {
#define DGC_CASE(E, n)                                                         \
  case Scheme::E:                                                              \
    if constexpr (requires { M::train_##n##_tile_size; })                      \
      return M::train_##n##_tile(p, u1, u2, dt, w, L, g, ws);                  \
    break;
        DGC_LOSS_SCHEMES(DGC_CASE)
#undef DGC_CASE
      case Scheme::ImplicitMidpoint:
      case Scheme::Dopri5:
        break;
      }
    }
    throw TrainError("no tiled training function for this scheme");
  }
};

#undef DGC_LOSS_SCHEMES

/// The names, offsets, sizes and `nonneg` flags of a model's parameter
/// tensors. `struct Model` does not carry them; the model namespace does
/// (train_main.cpp passes them), and paramTableOf<M>() reads them from M
/// when M has them (test models).
struct ParamTable {
  std::vector<std::string> names;
  std::vector<int64_t> offsets, sizes;
  std::vector<bool> nonneg;

  template <class A, class B, class C, class D>
  static ParamTable from(const A &n, const B &o, const C &s, const D &nn) {
    ParamTable t;
    for (size_t k = 0; k < n.size(); ++k) {
      t.names.push_back(n[k]);
      t.offsets.push_back(o[k]);
      t.sizes.push_back(s[k]);
      t.nonneg.push_back(nn[k]);
    }
    return t;
  }
};

template <class M> ParamTable paramTableOf() {
  if constexpr (requires {
                  M::param_names;
                  M::param_offsets;
                  M::param_sizes;
                  M::param_nonneg;
                })
    return ParamTable::from(M::param_names, M::param_offsets, M::param_sizes,
                            M::param_nonneg);
  else
    return {};
}

inline constexpr const char *kTrainSchemes = "dg, rk2, rk4, leapfrog, dopri5";

/// Checks that model M can be trained with scheme `s`; TrainError naming
/// the reason otherwise.
template <class M, class T> void checkTrainScheme(Scheme s) {
  if (s == Scheme::ImplicitMidpoint)
    throw TrainError("scheme implicit_midpoint is not a training scheme "
                     "(expected one of " + std::string(kTrainSchemes) + ")");
  if (TrainFns<M, T>::has(s))
    return;
  std::string why;
  if (s == Scheme::DG && !M::has_energy)
    why = " (Eq. 6 needs an energy model; this model is a vector field)";
  else if (s == Scheme::Leapfrog && !M::separable)
    why = " (leapfrog needs a separable energy H = V(q) + T(p))";
  else if (s == Scheme::Leapfrog)
    why = " (leapfrog needs the structure S, friction(g) terms aside)";
  if (s == Scheme::Dopri5)
    throw TrainError(std::string("model ") + M::name + " cannot be trained "
                     "with scheme dopri5: its generated code has no "
                     "time_derivative_vjp");
  throw TrainError(std::string("model ") + M::name + " cannot be trained "
                   "with scheme " + schemeName(s) + ": its generated code has "
                   "no train_" + schemeName(s) + why);
}

/// The checkpoint format this runtime writes; it also reads
/// kCheckpointFormatV1 (written before checkpoints carried hashes).
inline constexpr const char *kCheckpointFormat = "dgc-checkpoint-2";
inline constexpr const char *kCheckpointFormatV1 = "dgc-checkpoint-1";

namespace checkpoint_detail {

/// The hash of an index without its own hash field.
inline std::string indexDigest(nlohmann::json j) {
  j.erase("index_fnv1a64");
  const std::string s = j.dump();
  FileDigest d;
  d.add(s.data(), s.size());
  return d.hex();
}

inline bool isCheckpointFile(const std::string &name) {
  for (const char *stem : {"params_", "adam_m_", "adam_v_", "loss_"}) {
    const std::string st = stem;
    if (name.rfind(st, 0) != 0 || name.size() <= st.size() + 4 ||
        name.compare(name.size() - 4, 4, ".npy") != 0)
      continue;
    const std::string num = name.substr(st.size(), name.size() - st.size() - 4);
    if (num.find_first_not_of("0123456789") == std::string::npos)
      return true;
  }
  return false;
}

} // namespace checkpoint_detail

/// Reads and checks the index `dir`/checkpoint.json: valid JSON, a known
/// format, and (dgc-checkpoint-2) its own hash. TrainError starting with
/// `why` ("cannot resume") otherwise.
inline nlohmann::json readCheckpointIndex(const std::string &dir,
                                          const std::string &why) {
  namespace fs = std::filesystem;
  const std::string idx = (fs::path(dir) / "checkpoint.json").string();
  std::ifstream in(idx, std::ios::binary);
  if (!in)
    throw TrainError(why + ": '" + dir + "' holds no checkpoint "
                     "(checkpoint.json)");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw TrainError(why + ": " + idx + " is damaged (not a complete JSON "
                     "object); the checkpoint cannot be used");
  const std::string format =
      j.contains("format") && j["format"].is_string()
          ? j["format"].template get<std::string>()
          : std::string("(none)");
  if (format == kCheckpointFormat) {
    if (!j.contains("index_fnv1a64") || !j["index_fnv1a64"].is_string() ||
        j["index_fnv1a64"].template get<std::string>() !=
            checkpoint_detail::indexDigest(j))
      throw TrainError(why + ": " + idx + " is damaged (its checksum does "
                       "not match its contents); the checkpoint cannot be "
                       "used");
  } else if (format != kCheckpointFormatV1) {
    throw TrainError(why + ": " + idx + " has format '" + format +
                     "'; this dgc reads " + kCheckpointFormat + " and " +
                     kCheckpointFormatV1);
  }
  return j;
}

/// The path of the index's file `key` ("params", "adam_m", ...), checked
/// against the size and hash the index records (dgc-checkpoint-2).
inline std::string checkpointFile(const std::string &dir,
                                  const nlohmann::json &j,
                                  const std::string &key,
                                  const std::string &why) {
  namespace fs = std::filesystem;
  const std::string idx = (fs::path(dir) / "checkpoint.json").string();
  if (!j.contains("files") || !j["files"].is_object() ||
      !j["files"].contains(key) || !j["files"][key].is_string())
    throw TrainError(why + ": " + idx + " names no '" + key + "' file");
  const std::string name = j["files"][key].template get<std::string>();
  const std::string f = (fs::path(dir) / name).string();
  if (j.value("format", "") != kCheckpointFormat)
    return f;
  const nlohmann::json *sum = nullptr;
  if (j.contains("checksums") && j["checksums"].is_object() &&
      j["checksums"].contains(name))
    sum = &j["checksums"][name];
  if (!sum || !sum->is_object() || !sum->contains("bytes") ||
      !sum->contains("fnv1a64"))
    throw TrainError(why + ": " + idx + " has no checksum for " + name);
  FileDigest d;
  if (!digestFile(f, d))
    throw TrainError(why + ": the checkpoint file " + f + " is missing or "
                     "unreadable; the checkpoint in '" + dir +
                     "' cannot be used");
  const uint64_t bytes = (*sum)["bytes"].template get<uint64_t>();
  if (d.bytes != bytes)
    throw TrainError(why + ": the checkpoint file " + f + " is damaged (" +
                     std::to_string(d.bytes) + " bytes, the index records " +
                     std::to_string(bytes) + "); the checkpoint in '" + dir +
                     "' cannot be used");
  if (d.hex() != (*sum)["fnv1a64"].template get<std::string>())
    throw TrainError(why + ": the checkpoint file " + f + " is damaged (its "
                     "checksum does not match the index); the checkpoint "
                     "in '" + dir + "' cannot be used");
  return f;
}

struct TrainOptions {
  Scheme scheme = Scheme::DG;
  int64_t iters = 0;       ///< total iterations (a resumed run counts on)
  int64_t batch = 1;       ///< pairs per iteration (>= pairs: full batch)
  uint64_t seed = 0;       ///< parameter initialisation and batch draws
  AdamOptions adam;
  int threads = 1;
  int64_t checkpointEvery = 0; ///< 0: only at the end
  /// Use the model's tiled loss (`train_<scheme>_tile`) when it has one:
  /// the same loss and gradient up to rounding, many times faster.
  bool tiled = true;
};

template <class M, class T> class Trainer {
public:
  using Params = typename M::template ParamsT<T>;
  using Workspace = typename M::template WorkspaceT<T>;
  static constexpr int64_t N = M::state_size;
  static constexpr int64_t P = M::param_count > 0 ? M::param_count : 1;

  Trainer(const PairSet &data, const TrainOptions &o,
          ParamTable table = paramTableOf<M>())
      : opts_(o), table_(std::move(table)), count_(data.count), params_(std::make_unique<Params>()),
        adam_(P, o.adam), rng_(o.seed), perm_(static_cast<size_t>(data.count)) {
    checkTrainScheme<M, T>(o.scheme);
    if (data.stateSize != N)
      throw TrainError("training pairs have state size " +
                       std::to_string(data.stateSize) + "; model " + M::name +
                       " has " + std::to_string(N));
    if (count_ < 1)
      throw TrainError("no training pairs");
    if (o.batch < 1)
      throw TrainError("the batch size must be >= 1");
    u1_.assign(data.u1.begin(), data.u1.end());
    u2_.assign(data.u2.begin(), data.u2.end());
    dt_.assign(data.dt.begin(), data.dt.end());
    M::init_params(*params_, o.seed);
    for (size_t k = 0; k < table_.nonneg.size(); ++k)
      if (table_.nonneg[k])
        adam_.setNonneg(table_.offsets[k], table_.sizes[k]);
    std::iota(perm_.begin(), perm_.end(), int64_t(0));
    batch_ = std::min<int64_t>(o.batch, count_);
    tile_ = o.tiled ? TileFns<M, T>::tile(o.scheme) : 0;
    int nt = std::max(1, o.threads);
    nt = static_cast<int>(std::min<int64_t>(nt, batch_));
    workers_.resize(static_cast<size_t>(nt));
    // dopri5 runs in Dopri5Loss, which owns its per-thread buffers: the
    // workers then only count the threads.
    const bool ownBuffers = o.scheme != Scheme::Dopri5;
    for (Worker &w : workers_) {
      if (!ownBuffers)
        continue;
      w.ws = std::make_unique<Workspace>();
      w.g.assign(static_cast<size_t>(P), T(0));
      w.acc.assign(static_cast<size_t>(P), 0.0);
      if constexpr (TileFns<M, T>::any)
        if (tile_ > 0) {
          const size_t t = static_cast<size_t>(tile_);
          w.tile.u1.assign(t * N, T(0));
          w.tile.u2.assign(t * N, T(0));
          w.tile.dt.assign(t, T(0));
          w.tile.weight.assign(t, T(0));
          w.tile.L.assign(t, T(0));
          w.tile.ws = std::make_shared<
              typename M::template TileWorkspaceT<T>>();
        }
    }
    grad_.assign(static_cast<size_t>(P), T(0));
    if constexpr (TrainFns<M, T>::dopri5)
      if (o.scheme == Scheme::Dopri5) {
        dopri5_ = std::make_unique<Dopri5Loss<M, T>>(nt, o.tiled);
        dopri5Grad_.assign(static_cast<size_t>(P), 0.0);
      }
  }

  Params &params() { return *params_; }
  const Params &params() const { return *params_; }
  int64_t iteration() const { return iteration_; }
  int64_t batchSize() const { return batch_; }
  int threads() const { return static_cast<int>(workers_.size()); }
  const std::vector<double> &losses() const { return losses_; }
  const Adam<T> &adam() const { return adam_; }
  const TrainOptions &options() const { return opts_; }
  /// The mean gradient of the last evaluated batch.
  const std::vector<T> &gradient() const { return grad_; }

  /// Mean loss and gradient (into gradient()) over pairs idx[0..n).
  double evaluate(const int64_t *idx, int64_t n) {
    if constexpr (TrainFns<M, T>::dopri5)
      if (dopri5_) {
        // One adaptive run over the whole batch (Dopri5Train.h).
        double loss = (*dopri5_)(*params_, u1_.data(), u2_.data(),
                                 dt_.data(), idx, n, dopri5Grad_.data());
        for (int64_t i = 0; i < P; ++i)
          grad_[i] = T(dopri5Grad_[i]);
        return loss;
      }
    const int nt = static_cast<int>(std::min<int64_t>(workers_.size(), n));
    auto work = [&](int t) {
      Worker &w = workers_[static_cast<size_t>(t)];
      std::fill(w.acc.begin(), w.acc.end(), 0.0);
      w.loss = 0;
      const int64_t b0 = n * t / nt, b1 = n * (t + 1) / nt;
      if constexpr (TileFns<M, T>::any)
        if (tile_ > 0) {
          evaluateTiles(w, idx + b0, b1 - b0);
          return;
        }
      T L = 0;
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t j = idx[b];
        TrainFns<M, T>::call(opts_.scheme, *params_, u1_.data() + j * N,
                             u2_.data() + j * N, dt_.data() + j, &L,
                             w.g.data(), *w.ws);
        w.loss += double(L);
        for (int64_t i = 0; i < P; ++i)
          w.acc[i] += double(w.g[i]);
      }
    };
    if (nt == 1) {
      work(0);
    } else {
      std::vector<std::thread> pool;
      pool.reserve(static_cast<size_t>(nt - 1));
      for (int t = 1; t < nt; ++t)
        pool.emplace_back(work, t);
      work(0);
      for (std::thread &th : pool)
        th.join();
    }
    double loss = 0;
    std::vector<double> &sum = workers_[0].acc;
    loss = workers_[0].loss;
    for (int t = 1; t < nt; ++t) {
      loss += workers_[t].loss;
      for (int64_t i = 0; i < P; ++i)
        sum[i] += workers_[t].acc[i];
    }
    for (int64_t i = 0; i < P; ++i)
      grad_[i] = T(sum[i] / double(n));
    return loss / double(n);
  }

  /// One iteration: draw a batch, evaluate, Adam step. Returns the batch
  /// loss at the parameters before the step.
  double step() {
    const int64_t B = batch_;
    std::vector<std::pair<int64_t, int64_t>> &swaps = swaps_;
    swaps.clear();
    if (B < count_) {
      for (int64_t i = 0; i < B; ++i) {
        std::uniform_int_distribution<int64_t> pick(i, count_ - 1);
        int64_t j = pick(rng_);
        std::swap(perm_[i], perm_[j]);
        swaps.emplace_back(i, j);
      }
    }
    double loss = evaluate(perm_.data(), B);
    // Undo the shuffle so the next draw starts from the identity again.
    for (auto it = swaps.rbegin(); it != swaps.rend(); ++it)
      std::swap(perm_[it->first], perm_[it->second]);
    if (!std::isfinite(loss))
      throw TrainError("the loss became non-finite at iteration " +
                       std::to_string(iteration_ + 1) +
                       " (try a smaller learning rate)");
    adam_.step(params_->data.data(), grad_.data());
    ++iteration_;
    losses_.push_back(loss);
    return loss;
  }

  // --- checkpoints ---------------------------------------------------------

  static const char *dtypeName() {
    return std::is_same_v<T, float> ? "float" : "double";
  }

  /// Writes a checkpoint into `dir` (created if needed); `extra` goes into
  /// the index as is (the command line's settings, the dataset).
  void saveCheckpoint(const std::string &dir, const nlohmann::json &extra,
                      bool final) const {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      throw TrainError("cannot create '" + dir + "': " + ec.message());
    const std::string it = std::to_string(iteration_);
    auto file = [&](const std::string &stem) { return stem + "_" + it + ".npy"; };
    auto full = [&](const std::string &f) { return (fs::path(dir) / f).string(); };
    std::vector<double> buf(static_cast<size_t>(P));
    nlohmann::json sums = nlohmann::json::object();
    auto record = [&](const std::string &f, const FileDigest &d) {
      sums[f] = {{"bytes", d.bytes}, {"fnv1a64", d.hex()}};
    };
    auto put = [&](const std::string &f, const T *src) {
      for (int64_t i = 0; i < P; ++i)
        buf[i] = double(src[i]);
      record(f, writeNpy<double>(full(f), {P}, buf.data()));
    };
    // Temporary files of writers killed earlier.
    removeStaleTemporaries(dir);
    // Every file first, then the index that names them (renamed into
    // place), then the files no index names any more: a kill at any point
    // leaves the previous or the new checkpoint whole.
    put(file("params"), params_->data.data());
    put(file("adam_m"), adam_.m().data());
    put(file("adam_v"), adam_.v().data());
    record(file("loss"), writeNpy<double>(full(file("loss")),
                                          {int64_t(losses_.size())},
                                          losses_.data()));

    nlohmann::json j = extra;
    j["format"] = kCheckpointFormat;
    j["model"] = M::name;
    j["state_size"] = N;
    j["param_count"] = M::param_count;
    j["dtype"] = dtypeName();
    j["dg_numerics"] = dgNumericsOf<M>();
    j["scheme"] = schemeName(opts_.scheme);
    j["iteration"] = iteration_;
    j["iters"] = opts_.iters;
    j["batch"] = batch_;
    j["seed"] = opts_.seed;
    j["lr"] = opts_.adam.lr;
    j["weight_decay"] = opts_.adam.weightDecay;
    j["betas"] = {opts_.adam.beta1, opts_.adam.beta2};
    j["eps"] = opts_.adam.eps;
    j["threads"] = threads();
    j["final"] = final;
    j["loss"] = losses_.empty() ? nlohmann::json(nullptr)
                                : nlohmann::json(losses_.back());
    j["files"] = {{"params", file("params")},
                  {"adam_m", file("adam_m")},
                  {"adam_v", file("adam_v")},
                  {"loss", file("loss")}};
    j["checksums"] = sums;
    std::ostringstream rs;
    rs << rng_;
    j["rng"] = rs.str();
    nlohmann::json plist = nlohmann::json::array();
    for (size_t k = 0; k < table_.names.size(); ++k)
      plist.push_back({{"name", table_.names[k]},
                       {"offset", table_.offsets[k]},
                       {"size", table_.sizes[k]},
                       {"nonneg", bool(table_.nonneg[k])}});
    j["parameters"] = plist;
    j["index_fnv1a64"] = checkpoint_detail::indexDigest(j);
    const std::string idx = full("checkpoint.json");
    try {
      writeFileAtomic(idx, j.dump(2) + "\n");
    } catch (const AtomicWriteError &e) {
      throw TrainError(e.what());
    }
    // The latest parameters for `dgc simulate --params DIR`.
    writeNpy<double>(full("params.npy"), {P}, paramsAsDouble().data());
    // Files of earlier checkpoints, and of writes a kill cut short.
    for (fs::directory_iterator d(dir, ec), end; !ec && d != end;
         d.increment(ec)) {
      const std::string name = d->path().filename().string();
      if (checkpoint_detail::isCheckpointFile(name) && !sums.contains(name)) {
        std::error_code rec;
        fs::remove(d->path(), rec);
      }
    }
  }

  /// Restores parameters, Adam moments, iteration, losses and the
  /// generator from the checkpoint in `dir`.
  void loadCheckpoint(const std::string &dir) {
    namespace fs = std::filesystem;
    const std::string why = "cannot resume";
    const std::string idx = (fs::path(dir) / "checkpoint.json").string();
    nlohmann::json j = readCheckpointIndex(dir, why);
    try {
      restoreFrom(dir, idx, j);
    } catch (const nlohmann::json::exception &e) {
      throw TrainError(why + ": " + idx + " is not a valid checkpoint index (" +
                       e.what() + ")");
    }
  }

  std::vector<double> paramsAsDouble() const {
    std::vector<double> r(static_cast<size_t>(P));
    for (int64_t i = 0; i < P; ++i)
      r[i] = double(params_->data[i]);
    return r;
  }

private:
  /// loadCheckpoint's work on a checked index `j` of folder `dir`.
  void restoreFrom(const std::string &dir, const std::string &idx,
                   const nlohmann::json &j) {
    const std::string why = "cannot resume";
    auto need = [&](const char *k) -> const nlohmann::json & {
      if (!j.contains(k))
        throw TrainError(idx + ": no '" + k + "'");
      return j[k];
    };
    if (need("model").template get<std::string>() != M::name ||
        need("param_count").template get<int64_t>() != M::param_count)
      throw TrainError("cannot resume: the checkpoint in '" + dir +
                       "' is of model " + j["model"].template get<std::string>() +
                       ", not " + M::name);
    if (need("dtype").template get<std::string>() != dtypeName())
      throw TrainError("cannot resume: the checkpoint was trained in " +
                       j["dtype"].template get<std::string>() + ", this run uses " +
                       dtypeName());
    // Checkpoints written before --dg-numerics existed are exact.
    const std::string numerics =
        j.contains("dg_numerics") ? j["dg_numerics"].template get<std::string>()
                                  : std::string("exact");
    if (numerics != dgNumericsOf<M>())
      throw TrainError("cannot resume: the checkpoint was trained with "
                       "--dg-numerics=" + numerics + ", this run uses "
                       "--dg-numerics=" + dgNumericsOf<M>());
    if (need("scheme").template get<std::string>() != schemeName(opts_.scheme))
      throw TrainError("cannot resume: the checkpoint was trained with "
                       "scheme " + j["scheme"].template get<std::string>() +
                       ", this run uses " + schemeName(opts_.scheme));
    auto load = [&](const char *key, int64_t n) {
      std::string f = checkpointFile(dir, j, key, why);
      NpyArray a;
      try {
        a = readNpy(f);
      } catch (const NpyError &e) {
        throw TrainError(why + ": the checkpoint file is damaged (" +
                         e.what() + ")");
      }
      if (a.shape.size() != 1 || a.shape[0] != n)
        throw TrainError(why + ": the checkpoint file " + f +
                         " has the wrong size");
      return a.data;
    };
    std::vector<double> p = load("params", P), m = load("adam_m", P),
                        v = load("adam_v", P);
    const int64_t it = need("iteration").template get<int64_t>();
    std::vector<double> l = load("loss", it);
    std::mt19937_64 rng;
    std::istringstream rs(need("rng").template get<std::string>());
    rs >> rng;
    if (!rs)
      throw TrainError(idx + ": bad generator state");
    for (int64_t i = 0; i < P; ++i)
      params_->data[i] = T(p[i]);
    std::vector<T> mt(m.begin(), m.end()), vt(v.begin(), v.end());
    adam_.restore(it, mt, vt);
    iteration_ = it;
    losses_ = l;
    rng_ = rng;
  }

  /// Buffers of the tiled path: one tile of gathered pairs, column-major
  /// by pair, and the tiled function's workspace.
  struct TileBuffers {
    std::vector<T> u1, u2, dt, weight, L;
    std::shared_ptr<void> ws; ///< M::TileWorkspaceT<T>
  };

  std::unique_ptr<Dopri5Loss<M, T>> dopri5_; ///< scheme dopri5 only
  std::vector<double> dopri5Grad_;

  struct Worker {
    std::unique_ptr<Workspace> ws;
    TileBuffers tile;
    std::vector<T> g;
    std::vector<double> acc;
    double loss = 0;
  };

  /// Pairs idx[0..n) through the tiled loss, tile by tile; the last tile
  /// is padded with copies of its last pair at weight 0.
  void evaluateTiles(Worker &w, const int64_t *idx, int64_t n) {
    if constexpr (TileFns<M, T>::any) {
      using TW = typename M::template TileWorkspaceT<T>;
      TileBuffers &tb = w.tile;
      TW &tws = *static_cast<TW *>(tb.ws.get());
      const int64_t tile = tile_;
      for (int64_t s0 = 0; s0 < n; s0 += tile) {
        const int64_t c = std::min(tile, n - s0);
        for (int64_t k = 0; k < tile; ++k) {
          const int64_t j = idx[s0 + std::min(k, c - 1)];
          const T *a = u1_.data() + j * N, *b = u2_.data() + j * N;
          for (int64_t i = 0; i < N; ++i) {
            tb.u1[static_cast<size_t>(i * tile + k)] = a[i];
            tb.u2[static_cast<size_t>(i * tile + k)] = b[i];
          }
          tb.dt[static_cast<size_t>(k)] = dt_[static_cast<size_t>(j)];
          tb.weight[static_cast<size_t>(k)] = k < c ? T(1) : T(0);
        }
        TileFns<M, T>::call(opts_.scheme, *params_, tb.u1.data(),
                            tb.u2.data(), tb.dt.data(), tb.weight.data(),
                            tb.L.data(), w.g.data(), tws);
        for (int64_t k = 0; k < c; ++k)
          w.loss += double(tb.L[static_cast<size_t>(k)]);
        for (int64_t i = 0; i < P; ++i)
          w.acc[i] += double(w.g[i]);
      }
    }
  }

  TrainOptions opts_;
  ParamTable table_;
  int64_t count_;
  int64_t batch_ = 1;
  int64_t tile_ = 0; ///< pairs per call of the tiled loss; 0: per pair
  std::unique_ptr<Params> params_;
  Adam<T> adam_;
  std::mt19937_64 rng_;
  std::vector<int64_t> perm_;
  std::vector<std::pair<int64_t, int64_t>> swaps_;
  std::vector<T> u1_, u2_, dt_;
  std::vector<Worker> workers_;
  std::vector<T> grad_;
  std::vector<double> losses_;
  int64_t iteration_ = 0;
};

} // namespace dgc::rt
