#include "cli/app.h"

#include <CLI/CLI.hpp>

namespace keywarden::cli {

int Run(int argc, char** argv) {
  CLI::App app{"keywarden: Bitwarden-compatible key management"};
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return kExitOk;
}

}  // namespace keywarden::cli
