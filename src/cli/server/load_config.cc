#include "cli/server/load_config.h"

#include <cstdlib>
#include <optional>

#include "cli/common/output.h"
#include "config/sources.h"

namespace keywarden::cli {

Result<server::ServerConfig> LoadCliServerConfig(const std::string& config_flag) {
  std::optional<std::string> path;
  if (!config_flag.empty()) {
    path = config_flag;
  } else if (const char* env = std::getenv(std::string(server::kServerConfigPathVariable).c_str());
             env != nullptr && *env != '\0') {
    path = env;
  }
  auto config = server::LoadServerConfig(path, config::ProcessEnvironment());
  if (!config.ok()) return config.status().WithContext("configuration");
  if (!IsValidUtf8(config->database.sqlite_path)) return InvalidArgumentError("the database path is not valid UTF-8");
  return config;
}

}  // namespace keywarden::cli
