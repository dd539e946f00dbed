#include "cli/common/config_file.h"

#include <cstdlib>

namespace keywarden::cli {

std::optional<std::string> ConfigFilePath(const std::string& config_flag, std::string_view variable) {
  if (!config_flag.empty()) return config_flag;
  if (const char* env = std::getenv(std::string(variable).c_str()); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  return std::nullopt;
}

}  // namespace keywarden::cli
