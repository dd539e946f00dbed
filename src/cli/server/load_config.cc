#include "cli/server/load_config.h"

#include "cli/common/config_file.h"
#include "cli/common/output.h"
#include "config/sources.h"

namespace keywarden::cli {

Result<server::ServerConfig> LoadCliServerConfig(const std::string& config_flag) {
  auto config = server::LoadServerConfig(ConfigFilePath(config_flag, server::kServerConfigPathVariable),
                                         config::ProcessEnvironment());
  if (!config.ok()) return config.status().WithContext("configuration");
  if (!IsValidUtf8(config->database.sqlite_path)) return InvalidArgumentError("the database path is not valid UTF-8");
  return config;
}

}  // namespace keywarden::cli
