//===- main.cpp - The dgc command line ------------------------------------===//
//
// Part of dgc. Subcommands (CLI11): check, compile, emit. Later issues add
// dataset, simulate, train and eval. Usage errors (an unknown flag, a missing
// argument) print one message and exit with status 2; errors in the model
// exit with status 1.
//
//===----------------------------------------------------------------------===//
#include "Driver.h"

#include "CxxFrontend/ClangVersion.h"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace {

void addModelOptions(CLI::App *cmd, dgc::driver::Options &o) {
  cmd->add_option("input", o.input, "the .dg model file")->required();
  cmd->add_option("-D", o.defines,
                  "override a `const`: -D NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--model", o.model,
                  "only this model of a file that holds several");
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

  CLI::App *emitCmd = app.add_subcommand(
      "emit", "print an intermediate stage (for tests and curious users)");
  addModelOptions(emitCmd, emit);
  emitCmd->add_option("--stage", emit.stage, "what to print")
      ->required()
      ->check(CLI::IsMember({"tokens", "ast", "ir", "ddiff", "sched", "cpp"}));
  emitCmd->add_option("-o", emit.output, "write to this file, not stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "dgc: error: %s\n", e.what());
    std::fprintf(stderr, "run 'dgc --help' for usage\n");
    return 2;
  }

  if (version) {
    std::printf("dgc %s\n(built with %s)\n", DGC_VERSION,
                dgc::cxx::clangVersion().c_str());
    return 0;
  }
  if (*checkCmd)
    return dgc::driver::runCheck(check);
  if (*compileCmd)
    return dgc::driver::runCompile(compile);
  if (*emitCmd)
    return dgc::driver::runEmit(emit);
  std::fputs(app.help().c_str(), stdout);
  return 0;
}
