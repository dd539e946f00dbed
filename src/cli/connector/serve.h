// `keywarden connector serve` and `keywarden connector check`.
//
// serve [--config FILE] [--listen HOST:PORT] [--dev]
//   Loads the configuration (defaults < FILE or $KEYWARDEN_CONFIG < KEYWARDEN_* < the reference's
//   keyConnectorSettings__* variables), starts the connector and runs until SIGTERM or SIGINT,
//   then stops accepting, lets requests in flight finish (up to 10 s) and exits 0.
//   --dev runs a self-contained demo instead (connector/dev_mode.h): loopback only.
//   Exit 2 for a configuration error, 1 when a part cannot start; one line on stderr.
//
// check [--config FILE]
//   Prints one JSON object with each step's result, and exits with the first failing step:
//   0 all good, 2 configuration, 3 key provider, 4 database (or data key), 5 identity server.
#ifndef KEYWARDEN_CLI_CONNECTOR_SERVE_H_
#define KEYWARDEN_CLI_CONNECTOR_SERVE_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

inline constexpr int kExitCheckKeyProvider = 3;
inline constexpr int kExitCheckDatabase = 4;
inline constexpr int kExitCheckIdentityServer = 5;

void AddServeVerb(CLI::App& connector, SelectedVerb& selected);
void AddCheckVerb(CLI::App& connector, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_CONNECTOR_SERVE_H_
