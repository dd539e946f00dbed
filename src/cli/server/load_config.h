// The server's configuration for the verbs that act on a deployment (backup, restore, health),
// found as `serve` finds it: --config FILE, else $KEYWARDEN_CONFIG, then KEYWARDEN_* variables.
#ifndef KEYWARDEN_CLI_SERVER_LOAD_CONFIG_H_
#define KEYWARDEN_CLI_SERVER_LOAD_CONFIG_H_

#include <string>

#include "keywarden/status.h"
#include "server/config/server_config.h"

namespace keywarden::cli {

// `config_flag` is --config's value ("" when not given). Errors are LoadServerConfig's, prefixed
// "configuration"; a SQLite path that is not UTF-8 is refused (the verbs print it as JSON).
Result<server::ServerConfig> LoadCliServerConfig(const std::string& config_flag);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_SERVER_LOAD_CONFIG_H_
