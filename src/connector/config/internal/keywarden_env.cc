// Our environment source: KEYWARDEN_<SECTION>_<KEY>, names as the TOML keys in upper case.
#include <map>
#include <set>

#include "connector/config/connector_config.h"
#include "connector/config/internal/settings.h"
#include "connector/config/internal/source.h"

namespace keywarden::connector::config_internal {
namespace {

// Variable name -> canonical key, for every setting of ours plus the KEYWARDEN_LISTEN shorthand.
std::map<std::string, std::string, std::less<>> OurVariables() {
  std::map<std::string, std::string, std::less<>> names{{KeywardenEnvName("listen"), "listen"}};
  for (const SettingSpec& spec : AllSettings()) {
    if (!spec.reference_only) names.emplace(KeywardenEnvName(spec.key), std::string(spec.key));
  }
  return names;
}

}  // namespace

Status ReadKeywardenEnvironment(const Environment& environment, RawSettings& settings) {
  const auto variables = OurVariables();
  std::set<std::string_view> seen;
  for (const auto& [name, value] : environment) {
    if (!name.starts_with("KEYWARDEN_") || name == kConfigPathVariable) continue;
    auto found = variables.find(name);
    if (found == variables.end()) return InvalidArgumentError("unknown setting " + name);
    if (!seen.insert(name).second) return InvalidArgumentError(name + " is set twice");
    KW_RETURN_IF_ERROR(Assign(settings, found->second, RawValue{value, name, true}));
  }
  return OkStatus();
}

}  // namespace keywarden::connector::config_internal
