#include "connector/config/connector_config.h"

#include <cctype>

#include "config/rsa_key_section.h"
#include "config/sections.h"
#include "config/sources.h"
#include "config/values.h"
#include "connector/config/internal/settings.h"
#include "keywarden/crypto/encoding.h"
#include "net/loopback.h"
#include "sql/mariadb/mariadb_options.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::connector {
namespace {

using config::OriginOf;
using config::RawSettings;

constexpr std::string_view kIgnoredVariables[] = {kConfigPathVariable};

Status CheckIdentityServer(const RawSettings& settings, ConnectorConfig& config) {
  const std::string origin = OriginOf(settings, "identity_server_uri");
  if (config.identity_server_uri.empty()) {
    return InvalidArgumentError(
        "identity_server_uri is required (KEYWARDEN_IDENTITY_SERVER_URI or keyConnectorSettings__identityServerUri)");
  }
  KW_ASSIGN_OR_RETURN(net::HttpUrl url, config::ParseUrlSetting(config.identity_server_uri, origin));
  if (url.query || url.has_fragment) return InvalidArgumentError(origin + " must not have a query or fragment");
  if (!url.https && !net::IsLoopbackHost(url.host) && !config.auth.allow_insecure_identity_server) {
    return InvalidArgumentError(origin +
                                " uses plain http to a host that is not loopback: use https, or set "
                                "auth.allow_insecure_identity_server = true if the network is trusted");
  }
  while (config.identity_server_uri.ends_with('/')) config.identity_server_uri.pop_back();
  return OkStatus();
}

Status CheckWebVault(const RawSettings& settings, ConnectorConfig& config) {
  if (config.web_vault_uri.empty()) return OkStatus();
  KW_ASSIGN_OR_RETURN(net::HttpUrl url,
                      config::ParseUrlSetting(config.web_vault_uri, OriginOf(settings, "web_vault_uri")));
  config.web_vault_origin = url.Origin();
  return OkStatus();
}

// The provider's connection string must be there and parse; errors name the setting, and the
// parsers never quote a value.
Status CheckDatabase(const RawSettings& settings, const ConnectorConfig& config) {
  const config::DatabaseProvider provider = config.database.provider;
  if (provider == config::DatabaseProvider::kSqlite) return OkStatus();
  const bool postgresql = provider == config::DatabaseProvider::kPostgresql;
  const std::string key = postgresql ? "database.postgresql" : "database.mysql";
  const std::string& text = postgresql ? config.database.postgresql : config.database.mysql;
  if (text.empty()) {
    return InvalidArgumentError(OriginOf(settings, "database.provider") + " is " +
                                std::string(config::DatabaseProviderName(provider)) + " but " + key + " is not set (" +
                                config::KeywardenEnvName(key) + " or keyConnectorSettings__database__" +
                                (postgresql ? "postgreSqlConnectionString" : "mySqlConnectionString") + ")");
  }
  const Status parsed =
      postgresql ? sql::ParsePostgresConnectionString(text).status() : sql::ParseMariaDbConnectionString(text).status();
  if (!parsed.ok()) return InvalidArgumentError(OriginOf(settings, key) + ": " + parsed.message());
  return OkStatus();
}

}  // namespace

Result<ConnectorConfig> LoadConnectorConfig(const std::optional<std::string>& toml_path,
                                            const std::vector<std::pair<std::string, std::string>>& environment) {
  const auto& table = config_internal::ConnectorSettings();
  RawSettings settings;
  if (toml_path.has_value()) KW_RETURN_IF_ERROR(config::ReadTomlFile(*toml_path, table.Keys(), settings));
  KW_RETURN_IF_ERROR(config::ReadKeywardenEnvironment(environment, table.Keys(), kIgnoredVariables, settings));
  KW_RETURN_IF_ERROR(config_internal::ReadReferenceEnvironment(environment, settings));

  ConnectorConfig config;
  KW_RETURN_IF_ERROR(table.Apply(settings, config));
  // After the providers: "provider 'pkcs11' is not supported" says more than its first setting.
  if (!settings.unsupported.empty()) {
    return UnsupportedError("setting " + settings.unsupported.front() + " is not supported by this build");
  }
  KW_RETURN_IF_ERROR(CheckIdentityServer(settings, config));
  KW_RETURN_IF_ERROR(CheckWebVault(settings, config));
  KW_RETURN_IF_ERROR(config::CheckTls(settings, config.tls));
  KW_RETURN_IF_ERROR(CheckDatabase(settings, config));
  KW_RETURN_IF_ERROR(config::CheckRsaKey(settings, config_internal::ReferenceNames(), config.rsa_key));
  return config;
}

Result<custody::RsaKeySettings> LoadReferenceRsaKey(
    const std::vector<std::pair<std::string, std::string>>& reference_settings) {
  std::vector<std::pair<std::string, std::string>> key_settings;
  for (const auto& [name, value] : reference_settings) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("keyconnectorsettings__rsakey__") ||
        lower.starts_with("keyconnectorsettings__certificate__")) {
      key_settings.emplace_back(name, value);
    }
  }
  RawSettings settings;
  const Status read = config_internal::ReadReferenceEnvironment(key_settings, settings);
  for (auto& [name, value] : key_settings) WipeString(value);
  KW_RETURN_IF_ERROR(read);
  ConnectorConfig config;
  KW_RETURN_IF_ERROR(config_internal::ConnectorSettings().Apply(settings, config));
  if (!settings.unsupported.empty()) {
    return UnsupportedError("setting " + settings.unsupported.front() + " is not supported by this build");
  }
  // The same finishing steps as LoadConnectorConfig's for the key.
  KW_RETURN_IF_ERROR(config::CheckRsaKey(settings, config_internal::ReferenceNames(), config.rsa_key));
  return std::move(config.rsa_key);
}

}  // namespace keywarden::connector
