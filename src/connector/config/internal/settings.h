// The table of connector settings: each canonical key and how its raw value becomes a field of
// ConnectorConfig (internal to connector/config*).
//
// The TOML names are the keys themselves; our environment names derive from them
// ("auth.audience" -> KEYWARDEN_AUTH_AUDIENCE). Reference-only keys have no name of ours.
#ifndef KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SETTINGS_H_
#define KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SETTINGS_H_

#include <span>
#include <string>
#include <string_view>

#include "connector/config/connector_config.h"
#include "connector/config/internal/source.h"

namespace keywarden::connector::config_internal {

struct SettingSpec {
  std::string_view key;  // "auth.audience"
  bool reference_only;   // set only through a reference variable (certificate provider)
  // Checks the value's type and range and stores it; errors name raw.origin, never the value.
  Status (*apply)(const RawValue& raw, ConnectorConfig& config);
};

std::span<const SettingSpec> AllSettings();

// A setting of ours (not reference-only) by canonical key; "listen" counts, as the shorthand for
// listen.host and listen.port.
bool IsOurSetting(std::string_view key);

// "auth.audience" -> "KEYWARDEN_AUTH_AUDIENCE".
std::string KeywardenEnvName(std::string_view key);

// Applies every gathered value in table order.
Status ApplySettings(const RawSettings& settings, ConnectorConfig& config);

// With rsa_key.provider "pkcs11": checks that a module, a token, a key and a PIN are named and
// reads the PIN file. With another provider: refuses any PKCS#11 setting, which would be ignored.
Status CheckPkcs11(const RawSettings& settings, ConnectorConfig& config);

}  // namespace keywarden::connector::config_internal

#endif  // KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SETTINGS_H_
