// `keywarden connector <verb>`: setting up and running the Key Connector.
//
// Verbs:
//   init  --key-file PATH [--format pem|pkcs12] [--password PASSWORD]
//         Creates the RSA key that wraps the data key, in a new file of mode 0600 (never
//         overwriting one). The format defaults to pkcs12 for a .pfx or .p12 path, else pem;
//         pkcs12 needs --password, and a pem file is encrypted when one is given. The password
//         may be @FILE or - (stdin), as everywhere in this CLI.
//         Prints {"key_file", "format", "fingerprint"} (SHA-256 of the public key, hex).
//   serve [--config FILE] [--listen HOST:PORT] [--dev]
//         Runs the connector until SIGTERM or SIGINT (then drains and exits 0).
//   check [--config FILE]
//         Validates the configuration and reaches the key provider, the database and the
//         identity server (see cli/connector_serve.h for the exit codes).
#ifndef KEYWARDEN_CLI_CONNECTOR_CONNECTOR_COMMAND_H_
#define KEYWARDEN_CLI_CONNECTOR_CONNECTOR_COMMAND_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

// Adds `connector` and its verbs under `root`; the chosen verb is recorded in `selected`,
// which must outlive parsing.
void AddConnectorCommand(CLI::App& root, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_CONNECTOR_CONNECTOR_COMMAND_H_
