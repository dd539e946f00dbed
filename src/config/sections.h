// The configuration sections every service shares, as plain structs, with their setting rows.
//
// A service's config struct holds the sections it needs and adds their rows to its table
// (config/settings.h); the TOML, KEYWARDEN_* names and defaults then are the same in every
// service. Checks across a section's settings run after Apply (CheckTls).
#ifndef KEYWARDEN_CONFIG_SECTIONS_H_
#define KEYWARDEN_CONFIG_SECTIONS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/listen.h"
#include "config/settings.h"
#include "config/sources.h"
#include "keywarden/status.h"
#include "net/ip_network.h"

namespace keywarden::config {

// listen.host, listen.port, or listen = "HOST:PORT".
using ListenSection = ListenAddress;

// How a service checks the bearer tokens of its identity server: [auth].
struct IdentitySection {
  std::uint32_t clock_skew_seconds = 60;
  std::uint32_t max_token_lifetime_seconds = 86400;   // exp - iat; longer-lived tokens are refused
  std::string audience;                               // empty = not checked (the reference does not check it)
  std::uint32_t jwks_refresh_seconds = 30;            // least time between two fetches a token asks for
  std::uint32_t jwks_refresh_interval_seconds = 300;  // the signing keys are fetched again this often
  std::size_t max_token_bytes = 16384;
  bool allow_insecure_identity_server = false;
};

struct TlsSection {
  std::string cert_file;  // both set or both empty (plain HTTP behind a proxy, as the reference)
  std::string key_file;
  bool enabled() const { return !cert_file.empty(); }
};

struct LimitsSection {
  std::size_t max_body_bytes = 65536;
  std::uint32_t request_timeout_ms = 10000;
  std::uint32_t idle_timeout_ms = 60000;
  std::uint32_t max_connections = 10000;
  std::uint32_t max_connections_per_address = 1000;  // 0 = no limit (every client behind one proxy)
  std::uint32_t threads = 0;                         // 0 = one per core
  // Reverse proxies whose X-Forwarded-For names the client (http/forwarded_for.h); none by default.
  std::vector<net::IpNetwork> trusted_proxies;
};

// Who may read /metrics: [metrics].
struct MetricsSection {
  // Empty: anyone who can reach the listener (as before). Set: a scrape must send
  // `Authorization: Bearer <token>`; anything else gets 401.
  std::string token;
  // Gauges that cost a query (keys stored) are sampled this often, in the background.
  std::uint32_t sample_seconds = 30;
};

struct LogSection {
  enum class Format { kPlain, kJson };
  enum class Level { kTrace, kDebug, kInfo, kWarn, kError };
  Format format = Format::kPlain;
  Level level = Level::kInfo;
  bool audit = true;  // one line per key read or written
};

// "plain"/"json"; "trace"/"debug"/"info"/"warn"/"error".
std::string_view LogFormatName(LogSection::Format format);
std::string_view LogLevelName(LogSection::Level level);

// The reference's other names (json, sqlserver, mongo) are recognised at load and refused as
// not supported by this build.
enum class DatabaseProvider { kSqlite, kPostgresql, kMysql /* MySQL or MariaDB */ };
// "sqlite", "postgresql", "mysql": the setting's own values.
std::string_view DatabaseProviderName(DatabaseProvider provider);

struct DatabaseSection {
  DatabaseProvider provider = DatabaseProvider::kSqlite;
  std::string sqlite_path = "/var/lib/keywarden/connector.db";
  // Connection strings, Key=Value (the reference's form) or URL. Secrets: they hold the
  // database password, so they are never printed. The service checks that the one the provider
  // names is set and parses (config must not depend on sql, which will open from this section).
  std::string postgresql;
  std::string mysql;
  // Pool size for PostgreSQL and MySQL, unless the connection string sets Maximum Pool Size.
  std::uint32_t connections = 8;
};

std::span<const SettingRow<ListenSection>> ListenRows();
std::span<const SettingRow<IdentitySection>> IdentityRows();
std::span<const SettingRow<TlsSection>> TlsRows();
std::span<const SettingRow<LimitsSection>> LimitsRows();
std::span<const SettingRow<LogSection>> LogRows();
std::span<const SettingRow<MetricsSection>> MetricsRows();
std::span<const SettingRow<DatabaseSection>> DatabaseRows();  // database.provider is early

// Both TLS files or neither.
Status CheckTls(const RawSettings& settings, const TlsSection& tls);

}  // namespace keywarden::config

#endif  // KEYWARDEN_CONFIG_SECTIONS_H_
