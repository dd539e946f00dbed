// ConnectorConfig: everything the Key Connector reads at start-up, and where it comes from.
//
// Sources, each overriding the one before:
//   1. built-in defaults (below);
//   2. a TOML file: `[section] key = value` with the names below (`identity_server_uri`,
//      `web_vault_uri`, `last_access_flush_seconds` and `listen = "HOST:PORT"` sit at the top);
//   3. our environment variables, KEYWARDEN_<SECTION>_<KEY> (KEYWARDEN_DATABASE_SQLITE_PATH,
//      KEYWARDEN_IDENTITY_SERVER_URI, KEYWARDEN_LISTEN, ...);
//   4. the reference Key Connector's variables (keyConnectorSettings__identityServerUri, ...), so an
//      existing deployment's environment keeps working. Their names are case-insensitive, as in .NET.
// docs/configuration.md lists every setting under all three names.
//
// Loading is strict: an unknown key or variable, a value of the wrong type or range, or a setting
// for a feature this build lacks (cloud KMS, SQL Server) stops start-up
// with one line naming the setting. Messages name secret settings, never their values.
#ifndef KEYWARDEN_CONNECTOR_CONFIG_CONNECTOR_CONFIG_H_
#define KEYWARDEN_CONNECTOR_CONFIG_CONNECTOR_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/listen.h"
#include "config/sections.h"
#include "config/sources.h"
#include "custody/rsa_key_settings.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// The shared sections (config/sections.h) and the connector's own settings.
struct ConnectorConfig {
  // The section types under the names callers used when they were nested here.
  using Auth = config::IdentitySection;
  using Database = config::DatabaseSection;
  using Tls = config::TlsSection;
  using Limits = config::LimitsSection;
  using Log = config::LogSection;

  config::ListenSection listen;

  // Required. Absolute http(s) URL, stored without trailing '/' so that callers append
  // "/.well-known/openid-configuration". http is refused unless the host is loopback or
  // auth.allow_insecure_identity_server is set. The connector's own: a service that is its own
  // identity server has none.
  std::string identity_server_uri;
  // Optional (empty = not set). Browsers' CORS origin is derived from it.
  std::string web_vault_uri;
  // "scheme://host[:port]" of web_vault_uri: lower case, no path, default port dropped, as a
  // browser sends it in `Origin`. Empty when web_vault_uri is not set.
  std::string web_vault_origin;

  Auth auth;
  Database database;
  custody::RsaKeySettings rsa_key;
  Tls tls;
  Limits limits;
  Log log;
  config::MetricsSection metrics;

  // How often batched "last access" times are written to the database.
  std::uint32_t last_access_flush_seconds = 30;
};

// Not a setting: the CLI's way to name the TOML file. LoadConnectorConfig ignores it rather
// than calling it unknown.
inline constexpr std::string_view kConfigPathVariable = "KEYWARDEN_CONFIG";

// Defaults < `toml_path` (if given; it must exist) < `environment`'s KEYWARDEN_* < its
// keyConnectorSettings__*. Other variables are ignored. Pure apart from reading the TOML file
// and rsa_key.key_password_file. Errors: kInvalidArgument (unknown or malformed settings, a
// missing file), kUnsupported (a provider or setting this build does not implement).
Result<ConnectorConfig> LoadConnectorConfig(const std::optional<std::string>& toml_path,
                                            const std::vector<std::pair<std::string, std::string>>& environment);

// The reference's RSA key settings alone, for `connector import-reference`: only the
// keyConnectorSettings__rsaKey__* and __certificate__* entries of `reference_settings` are read
// (others are ignored), with the same defaults, names and checks as LoadConnectorConfig.
Result<custody::RsaKeySettings> LoadReferenceRsaKey(
    const std::vector<std::pair<std::string, std::string>>& reference_settings);

// This process's environment, as LoadConnectorConfig takes it (config/sources.h).
using config::ProcessEnvironment;

// A few human-readable lines for `connector check`. The password appears only as "(set)".
std::string DescribeConfig(const ConnectorConfig& config);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_CONFIG_CONNECTOR_CONFIG_H_
