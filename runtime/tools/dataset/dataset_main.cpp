//===- dataset_main.cpp - dgc_dataset: the paper's six datasets -----------===//
//
// Part of dgc. The program behind `dgc dataset NAME -o DIR`: builds one of
// the datasets of shared/reference/experiments.md (sections 2-7) and writes
// it as float64 .npy arrays plus dataset.json into DIR.
//
//   kdv, ch            known-form models (examples/kdv.dg,
//                      examples/cahn_hilliard.dg) stepped with the runtime's
//                      `dg` scheme (paper Eq. 6, Newton with the generated
//                      Jacobian); this is the authors' DVDM scheme (see
//                      dataset.json "integrator").
//   mass-spring,       ODEs of ode_models.dg integrated with the runtime's
//   pendulum,          dopri5 at the protocol's tolerances (SciPy's solve_ivp
//   two-body           in the authors' code).
//   real-pendulum      the measurements in data/real_pend_h_1.txt (a copy
//                      of shared/data/real_pend_h_1.txt).
//
// Random draws use NumpyRandom, NumPy's legacy stream, in the authors' order.
// Output is atomic: everything is written into DIR.tmp-<pid> next to DIR
// and renamed into place at the end; a failure removes the temporary folder.
//
// A series whose integration fails (Newton, dopri5's step budget, a
// non-finite state) stops the run without losing the series before it:
// they are written, with the failed series up to its last good step
// (failed_series.npy) and dataset.json's "partial" record, to DIR.partial
// (never to DIR, which is left as it was: a partial folder must not pass
// for the protocol's dataset); one `dgc: error:` line names the series,
// the step and why, and the exit status is 3 (as `dgc simulate`'s failed
// step). Test hook: DGC_TEST_FAIL_SERIES=K gives series K (1-based, in
// generation order) a budget it cannot meet (one Newton iteration, or 20
// dopri5 steps), so that the path is tested with a real integrator
// failure.
//
// One family per file (Dataset.h has what they share): PdeDatasets.cpp
// (kdv, ch), OdeDatasets.cpp (mass-spring, pendulum, two-body),
// RealPendulum.cpp; this file holds the command line and the output.
//
// Usage: dgc_dataset NAME DIR [--seed S] [--series N] [--force]
//                              [--data FILE]   (real-pendulum's file)
//
#include "Dataset.h"

#include "dgc/runtime/AtomicFile.h"
#include "dgc/runtime/Npy.h"
#include "dgc/runtime/ParentDeath.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace dgc::dataset;

namespace {

bool nonEmptyDir(const fs::path &p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && !fs::is_empty(p, ec);
}

fs::path outputPath(const Options &o) {
  fs::path dir = fs::absolute(fs::path(o.dir)).lexically_normal();
  if (dir.filename().empty())
    dir = dir.parent_path();
  return dir;
}

/// Before any work: refuses an output that exists and is not an empty
/// folder (without --force), creates the parent folders and the temporary
/// folder DIR.tmp-<pid> the arrays go to; returns the latter.
fs::path prepareOutput(const Options &o) {
  fs::path dir = outputPath(o);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw DatasetError("'" + o.dir + "' exists and is not a folder");
  if (nonEmptyDir(dir) && !o.force)
    throw DatasetError("'" + o.dir + "' exists and is not empty (use "
                       "--force to replace it)");
  fs::create_directories(dir.parent_path(), ec);
  if (ec)
    throw DatasetError("cannot create '" + dir.parent_path().string() +
                       "': " + ec.message());
  fs::path tmp = dir;
  tmp += ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  if (!fs::create_directory(tmp, ec) || ec)
    throw DatasetError("cannot create the folder '" + o.dir + "': " +
                       (ec ? ec.message() : std::string("exists")));
  return tmp;
}

/// Writes the arrays and dataset.json into `tmp`, then renames it to
/// `dir` (DIR, or DIR.partial with `force`).
void writeDataset(const Dataset &ds, const Options &opts, const fs::path &tmp,
                  const fs::path &dir, bool force) {
  Options o = opts;
  o.force = force;
  o.dir = dir.string();
  std::error_code ec;
  try {
    json meta = ds.meta;
    json arrays = json::object();
    try {
      for (const Array &a : ds.arrays) {
        dgc::rt::writeNpy((tmp / (a.name + ".npy")).string(), a.shape,
                          a.data.data());
        arrays[a.name] = {{"file", a.name + ".npy"},
                          {"shape", a.shape},
                          {"dtype", "float64"},
                          {"description", a.description}};
      }
      meta["arrays"] = arrays;
      dgc::rt::writeFileAtomic((tmp / "dataset.json").string(),
                               meta.dump(2) + "\n");
    } catch (const std::exception &e) {
      // The message names the file in the folder the user asked for, not
      // in the temporary one it was being written to.
      std::string msg = e.what();
      const std::string from = tmp.string(), to = dir.string();
      for (size_t at; (at = msg.find(from)) != std::string::npos;)
        msg.replace(at, from.size(), to);
      throw DatasetError(msg);
    }
    // Move into place: an empty folder is replaced, a non-empty one only
    // with --force (checked again: it may have appeared meanwhile).
    fs::path old;
    if (fs::exists(dir, ec)) {
      if (!fs::is_directory(dir, ec))
        throw DatasetError("'" + o.dir + "' exists and is not a folder");
      if (!fs::is_empty(dir, ec)) {
        if (!o.force)
          throw DatasetError("'" + o.dir + "' exists and is not empty (use "
                             "--force to replace it)");
        old = dir;
        old += ".old-" + std::to_string(::getpid());
        fs::rename(dir, old);
      } else {
        fs::remove(dir);
      }
    }
    fs::rename(tmp, dir);
    if (!old.empty())
      fs::remove_all(old, ec);
  } catch (const fs::filesystem_error &e) {
    throw DatasetError(std::string("cannot write the dataset: ") + e.what());
  }
  dgc::rt::atomic_detail::syncFolderOf(dir.string());
}

int usage() {
  std::fprintf(stderr,
               "usage: dgc_dataset kdv|ch|mass-spring|pendulum|two-body|"
               "real-pendulum DIR [--seed S] [--series N] [--force] "
               "[--data FILE]\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  dgc::rt::dieWithParent();
  Options o;
  std::vector<std::string> pos;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc)
          throw DatasetError(a + " needs a value");
        return argv[++i];
      };
      if (a == "--seed") {
        std::string v = value();
        size_t used = 0;
        long long s = std::stoll(v, &used);
        if (used != v.size() || s < 0 || s > 4294967295ll)
          throw DatasetError("--seed must be an integer in [0, 2^32)");
        o.seed = static_cast<uint32_t>(s);
        o.hasSeed = true;
      } else if (a == "--series") {
        std::string v = value();
        size_t used = 0;
        long long s = std::stoll(v, &used);
        if (used != v.size() || s < 1 || s > 1000000)
          throw DatasetError("--series must be a positive integer");
        o.series = s;
        o.hasSeries = true;
      } else if (a == "--force") {
        o.force = true;
      } else if (a == "--data") {
        o.dataFile = value();
      } else if (!a.empty() && a[0] == '-') {
        throw DatasetError("unknown option '" + a + "'");
      } else {
        pos.push_back(a);
      }
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dgc: error: %s\n", e.what());
    return usage();
  }
  if (pos.size() != 2)
    return usage();
  o.name = pos[0];
  o.dir = pos[1];

  struct Entry {
    const char *name;
    void (*build)(Dataset &, const Options &);
    bool seeded;     ///< the seed is the trial seed (--seed applies)
    uint32_t seed;   ///< the protocol's seed
    bool hasSeries;  ///< --series applies
  };
  const Entry table[] = {{"kdv", kdv, false, 1, true},
                         {"ch", ch, false, 0, true},
                         {"mass-spring", massSpring, true, 0, true},
                         {"pendulum", pendulum, true, 0, true},
                         {"two-body", twoBody, true, 0, true},
                         {"real-pendulum", realPendulum, false, 0, false}};
  const Entry *e = nullptr;
  for (const Entry &t : table)
    if (o.name == t.name)
      e = &t;
  try {
    if (!e)
      throw DatasetError("unknown dataset '" + o.name + "' (expected kdv, ch, "
                         "mass-spring, pendulum, two-body or real-pendulum)");
    if (o.hasSeed && !e->seeded)
      throw DatasetError("--seed does not apply to '" + o.name +
                         "' (its seed is fixed by the protocol)");
    if (o.hasSeries && !e->hasSeries)
      throw DatasetError("--series does not apply to '" + o.name + "'");
    if (!o.hasSeed)
      o.seed = e->seed;
    fs::path tmp = prepareOutput(o);
    auto start = std::chrono::steady_clock::now();
    Dataset ds;
    ds.meta["name"] = o.name;
    ds.meta["generator"] = "dgc dataset (dgc_dataset)";
    ds.meta["protocol"] = "shared/reference/experiments.md";
    if (e->seeded || o.name == "kdv" || o.name == "ch")
      ds.meta["numpy_seed"] = o.seed;
    ds.meta["random_stream"] =
        "NumPy legacy RandomState (MT19937), reproduced bit for bit";
    try {
      try {
        e->build(ds, o);
      } catch (const SeriesFailed &f) {
        // Keep the series done, apart from DIR (see the file comment).
        fs::path partial = outputPath(o);
        partial += ".partial";
        ds.meta["partial"] = {
            {"failed", f.series},
            {"failed_step", f.step},
            {"reason", f.why},
            {"series_completed", f.done},
            {"note", "not the protocol's dataset: the run stopped at the "
                     "failed series; failed_series holds its states up to "
                     "the last good step"}};
        writeDataset(ds, o, tmp, partial, true);
        std::fprintf(stderr,
                     "dgc: error: %s failed at step %lld: %s; the %lld "
                     "series before it are in %s ('%s' was not written)\n",
                     f.series.c_str(), static_cast<long long>(f.step),
                     f.why.c_str(), static_cast<long long>(f.done),
                     partial.string().c_str(), o.dir.c_str());
        return kExitSeriesFailed;
      }
      writeDataset(ds, o, tmp, outputPath(o), o.force);
    } catch (...) {
      std::error_code ec;
      fs::remove_all(tmp, ec); // no half-written output
      throw;
    }
    double wall = std::chrono::duration<double>(
                      std::chrono::steady_clock::now() - start)
                      .count();
    std::fprintf(stderr, "dgc dataset %s: wrote %zu arrays to %s (%.1fs)\n",
                 o.name.c_str(), ds.arrays.size(), o.dir.c_str(), wall);
  } catch (const std::exception &ex) {
    std::fprintf(stderr, "dgc: error: %s\n", ex.what());
    return 1;
  }
  return 0;
}
