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

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custody/rsa_key_settings.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::connector {

struct ListenAddress {
  std::string host = "0.0.0.0";  // a name, an IPv4 address or an IPv6 address without brackets
  std::uint16_t port = 5000;     // 0 lets the OS choose (tests)
};

// "HOST:PORT", or "[IPV6]:PORT" for IPv6. The CLI's --listen goes through this too.
Result<ListenAddress> ParseListen(std::string_view text);
// The inverse: "0.0.0.0:5000", "[::1]:5000".
std::string FormatListen(const ListenAddress& address);

struct ConnectorConfig {
  ListenAddress listen;

  // Required. Absolute http(s) URL, stored without trailing '/' so that callers append
  // "/.well-known/openid-configuration". http is refused unless the host is loopback or
  // auth.allow_insecure_identity_server is set.
  std::string identity_server_uri;
  // Optional (empty = not set). Browsers' CORS origin is derived from it.
  std::string web_vault_uri;
  // "scheme://host[:port]" of web_vault_uri: lower case, no path, default port dropped, as a
  // browser sends it in `Origin`. Empty when web_vault_uri is not set.
  std::string web_vault_origin;

  struct Auth {
    std::uint32_t clock_skew_seconds = 60;
    std::string audience;  // empty = not checked (the reference does not check it)
    std::uint32_t jwks_refresh_seconds = 30;
    std::size_t max_token_bytes = 16384;
    bool allow_insecure_identity_server = false;
  } auth;

  struct Database {
    // "sqlite", "postgresql" or "mysql" (MySQL or MariaDB) after a successful load; the
    // reference's other names are recognised and refused as not supported by this build.
    std::string provider = "sqlite";
    std::string sqlite_path = "/var/lib/keywarden/connector.db";
    // Connection strings, Key=Value (the reference's form) or URL. Secrets: they hold the
    // database password, so they are never printed. The one the provider names is required and
    // has been parsed successfully after a load.
    std::string postgresql;
    std::string mysql;
    // Pool size for PostgreSQL and MySQL, unless the connection string sets Maximum Pool Size.
    std::uint32_t connections = 8;
  } database;

  custody::RsaKeySettings rsa_key;

  struct Tls {
    std::string cert_file;  // both set or both empty (plain HTTP behind a proxy, as the reference)
    std::string key_file;
    bool enabled() const { return !cert_file.empty(); }
  } tls;

  struct Limits {
    std::size_t max_body_bytes = 65536;
    std::uint32_t request_timeout_ms = 10000;
    std::uint32_t idle_timeout_ms = 60000;
    std::uint32_t max_connections = 10000;
    std::uint32_t threads = 0;  // 0 = one per core
  } limits;

  struct Log {
    enum class Format { kPlain, kJson };
    enum class Level { kTrace, kDebug, kInfo, kWarn, kError };
    Format format = Format::kPlain;
    Level level = Level::kInfo;
    bool audit = true;  // one line per key read or written
  } log;

  // How often batched "last access" times are written to the database.
  std::uint32_t last_access_flush_seconds = 30;
};

// "plain"/"json"; "trace"/"debug"/"info"/"warn"/"error".
std::string_view LogFormatName(ConnectorConfig::Log::Format format);
std::string_view LogLevelName(ConnectorConfig::Log::Level level);

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

// This process's environment, as LoadConnectorConfig takes it.
std::vector<std::pair<std::string, std::string>> ProcessEnvironment();

// A few human-readable lines for `connector check`. The password appears only as "(set)".
std::string DescribeConfig(const ConnectorConfig& config);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_CONFIG_CONNECTOR_CONFIG_H_
