// Which configuration file a verb reads, the same for every service and verb.
#ifndef KEYWARDEN_CLI_COMMON_CONFIG_FILE_H_
#define KEYWARDEN_CLI_COMMON_CONFIG_FILE_H_

#include <optional>
#include <string>
#include <string_view>

namespace keywarden::cli {

// --config's value (`config_flag`, "" when not given), else the environment variable `variable`
// (KEYWARDEN_CONFIG) when set and not empty, else none: the settings then come from KEYWARDEN_*
// variables and the defaults alone.
std::optional<std::string> ConfigFilePath(const std::string& config_flag, std::string_view variable);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_COMMON_CONFIG_FILE_H_
