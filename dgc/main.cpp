//===- main.cpp - The dgc command line ------------------------------------===//
//
// Part of dgc. Subcommands (CLI11): check, compile, emit, simulate, dataset,
// train, eval. Usage errors (an unknown flag, a missing
// argument) print one message and exit with status 2; errors in the model
// exit with status 1.
//
//===----------------------------------------------------------------------===//
#include "Dataset.h"
#include "Driver.h"
#include "LocalModel.h"
#include "ProgramCache.h"
#include "Simulate.h"
#include "Train.h"
#include "UserError.h"

#include "CxxFrontend/ClangVersion.h"
#include "Support/Version.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>

namespace {

void addModelOptions(CLI::App *cmd, dgc::driver::Options &o) {
  cmd->add_option("input", o.input, "the .dg model file")->required();
  cmd->add_option("-D", o.defines,
                  "override a `const`: -D NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--model", o.model,
                  "only this model of a file that holds several");
  cmd->add_option("--function", o.function, "C++ input: the energy function");
  cmd->add_option("--structure", o.structure, "C++ input: G (S, D, D2, -I)");
  cmd->add_option("--grid", o.grid, "C++ input: periodic grid N,LENGTH");
  cmd->add_option("cxxflags", o.cxxFlags, "C++ input: compiler flags after --");
}

/// --dg-numerics (codegen::DgNumerics) for compile, emit and train.
void addNumericsOption(CLI::App *cmd, dgc::driver::Options &o) {
  cmd->add_option("--dg-numerics", o.dgNumerics,
                  "divided differences of the training gradients (train_*): "
                  "exact (default: a series near a = b, accurate in float "
                  "and double) or reference (as the authors' PyTorch "
                  "library computes them in the training dtype: the plain "
                  "quotient (f(a) - f(b))/(a - b) and its plain "
                  "derivatives, the midpoint derivative only when |a - b| "
                  "<= 1e-6 in float, 1e-12 in double); see "
                  "docs/discrete-gradient.md")
      ->check(CLI::IsMember({"exact", "reference"}));
}

/// `dgc train` and `dgc eval` (dgc/Train.h).
std::pair<CLI::App *, CLI::App *>
addTrainCommands(CLI::App &app, dgc::driver::TrainOptions &t,
                 dgc::driver::EvalOptions &e) {
  std::vector<std::string> trainSchemes, evalSchemes;
  for (const char *const *s = dgc::driver::trainSchemes(); *s; ++s)
    trainSchemes.push_back(*s);
  for (const char *const *s = dgc::driver::simulateSchemes(); *s; ++s)
    evalSchemes.push_back(*s);
  CLI::App *tc = app.add_subcommand(
      "train", "fit a model's parameters to a dataset (Adam, minibatches); "
               "writes a checkpoint folder");
  addModelOptions(tc, t.model);
  tc->add_option("--data", t.data, "dataset folder: `dgc dataset`, or your own train_x.npy/test_x.npy and t.npy")->required();
  tc->add_option("--scheme", t.scheme, "training scheme")
      ->required()
      ->check(CLI::IsMember(trainSchemes));
  tc->add_option("--iters", t.iters, "total Adam iterations")
      ->required()
      ->check(CLI::NonNegativeNumber);
  tc->add_option("-o", t.output, "checkpoint folder PARAMS_DIR")->required();
  tc->add_option("--batch", t.batch, "pairs per iteration (default: all)");
  tc->add_option("--lr", t.lr, "learning rate (default 1e-3)");
  tc->add_option("--seed", t.seed, "initialisation and batch seed (default 0)");
  tc->add_option("--weight-decay", t.weightDecay, "L2 weight decay (default 0)");
  tc->add_option("--dtype", t.dtype, "float or double (default double)")
      ->check(CLI::IsMember({"float", "double"}));
  addNumericsOption(tc, t.model);
  tc->add_option("--threads", t.threads, "threads (default: all cores)");
  tc->add_option("--checkpoint-every", t.checkpointEvery,
                 "also checkpoint every K iterations");
  tc->add_option("--resume", t.resume, "continue from this checkpoint folder");
  tc->add_option("--log-every", t.logEvery,
                 "progress line every K iterations when not on a terminal");
  CLI::App *ec = app.add_subcommand(
      "eval", "score trained parameters with the paper's metrics");
  addModelOptions(ec, e.model);
  ec->add_option("--params", e.params, "checkpoint folder (or flat P.npy)")
      ->required();
  ec->add_option("--data", e.data, "dataset folder: `dgc dataset`, or your own train_x.npy/test_x.npy and t.npy")->required();
  ec->add_option("--scheme", e.scheme, "prediction scheme")
      ->required()
      ->check(CLI::IsMember(evalSchemes));
  ec->add_option("--train-scheme", e.trainScheme,
                 "training scheme (default: the checkpoint's)");
  ec->add_option("--json", e.json, "also write the metrics to this file");
  return {tc, ec};
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"dgc: a compiler for discrete-gradient programs.\n"
               "Compiles energy models du/dt = G grad H(u) written in the dg "
               "language to C++.",
               "dgc"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "print the version and exit");

  dgc::driver::Options check, compile, emit;
  CLI::App *checkCmd = app.add_subcommand(
      "check", "report diagnostics, state size, parameters and derived laws");
  addModelOptions(checkCmd, check);

  CLI::App *compileCmd =
      app.add_subcommand("compile", "write the C++ header of a .dg file");
  addModelOptions(compileCmd, compile);
  compileCmd->add_option("-o", compile.output, "the header to write")
      ->required();
  std::string compileTile;
  compileCmd->add_option("--local-tile", compileTile,
                         "also emit the local-tile kernels for distributed "
                         "runs (namespace local): T or TXxTY interior "
                         "points per tile");
  addNumericsOption(compileCmd, compile);

  CLI::App *emitCmd = app.add_subcommand(
      "emit", "print an intermediate stage (for tests and curious users)");
  addModelOptions(emitCmd, emit);
  emitCmd->add_option("--stage", emit.stage, "what to print")
      ->required()
      ->check(CLI::IsMember({"tokens", "ast", "ir", "ddiff", "sparsity", "sched", "cpp"}));
  emitCmd->add_option("-o", emit.output, "write to this file, not stdout");
  addNumericsOption(emitCmd, emit);

  dgc::driver::SimulateOptions sim;
  CLI::App *simCmd = app.add_subcommand(
      "simulate", "simulate a model with a structure-preserving or classical "
                  "scheme and write the trajectory as .npy");
  addModelOptions(simCmd, sim.model);
  simCmd->add_option("--init", sim.init, "initial state U0.npy: (state_size,), "
                                         "the state's own shape ((NY, NX) for "
                                         "a 2-D field), or either with a "
                                         "leading 1")
      ->required();
  simCmd->add_option("--dt", sim.dt, "time step")
      ->required()
      ->check(CLI::PositiveNumber);
  simCmd->add_option("--steps", sim.steps, "number of steps")
      ->required()
      ->check(CLI::NonNegativeNumber);
  std::vector<std::string> schemes;
  for (const char *const *s = dgc::driver::simulateSchemes(); *s; ++s)
    schemes.push_back(*s);
  simCmd->add_option("--scheme", sim.scheme, "integration scheme")
      ->required()
      ->check(CLI::IsMember(schemes));
  simCmd->add_option("--params", sim.params,
                     "parameters: a `dgc train -o` folder or a flat P.npy "
                     "(param_count); default: the initialisation from "
                     "seed 0");
  simCmd->add_option("--tol", sim.tol, "Newton tolerance (dg, "
                                       "implicit_midpoint)");
  simCmd->add_option("--rtol", sim.rtol, "dopri5 relative tolerance");
  simCmd->add_option("--atol", sim.atol, "dopri5 absolute tolerance");
  std::vector<std::string> linearSolvers;
  for (const char *const *l = dgc::driver::simulateLinearSolvers(); *l; ++l)
    linearSolvers.push_back(*l);
  simCmd->add_option("--linear-solver", sim.linearSolver,
                     "Newton's linear solver (dg, implicit_midpoint; "
                     "default auto: by state size and the Jacobian's "
                     "sparsity)")
      ->check(CLI::IsMember(linearSolvers));
  simCmd->add_option("--max-halvings", sim.maxHalvings,
                     "retry a step whose Newton solve fails as two half "
                     "steps, up to K levels (0-20, default 0)")
      ->check(CLI::Range(0, 20));
  simCmd->add_option("--threads", sim.threads,
                     "threads for the model's loops (default: all cores)")
      ->check(CLI::Range(1, 4096));
  simCmd->add_option("-o", sim.output, "trajectory TRAJ.npy, (steps + 1) x "
                                       "state_size float64")
      ->required();
  simCmd->add_option("--backend", sim.backend,
                     "serial (default) or petsc: PETSc's SNES on a DMDA "
                     "over MPI ranks; options after --petsc go to PETSc")
      ->check(CLI::IsMember({"serial", "petsc"}));
  simCmd->add_option("--ranks", sim.ranks,
                     "MPI ranks of --backend petsc (default 1)")
      ->check(CLI::Range(1, 4096));
  simCmd->add_option("--save-every", sim.saveEvery,
                     "keep every K-th step in the trajectory (default 1; "
                     "the last step is always kept)")
      ->check(CLI::Range(1, 1 << 30));

  std::string dsName, dsOut, dsSeed, dsSeries;
  bool dsForce = false;
  CLI::App *dsCmd = app.add_subcommand(
      "dataset", "generate one of the paper's datasets (.npy + dataset.json)");
  dsCmd->add_option("name", dsName, "the dataset")->required()->check(
      CLI::IsMember([] {
        std::vector<std::string> v;
        for (const char *const *n = dgc::driver::datasetNames(); *n; ++n)
          v.push_back(*n);
        return v;
      }()));
  dsCmd->add_option("-o", dsOut, "output folder (must not exist or be "
                                 "empty, unless --force)")->required();
  dsCmd->add_option("--seed", dsSeed, "NumPy seed (mass-spring, pendulum, "
                                      "two-body: the trial seed; default 0)");
  dsCmd->add_option("--series", dsSeries, "number of series / trajectories "
                                          "/ orbits (smaller sets for tests)");
  dsCmd->add_flag("--force", dsForce, "replace a non-empty output folder");

  dgc::driver::TrainOptions trainOpts;
  dgc::driver::EvalOptions evalOpts;
  auto [trainCmd, evalCmd] = addTrainCommands(app, trainOpts, evalOpts);

  // Everything after --petsc is PETSc's (e.g. -pc_type gamg), not ours.
  std::vector<std::string> petscArgs;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--petsc") == 0) {
      petscArgs.assign(argv + i + 1, argv + argc);
      sim.petscGiven = true;
      argc = i;
      break;
    }
  sim.petscArgs = petscArgs;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    dgc::driver::userError(e.what());
    std::fprintf(stderr, "run 'dgc --help' for usage\n");
    return 2;
  }

  if (version) {
    std::printf("dgc %s\n(built with %s)\nruntime: %s\n", dgc::kVersion,
                dgc::cxx::clangVersion().c_str(),
                dgc::driver::runtimeFolder().c_str());
    return 0;
  }
  if (sim.petscGiven && !(*simCmd)) {
    dgc::driver::userError("--petsc passes options to PETSc in "
                           "'dgc simulate --backend petsc' only");
    return 2;
  }
  if (*checkCmd)
    return dgc::driver::runCheck(check);
  if (*compileCmd) {
    if (!compileTile.empty() &&
        !dgc::driver::parseLocalTile(compileTile, compile.local))
      return 2;
    return dgc::driver::runCompile(compile);
  }
  if (*emitCmd)
    return dgc::driver::runEmit(emit);
  if (*simCmd)
    return dgc::driver::runSimulate(sim);
  if (*trainCmd)
    return dgc::driver::runTrain(trainOpts);
  if (*evalCmd)
    return dgc::driver::runEval(evalOpts);
  if (*dsCmd) {
    std::vector<std::string> extra;
    if (!dsSeed.empty()) extra.insert(extra.end(), {"--seed", dsSeed});
    if (!dsSeries.empty()) extra.insert(extra.end(), {"--series", dsSeries});
    if (dsForce) extra.push_back("--force");
    return dgc::driver::runDataset(dsName, dsOut, extra);
  }
  std::fputs(app.help().c_str(), stdout);
  return 0;
}
