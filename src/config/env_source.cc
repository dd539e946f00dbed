// The KEYWARDEN_* environment source: names as the TOML keys in upper case, '.' as '_'.
#include <algorithm>
#include <map>
#include <set>

#include "config/sources.h"

namespace keywarden::config {
namespace {

// Variable name -> canonical key, for every key plus the KEYWARDEN_LISTEN shorthand.
std::map<std::string, std::string, std::less<>> Variables(SettingKeys keys) {
  std::map<std::string, std::string, std::less<>> names;
  for (std::string_view key : keys) {
    names.emplace(KeywardenEnvName(key), std::string(key));
    if (key == "listen.host") names.emplace(KeywardenEnvName("listen"), "listen");
  }
  return names;
}

}  // namespace

Status ReadKeywardenEnvironment(const Environment& environment, SettingKeys keys,
                                std::span<const std::string_view> ignored, RawSettings& settings) {
  const auto variables = Variables(keys);
  std::set<std::string_view> seen;
  for (const auto& [name, value] : environment) {
    if (!name.starts_with("KEYWARDEN_") || std::find(ignored.begin(), ignored.end(), name) != ignored.end()) continue;
    auto found = variables.find(name);
    if (found == variables.end()) return InvalidArgumentError("unknown setting " + name);
    if (!seen.insert(name).second) return InvalidArgumentError(name + " is set twice");
    KW_RETURN_IF_ERROR(Assign(settings, found->second, RawValue{value, name, true}));
  }
  return OkStatus();
}

}  // namespace keywarden::config
