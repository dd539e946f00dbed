// The connector's configuration as every `keywarden connector` verb finds it: the --config flag,
// else $KEYWARDEN_CONFIG, else no file; then the KEYWARDEN_* and keyConnectorSettings__*
// variables of this process (connector/config.h has the order and the rules).
#ifndef KEYWARDEN_CLI_CONNECTOR_LOAD_CONFIG_H_
#define KEYWARDEN_CLI_CONNECTOR_LOAD_CONFIG_H_

#include <string>

#include "connector/config/connector_config.h"
#include "keywarden/status.h"

namespace keywarden::cli {

// `config_flag` is the --config value ("" when not given).
Result<connector::ConnectorConfig> LoadCliConnectorConfig(const std::string& config_flag);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_CONNECTOR_LOAD_CONFIG_H_
