// `keywarden server <verb>`: setting up and running the Keywarden server.
//
//   init  --key-file PATH        creates the token-signing key (PEM, mode 0600, never overwriting)
//   serve [--config FILE] [--listen HOST:PORT] [--dev]
//         runs until SIGTERM or SIGINT, then drains (10 s) and exits 0. --dev: a throwaway
//         database, key and TLS certificate, a test account, and the lines to try it with the
//         official CLI; loopback only. Exit 2 for a configuration error, 1 when a part cannot start.
//   check [--config FILE]
//         prints one JSON object: the configuration, the signing key, the database; exits 2, 3
//         or 4 at the first failing step (0 when all is well).
//   settings
//         prints every setting: its TOML name, its variable, what it does.
//   backup --out FILE, restore --from FILE   the SQLite database (cli/server/backup.h)
//   health [--url URL]                       asks a running server's /health (cli/server/health.h)
#ifndef KEYWARDEN_CLI_SERVER_SERVER_COMMAND_H_
#define KEYWARDEN_CLI_SERVER_SERVER_COMMAND_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

void AddServerCommand(CLI::App& root, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_SERVER_SERVER_COMMAND_H_
