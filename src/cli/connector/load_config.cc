#include "cli/connector/load_config.h"

#include <cstdlib>
#include <optional>

namespace keywarden::cli {

Result<connector::ConnectorConfig> LoadCliConnectorConfig(const std::string& config_flag) {
  std::optional<std::string> path;
  if (!config_flag.empty()) {
    path = config_flag;
  } else if (const char* env = std::getenv(std::string(connector::kConfigPathVariable).c_str());
             env != nullptr && *env != '\0') {
    path = env;
  }
  return connector::LoadConnectorConfig(path, connector::ProcessEnvironment());
}

}  // namespace keywarden::cli
