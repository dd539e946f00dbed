// The connector's setting table: the shared sections plus its own rows, and the reference Key
// Connector's names as an alias source (internal to connector/config*).
#ifndef KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SETTINGS_H_
#define KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SETTINGS_H_

#include "config/rsa_key_section.h"
#include "config/settings.h"
#include "config/sources.h"
#include "connector/config/connector_config.h"

namespace keywarden::connector::config_internal {

const config::SettingTable<ConnectorConfig>& ConnectorSettings();

// The reference's names for the settings that "set ..." hints mention.
config::AliasNames ReferenceNames();

// keyConnectorSettings__<section>__<key>, case-insensitive: the alias source.
Status ReadReferenceEnvironment(const config::Environment& environment, config::RawSettings& settings);

}  // namespace keywarden::connector::config_internal

#endif  // KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SETTINGS_H_
