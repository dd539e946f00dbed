#include "cli/connector/load_config.h"

#include "cli/common/config_file.h"

namespace keywarden::cli {

Result<connector::ConnectorConfig> LoadCliConnectorConfig(const std::string& config_flag) {
  return connector::LoadConnectorConfig(ConfigFilePath(config_flag, connector::kConfigPathVariable),
                                        connector::ProcessEnvironment());
}

}  // namespace keywarden::cli
